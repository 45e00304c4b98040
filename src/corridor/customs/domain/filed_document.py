"""The declaration document as filed: checked once, when it was filed or received, and never
changed after. Read back from storage it stays the stored JSON until a handler looks inside it,
so acknowledging, clearing or listing a declaration does not validate its whole document again."""

from __future__ import annotations

from typing import Any

from corridor.customs.domain.wco import DeclarationDocument


class FiledDocument:
    __slots__ = ("_json", "_parsed")

    def __init__(self, parsed: DeclarationDocument | None = None, json: dict[str, Any] | None = None) -> None:
        if parsed is None and json is None:
            raise ValueError("a filed document needs its model or its stored JSON")
        self._parsed = parsed
        self._json = json

    @classmethod
    def of(cls, document: DeclarationDocument) -> FiledDocument:
        """A document just validated at filing or reception."""
        return cls(parsed=document)

    @classmethod
    def stored(cls, json: dict[str, Any]) -> FiledDocument:
        """A document as the node stored it (validated when it was filed)."""
        return cls(json=json)

    def __eq__(self, other: object) -> bool:
        """The same document: the same JSON, whether parsed or as stored."""
        return isinstance(other, FiledDocument) and self.json() == other.json()

    __hash__ = None  # type: ignore[assignment]  # equal by content, like the dict it holds

    def __repr__(self) -> str:
        return f"FiledDocument({'parsed' if self._parsed is not None else 'as stored'})"

    def parsed(self) -> DeclarationDocument:
        if self._parsed is None:
            self._parsed = DeclarationDocument.model_validate(self._json)
        return self._parsed

    def json(self) -> dict[str, Any]:
        """The JSON stored, served and signed; shared, so never to be changed by a caller."""
        if self._json is None:
            assert self._parsed is not None
            self._json = self._parsed.to_json()
        return self._json
