"""The query encoder learns from the trade names, the reference rulings and the nomenclature's own
texts, never from the evaluation set its accuracy is measured on."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.unit.classification.conftest import training_tool

ROOT = Path(__file__).resolve().parents[3]


def _plain(text: str) -> str:
    return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split())


def test_no_evaluation_description_is_a_training_text_and_every_label_is_a_subheading() -> None:
    from corridor.classification.adapters.nomenclature import load_nomenclature

    nomenclature = load_nomenclature()
    examples = training_tool("train_hs_query_encoder").training_texts(nomenclature)
    with (ROOT / "benchmarks" / "data" / "hs_eval.csv").open(encoding="utf-8", newline="") as f:
        evaluation = {_plain(row["description"]) for row in csv.DictReader(f)}
    assert len(evaluation) > 300 and len(examples) > 40_000
    assert not {_plain(text) for text, _ in examples} & evaluation
    count = len(nomenclature.references)
    assert all(labels and all(0 <= i < count for i in labels) for _, labels in examples)
    codes = [r.hs6 for r in nomenclature.references]
    shrimp = codes.index("030617")  # a subheading's own text is labelled with that subheading
    assert dict(examples)[nomenclature.references[shrimp].description] == [shrimp]
