"""A receiver batch writes each table in one statement, not one per message: the export
declarations its acknowledgements answer, and the importers whose filings its pre-arrival
messages count (read ahead together). Counted on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from corridor.adapters.database import make_engine, migrate
from corridor.adapters.unit_of_work import SqlUnitOfWork
from corridor.customs.domain.vocabulary import Status
from corridor.demo.run import Corridor
from corridor.demo.samples import SampleCorridor
from corridor.service.commands import ClearDeclaration, FileDeclaration
from corridor.shared.errors import Conflict
from tests.integration.test_repository_contract import declaration

TRADERS = ["AAACS1234F", "7707083893", "AAACS1234F", "AABCT5555K", "7707083893"]


@contextmanager
def statements(engine: Engine) -> Iterator[Counter[str]]:
    """The statements sent, by their first words (an executemany counts once)."""
    sent: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent[" ".join(statement.split()[:3])] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def stored_declarations(engine: Engine, n: int) -> list[str]:
    """The ids of ``n`` sample declarations stored and committed."""
    ids = [f"26IN000000000000{i:02d}" for i in range(n)]
    with SqlUnitOfWork(engine) as u:
        for i, declaration_id in enumerate(ids):
            u.declarations.add(declaration(declaration_id, lrn=f"L{i}"))
        u.commit()
    return ids


def check_declarations_saved_together(engine: Engine) -> None:
    ids = stored_declarations(engine, 5)
    with statements(engine) as sent, SqlUnitOfWork(engine) as u:
        for d in u.declarations.get_many(ids):
            d.status = "cleared"
            u.declarations.save(d)
        u.commit()
    assert sent["UPDATE declarations SET"] == 1
    with SqlUnitOfWork(engine) as u:
        assert {(d.status, d.version) for d in u.declarations.get_many(ids)} == {("cleared", 2)}


def check_declarations_updated_in_the_order_of_their_ids(engine: Engine) -> None:
    """Two transactions saving the same declarations in opposite orders lock their rows in one
    order, so neither waits for the other the other way round."""
    ids = stored_declarations(engine, 4)
    updated: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.startswith("UPDATE declarations"):
            rows = parameters if isinstance(parameters, list) else [parameters]
            updated.extend(next(v for v in row.values() if v in ids) for row in map(named, rows))

    def named(row: Any) -> dict[str, Any]:
        return dict(enumerate(row)) if isinstance(row, tuple | list) else dict(row)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with SqlUnitOfWork(engine) as u:
            found = {d.id: d for d in u.declarations.get_many(ids)}
            for declaration_id in reversed(ids):
                found[declaration_id].status = "cleared"
                u.declarations.save(found[declaration_id])
            found[ids[-1]].status = "released"
            u.declarations.save(found[ids[-1]])  # saved twice: the version read goes first
            u.commit()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert updated == [*ids, ids[-1]]
    with SqlUnitOfWork(engine) as u:
        assert [(d.status, d.version) for d in u.declarations.get_many(ids)] == [
            ("cleared", 2),
            ("cleared", 2),
            ("cleared", 2),
            ("released", 3),
        ]


def known_traders(engine: Engine) -> None:
    """Each trader of ``TRADERS`` has filed once before."""
    with SqlUnitOfWork(engine) as u:
        for trader in dict.fromkeys(TRADERS):
            u.traders.record_filing(trader, "Sample trader", trader[:2], False)
        u.commit()


def check_filings_counted_together(engine: Engine) -> None:
    known_traders(engine)
    with statements(engine) as sent, SqlUnitOfWork(engine) as u:
        u.traders.read_ahead(TRADERS)
        before = [u.traders.record_filing(t, "Sample trader", t[:2], False).declarations for t in TRADERS]
        u.commit()
    assert before == [1, 1, 2, 1, 2]
    assert sent["SELECT traders.id, traders.name,"] == 1
    assert sent["INSERT INTO traders"] == 1
    with SqlUnitOfWork(engine) as u:
        assert [u.traders.get(t).declarations for t in dict.fromkeys(TRADERS)] == [3, 3, 2]  # type: ignore[union-attr]


def check_a_new_trader_is_inserted_at_its_first_filing(engine: Engine) -> None:
    """A trader not stored yet is inserted at once, so a batch holds every trader row it counts
    before it writes anything else (the order in which a filing through the API takes them)."""
    with statements(engine) as sent, SqlUnitOfWork(engine) as u:
        u.traders.read_ahead(TRADERS)
        first = u.traders.record_filing(TRADERS[0], "Sample trader", "IN", False)
        assert sent["INSERT INTO traders"] == 1  # sent already
        again = u.traders.record_filing(TRADERS[0], "Sample trader", "IN", False)
        assert sent["INSERT INTO traders"] == 1  # queued: the row is this transaction's
        u.commit()
    assert (first.declarations, again.declarations) == (0, 1)
    assert sent["INSERT INTO traders"] == 2


def check_a_refused_message_keeps_what_was_read_ahead(engine: Engine) -> None:
    """A message refused in its savepoint takes back its own filing only: the traders read ahead
    stay known, so the batch's later filings are still counted together."""
    known_traders(engine)
    with statements(engine) as sent, SqlUnitOfWork(engine) as u:
        u.traders.read_ahead(TRADERS)
        u.traders.record_filing(TRADERS[0], "Sample trader", "IN", False)
        with pytest.raises(Conflict), u.savepoint():
            u.traders.record_filing(TRADERS[1], "Sample trader", "RU", False)
            raise Conflict("the message is refused")
        before = [u.traders.record_filing(t, "Sample trader", t[:2], False).declarations for t in TRADERS[1:]]
        u.commit()
    assert before == [1, 2, 1, 2]
    assert sent["SELECT traders.id, traders.name,"] == 1
    assert sent["INSERT INTO traders"] == 1  # the refused filing taken back, the others together


