"""Flattening like the ``flatley`` package as OpenAttestation calls it.

Keys are joined with ``.``; array elements use their index as a key (``items.0.hsCode``); empty
arrays and objects are leaves (``{"remarks": []}`` flattens to ``remarks: []``); a key containing
``.`` is refused, as OpenAttestation refuses it ("Key names must not have . in them")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from corridor.documents.oa.errors import OAFormatError


def display_path(parts: tuple[str | int, ...], root: str = "data") -> str:
    """A path in the project's convention: dots for keys, ``[i]`` for array indexes."""
    out = root
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def iter_leaves(data: Any, root: str = "data") -> Iterator[tuple[str, Any]]:
    """Yield ``(flattened key, leaf value)`` pairs in document order."""

    def walk(value: Any, key: str, parts: tuple[str | int, ...]) -> Iterator[tuple[str, Any]]:
        if isinstance(value, dict):
            if not value and parts:
                yield key, value
                return
            for k, v in value.items():
                if not isinstance(k, str):
                    raise OAFormatError.single(display_path(parts, root), "object keys must be strings")
                if "." in k:
                    raise OAFormatError.single(
                        display_path((*parts, k), root),
                        'field names must not contain "." (OpenAttestation flattens paths with dots)',
                    )
                yield from walk(v, f"{key}.{k}" if parts else k, (*parts, k))
        elif isinstance(value, list):
            if not value and parts:
                yield key, value
                return
            for i, v in enumerate(value):
                yield from walk(v, f"{key}.{i}" if parts else str(i), (*parts, i))
        else:
            yield key, value

    yield from walk(data, "", ())


def flatten(data: Any, root: str = "data") -> dict[str, Any]:
    return dict(iter_leaves(data, root))


def split_path(path: str) -> list[str | int]:
    """``items[0].hsCode`` or ``items.0.hsCode`` -> ``["items", 0, "hsCode"]`` (lodash path syntax)."""
    parts: list[str | int] = []
    for chunk in path.replace("[", ".").replace("]", "").split("."):
        if chunk == "":
            continue
        parts.append(int(chunk) if chunk.isdigit() else chunk)
    return parts
