"""Errors that name the field and the reason, shared by every entry point."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field; `path` uses dotted names and [i] indexes, e.g.
    ``Declaration.GoodsShipment.GovernmentAgencyGoodsItem[0].Commodity.Classification[0].ID``."""

    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


class CorridorError(Exception):
    """Base for errors a user can act on."""


class InvalidInput(CorridorError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.path}: {e.reason}" for e in errors))


class NotFound(CorridorError):
    pass


class Forbidden(CorridorError):
    pass


class Conflict(CorridorError):
    pass


class NotYet(CorridorError):
    """A sound message that cannot take effect yet (it overtook the one it depends on): refused
    for now, so the sender tries again later."""

    def __init__(self, error: FieldError) -> None:
        self.error = error
        super().__init__(f"{error.path}: {error.reason}")
