"""Validate a filed declaration: structure (pydantic) first, then the domain's rules."""

from __future__ import annotations

from typing import Any

from corridor.customs.domain.rules import CodeLookup, declaration_errors
from corridor.customs.schemas import DeclarationDocument
from corridor.shared.errors import InvalidInput
from corridor.shared.validation import parse_model


def validate_declaration(raw: Any, codes: CodeLookup) -> DeclarationDocument:
    """Return the parsed declaration or raise InvalidInput listing every problem with its path."""
    document = parse_model(DeclarationDocument, raw)
    errors = declaration_errors(document.Declaration, codes)
    if errors:
        raise InvalidInput(errors)
    return document
