"""Parallel transfers on the same accounts of one PostgreSQL ledger: never an overdraft, never a
lost update (every balance is the sum of the transfers that were committed)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from corridor.adapters.database import make_engine, migrate
from corridor.adapters.unit_of_work import SqlUnitOfWork
from corridor.service.ports import ConcurrentUpdate
from corridor.settlement.domain.model import Account, AccountCode, AccountFlags, Transfer

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SAFE = AccountFlags(debits_must_not_exceed_credits=True)
THREADS, EACH, AMOUNT, FUNDS = 6, 40, 7_00, 300_00


@pytest.mark.postgres
def test_parallel_transfers_never_overdraw_nor_lose_an_update(pg_available: str, pg_schema: str) -> None:
    engine = make_engine(pg_available, pg_schema)
    migrate(engine)
    with SqlUnitOfWork(engine) as u:
        u.ledger.create_accounts(
            [
                Account("world", "INR", AccountCode.FUNDING, "x", "outside"),
                Account("a", "INR", AccountCode.CUSTOMER, "A", "a", SAFE),
                Account("b", "INR", AccountCode.CUSTOMER, "B", "b", SAFE),
            ],
            T0,
        )
        u.ledger.create_transfers([Transfer("fund-a", "world", "a", FUNDS, "INR")], T0)
        u.commit()
    created: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for i in range(EACH):
            # most money flows a -> b; every third transfer flows back, so both rows are contended
            dr, cr = ("b", "a") if i % 3 == 2 else ("a", "b")
            with SqlUnitOfWork(engine) as u:
                out = u.ledger.create_transfers([Transfer(f"t{n}-{i}", dr, cr, AMOUNT, "INR")], T0)
                u.commit()
            if out.results[0].status == "created":
                with lock:
                    created.append(f"t{n}-{i}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with SqlUnitOfWork(engine) as u:
        a, b = u.ledger.account("a"), u.ledger.account("b")
        moved = [u.ledger.transfer(tid) for tid in created]
    engine.dispose()
    assert a is not None and b is not None
    to_b = sum(t.amount for t in moved if t is not None and t.credit_account_id == "b")
    to_a = sum(t.amount for t in moved if t is not None and t.credit_account_id == "a")
    assert a.credit_balance == FUNDS - to_b + to_a >= 0
    assert b.credit_balance == to_b - to_a >= 0
    assert a.debits_posted <= a.credits_posted and b.debits_posted <= b.credits_posted
    assert 0 < len(created) < THREADS * EACH  # some were refused for want of funds


@pytest.mark.postgres
def test_an_account_opened_by_two_processes_at_once_asks_the_later_one_to_retry(
    pg_available: str, pg_schema: str
) -> None:
    """Both read the account as absent; the later insert meets the earlier one's row once that
    commits: a ConcurrentUpdate (the message bus runs the command again, and then finds the
    account), never an unexplained database error."""
    engine = make_engine(pg_available, pg_schema)
    migrate(engine)
    funding = Account("funding:RUB", "RUB", AccountCode.FUNDING, "x", "outside")
    outcome: list[object] = []
    with SqlUnitOfWork(engine) as first:
        assert first.ledger.create_accounts([funding], T0) == ["created"]

        def second() -> None:
            with SqlUnitOfWork(engine) as u:
                try:
                    outcome.append(u.ledger.create_accounts([funding], T0))  # waits for the first
                except ConcurrentUpdate as exc:
                    outcome.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive()  # its insert waits on the first one's uncommitted row
        first.commit()
        thread.join(timeout=10)
    assert len(outcome) == 1 and isinstance(outcome[0], ConcurrentUpdate)
    with SqlUnitOfWork(engine) as again:
        assert again.ledger.create_accounts([funding], T0) == ["exists"]
    engine.dispose()


@pytest.mark.postgres
def test_two_requests_opening_each_others_accounts_ask_the_one_caught_in_a_deadlock_to_retry(
    pg_available: str, pg_schema: str
) -> None:
    """One opens B, the other opens A then waits on B, the first then wants A: PostgreSQL breaks
    the deadlock by failing one of them, which must be a ConcurrentUpdate (the message bus runs
    its command again), never a database error answered 500; the other goes through."""
    engine = make_engine(pg_available, pg_schema)
    migrate(engine)
    a, b = (Account(i, "INR", AccountCode.CUSTOMER, i, i) for i in ("acct-a", "acct-b"))
    outcome: dict[str, object] = {}

    def opening(name: str, accounts: list[Account], uow: SqlUnitOfWork) -> None:
        try:
            uow.ledger.create_accounts(accounts, T0)
            uow.commit()
            outcome[name] = "committed"
        except Exception as exc:
            uow.rollback()
            outcome[name] = exc

    with SqlUnitOfWork(engine) as first, SqlUnitOfWork(engine) as second:
        assert first.ledger.create_accounts([b], T0) == ["created"]
        thread = threading.Thread(target=opening, args=("second", [a, b], second))
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive()  # it opened A and waits on the first one's B
        opening("first", [a], first)
        thread.join(timeout=10)
    engine.dispose()
    kinds = sorted(type(o).__name__ if isinstance(o, Exception) else str(o) for o in outcome.values())
    assert kinds == ["ConcurrentUpdate", "committed"], outcome
