"""Selective disclosure: hide fields of a wrapped document without breaking its targetHash.

Each hidden leaf's field hash moves to ``privacy.obfuscatedData`` and the field is removed from
``data`` (``obfuscateDocument`` in the npm library). Two cases the npm library lets through but
which would make the document fail verification are refused with a clear error: hiding a single
array element (the array would shift or keep a hole) and hiding the last field of an object or
array (the empty container would become a new leaf); hide the whole container instead."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from corridor.documents.oa.errors import OAFormatError
from corridor.documents.oa.flatten import split_path
from corridor.documents.oa.wrap import field_hash
from corridor.shared.errors import FieldError


def _join(parts: Sequence[str | int]) -> str:
    out = "data"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _is_array_index(key: str) -> bool:
    return key.isdigit() and key == str(int(key)) and int(key) < 2**32 - 1


def _js_keys(obj: dict[str, Any]) -> list[str]:
    """``Object.keys`` order: array-index keys ascending, then the others in insertion order."""
    return sorted((k for k in obj if _is_array_index(k)), key=int) + [
        k for k in obj if not _is_array_index(k)
    ]


def _pick(picked: Sequence[tuple[Sequence[str | int], Any]]) -> dict[str, Any]:
    """lodash ``pick(data, paths)``: a tree holding only the picked values, built in path order."""
    tree: dict[str, Any] = {}
    for parts, value in picked:
        node = tree
        for p in parts[:-1]:
            node = node.setdefault(str(p), {})
        node[str(parts[-1])] = value
    return tree


def _js_order_leaves(tree: dict[str, Any]) -> list[tuple[str, Any]]:
    """Flatten like flatley walking JavaScript objects, so obfuscatedData has the npm library's order."""
    out: list[tuple[str, Any]] = []

    def walk(value: Any, key: str) -> None:
        items = {str(i): v for i, v in enumerate(value)} if isinstance(value, list) else value
        if isinstance(items, dict) and items:
            for k in _js_keys(items):
                walk(items[k], f"{key}.{k}" if key else k)
        elif key:
            out.append((key, value))

    walk(tree, "")
    return out


def obfuscate_document(wrapped: dict[str, Any], fields: str | Sequence[str]) -> dict[str, Any]:
    """A copy of ``wrapped`` with ``fields`` (paths into ``data``: ``a.b``, ``items[0].x`` or
    ``items.0.x``) hidden."""
    paths = [fields] if isinstance(fields, str) else list(fields)
    if not paths:
        raise OAFormatError.single("field", "name at least one field to hide")
    doc = copy.deepcopy(wrapped)
    data = doc.get("data")
    if not isinstance(data, dict):
        raise OAFormatError.single("data", "a wrapped document must have a 'data' object")
    picked: list[tuple[list[str | int], Any]] = []
    errors: list[FieldError] = []
    for path in paths:
        parts = split_path(path)
        shown = _join(parts)
        if not parts:
            errors.append(FieldError("field", f"{path!r} is not a field path"))
            continue
        parent: Any = data
        ok = True
        for i, p in enumerate(parts[:-1]):
            if isinstance(parent, dict) and str(p) in parent:
                parts[i] = str(p)  # an integer-like key of an object ("10") stays a key
                parent = parent[str(p)]
            elif isinstance(parent, list) and isinstance(p, int) and p < len(parent):
                parent = parent[p]
            else:
                ok = False
                break
        last = parts[-1]
        if ok and isinstance(parent, dict) and str(last) in parent:
            last = parts[-1] = str(last)
        elif ok and isinstance(parent, list) and isinstance(last, int) and last < len(parent):
            errors.append(
                FieldError(
                    shown, "an array element cannot be hidden on its own; hide its fields or the whole array"
                )
            )
            continue
        else:
            errors.append(FieldError(shown, "no such field in the document (or it is already hidden)"))
            continue
        if len(parent) == 1 and len(parts) > 1:
            errors.append(
                FieldError(
                    shown,
                    f"this is the last visible field of {_join(parts[:-1])}; hide {_join(parts[:-1])} instead",
                )
            )
            continue
        picked.append((parts, parent[last]))
        del parent[last]
    if errors:
        raise OAFormatError(errors)
    hidden = [field_hash(k, v) for k, v in _js_order_leaves(_pick(picked))]
    current = doc.get("privacy")
    privacy: dict[str, Any] = current if isinstance(current, dict) else {}
    existing = list(privacy.get("obfuscatedData", []))
    doc["privacy"] = {**privacy, "obfuscatedData": existing + hidden}
    return doc
