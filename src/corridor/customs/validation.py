"""Validate a filed declaration: structure (pydantic) first, then the domain's rules."""

from __future__ import annotations

from typing import Any

from corridor.customs.domain.rules import CodeLookup, declaration_errors
from corridor.customs.domain.wco import DeclarationDocument
from corridor.customs.legacy import is_legacy_declaration
from corridor.shared.errors import FieldError, InvalidInput
from corridor.shared.validation import parse_model

PRE_WCO = FieldError(
    "Declaration",
    "uses the paths from before the WCO DM 3.x alignment (e.g. DeclarationOfficeID, Declaration.Importer); "
    "see docs/WCO-DATA-MODEL.md for the new paths",
)


def validate_declaration(raw: Any, codes: CodeLookup) -> DeclarationDocument:
    """Return the parsed declaration or raise InvalidInput listing every problem with its path."""
    try:
        document = parse_model(DeclarationDocument, raw)
    except InvalidInput as exc:
        if is_legacy_declaration(raw):
            raise InvalidInput([PRE_WCO, *exc.errors]) from None
        raise
    errors = declaration_errors(document.Declaration, codes)
    if errors:
        raise InvalidInput(errors)
    return document
