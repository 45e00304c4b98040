"""The check's bounded LRU cache of suggestions, and the nearest-neighbour votes in the fusion
(no model needed)."""

from __future__ import annotations

import pytest

from corridor.classification.check import DescriptionCheck, SuggestionCache
from corridor.classification.domain import (
    Candidate,
    Example,
    Reference,
    Suggestion,
    Weights,
    check_description,
    fuse,
    neighbour_votes,
)

REFS = [
    Reference("030617", "Other shrimps and prawns, frozen", "Fish > Crustaceans > Shrimps"),
    Reference("160521", "Shrimps and prawns, not in airtight container", "Preparations > Shrimps"),
    Reference("090230", "Black tea, packings not exceeding 3 kg", "Tea > Black tea"),
]


class CountingClassifier:
    """Suggests heading 0306 for anything, counting its calls; refuses what the ranker refuses."""

    def __init__(self) -> None:
        self.calls = 0

    def suggest(self, description: object, top: object = 5) -> Suggestion:
        text = check_description(description)
        self.calls += 1
        candidate = Candidate("030617", "Shrimps", "path", 1.0, 0.97, ("shrimp",), 0.8)
        return Suggestion(text, (candidate,), "high", (), (("0306", 0.97), ("1605", 0.02)))


def test_the_cache_keeps_the_most_recently_used_and_forgets_the_oldest() -> None:
    cache = SuggestionCache(2)
    a, b, c = (Suggestion(t, (), "low") for t in "abc")
    cache.put("a", a)
    cache.put("b", b)
    assert cache.get("a") is a  # a is now the most recent
    cache.put("c", c)
    assert cache.get("b") is None and cache.get("a") is a and cache.get("c") is c
    assert len(cache) == 2 and cache.hits == 3 and cache.misses == 1


def test_a_cache_of_size_zero_keeps_nothing_and_a_negative_size_is_refused() -> None:
    cache = SuggestionCache(0)
    cache.put("a", Suggestion("a", (), "low"))
    assert cache.get("a") is None and len(cache) == 0
    with pytest.raises(ValueError, match="cache size"):
        SuggestionCache(-1)


def test_the_check_asks_the_classifier_once_per_description_and_judges_each_declaration() -> None:
    classifier = CountingClassifier()
    check = DescriptionCheck(classifier)
    first = check.check("Frozen shrimp, peeled", "0306179100", 0.9)
    again = check.check("  Frozen   shrimp,\npeeled ", "8471300000", 0.9)  # same goods, other code
    assert classifier.calls == 1
    assert not first.flagged and again.flagged and "8471300000" in again.detail


def test_the_check_without_a_cache_asks_every_time() -> None:
    classifier = CountingClassifier()
    check = DescriptionCheck(classifier, cache_size=0)
    for _ in range(3):
        check.check("Frozen shrimp", "0306179100", 0.9)
    assert classifier.calls == 3


@pytest.mark.parametrize(
    ("description", "reason"),
    [("", "must not be blank"), ("shrimp " * 15_000, "105000 characters long"), ("12345", "no letters")],
)
def test_bad_descriptions_leave_the_rule_inert_and_are_not_cached(description: str, reason: str) -> None:
    classifier = CountingClassifier()
    check = DescriptionCheck(classifier)
    verdict = check.check(description, "0306179100", 0.9)
    assert not verdict.available and not verdict.flagged
    assert "cannot be classified" in verdict.detail and reason in verdict.detail
    assert len(check.cache) == 0


def test_neighbours_vote_their_similarity_above_the_floor_for_their_subheading() -> None:
    votes = neighbour_votes([(0, 0.9), (0, 0.7), (2, 0.55), (1, 0.4)], floor=0.5)
    assert votes == pytest.approx({0: 0.6, 2: 0.05})


def test_neighbour_votes_lift_a_subheading_the_model_ranked_second() -> None:
    semantic = [(1, 0.62), (0, 0.60)]
    without = fuse(REFS, semantic, [], {}, Weights(1.0, 0.0, 0.0, 0.05))
    assert max(without.subheading, key=lambda i: without.subheading[i]) == 1
    weights = Weights(1.0, 0.0, 0.0, 0.05, neighbours=1.0, neighbour_floor=0.5)
    fused = fuse(REFS, semantic, [], {}, weights, neighbours=[(0, 0.85), (0, 0.8)])
    assert max(fused.subheading, key=lambda i: fused.subheading[i]) == 0
    assert fused.heading_confidence["0306"] > fused.heading_confidence["1605"]


def test_with_no_neighbour_weight_the_votes_change_nothing() -> None:
    semantic = [(1, 0.62), (0, 0.60)]
    plain = fuse(REFS, semantic, [], {}, Weights(1.0, 0.0, 0.0, 0.05))
    ignored = fuse(REFS, semantic, [], {}, Weights(1.0, 0.0, 0.0, 0.05), neighbours=[(2, 0.99)])
    assert plain == ignored


def test_a_candidate_names_its_nearest_references_in_json() -> None:
    example = Example("Frozen headless shell-on shrimp", "030617", "US CBP ruling NY F81553")
    candidate = Candidate("030617", "Shrimps", "path", 1.0, 0.9, (), 0.8, ((example, 0.91234),))
    why = candidate.to_json()["why"]
    assert why["nearest_references"] == [
        {
            "description": "Frozen headless shell-on shrimp",
            "source": "US CBP ruling NY F81553",
            "similarity": 0.9123,
        }
    ]
