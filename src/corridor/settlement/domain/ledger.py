"""A ledger held in memory: the reference implementation of the book ``engine.apply`` reads, used by
the in-memory adapter and by the property tests."""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from datetime import datetime

from corridor.settlement.domain import engine
from corridor.settlement.domain.accounts import account_problems
from corridor.settlement.domain.model import Account, PendingState, Transfer, TransferKind
from corridor.shared.errors import FieldError


class MemoryLedger:
    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.transfers: dict[str, Transfer] = {}
        self.states: dict[str, PendingState] = {}
        self.order: list[str] = []

    # the Book protocol: copies, so a refused batch leaves this ledger as it was
    def account(self, account_id: str) -> Account | None:
        acc = self.accounts.get(account_id)
        return copy(acc) if acc is not None else None

    def transfer(self, transfer_id: str) -> Transfer | None:
        return self.transfers.get(transfer_id)

    def pending_state(self, transfer_id: str) -> PendingState | None:
        return self.states.get(transfer_id)

    def create_account(self, account: Account, now: datetime, index: int = 0) -> str | FieldError:
        """``created``, ``exists`` (same definition) or the problem."""
        problems = account_problems(account, f"accounts[{index}]")
        if problems:
            return problems[0]
        known = self.accounts.get(account.id)
        if known is not None:
            if known.definition() != account.definition():
                return FieldError(
                    f"accounts[{index}].id", f"account {account.id!r} exists with another definition"
                )
            return "exists"
        fresh = copy(account)
        fresh.created_at = now
        self.accounts[account.id] = fresh
        return "created"

    def commit(self, outcome: engine.Outcome) -> None:
        for acc in outcome.accounts.values():
            self.accounts[acc.id].set_balances(acc.balances())
        for t in outcome.created:
            self.transfers[t.id] = t
            self.order.append(t.id)
            if t.kind is TransferKind.PENDING:
                self.states[t.id] = PendingState.PENDING
        self.states.update(outcome.states)

    def create_transfers(self, batch: Sequence[Transfer], now: datetime) -> engine.Outcome:
        outcome = engine.apply(self, batch, now)
        self.commit(outcome)
        return outcome

    def due_pending(self, now: datetime) -> list[Transfer]:
        due = []
        for transfer_id, state in self.states.items():
            deadline = self.transfers[transfer_id].expires_at()
            if state is PendingState.PENDING and deadline is not None and deadline <= now:
                due.append(self.transfers[transfer_id])
        return due

    def expire_due(self, now: datetime) -> int:
        outcome = engine.expire(self, self.due_pending(now), now)
        self.commit(outcome)
        return len(outcome.states)
