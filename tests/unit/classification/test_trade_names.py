"""The trade names embedded one by one: which subheadings each covers, the nearest name of each
subheading, and its weight in the fusion (no model needed: small fixed vectors)."""

from __future__ import annotations

import numpy as np
import pytest

from corridor.classification.adapters.index import SECOND_NAME_SHARE, TradeNames
from corridor.classification.adapters.nomenclature import Nomenclature
from corridor.classification.domain import Candidate, Reference, Weights, fuse, trade_name_scores

REFS = (
    Reference("847130", "Portable automatic data processing machines", "Machines > Portable"),
    Reference("847141", "Other automatic data processing machines", "Machines > Other"),
    Reference("090230", "Black tea, packings not exceeding 3 kg", "Tea > Black tea"),
)


def nomenclature(synonyms: dict[str, tuple[str, ...]]) -> Nomenclature:
    return Nomenclature(REFS, {"8471": "Computers", "0902": "Tea"}, {}, {}, "test", synonyms=synonyms)


def test_each_distinct_name_is_embedded_once_and_covers_every_subheading_it_is_given_to() -> None:
    names, pairs = nomenclature(
        {"847130": ("laptop", "computer"), "847141": ("computer", "desktop"), "090230": ("assam",)}
    ).trade_names()
    assert names == ("laptop", "computer", "desktop", "assam")
    assert pairs == ((0, 0), (0, 1), (1, 1), (1, 2), (2, 3))


def test_a_subheading_scores_its_nearest_name_moved_towards_its_second() -> None:
    names = TradeNames(("laptop", "computer", "desktop", "assam"), ((0, 0), (0, 1), (1, 1), (1, 2), (2, 3)))
    similarities = np.array([0.9, 0.5, 0.7, 0.1], dtype=np.float32)
    nearest, terms = names.nearest(similarities, 3)
    share = SECOND_NAME_SHARE
    assert nearest == [
        (0, pytest.approx(0.9 - share * 0.4)),  # laptop 0.9, then computer 0.5
        (1, pytest.approx(0.7 - share * 0.2)),  # desktop 0.7, then computer 0.5
        (2, pytest.approx(0.1)),  # one name: its own similarity
    ]
    assert terms == {
        0: ("laptop", pytest.approx(0.9)),
        1: ("desktop", pytest.approx(0.7)),
        2: ("assam", pytest.approx(0.1)),
    }
    top, top_terms = names.nearest(similarities, 1)
    assert top == [(0, pytest.approx(0.9 - share * 0.4))] and top_terms == {0: ("laptop", pytest.approx(0.9))}


def test_two_near_names_outrank_one_nearer_name_alone() -> None:
    names = TradeNames(("a", "b", "c", "d"), ((0, 0), (0, 1), (1, 2), (1, 3)))
    nearest, _ = names.nearest(np.array([0.80, 0.20, 0.78, 0.76], dtype=np.float32), 2)
    assert [i for i, _ in nearest] == [1, 0]


def test_without_trade_names_there_is_nothing_near() -> None:
    assert TradeNames((), ()).nearest(np.zeros(0, dtype=np.float32), 5) == ([], {})


def test_only_the_similarity_above_the_floor_counts_scaled_to_one() -> None:
    assert trade_name_scores([(0, 0.9), (1, 0.3), (2, 0.2)], floor=0.3) == pytest.approx({0: 6 / 7})


def test_a_near_trade_name_lifts_a_subheading_the_model_ranked_second() -> None:
    semantic = [(1, 0.62), (0, 0.60)]
    plain = Weights(1.0, 0.0, 0.0, 0.05)
    without = fuse(REFS, semantic, [], {}, plain, trade_names=[(0, 0.95)])
    assert max(without.subheading, key=lambda i: without.subheading[i]) == 1  # weight 0: ignored
    weights = Weights(1.0, 0.0, 0.0, 0.05, trade_names=1.0, trade_name_floor=0.5)
    fused = fuse(REFS, semantic, [], {}, weights, trade_names=[(0, 0.95), (1, 0.4)])
    assert max(fused.subheading, key=lambda i: fused.subheading[i]) == 0
    assert fused.subheading[1] == pytest.approx(0.62)  # below the floor: no lift


def test_a_candidate_names_its_nearest_trade_name_in_json() -> None:
    named = Candidate("847130", "Portable", "path", 1.0, 0.9, (), 0.8, (), ("laptop", 0.87654))
    assert named.to_json()["why"]["trade_name"] == {"term": "laptop", "similarity": 0.8765}
    unnamed = Candidate("847130", "Portable", "path", 1.0, 0.9, (), 0.8)
    assert unnamed.to_json()["why"]["trade_name"] is None
