"""What a batch reads ahead: a batch of pre-arrival messages the importers whose filings they will
count, a bulk of filings the exporters, a bulk of decisions the declarations and their stages; all
taken from input not yet validated, so whatever is not a sound id is passed over."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corridor.customs.handlers import read_ahead_decisions, read_ahead_filings, read_ahead_prearrivals
from corridor.service.commands import ClearDeclaration, FileDeclaration


class Traders:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def read_ahead(self, trader_ids: Sequence[str]) -> None:
        self.asked.append(list(trader_ids))


class Uow:
    def __init__(self) -> None:
        self.traders = Traders()


def body(importer: Any) -> dict[str, Any]:
    return {"declaration": {"Declaration": {"GoodsShipment": {"Importer": {"ID": importer}}}}}


def test_the_importers_of_sound_bodies_are_read_together_and_the_rest_passed_over() -> None:
    uow = Uow()
    bodies: list[Any] = [
        body("7707083893"),
        body("AAACS1234F"),
        body("7707083893"),
        body(None),
        body(12345),
        body(""),
        body("x" * 36),  # longer than a WCO code
        body("77\x0007"),  # NUL: no database stores it
        body("\ud800"),  # a lone surrogate
        {"declaration": {"Declaration": {"GoodsShipment": {"Importer": "7707083893"}}}},
        {"declaration": ["not", "a", "document"]},
        {},
        "not an object",
    ]
    read_ahead_prearrivals(bodies, uow)  # type: ignore[arg-type]
    assert uow.traders.asked == [["7707083893", "AAACS1234F", "7707083893"]]


def test_the_exporters_of_a_bulk_of_filings_are_read_together_and_the_rest_passed_over() -> None:
    uow = Uow()
    filings = [
        FileDeclaration({"Declaration": {"Exporter": {"ID": "AAACS1234F"}}}),
        FileDeclaration({"Declaration": {"Exporter": {"ID": ["AAACS1234F"]}}}),
        FileDeclaration({"Declaration": {"Exporter": None}}),
        FileDeclaration({"Declaration": "not a declaration"}),
        FileDeclaration({"Declaration": {"Exporter": {"ID": "A\x00B"}}}),
        FileDeclaration({}),
    ]
    read_ahead_filings(filings, uow)  # type: ignore[arg-type]
    assert uow.traders.asked == [["AAACS1234F"]]


class Declarations:
    def __init__(self, stored: set[str]) -> None:
        self.stored = stored
        self.asked: list[list[str]] = []
        self.stages_asked: list[list[str]] = []

    def get_many(self, ids: Sequence[str]) -> list[Any]:
        self.asked.append(list(ids))
        return [type("Found", (), {"id": i})() for i in ids if i in self.stored]

    def read_ahead_stages(self, ids: Sequence[str]) -> None:
        self.stages_asked.append(list(ids))


def test_the_declarations_a_bulk_of_decisions_changes_are_read_with_their_stages() -> None:
    uow = Uow()
    uow.declarations = Declarations({"26IN0123456789ABCD"})  # type: ignore[attr-defined]
    decisions = [
        ClearDeclaration("26IN0123456789ABCD", "OFFICER-1"),
        ClearDeclaration("26IN00000000000404", "OFFICER-1"),
        ClearDeclaration("x" * 41, "OFFICER-1"),
        ClearDeclaration("", "OFFICER-1"),
        ClearDeclaration("26IN\x00", "OFFICER-1"),
        ClearDeclaration(None, "OFFICER-1"),  # type: ignore[arg-type]
    ]
    read_ahead_decisions(decisions, uow)  # type: ignore[arg-type]
    assert uow.declarations.asked == [["26IN0123456789ABCD", "26IN00000000000404"]]  # type: ignore[attr-defined]
    assert uow.declarations.stages_asked == [["26IN0123456789ABCD"]]  # type: ignore[attr-defined]
