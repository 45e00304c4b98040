"""Checks of EPCIS fields the models share: date-times, CBV terms, extension keys, ``@context``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from corridor.logistics.epcis.vocabulary import LEGACY_CBV_RE, RFC3339_RE
from corridor.logistics.identifiers import URI_RE


def check_time(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not RFC3339_RE.match(value):
        raise ValueError("must be an RFC 3339 date-time string with offset, e.g. 2025-03-01T10:00:00+05:30")
    return value


def cbv_term(value: str, short: frozenset[str], uri_prefix: str, what: str) -> str:
    if value in short:
        return value
    if value.startswith(uri_prefix) and value[len(uri_prefix) :] in short:
        return value[len(uri_prefix) :]
    if LEGACY_CBV_RE.match(value):
        raise ValueError(
            f"{value!r} is the EPCIS 1.x CBV URN form, not allowed in EPCIS 2.0 JSON; "
            f"use the short term or {uri_prefix}<term>"
        )
    if URI_RE.match(value) and ":" in value and not value.startswith(uri_prefix):
        return value  # a user-vocabulary URI, allowed by the standard
    raise ValueError(f"{value!r} is not a CBV {what} (short term like {sorted(short)[0]!r} or a URI)")


def check_extension_keys(extra: dict[str, Any] | None) -> None:
    if extra:
        for key in extra:
            if not URI_RE.match(key):
                raise ValueError(
                    f"unknown field {key!r}; extension fields must be namespaced (prefix:name or URI)"
                )


def check_context(ctx: Any) -> None:
    items = ctx if isinstance(ctx, list) else [ctx]
    seen: list[Any] = []
    for item in items:
        if isinstance(item, str) and not URI_RE.match(item):
            raise ValueError(f"@context entry {item!r} is not a URI")
        if item in seen:
            raise ValueError("@context entries must be unique")
        seen.append(item)
