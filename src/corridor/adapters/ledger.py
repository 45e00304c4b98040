"""The ledger on SQLite or PostgreSQL: a batch locks the accounts it touches (``SELECT ... FOR
UPDATE`` in PostgreSQL, in id order so two batches never wait on each other in a cycle; SQLite's
``BEGIN IMMEDIATE`` serialises writers), is applied by the domain engine, and is written back in
bulk within the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError

from corridor.adapters.ledger_tables import ledger_accounts as A
from corridor.adapters.ledger_tables import ledger_transfers as T
from corridor.service.ports import ConcurrentUpdate
from corridor.settlement.domain import engine
from corridor.settlement.domain.accounts import account_problems
from corridor.settlement.domain.model import (
    Account,
    AccountCode,
    AccountFlags,
    FxQuote,
    PendingState,
    Transfer,
    TransferKind,
)
from corridor.settlement.ports import LedgerRepository
from corridor.shared.errors import FieldError

CHUNK = 5000  # ids per IN (...) list


def _aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive date-times back; every stored one is UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _account(row: Any) -> Account:
    return Account(
        row.id, row.ledger, AccountCode(row.code), row.holder, row.name,
        AccountFlags(row.debits_must_not_exceed_credits, row.credits_must_not_exceed_debits),
        row.bic, row.iban, row.sample, row.debits_pending, row.debits_posted, row.credits_pending,
        row.credits_posted, _aware(row.created_at),
    )  # fmt: skip


def _transfer(row: Any) -> Transfer:
    fx = row.fx
    quote = (
        None
        if fx is None
        else FxQuote(fx["base"], fx["quote"], Decimal(fx["rate"]), fx["effective"], fx["source"])
    )
    return Transfer(
        row.id, row.debit_account_id, row.credit_account_id, row.amount, row.ledger, row.code,
        TransferKind(row.kind), row.linked, row.pending_id, row.timeout_s, row.reference, quote,
        _aware(row.timestamp),
    )  # fmt: skip


def _transfer_row(t: Transfer) -> dict[str, Any]:
    fx = t.fx
    return {
        "id": t.id, "debit_account_id": t.debit_account_id, "credit_account_id": t.credit_account_id,
        "amount": t.amount, "ledger": t.ledger, "code": t.code, "kind": t.kind.value, "linked": t.linked,
        "pending_id": t.pending_id, "timeout_s": t.timeout_s, "reference": t.reference,
        "fx": None if fx is None else {"base": fx.base_ccy, "quote": fx.quote_ccy, "rate": str(fx.rate),
                                       "effective": fx.effective, "source": fx.source},
        "timestamp": t.timestamp, "state": "pending" if t.kind is TransferKind.PENDING else None,
        "expires_at": t.expires_at(),
    }  # fmt: skip


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(ids))
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


class _Loaded:
    """The book a batch reads: the rows it loaded (and locked)."""

    def __init__(
        self, accounts: dict[str, Account], transfers: dict[str, Transfer], states: dict[str, PendingState]
    ):
        self.accounts, self.transfers, self.states = accounts, transfers, states

    def account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    def transfer(self, transfer_id: str) -> Transfer | None:
        return self.transfers.get(transfer_id)

    def pending_state(self, transfer_id: str) -> PendingState | None:
        return self.states.get(transfer_id)


class SqlLedger(LedgerRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.locking = conn.dialect.name == "postgresql"

    def create_accounts(self, accounts: Sequence[Account], now: datetime) -> list[str | FieldError]:
        results: list[str | FieldError] = []
        for i, acc in enumerate(accounts):
            problems = account_problems(acc, f"accounts[{i}]")
            known = self.account(acc.id) if not problems else None
            if problems:
                results.append(problems[0])
            elif known is not None:
                same = known.definition() == acc.definition()
                results.append(
                    "exists"
                    if same
                    else FieldError(f"accounts[{i}].id", f"account {acc.id!r} exists with another definition")
                )
            else:
                self.conn.execute(A.insert().values(**self._account_row(acc, now)))
                results.append("created")
        return results

    @staticmethod
    def _account_row(acc: Account, now: datetime) -> dict[str, Any]:
        return {
            "id": acc.id, "ledger": acc.ledger, "code": acc.code.value, "holder": acc.holder, "name": acc.name,
            "debits_must_not_exceed_credits": acc.flags.debits_must_not_exceed_credits,
            "credits_must_not_exceed_debits": acc.flags.credits_must_not_exceed_debits,
            "bic": acc.bic, "iban": acc.iban, "sample": acc.sample, "debits_pending": 0, "debits_posted": 0,
            "credits_pending": 0, "credits_posted": 0, "created_at": now,
        }  # fmt: skip

    def account(self, account_id: str) -> Account | None:
        row = self.conn.execute(select(A).where(A.c.id == account_id)).first()
        return _account(row) if row is not None else None

    def accounts(self, ledger: str | None = None) -> list[Account]:
        query = select(A).order_by(A.c.id)
        if ledger is not None:
            query = query.where(A.c.ledger == ledger)
        return [_account(row) for row in self.conn.execute(query)]

    def _transfers(self, ids: Iterable[str]) -> tuple[dict[str, Transfer], dict[str, PendingState]]:
        found: dict[str, Transfer] = {}
        states: dict[str, PendingState] = {}
        for chunk in _chunks(ids):
            for row in self.conn.execute(select(T).where(T.c.id.in_(chunk))):
                found[row.id] = _transfer(row)
                if row.state is not None:
                    states[row.id] = PendingState(row.state)
        return found, states

    def _lock_accounts(self, ids: Iterable[str]) -> dict[str, Account]:
        found: dict[str, Account] = {}
        for chunk in _chunks(i for i in ids if i):
            query = select(A).where(A.c.id.in_(chunk)).order_by(A.c.id)
            if self.locking:
                query = query.with_for_update()
            found.update((row.id, _account(row)) for row in self.conn.execute(query))
        return found

    def create_transfers(self, batch: Sequence[Transfer], now: datetime) -> engine.Outcome:
        named = {t.id for t in batch} | {t.pending_id for t in batch if t.pending_id}
        earlier, _ = self._transfers(t for t in named if t)
        wanted = {a for t in (*batch, *earlier.values()) for a in (t.debit_account_id, t.credit_account_id)}
        accounts = self._lock_accounts(wanted)
        transfers, states = self._transfers(named)  # as of the lock
        outcome = engine.apply(_Loaded(accounts, transfers, states), batch, now)
        self._write(outcome)
        return outcome

    def _write(self, outcome: engine.Outcome) -> None:
        if outcome.created:
            try:
                self.conn.execute(T.insert(), [_transfer_row(t) for t in outcome.created])
            except IntegrityError as exc:  # the same id stored by a concurrent batch since we read
                raise ConcurrentUpdate(
                    f"a transfer id of the batch was stored concurrently: {exc.orig}"
                ) from exc
        changed = [
            {
                "k": a.id,
                "dp": a.debits_pending,
                "dq": a.debits_posted,
                "cp": a.credits_pending,
                "cq": a.credits_posted,
            }
            for a in outcome.accounts.values()
        ]
        if changed:
            self.conn.execute(
                update(A).where(A.c.id == bindparam("k")).values(
                    debits_pending=bindparam("dp"), debits_posted=bindparam("dq"),
                    credits_pending=bindparam("cp"), credits_posted=bindparam("cq"),
                ),
                changed,
            )  # fmt: skip
        if outcome.states:
            self.conn.execute(
                update(T).where(T.c.id == bindparam("k")).values(state=bindparam("s")),
                [{"k": k, "s": s.value} for k, s in outcome.states.items()],
            )

    def transfer(self, transfer_id: str) -> Transfer | None:
        row = self.conn.execute(select(T).where(T.c.id == transfer_id)).first()
        return _transfer(row) if row is not None else None

    def pending_state(self, transfer_id: str) -> PendingState | None:
        state = self.conn.execute(select(T.c.state).where(T.c.id == transfer_id)).scalar()
        return PendingState(state) if state else None

    def postings(
        self, account_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[Transfer]:
        query = select(T).where(
            or_(T.c.debit_account_id == account_id, T.c.credit_account_id == account_id),
            T.c.kind.in_([TransferKind.SINGLE.value, TransferKind.POST.value]),
        )
        if start is not None:
            query = query.where(T.c.timestamp >= start)
        if end is not None:
            query = query.where(T.c.timestamp < end)
        return [_transfer(row) for row in self.conn.execute(query.order_by(T.c.seq))]

    def by_reference(self, reference: str) -> list[Transfer]:
        return [
            _transfer(r)
            for r in self.conn.execute(select(T).where(T.c.reference == reference).order_by(T.c.seq))
        ]

    def expire_due(self, now: datetime) -> int:
        rows = self.conn.execute(
            select(T).where(and_(T.c.state == PendingState.PENDING.value, T.c.expires_at <= now))
        ).all()
        if not rows:
            return 0
        due = [_transfer(r) for r in rows]
        accounts = self._lock_accounts(a for t in due for a in (t.debit_account_id, t.credit_account_id))
        _, states = self._transfers(t.id for t in due)
        outcome = engine.expire(_Loaded(accounts, {t.id: t for t in due}, states), due, now)
        self._write(outcome)
        return len(outcome.states)
