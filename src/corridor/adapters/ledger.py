"""The ledger on SQLite or PostgreSQL: a batch locks the accounts it touches (``SELECT ... FOR
UPDATE`` in PostgreSQL, in id order so two batches never wait on each other in a cycle; SQLite's
``BEGIN IMMEDIATE`` serialises writers), is applied by the domain engine, and is written back in
bulk within the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from sqlalchemy import Connection, Engine, String, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError, OperationalError

from corridor.adapters.database import gave_way
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

# Accounts are never removed: an account id once seen committed stays held, so each engine (one
# database) remembers those ids, and the accounts a reaction opens when missing cost no statement
# once known. A transaction's own finds join them only when it commits.
_HELD: WeakKeyDictionary[Engine, set[str]] = WeakKeyDictionary()

ACCOUNT = select(A).where(A.c.id == bindparam("id"))
ACCOUNTS_BY_ID = select(A).where(A.c.id.in_(bindparam("ids", expanding=True)))
ACCOUNT_IDS = select(A.c.id).where(A.c.id.in_(bindparam("ids", expanding=True)))
INSERT_ACCOUNT = A.insert()


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


COLUMNS = (
    "id", "debit_account_id", "credit_account_id", "amount", "ledger", "code", "kind", "linked", "pending_id",
    "timeout_s", "reference", "fx", "timestamp", "state", "expires_at",
)  # fmt: skip


def _sqlite_time(value: datetime | None) -> str | None:
    """A date-time as SQLAlchemy keeps it in SQLite (UTC, no offset), so comparisons still hold."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _quote_json(t: Transfer) -> str | None:
    fx = t.fx
    return None if fx is None else json.dumps(
        {"base": fx.base_ccy, "quote": fx.quote_ccy, "rate": str(fx.rate), "effective": fx.effective, "source": fx.source}
    )  # fmt: skip


def _values(t: Transfer, timestamp: object, expires: object) -> tuple[object, ...]:
    quote = _quote_json(t)
    return (
        t.id, t.debit_account_id, t.credit_account_id, t.amount, t.ledger, t.code, t.kind.value, t.linked,
        t.pending_id, t.timeout_s, t.reference, quote, timestamp,
        "pending" if t.kind is TransferKind.PENDING else None, expires,
    )  # fmt: skip


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


NULL = "\\N"


def _copy_text(value: str | None) -> str:
    return NULL if value is None else value.translate(_ESCAPES)


