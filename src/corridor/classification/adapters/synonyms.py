"""Trade names of the goods each HS 2022 heading or subheading covers, the way an alphabetical
index to a customs tariff lists them ("laptop" under 8471, "vannamei shrimp" under 0306.17):
traders write these words, the nomenclature does not. Shipped with the package in
``corridor/classification/data/hs_synonyms.csv`` (``code,terms``: a 4-digit heading or 6-digit
subheading, its terms separated by ``;``). They were written for this project from the headings'
scope under the HS 2022 General Interpretative Rules and trade usage, independently of the
evaluation set; they are an aid to retrieval, not a legal text."""

from __future__ import annotations

from collections.abc import Collection

from corridor.classification.adapters.packaged import csv_rows, packaged_file

SYNONYMS_FILE = "hs_synonyms.csv"
COLUMNS = ("code", "terms")
MAX_TERM_CHARS = 60


def read_synonyms(text: str, subheadings: Collection[str]) -> dict[str, tuple[str, ...]]:
    """Terms by code (heading or subheading); ``ValueError`` naming the line for a code that is
    no HS 2022 heading or subheading, or a row without terms."""
    reader = csv_rows(text, SYNONYMS_FILE, COLUMNS)
    headings = {code[:4] for code in subheadings}
    found: dict[str, list[str]] = {}
    for line, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        if not (code in subheadings or (len(code) == 4 and code in headings)):
            raise ValueError(f"{SYNONYMS_FILE} line {line}: {code!r} is not an HS 2022 heading or subheading")
        terms = [t.strip() for t in (row.get("terms") or "").split(";") if t.strip()]
        if not terms or any(len(t) > MAX_TERM_CHARS for t in terms):
            raise ValueError(
                f"{SYNONYMS_FILE} line {line}: terms must be given, each under {MAX_TERM_CHARS} characters"
            )
        found.setdefault(code, []).extend(terms)
    return {code: tuple(dict.fromkeys(terms)) for code, terms in found.items()}


def load_synonyms(subheadings: Collection[str]) -> tuple[dict[str, tuple[str, ...]], str]:
    """The shipped synonyms by code, and a digest of the file."""
    text, digest = packaged_file(SYNONYMS_FILE)
    return read_synonyms(text, subheadings), digest
