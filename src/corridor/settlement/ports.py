"""What settlement needs from persistence: a ledger (accounts and transfers), expected payments
(claims), interbank obligations and settlement windows, and issued realisation records. The
in-memory and SQL adapters implement these and are held to one contract test suite."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, Self

from corridor.settlement.domain.engine import Outcome
from corridor.settlement.domain.model import Account, PendingState, Transfer
from corridor.settlement.domain.netting import Obligation, Window
from corridor.shared.errors import FieldError
from corridor.shared.events import Event


@dataclass(frozen=True, slots=True)
class Claim:
    """A payment the corridor expects: assessed duties, or an export invoice to be realised."""

    id: str
    kind: str  # "duty" or "export_invoice"
    declaration_id: str
    debtor: str  # who pays: the importer
    creditor: str  # who is paid: a customs administration or the exporter
    currency: str
    amount: int
    issued_on: date  # the date of assessment, or of export (shipping bill) for an invoice
    ucr: str = ""
    invoice_number: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class LedgerRepository(abc.ABC):
    @abc.abstractmethod
    def create_accounts(self, accounts: Sequence[Account], now: datetime) -> list[str | FieldError]:
        """Per account: ``created``, ``exists`` (identical definition) or the problem."""

    @abc.abstractmethod
    def account(self, account_id: str) -> Account | None: ...

    def existing(self, account_ids: Sequence[str]) -> set[str]:
        """Those of the account ids the ledger holds (a SQL adapter asks once, and remembers the
        ids it has seen committed: an account is never removed)."""
        return {i for i in account_ids if self.account(i) is not None}

    @abc.abstractmethod
    def accounts(self, ledger: str | None = None) -> list[Account]: ...

    @abc.abstractmethod
    def create_transfers(self, batch: Sequence[Transfer], now: datetime) -> Outcome:
        """Apply ``batch`` by ``engine.apply`` over the accounts it touches, held against concurrent
        change until the unit of work ends, and keep what it created."""

    @abc.abstractmethod
    def transfer(self, transfer_id: str) -> Transfer | None: ...

    @abc.abstractmethod
    def pending_state(self, transfer_id: str) -> PendingState | None: ...

    @abc.abstractmethod
    def postings(
        self, account_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[Transfer]:
        """Transfers that changed ``account_id``'s posted balances in [start, end), oldest first."""

    @abc.abstractmethod
    def by_reference(self, reference: str) -> list[Transfer]: ...

    @abc.abstractmethod
    def expire_due(self, now: datetime) -> int:
        """Release pending transfers whose timeout has passed; how many."""


class SettlementRecords(abc.ABC):
    @abc.abstractmethod
    def add_claim(self, claim: Claim) -> None:
        """Keep ``claim``; the same id again replaces it (an amended assessment)."""

    @abc.abstractmethod
    def claims(self, kind: str, declaration_id: str | None = None) -> list[Claim]: ...

    @abc.abstractmethod
    def open_window(self, now: datetime) -> Window:
        """The open settlement window, opened now if there is none."""

    @abc.abstractmethod
    def add_obligation(self, obligation: Obligation) -> bool:
        """Record an obligation in the open window; False if its id was recorded before."""

    @abc.abstractmethod
    def obligations(self, window_id: str) -> list[Obligation]: ...

    @abc.abstractmethod
    def close_window(self, window: Window) -> None:
        """Store ``window`` closed with its report (the next obligation opens a new one)."""

    @abc.abstractmethod
    def windows(self, limit: int = 50) -> list[Window]: ...

    @abc.abstractmethod
    def add_record(self, declaration_id: str, record: dict[str, Any], at: datetime) -> None: ...

    @abc.abstractmethod
    def record(self, declaration_id: str) -> dict[str, Any] | None: ...


class SettlementUnitOfWork(Protocol):
    """What settlement's handlers work through: the node's unit of work has these (the ledger and
    the records on its own transaction, and ``publish`` for the events of what was done, which it
    dispatches before it commits); the stand-alone adapters serve the ledger's contract tests."""

    ledger: LedgerRepository
    records: SettlementRecords

    def __enter__(self) -> Self: ...

    def __exit__(self, *args: object) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def publish(self, *events: Event) -> None: ...
