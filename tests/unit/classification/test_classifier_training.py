"""The subheading classifier learns from the index's vectors of labelled texts: every reference
and written example with its subheading, every trade name with the subheadings it covers and every
subheading's own text; a trade name that covers nothing teaches nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corridor.classification.adapters.nomenclature import Nomenclature
from corridor.classification.domain import Example, Reference
from tests.unit.classification.conftest import training_tool

ROOT = Path(__file__).resolve().parents[3]
REFS = (
    Reference("847130", "Portable automatic data processing machines", "Machines > Portable"),
    Reference("847141", "Other automatic data processing machines", "Machines > Other"),
    Reference("090230", "Black tea, packings not exceeding 3 kg", "Tea > Black tea"),
)


def test_each_vector_is_labelled_with_the_subheadings_its_text_falls_under() -> None:
    nomenclature = Nomenclature(
        REFS,
        {"8471": "Computers", "0902": "Tea"},
        {},
        {},
        "test",
        examples=(Example("Assam CTC tea, 1 kg packs", "090230", "test ruling"),),
        synonyms={"847130": ("laptop", "computer"), "847141": ("computer",)},
    )
    names = len(nomenclature.trade_names()[0])  # laptop, computer
    vectors = tuple(
        np.full((count, 4), float(k), dtype=np.float32) for k, count in enumerate((3, 2, 1, names))
    )
    x, labels = training_tool("train_hs_classifier").labelled_vectors(nomenclature, vectors)
    assert labels == [[2], [0], [0, 1], [0], [1], [2]]  # example, names, subheading texts
    assert x.shape == (6, 4)
    assert x[:, 0].tolist() == [2.0, 3.0, 3.0, 0.0, 0.0, 0.0]  # example, names, subheading vectors