CHECKS: list[Callable[[Engine], None]] = [
    check_declarations_saved_together,
    check_declarations_updated_in_the_order_of_their_ids,
    check_filings_counted_together,
    check_a_new_trader_is_inserted_at_its_first_filing,
    check_a_refused_message_keeps_what_was_read_ahead,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_on_sqlite(check: Callable[[Engine], None], tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'node.sqlite'}")
    migrate(engine)
    check(engine)


@pytest.mark.postgres
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_on_postgresql(check: Callable[[Engine], None], pg_available: str, pg_schema: str) -> None:
    engine = make_engine(pg_available, pg_schema)
    migrate(engine)
    try:
        check(engine)
    finally:
        engine.dispose()


def test_a_batch_of_prearrival_messages_counts_its_importers_filings_in_one_statement(tmp_path: Path) -> None:
    """The read-ahead of pre-arrival messages is wired into the receiver: once the importers are
    known, the destination counts a batch's filings with one SELECT and one upsert."""
    samples = SampleCorridor(5, traders_per_side=2)
    corridor = Corridor.embedded(tmp_path)
    try:
        origin, destination = corridor.nodes["IN"], corridor.nodes["RU"]
        rounds: list[Counter[str]] = []
        for _ in range(2):  # the first round makes the importers known
            for _ in range(6):
                declaration = origin.handle(FileDeclaration(samples.next("IN", datetime.now(UTC))))
                if declaration.status == Status.UNDER_CONTROL:
                    origin.handle(ClearDeclaration(declaration.id, "OFFICER-1", "goods conform"))
            with statements(destination.engine) as sent:
                corridor.pump()
            rounds.append(sent)
        with destination.reading() as u:
            imports = u.declarations.query(limit=20)
    finally:
        corridor.close()
    assert len(imports) == 12
    assert rounds[1]["SELECT traders.id, traders.name,"] == 1
    assert rounds[1]["INSERT INTO traders"] == 1


@pytest.mark.postgres
def test_two_batches_inserting_the_same_new_traders_in_opposite_orders_take_turns(
    pg_available: str, pg_schema: str
) -> None:
    """Each batch first reads its traders ahead; the ones not stored yet are then locked by id, in
    id order, so the second batch waits for the first instead of each holding a new row the other
    wants next (a deadlock PostgreSQL breaks only after a second, failing one of them)."""
    import contextlib
    import threading

    engine = make_engine(pg_available, pg_schema)
    migrate(engine)
    new = ["AAAAA0001A", "AAAAA0002A"]
    halfway = threading.Barrier(2, timeout=1.0)
    failures: list[BaseException] = []

    def batch(order: list[str]) -> None:
        try:
            with SqlUnitOfWork(engine) as u:
                u.traders.read_ahead(new)
                u.traders.record_filing(order[0], "Sample trader", "IN", False)
                with contextlib.suppress(threading.BrokenBarrierError):
                    halfway.wait()  # both hold their first new trader, unless one waits to start
                u.traders.record_filing(order[1], "Sample trader", "IN", False)
                u.commit()
        except BaseException as exc:
            failures.append(exc)

    try:
        threads = [threading.Thread(target=batch, args=(o,)) for o in (new, new[::-1])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert failures == []
        with SqlUnitOfWork(engine) as u:
            u.traders.read_ahead(new)
            assert [u.traders.record_filing(i, "Sample trader", "IN", False).declarations for i in new] == [
                2,
                2,
            ]
    finally:
        engine.dispose()
