"""The pure part of HS classification: input checks, terms, fusion, and the mismatch verdict
(no model needed)."""

from __future__ import annotations

import pytest

from corridor.classification.check import DescriptionCheck, judge
from corridor.classification.domain import (
    MAX_DESCRIPTION_CHARS,
    Candidate,
    HsUnavailable,
    Reference,
    Suggestion,
    Weights,
    check_description,
    check_top,
    fuse,
    latin_share,
    softmax,
)
from corridor.classification.service import HsService
from corridor.classification.terms import terms
from corridor.shared.errors import InvalidInput


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "must not be blank"),
        ("   \n ", "must not be blank"),
        ("x" * 100_000, "100000 characters long"),
        (b"frozen shrimp", "must be text, got bytes"),
        (42, "must be text, got int"),
        (None, "must be text, got NoneType"),
        ("shrimp\x00", "NUL"),
        ("12345 / 678", "no letters"),
    ],
)
def test_bad_descriptions_are_refused_naming_the_field(value: object, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_description(value)
    (error,) = caught.value.errors
    assert error.path == "description"
    assert reason in error.reason


def test_a_description_is_kept_with_whitespace_collapsed() -> None:
    assert check_description("  Frozen\tshrimp \n blocks ") == "Frozen shrimp blocks"
    assert len(check_description("a" * MAX_DESCRIPTION_CHARS)) == MAX_DESCRIPTION_CHARS


@pytest.mark.parametrize("top", [0, 21, -1, True, "5", 2.5])
def test_top_is_a_whole_number_from_1_to_20(top: object) -> None:
    with pytest.raises(InvalidInput):
        check_top(top)
    assert check_top(20) == 20


def test_latin_share_tells_scripts_apart() -> None:
    assert latin_share("Frozen shrimp") == 1.0
    assert latin_share("Замороженные креветки") == 0.0
    assert latin_share("काली चाय, पत्ती") == 0.0
    assert 0.0 < latin_share("चाय tea") < 1.0


def test_terms_stem_plurals_and_drop_stop_words_and_numbers() -> None:
    assert terms("Shrimps and prawns, 2 kg blocks of the teas") == ["shrimp", "prawn", "kg", "block", "tea"]
    assert terms("glasses boxes batteries") == ["glass", "box", "battery"]


REFS = (
    Reference("030617", "Crustaceans; frozen, shrimps and prawns", "p"),
    Reference("030619", "Crustaceans; frozen, other", "p"),
    Reference("090230", "Tea; black, in packings not exceeding 3kg", "p"),
)


def test_fusion_adds_lexical_evidence_and_rolls_up_to_headings() -> None:
    weights = Weights(semantic=1.0, lexical=0.5, heading=0.5, temperature=0.1, heading_semantic=1.0)
    semantic = [(2, 0.50), (0, 0.45), (1, 0.40)]
    lexical = [(0, 6.0), (1, 2.0)]
    fused = fuse(REFS, semantic, lexical, {"0306": 0.3, "0902": 0.2}, weights)
    assert max(fused.subheading, key=fused.subheading.__getitem__) == 0
    assert fused.heading["0306"] > fused.heading["0902"]
    assert fused.heading_confidence["0306"] > 0.5
    assert sum(fused.heading_confidence.values()) == pytest.approx(1.0)


def test_without_lexical_hits_the_semantic_order_stands() -> None:
    fused = fuse(REFS, [(2, 0.6), (0, 0.3)], [], {}, Weights(1.0, 0.5, 0.0, 0.1))
    assert max(fused.subheading, key=fused.subheading.__getitem__) == 2


def test_softmax_of_nothing_is_nothing() -> None:
    assert softmax({}, 0.1) == {}


def _suggestion(headings: list[tuple[str, float]], codes: list[str]) -> Suggestion:
    candidates = tuple(Candidate(c, "text", "path", 1.0, headings[0][1], (), 0.5) for c in codes)
    return Suggestion("goods", candidates, "high", (), tuple(headings))


def test_a_correct_declaration_is_not_flagged() -> None:
    suggestion = _suggestion([("0306", 0.97), ("1605", 0.02)], ["030617", "160521"])
    verdict = judge(suggestion, "0306179100", min_confidence=0.9, top_headings=3)
    assert verdict.available and not verdict.flagged
    assert "suggestion 1" in verdict.detail


def test_a_confident_mismatch_is_flagged_naming_declared_and_suggested_codes() -> None:
    suggestion = _suggestion([("0306", 0.97), ("1605", 0.02)], ["030617", "160521"])
    verdict = judge(suggestion, "8471300000", min_confidence=0.9, top_headings=3)
    assert verdict.flagged
    assert "8471300000" in verdict.detail and "0306.17" in verdict.detail and "heading 0306" in verdict.detail


def test_an_unsure_mismatch_is_not_flagged() -> None:
    suggestion = _suggestion([("0306", 0.55), ("1605", 0.40)], ["030617"])
    assert not judge(suggestion, "8471300000", min_confidence=0.9, top_headings=3).flagged


def test_without_a_classifier_the_check_is_inert_and_says_why() -> None:
    verdict = DescriptionCheck(None, "the [hs] extra is not installed").check(
        "Frozen shrimp", "0306179100", 0.0
    )
    assert not verdict.available and not verdict.flagged
    assert "[hs] extra is not installed" in verdict.detail


def test_a_service_whose_loader_fails_says_so_every_time() -> None:
    calls = []

    def loader() -> object:
        calls.append(1)
        raise HsUnavailable("HS suggestions need the optional [hs] extra")

    service = HsService(loader)  # type: ignore[arg-type]
    for _ in range(2):
        with pytest.raises(HsUnavailable, match=r"\[hs\] extra"):
            service.suggest("Frozen shrimp")
    assert service.unavailable_reason() is not None
    assert len(calls) == 1
