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
from corridor.documents.oa.flatten import iter_leaves, split_path
from corridor.documents.oa.wrap import field_hash
from corridor.shared.errors import FieldError


def _join(parts: Sequence[str | int]) -> str:
    out = "data"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _flat_key(parts: Sequence[str | int]) -> str:
    return ".".join(str(p) for p in parts)


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
    hidden: list[str] = []
    errors: list[FieldError] = []
    for path in paths:
        parts = split_path(path)
        shown = _join(parts)
        if not parts:
            errors.append(FieldError("field", f"{path!r} is not a field path"))
            continue
        parent: Any = data
        ok = True
        for p in parts[:-1]:
            if isinstance(parent, dict) and isinstance(p, str) and p in parent:
                parent = parent[p]
            elif isinstance(parent, list) and isinstance(p, int) and p < len(parent):
                parent = parent[p]
            else:
                ok = False
                break
        last = parts[-1]
        if ok and isinstance(parent, dict) and isinstance(last, str) and last in parent:
            pass
        elif ok and isinstance(parent, list) and isinstance(last, int) and last < len(parent):
            errors.append(
                FieldError(shown, "an array element cannot be hidden on its own; hide its fields or the whole array")
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
        value = parent[last]
        prefix = _flat_key(parts)
        if isinstance(value, dict | list) and value:
            hidden += [field_hash(f"{prefix}.{k}", v) for k, v in iter_leaves(value, shown)]
        else:
            hidden.append(field_hash(prefix, value))
        del parent[last]
    if errors:
        raise OAFormatError(errors)
    privacy = doc.get("privacy") if isinstance(doc.get("privacy"), dict) else {}
    existing = list(privacy.get("obfuscatedData", []))
    doc["privacy"] = {**privacy, "obfuscatedData": existing + hidden}
    return doc
