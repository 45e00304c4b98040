"""Turn pydantic validation errors into FieldErrors with WCO-style paths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from corridor.shared.errors import FieldError, InvalidInput

M = TypeVar("M", bound=BaseModel)


def path_of(loc: Sequence[int | str], prefix: str = "") -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path or "(document)"


def field_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    errors = []
    for err in exc.errors(include_url=False):
        reason = err["msg"]
        if err["type"] == "extra_forbidden":
            reason = "unexpected member (not in the schema)"
        errors.append(FieldError(path_of(err["loc"], prefix), reason))
    return errors


def parse_model(model: type[M], raw: Any, prefix: str = "") -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, prefix)) from None
