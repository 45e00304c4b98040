"""Shared fixtures: real PostgreSQL (one schema per test run), skipping only where it is absent
and CORRIDOR_REQUIRE_SERVICES is not set (CI sets it, so a missing service fails there)."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("CORRIDOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("CORRIDOR_REQUIRE_SERVICES") == "1"
REPO = Path(__file__).resolve().parents[1]
STANDARDS = REPO.parent / "shared" / "standards"
# The nodes the tests start share one HS index (with the [hs] extra: built once per machine, minutes
# on one core) instead of building one in each temporary data directory.
os.environ.setdefault("CORRIDOR_HS_INDEX_DIR", str(Path(tempfile.gettempdir()) / "corridor-hs-index"))
# The description check costs tens of milliseconds per goods item at every filing; the nodes the
# tests start (and their subprocesses) run without it, and the tests of the check switch it on.
os.environ.setdefault("CORRIDOR_HS_CHECK", "off")


def service_missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (CORRIDOR_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_available() -> str:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to reach the server means: not available here
        service_missing(f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}")
    return PG_URL


@pytest.fixture
def pg_schema(pg_available: str) -> Iterator[str]:
    """A fresh schema name for one test; it and any schema named after it are dropped afterwards."""
    with fresh_schema(pg_available) as schema:
        yield schema


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A fresh schema name; it and any schema named after it are dropped on leaving."""
    schema = f"t_{secrets.token_hex(6)}"
    try:
        yield schema
    finally:
        engine = create_engine(url)
        with engine.begin() as conn:
            names = conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname = :s OR nspname LIKE :p"),
                {"s": schema, "p": f"{schema}\\_%"},
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        engine.dispose()
