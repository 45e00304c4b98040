"""A filed document read back from storage is parsed only when a handler looks inside it; parsed
or stored, the same document is equal and gives the same JSON."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from corridor.customs.domain.filed_document import FiledDocument
from corridor.customs.domain.wco import DeclarationDocument
from corridor.demo.samples import SampleCorridor
from tests.unit.service.conftest import NOW


def test_a_stored_document_is_not_validated_until_it_is_looked_into() -> None:
    stored = FiledDocument.stored({"Declaration": {"TypeCode": "EX"}})
    assert stored.json() == {"Declaration": {"TypeCode": "EX"}}  # served and signed as stored
    with pytest.raises(ValidationError):
        stored.parsed()  # only now read as a WCO declaration


def test_the_same_document_parsed_or_stored_is_equal_and_gives_the_same_json() -> None:
    document = DeclarationDocument.model_validate(SampleCorridor(7).next("IN", NOW))
    filed = FiledDocument.of(document)
    stored = FiledDocument.stored(document.to_json())
    assert filed == stored and filed.json() == stored.json()
    assert stored.parsed() == document
    other = FiledDocument.of(DeclarationDocument.model_validate(SampleCorridor(8).next("IN", NOW)))
    assert filed != other


def test_a_filed_document_needs_a_model_or_its_json() -> None:
    with pytest.raises(ValueError, match="model or its stored JSON"):
        FiledDocument()
