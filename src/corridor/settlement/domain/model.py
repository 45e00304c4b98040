"""Accounts and transfers after TigerBeetle's data model (docs.tigerbeetle.com, "Accounts" and
"Transfers" reference pages): an account keeps four balances that only transfers change; a transfer
moves a positive amount from one account's debits to another's credits on one ledger (here: one
currency); pending transfers reserve, and a later post or void settles or releases them.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,63}$")
ID_RULE = "1 to 64 letters, digits or . _ : / @ -, starting with a letter or digit"


class AccountCode(enum.StrEnum):
    """What an account is for (TigerBeetle's ``code``, named)."""

    SRVA = "srva"  # special rupee vostro account of a partner-country bank at an Indian AD bank
    CORRESPONDENT = "correspondent"  # a rouble correspondent (loro/nostro) account
    CUSTOMER = "customer"  # an importer's or exporter's settlement account
    CUSTOMS_REVENUE = "customs_revenue"
    INVESTMENT = "investment"  # where SRVA surplus is placed (government securities and the like)
    FX = "fx"  # a bank's liquidity account for conversions in one currency
    SETTLEMENT = "settlement"  # a hub account through which net positions are settled
    FUNDING = "funding"  # money entering or leaving the ledger (cash deposits, the outside world)


class TransferKind(enum.StrEnum):
    """TigerBeetle's transfer flags ``pending``, ``post_pending_transfer`` and
    ``void_pending_transfer`` as one value (they exclude each other); ``single`` posts at once."""

    SINGLE = "single"
    PENDING = "pending"
    POST = "post"
    VOID = "void"


class PendingState(enum.StrEnum):
    PENDING = "pending"
    POSTED = "posted"
    VOIDED = "voided"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class AccountFlags:
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False


@dataclass(slots=True)
class Account:
    id: str
    ledger: str  # ISO 4217 code: one ledger per currency
    code: AccountCode
    holder: str  # the party or bank that holds the account
    name: str
    flags: AccountFlags = field(default_factory=AccountFlags)
    bic: str | None = None
    iban: str | None = None
    sample: bool = False  # sample data, not a real bank's account
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0
    created_at: datetime | None = None

    def definition(self) -> tuple[object, ...]:
        """What a client supplies (balances and the creation time are the ledger's)."""
        return (
            self.id,
            self.ledger,
            self.code,
            self.holder,
            self.name,
            self.flags,
            self.bic,
            self.iban,
            self.sample,
        )

    def balances(self) -> tuple[int, int, int, int]:
        return (self.debits_pending, self.debits_posted, self.credits_pending, self.credits_posted)

    def set_balances(self, values: tuple[int, int, int, int]) -> None:
        self.debits_pending, self.debits_posted, self.credits_pending, self.credits_posted = values

    @property
    def credit_balance(self) -> int:
        """Posted credits less posted debits: what a deposit account holds for its holder."""
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        """Credit balance less pending debits: what may still be debited."""
        return self.credits_posted - self.debits_posted - self.debits_pending


@dataclass(frozen=True, slots=True)
class FxQuote:
    """The rate a conversion used, kept on each of its transfers: ``quote`` units of ``quote_ccy``
    per one unit of ``base_ccy``, effective ``effective``, from ``source``."""

    base_ccy: str
    quote_ccy: str
    rate: Decimal
    effective: str  # ISO date
    source: str


class Transfer(NamedTuple):
    """Immutable (a named tuple: created several times faster than a frozen dataclass, which
    matters for batches of thousands)."""

    id: str
    debit_account_id: str
    credit_account_id: str
    amount: int  # minor units of ``ledger``; for a post, 0 means the whole pending amount
    ledger: str
    code: str = "payment"  # what the transfer is for: invoice, duty, fx, netting, investment ...
    kind: TransferKind = TransferKind.SINGLE
    linked: bool = False  # this and the next transfer of the batch succeed or fail together
    pending_id: str | None = None  # the pending transfer a post or void settles
    timeout_s: int = 0  # a pending transfer's lifetime; 0 = until posted or voided
    reference: str = ""  # what it pays: a declaration id, an invoice number, a UCR
    fx: FxQuote | None = None
    timestamp: datetime | None = None  # set by the ledger when it is created

    def same_request(self, other: Transfer) -> list[str]:
        """Names of the client-supplied fields where ``other`` differs (idempotent retries match)."""
        return [
            name
            for name in self._fields
            if name != "timestamp" and getattr(self, name) != getattr(other, name)
        ]

    def expires_at(self) -> datetime | None:
        if self.kind is not TransferKind.PENDING or not self.timeout_s or self.timestamp is None:
            return None
        return self.timestamp + timedelta(seconds=self.timeout_s)

    @property
    def posts(self) -> bool:
        """Whether it changes posted balances on creation."""
        return self.kind in (TransferKind.SINGLE, TransferKind.POST)


class TransferResult(NamedTuple):
    position: int  # in the batch
    id: str
    status: str  # created, exists (an identical retry: no effect) or failed
    path: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def to_json(self) -> dict[str, str | int]:
        out: dict[str, str | int] = {"index": self.position, "id": self.id, "status": self.status}
        if self.reason:
            out |= {"path": self.path, "reason": self.reason}
        return out
