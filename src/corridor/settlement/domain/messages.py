"""Payments that cross the border as messages: the origin node sends the transfers it committed,
the peer books the very same transfers (same ids, accounts, amounts, rates) on its ledger, so both
ledgers hold the same entries; a redelivered message has no second effect (idempotent ids), and a
message whose transfer differs from one already booked is refused naming the field."""

from __future__ import annotations

from typing import Any, TypedDict

from corridor.settlement.domain import parse
from corridor.settlement.domain.currency import currency
from corridor.settlement.domain.model import Transfer
from corridor.shared.errors import FieldError, InvalidInput

PAYMENT = "settlement.payment.v1"
MAX_TRANSFERS = 100


def _fmt(minor: int, ccy: str) -> str:
    return currency(ccy).format(minor)


class PaymentBody(TypedDict):
    """The body of a ``settlement.payment.v1`` message."""

    origin: str
    transfers: list[parse.TransferJson]


def payment_body(origin: str, transfers: list[Transfer]) -> PaymentBody:
    """The body of a ``settlement.payment.v1`` message for ``transfers`` (committed at ``origin``)."""
    return {"origin": origin, "transfers": [_wire(t) for t in transfers]}


def _wire(t: Transfer) -> parse.TransferJson:
    out = parse.transfer_json(t, _fmt)
    del out["timestamp"]  # each ledger stamps its own booking time
    return out


def transfers_of(body: Any, sender: str) -> list[Transfer]:
    """The transfers a peer's payment message asks this node to book; refused field by field."""
    if not isinstance(body, dict) or body.get("origin") != sender:
        raise InvalidInput([FieldError("origin", f"must be the sending node {sender!r}")])
    raw = body.get("transfers")
    if not isinstance(raw, list) or not 0 < len(raw) <= MAX_TRANSFERS:
        raise InvalidInput([FieldError("transfers", f"must be a list of 1 to {MAX_TRANSFERS} transfers")])
    return [parse.transfer(item, f"transfers[{i}]") for i, item in enumerate(raw)]
