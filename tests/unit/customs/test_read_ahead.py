"""What a batch of pre-arrival messages reads ahead: the importers whose filings they will count,
taken from bodies not yet validated, so whatever is not an importer's id is passed over."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corridor.customs.handlers import read_ahead_prearrivals


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
