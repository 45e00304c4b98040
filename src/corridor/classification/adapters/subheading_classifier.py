"""The subheading classifier: one linear softmax layer over the query encoder's embedding of a
description, giving each HS 2022 subheading a probability.

Cosine similarity asks which subheading's *text* a description is near; this layer asks which
subheading the *goods* are, having learnt it from every labelled text the project holds (the
reference rulings, the written examples, the trade names and the nomenclature's own texts), so
that the many wordings of one subheading's goods pull its weights together. It is trained by
``tools/train_hs_classifier.py`` over the index's own vectors and shipped in
``data/hs_subheading_classifier.npz`` (weights in float16, 4 MB): the node only multiplies.

The file names the subheadings its columns stand for: a nomenclature gets the columns of its own
subheadings, in its order, and one with a subheading the file lacks is refused with the reason,
never scored with the wrong columns.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from importlib import resources

import numpy as np
from numpy.typing import NDArray

from corridor.classification.domain import HsUnavailable

CLASSIFIER_FILE = "hs_subheading_classifier.npz"


def classifier_file() -> bytes:
    return resources.files("corridor.classification").joinpath("data", CLASSIFIER_FILE).read_bytes()


class SubheadingClassifier:
    """Probabilities of the subheadings (in the nomenclature's order) for a unit vector."""

    def __init__(self, weights: NDArray[np.float32], bias: NDArray[np.float32]) -> None:
        if weights.ndim != 2 or bias.shape != (weights.shape[1],):
            raise HsUnavailable(f"the subheading classifier's shapes {weights.shape} and {bias.shape} differ")
        self._weights = np.ascontiguousarray(weights, dtype=np.float32)
        self._bias = bias.astype(np.float32)

    @classmethod
    def packaged(cls, codes: Sequence[str], dimension: int) -> SubheadingClassifier:
        """The shipped classifier, checked against the subheadings ``codes`` it must score."""
        return cls.from_bytes(classifier_file(), codes, dimension)

    @classmethod
    def from_bytes(cls, data: bytes, codes: Sequence[str], dimension: int) -> SubheadingClassifier:
        try:
            with np.load(io.BytesIO(data)) as stored:
                weights, bias, trained_on = stored["weights"], stored["bias"], stored["codes"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise HsUnavailable(f"the subheading classifier cannot be read: {exc}") from exc
        column = {str(code): k for k, code in enumerate(trained_on)}
        missing = [code for code in codes if code not in column]
        if missing:
            raise HsUnavailable(
                f"the subheading classifier knows no column for {len(missing)} of this nomenclature's "
                f"subheadings (the first: {missing[0]}); retrain it (tools/train_hs_classifier.py)"
            )
        if weights.shape != (dimension, len(trained_on)) or bias.shape != (len(trained_on),):
            raise HsUnavailable(
                f"the subheading classifier's weights are {weights.shape}, not ({dimension}, {len(trained_on)})"
            )
        picked = [column[code] for code in codes]
        return cls(weights[:, picked].astype(np.float32), bias[picked])

    def probabilities(self, vector: NDArray[np.float32]) -> NDArray[np.float32]:
        logits: NDArray[np.float32] = vector @ self._weights + self._bias
        exp: NDArray[np.float32] = np.exp(logits - logits.max())
        exp /= exp.sum()
        return exp

    def top(self, vector: NDArray[np.float32], n: int) -> list[tuple[int, float]]:
        """The ``n`` most probable subheadings as (index, probability), best first."""
        p = self.probabilities(vector)
        n = min(n, len(p))
        if n <= 0:
            return []
        picked = np.argpartition(-p, n - 1)[:n]
        picked = picked[np.argsort(-p[picked])]
        return [(int(i), float(p[i])) for i in picked]
