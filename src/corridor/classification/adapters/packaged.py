"""A data file shipped in ``corridor/classification/data``: its text, and a digest of it that keys
the HS index's cache (a changed file means a rebuilt index)."""

from __future__ import annotations

import hashlib
from importlib import resources


def packaged_file(name: str) -> tuple[str, str]:
    """The text of the shipped data file ``name`` and its digest."""
    text = resources.files("corridor.classification").joinpath("data", name).read_text(encoding="utf-8")
    return text, hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
