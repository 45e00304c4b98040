"""Writers of one SQLite file take turns through a kernel lock beside it: a writer waits while
another holds its turn and goes on once it ends; a dead process's turn is free; readers never
wait; a connection goes back to the pool without a turn."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import Engine, text

from corridor.adapters.database import READ_ONLY, make_engine, sqlite_url
from corridor.adapters.sqlite_writers import TURN


def _engine(tmp_path: Path) -> Engine:
    engine = make_engine(sqlite_url(tmp_path / "node.sqlite"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE filings (n INTEGER)"))
    return engine


def _write_in_thread(engine: Engine, n: int, done: list[int]) -> threading.Thread:
    def write() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO filings VALUES (:n)"), {"n": n})
        done.append(n)

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_a_writer_waits_for_the_turn_of_another_and_goes_on_once_it_ends(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    done: list[int] = []
    with engine.connect() as first:
        first.begin()
        first.execute(text("INSERT INTO filings VALUES (1)"))
        second = _write_in_thread(engine, 2, done)
        second.join(timeout=0.3)
        assert second.is_alive() and done == []  # waiting for the turn
        with engine.connect() as reader:  # a reader takes no turn and sees the committed state
            reader.execution_options(**{READ_ONLY: True})
            with reader.begin():
                assert reader.execute(text("SELECT count(*) FROM filings")).scalar() == 0
        first.commit()
    second.join(timeout=10)
    assert done == [2]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM filings ORDER BY n")).scalars().all() == [1, 2]
    engine.dispose()


def test_the_turn_of_a_process_killed_while_holding_it_is_free(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
            str(tmp_path / "node.sqlite.writers"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done: list[int] = []
        writer = _write_in_thread(engine, 1, done)
        writer.join(timeout=0.3)
        assert writer.is_alive()
        os.kill(holder.pid, signal.SIGKILL)
        writer.join(timeout=10)
        assert done == [1]
    finally:
        holder.kill()
        holder.wait()
        engine.dispose()


def test_a_connection_goes_back_to_the_pool_without_a_turn(tmp_path: Path) -> None:
    """As when its BEGIN IMMEDIATE failed after it took its turn: no transaction ends to give it up."""
    engine = _engine(tmp_path)
    with engine.connect() as conn:
        fcntl.flock(conn.connection.info[TURN], fcntl.LOCK_EX)
    other = os.open(tmp_path / "node.sqlite.writers", os.O_RDWR)
    try:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: raises BlockingIOError otherwise
    finally:
        os.close(other)
        engine.dispose()