def _copy_lines(created: list[Transfer]) -> str:
    """Transfers as PostgreSQL COPY text, built here in one pass (psycopg's per-row writer costs
    several times more); ids follow ``ID_PATTERN`` and need no escaping, free text does."""
    stamps: dict[datetime | None, str] = {}
    lines = []
    for t in created:
        ts = stamps.get(t.timestamp)
        if ts is None:
            ts = stamps[t.timestamp] = t.timestamp.isoformat() if t.timestamp else NULL
        expires = t.expires_at()
        fields = (
            t.id, t.debit_account_id, t.credit_account_id, str(t.amount), t.ledger, _copy_text(t.code),
            t.kind.value, "t" if t.linked else "f", t.pending_id or NULL, str(t.timeout_s), _copy_text(t.reference),
            _copy_text(_quote_json(t)), ts, "pending" if t.kind is TransferKind.PENDING else NULL,
            expires.isoformat() if expires else NULL,
        )  # fmt: skip
        lines.append("\t".join(fields))
    lines.append("")
    return "\n".join(lines)


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
        self._held = _HELD.setdefault(conn.engine, set())
        self._seen: set[str] = set()  # held as this transaction sees it, until it commits
        self._absent: set[str] = set()  # not held when this transaction last asked

    def existing(self, account_ids: Sequence[str]) -> set[str]:
        wanted = set(account_ids)
        found = (wanted & self._held) | (wanted & self._seen)
        asked = wanted - found
        for chunk in _chunks(asked):
            found.update(self.conn.execute(ACCOUNT_IDS, {"ids": chunk}).scalars())
        self._seen |= found
        self._absent |= asked - found
        return found

    def committed(self) -> None:
        """The transaction committed: the accounts it saw are held for good."""
        self._held |= self._seen
        self._seen, self._absent = set(), set()

    def forget(self) -> None:
        """A savepoint was rolled back: what this transaction saw may be gone."""
        self._seen, self._absent = set(), set()

    def create_accounts(self, accounts: Sequence[Account], now: datetime) -> list[str | FieldError]:
        problems = [account_problems(acc, f"accounts[{i}]") for i, acc in enumerate(accounts)]
        # an id this transaction just found absent is not asked again (the insert would meet one
        # stored since then all the same)
        ids = [acc.id for acc, found in zip(accounts, problems, strict=True) if not found]
        ids = [i for i in ids if i not in self._absent]
        known: dict[str, Account | None] = {}
        for chunk in _chunks(ids):
            known.update((row.id, _account(row)) for row in self.conn.execute(ACCOUNTS_BY_ID, {"ids": chunk}))
        results: list[str | FieldError] = []
        rows: list[dict[str, Any]] = []
        for i, acc in enumerate(accounts):
            existing = known.get(acc.id)
            if problems[i]:
                results.append(problems[i][0])
            elif existing is not None:
                same = existing.definition() == acc.definition()
                results.append(
                    "exists"
                    if same
                    else FieldError(f"accounts[{i}].id", f"account {acc.id!r} exists with another definition")
                )
            else:
                rows.append(self._account_row(acc, now))
                known[acc.id] = acc  # the same id twice in one call: the second one exists
                results.append("created")
        if rows:
            rows.sort(key=lambda row: row["id"])  # every request takes the rows' locks in one order
            try:
                self.conn.execute(INSERT_ACCOUNT, rows)
            except (IntegrityError, psycopg.errors.IntegrityError) as exc:  # opened concurrently since read
                raise ConcurrentUpdate(f"an account of the batch was opened concurrently: {exc}") from exc
            except OperationalError as exc:
                if gave_way(exc):  # another request opening these accounts in another transaction
                    raise ConcurrentUpdate(f"accounts opened by a concurrent request: {exc.orig}") from exc
                raise
        self._seen.update(known)
        self._absent.difference_update(known)
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
        row = self.conn.execute(ACCOUNT, {"id": account_id}).first()
        return _account(row) if row is not None else None

    def accounts(self, ledger: str | None = None) -> list[Account]:
        query = select(A).order_by(A.c.id)
        if ledger is not None:
            query = query.where(A.c.ledger == ledger)
        return [_account(row) for row in self.conn.execute(query)]

    def _in(self, column: Any, chunk: list[str]) -> Any:
        """``column IN chunk``: one array parameter in PostgreSQL (no statement of thousands of
        placeholders to build), a list of them in SQLite."""
        if self.locking:
            return column.in_(
                select(func.unnest(bindparam("ids", chunk, type_=ARRAY(String)))).scalar_subquery()
            )
        return column.in_(chunk)

    def _transfers(self, ids: Iterable[str]) -> tuple[dict[str, Transfer], dict[str, PendingState]]:
        found: dict[str, Transfer] = {}
        states: dict[str, PendingState] = {}
        for chunk in _chunks(ids):
            for row in self.conn.execute(select(T).where(self._in(T.c.id, chunk))):
                found[row.id] = _transfer(row)
                if row.state is not None:
                    states[row.id] = PendingState(row.state)
        return found, states

    def _lock_accounts(self, ids: Iterable[str]) -> dict[str, Account]:
        found: dict[str, Account] = {}
        for chunk in _chunks(i for i in ids if i):
            query = select(A).where(self._in(A.c.id, chunk)).order_by(A.c.id)
            if self.locking:
                query = query.with_for_update()
            try:
                rows = self.conn.execute(query).all()
            except OperationalError as exc:
                if gave_way(exc):
                    raise ConcurrentUpdate(f"accounts locked by a concurrent request: {exc.orig}") from exc
                raise
            found.update((row.id, _account(row)) for row in rows)
        return found

    def create_transfers(self, batch: Sequence[Transfer], now: datetime) -> engine.Outcome:
        pending_ids = {t.pending_id for t in batch if t.pending_id}
        pending, _ = self._transfers(pending_ids)  # immutable: their accounts may be read before the lock
        wanted = {a for t in (*batch, *pending.values()) for a in (t.debit_account_id, t.credit_account_id)}
        accounts = self._lock_accounts(wanted)
        transfers, states = self._transfers({t.id for t in batch} | pending_ids)  # as of the lock
        outcome = engine.apply(_Loaded(accounts, transfers, states), batch, now)
        self._write(outcome)
        return outcome

    def _write(self, outcome: engine.Outcome) -> None:
        if outcome.created:
            try:
                self._insert(outcome.created)
            except (IntegrityError, psycopg.errors.IntegrityError) as exc:  # stored concurrently since read
                raise ConcurrentUpdate(f"a transfer id of the batch was stored concurrently: {exc}") from exc
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

    def _insert(self, created: list[Transfer]) -> None:
        """New transfers in bulk through the driver: PostgreSQL's COPY, SQLite's executemany (the
        path without SQLAlchemy's per-row processing is several times faster for thousands)."""
        if self.locking:
            cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY ledger_transfers ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                copy.write(_copy_lines(created))
            return
        placeholders = ", ".join("?" for _ in COLUMNS)
        self.conn.exec_driver_sql(
            f"INSERT INTO ledger_transfers ({', '.join(COLUMNS)}) VALUES ({placeholders})",
            [_values(t, _sqlite_time(t.timestamp), _sqlite_time(t.expires_at())) for t in created],
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
