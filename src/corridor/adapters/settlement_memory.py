"""Settlement's ports in memory, for tests and a node without a database: a unit of work works on
a copy of the store and replaces it on commit."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Self

from corridor.settlement.domain import engine
from corridor.settlement.domain.ledger import MemoryLedger
from corridor.settlement.domain.model import Account, PendingState, Transfer
from corridor.settlement.domain.netting import Obligation, Window
from corridor.settlement.ports import Claim, LedgerRepository, SettlementRecords
from corridor.shared.errors import FieldError
from corridor.shared.events import Event


@dataclass
class SettlementState:
    ledger: MemoryLedger = field(default_factory=MemoryLedger)
    claims: dict[str, Claim] = field(default_factory=dict)
    windows: dict[str, Window] = field(default_factory=dict)
    obligations: dict[str, Obligation] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)


class MemoryLedgerRepository(LedgerRepository):
    def __init__(self, book: MemoryLedger) -> None:
        self.book = book

    def create_accounts(self, accounts: Sequence[Account], now: datetime) -> list[str | FieldError]:
        return [self.book.create_account(a, now, i) for i, a in enumerate(accounts)]

    def account(self, account_id: str) -> Account | None:
        return self.book.account(account_id)

    def accounts(self, ledger: str | None = None) -> list[Account]:
        return [copy.copy(a) for _, a in sorted(self.book.accounts.items()) if ledger in (None, a.ledger)]

    def create_transfers(self, batch: Sequence[Transfer], now: datetime) -> engine.Outcome:
        return self.book.create_transfers(batch, now)

    def transfer(self, transfer_id: str) -> Transfer | None:
        return self.book.transfer(transfer_id)

    def pending_state(self, transfer_id: str) -> PendingState | None:
        return self.book.pending_state(transfer_id)

    def postings(
        self, account_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[Transfer]:
        out = []
        for tid in self.book.order:
            t = self.book.transfers[tid]
            if not t.posts or account_id not in (t.debit_account_id, t.credit_account_id):
                continue
            assert t.timestamp is not None
            if (start is None or t.timestamp >= start) and (end is None or t.timestamp < end):
                out.append(t)
        return out

    def by_reference(self, reference: str) -> list[Transfer]:
        return [
            self.book.transfers[t] for t in self.book.order if self.book.transfers[t].reference == reference
        ]

    def expire_due(self, now: datetime) -> int:
        return self.book.expire_due(now)


class MemorySettlementRecords(SettlementRecords):
    def __init__(self, state: SettlementState) -> None:
        self.state = state

    def add_claim(self, claim: Claim) -> None:
        self.state.claims[claim.id] = claim

    def claims(self, kind: str, declaration_id: str | None = None) -> list[Claim]:
        found = [
            c
            for c in self.state.claims.values()
            if c.kind == kind and declaration_id in (None, c.declaration_id)
        ]
        return sorted(found, key=lambda c: (c.issued_on, c.id))

    def open_window(self, now: datetime) -> Window:
        for window in self.state.windows.values():
            if window.state == "open":
                return copy.copy(window)
        window = Window(f"win-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}", now)
        self.state.windows[window.id] = window
        return copy.copy(window)

    def add_obligation(self, obligation: Obligation) -> bool:
        if obligation.id in self.state.obligations:
            return False
        self.state.obligations[obligation.id] = obligation
        return True

    def obligations(self, window_id: str) -> list[Obligation]:
        return [o for o in self.state.obligations.values() if o.window_id == window_id]

    def close_window(self, window: Window) -> None:
        self.state.windows[window.id] = replace(window)

    def windows(self, limit: int = 50) -> list[Window]:
        return sorted(self.state.windows.values(), key=lambda w: w.opened_at, reverse=True)[:limit]

    def add_record(self, declaration_id: str, record: dict[str, Any], at: datetime) -> None:
        self.state.records[declaration_id] = record

    def record(self, declaration_id: str) -> dict[str, Any] | None:
        return self.state.records.get(declaration_id)


class MemorySettlementUnitOfWork:
    """A unit of work over settlement's stores alone (the ledger's contract tests); the events
    published to it are kept in ``published``."""

    published: list[Event]

    def publish(self, *events: Event) -> None:
        self.__dict__.setdefault("published", []).extend(events)

    def __init__(self, state: SettlementState | None = None) -> None:
        self.committed = state or SettlementState()

    def __enter__(self) -> Self:
        self._begin()
        return self

    def __exit__(self, *args: object) -> None:
        self.rollback()

    def _begin(self) -> None:
        self.work = copy.deepcopy(self.committed)
        self.ledger = MemoryLedgerRepository(self.work.ledger)
        self.records = MemorySettlementRecords(self.work)

    def commit(self) -> None:
        self.committed.__dict__.update(self.work.__dict__)
        self._begin()

    def rollback(self) -> None:
        self._begin()
