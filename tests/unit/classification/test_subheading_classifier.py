"""The subheading classifier: its file read against the nomenclature it must score (columns by
code, a stranger refused), its probabilities, and its weight in the fusion (small fixed vectors;
the packaged file needs numpy only)."""

from __future__ import annotations

import io

import numpy as np
import pytest

from corridor.classification.adapters.subheading_classifier import SubheadingClassifier
from corridor.classification.domain import (
    CLASSIFIER_LOG_FLOOR,
    Candidate,
    HsUnavailable,
    Reference,
    Weights,
    classifier_scores,
    fuse,
)

REFS = (
    Reference("847130", "Portable automatic data processing machines", "Machines > Portable"),
    Reference("847141", "Other automatic data processing machines", "Machines > Other"),
    Reference("090230", "Black tea, packings not exceeding 3 kg", "Tea > Black tea"),
)


def stored(codes: list[str], weights: np.ndarray | None = None, bias: np.ndarray | None = None) -> bytes:
    """A classifier file whose column k answers the unit vector e_k (dimension = len(codes))."""
    out = io.BytesIO()
    np.savez(
        out,
        weights=(10.0 * np.eye(len(codes)) if weights is None else weights).astype(np.float16),
        bias=np.zeros(len(codes), dtype=np.float32) if bias is None else bias,
        codes=np.array(codes),
    )
    return out.getvalue()


def unit(k: int, n: int) -> np.ndarray:
    v = np.zeros(n, dtype=np.float32)
    v[k] = 1.0
    return v


def test_a_nomenclature_gets_its_own_subheadings_columns_in_its_own_order() -> None:
    data = stored(["030617", "090230", "847130"])
    classifier = SubheadingClassifier.from_bytes(data, ["847130", "030617"], dimension=3)
    # e_2 is the file's 847130 column, the nomenclature's first subheading
    assert classifier.top(unit(2, 3), 1)[0][0] == 0
    assert classifier.top(unit(0, 3), 1)[0][0] == 1
    p = classifier.probabilities(unit(2, 3))
    assert p.shape == (2,) and float(p.sum()) == pytest.approx(1.0, abs=1e-6)


def test_the_best_are_returned_most_probable_first_and_at_most_as_many_as_there_are() -> None:
    classifier = SubheadingClassifier.from_bytes(
        stored(["847130", "847141", "090230"]), [r.hs6 for r in REFS], 3
    )
    ranked = classifier.top(np.array([0.2, 0.9, 0.4], dtype=np.float32), 10)
    assert [i for i, _ in ranked] == [1, 2, 0]
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)
    assert classifier.top(unit(0, 3), 0) == []


def test_a_subheading_the_file_has_no_column_for_is_refused_naming_it() -> None:
    with pytest.raises(HsUnavailable, match="the first: 271019"):
        SubheadingClassifier.from_bytes(stored(["847130", "090230"]), ["847130", "271019"], 2)


def test_weights_of_the_wrong_dimension_are_refused() -> None:
    with pytest.raises(HsUnavailable, match=r"\(3, 2\)"):
        SubheadingClassifier.from_bytes(stored(["847130", "090230"]), ["847130"], dimension=3)


@pytest.mark.parametrize("data", [b"", b"not a numpy archive", stored(["847130"])[:40]])
def test_an_unreadable_file_is_refused_with_the_reason(data: bytes) -> None:
    with pytest.raises(HsUnavailable, match="cannot be read"):
        SubheadingClassifier.from_bytes(data, ["847130"], 1)


def test_the_packaged_file_scores_every_subheading_of_the_nomenclature() -> None:
    from corridor.classification.adapters.nomenclature import load_nomenclature

    codes = [r.hs6 for r in load_nomenclature().references]
    classifier = SubheadingClassifier.packaged(codes, dimension=384)
    vector = np.random.default_rng(0).standard_normal(384).astype(np.float32)
    p = classifier.probabilities(vector / np.linalg.norm(vector))
    assert p.shape == (len(codes),) and float(p.sum()) == pytest.approx(1.0, abs=1e-4)


def test_the_log_probability_counts_above_its_floor_only() -> None:
    scores = classifier_scores([(0, 0.5), (1, 0.001), (2, 0.0)])
    assert scores[0] == pytest.approx(np.log(0.5) - CLASSIFIER_LOG_FLOOR)
    assert scores[1] == 0.0 and scores[2] == 0.0  # under e^-6 (and zero itself): nothing


def test_a_probable_subheading_outranks_the_one_whose_text_is_nearest() -> None:
    semantic = [(1, 0.62), (0, 0.60)]
    off = fuse(REFS, semantic, [], {}, Weights(1.0, 0.0, 0.0, 0.05), classified=[(0, 0.9)])
    assert max(off.subheading, key=lambda i: off.subheading[i]) == 1  # weight 0: ignored
    weights = Weights(1.0, 0.0, 0.0, 0.05, classifier=1.0)
    fused = fuse(REFS, semantic, [], {}, weights, classified=[(0, 0.9), (2, 0.05)])
    assert max(fused.subheading, key=lambda i: fused.subheading[i]) == 0
    assert fused.subheading[0] == pytest.approx(0.60 + np.log(0.9) - CLASSIFIER_LOG_FLOOR)
    assert 2 in fused.subheading  # a subheading only the classifier names is a candidate too


def test_a_candidate_shows_the_classifiers_probability_in_json() -> None:
    candidate = Candidate("847130", "Portable", "path", 1.0, 0.9, (), 0.8, probability=0.87654)
    assert candidate.to_json()["why"]["classifier_probability"] == 0.8765
