"""Writers of one SQLite file take turns through a lock the kernel holds, not SQLite's busy sleep.

SQLite lets one writer at a time hold its write lock; the others wait in its busy handler, which
sleeps between tries, 100 ms at a time once a writer has waited a quarter of a second. Under load
(several API workers and a relay on one node's file) a filing then waits for those sleeps, not for
the writers before it. So each writing transaction first takes an exclusive ``flock`` on a file
beside the database (``<database>.writers``), trying again every millisecond or two, and only then
runs ``BEGIN IMMEDIATE``, which finds the write lock free; the turn is given up as the
transaction commits or rolls back. A process that dies holding it loses it with its file
descriptor. Readers take no turn: WAL gives them a snapshot. Without ``fcntl`` (not a POSIX
system) writers wait in SQLite's busy handler as before.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX system
    fcntl = None  # type: ignore[assignment]

TURN = "corridor_writer_turn"  # the connection record's key of its lock file's descriptor
FIRST_PAUSE_S, LONGEST_PAUSE_S = 0.0005, 0.002


class WriterTurnTimeout(TimeoutError):
    """Another writer kept its turn longer than the database's busy timeout."""


class WriterTurns:
    def __init__(self, database: Path, timeout_s: float) -> None:
        self.path = database.with_name(database.name + ".writers")
        self.timeout_s = timeout_s

    @classmethod
    def for_database(cls, database: str | None, timeout_s: float) -> WriterTurns | None:
        """Turns for the writers of a database file; None for an in-memory database, a URI
        filename, or where there is no ``flock``."""
        if not database or database == ":memory:" or database.startswith("file:") or fcntl is None:
            return None
        return cls(Path(database), timeout_s)

    def opened(self, _dbapi_connection: Any, record: Any) -> None:
        """Each pooled connection has a descriptor of its own: ``flock`` turns are per open file."""
        record.info[TURN] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)

    def closed(self, _dbapi_connection: Any, record: Any) -> None:
        descriptor = record.info.pop(TURN, None)
        if descriptor is not None:
            os.close(descriptor)

    def take(self, connection: Any) -> None:
        """Wait for this connection's turn to write (``connection``: SQLAlchemy's)."""
        descriptor = connection.connection.info[TURN]
        deadline = time.monotonic() + self.timeout_s
        pause = FIRST_PAUSE_S
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WriterTurnTimeout(
                        f"another writer held {self.path.name} for {self.timeout_s:.0f} s"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_S)

    def given_back(self, _dbapi_connection: Any, record: Any) -> None:
        """A connection back in the pool holds no turn, even if its transaction never began."""
        _unlock(record.info)

    def give_up(self, connection: Any) -> None:
        """As the transaction ends (also when it took no turn: giving up none is harmless)."""
        try:
            info = connection.connection.info
        except Exception:  # closed or invalidated: its descriptor is given up as it goes back
            return
        _unlock(info)

    def install(self, engine: Any) -> None:
        event.listen(engine, "connect", self.opened)
        event.listen(engine, "close", self.closed)
        event.listen(engine, "checkin", self.given_back)
        # SQLAlchemy's commit and rollback events come just before SQLite's COMMIT or ROLLBACK: a
        # next writer may find the lock still taken for that moment and wait a millisecond in
        # SQLite's busy handler (giving the turn up after them measured no better)
        event.listen(engine, "commit", self.give_up)
        event.listen(engine, "rollback", self.give_up)


def _unlock(info: dict[str, Any]) -> None:
    descriptor = info.get(TURN)
    if descriptor is not None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
