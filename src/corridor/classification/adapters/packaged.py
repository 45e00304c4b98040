"""A data file shipped in ``corridor/classification/data``: its text, and a digest of it that keys
the HS index's cache (a changed file means a rebuilt index); and its rows, once its columns are
checked."""

from __future__ import annotations

import csv
import hashlib
import io
from importlib import resources


def packaged_file(name: str) -> tuple[str, str]:
    """The text of the shipped data file ``name`` and its digest."""
    text = resources.files("corridor.classification").joinpath("data", name).read_text(encoding="utf-8")
    return text, hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def csv_rows(text: str, name: str, columns: tuple[str, ...]) -> csv.DictReader[str]:
    """The rows of the CSV file ``name``; ``ValueError`` unless its columns are ``columns``."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != columns:
        raise ValueError(f"{name}: columns must be {', '.join(columns)}")
    return reader
