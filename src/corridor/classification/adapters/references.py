"""The reference descriptions the nearest-neighbour vote reads: real goods descriptions with the
HS 2022 subheading a published customs ruling gave them, shipped with the package in
``corridor/classification/data/hs_references.csv`` (one ruling cited on every row). None of
them is in the evaluation set ``benchmarks/data/hs_eval.csv``: the tests check that no ruling
and no near-identical text is in both."""

from __future__ import annotations

from collections.abc import Collection

from corridor.classification.adapters.packaged import csv_rows, packaged_file
from corridor.classification.domain import Example

REFERENCES_FILE = "hs_references.csv"
COLUMNS = ("id", "description", "hs6", "source", "url")


def read_examples(text: str, subheadings: Collection[str]) -> tuple[Example, ...]:
    """The rows of a reference file; ``ValueError`` naming the row for a bad one (missing
    column, empty description, a code that is not an HS 2022 subheading, no source)."""
    reader = csv_rows(text, REFERENCES_FILE, COLUMNS)
    examples: list[Example] = []
    for line, row in enumerate(reader, start=2):
        description = (row.get("description") or "").strip()
        hs6 = (row.get("hs6") or "").strip()
        source = (row.get("source") or "").strip()
        if not description or not source or not (row.get("url") or "").startswith("https://"):
            raise ValueError(f"{REFERENCES_FILE} line {line}: description, source and url are required")
        if hs6 not in subheadings:
            raise ValueError(f"{REFERENCES_FILE} line {line}: {hs6!r} is not an HS 2022 subheading")
        examples.append(Example(description, hs6, source))
    return tuple(examples)


def load_examples(subheadings: Collection[str]) -> tuple[tuple[Example, ...], str]:
    """The shipped reference descriptions and a digest of the file."""
    text, digest = packaged_file(REFERENCES_FILE)
    return read_examples(text, subheadings), digest
