"""Web users: argon2 hashes, lockout after five wrong passwords, sessions that expire."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from corridor.accounts.store import LoginRefused, add_user, log_in, log_out, session, unlock
from corridor.accounts.tables import users
from corridor.adapters.database import make_engine, migrate
from corridor.shared.errors import Conflict, InvalidInput

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        url, schema = request.getfixturevalue("pg_available"), request.getfixturevalue("pg_schema")
        made = make_engine(url, schema)
    else:
        made = make_engine(f"sqlite:///{tmp_path / 'node.sqlite'}")
    migrate(made)
    yield made
    made.dispose()


def test_password_is_stored_as_an_argon2id_hash(engine: Engine) -> None:
    add_user(engine, "ana", PASSWORD, "analyst", "MOC", NOW)
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_bad_user_fields_are_named(engine: Engine) -> None:
    with pytest.raises(InvalidInput) as caught:
        add_user(engine, "a", "short", "pilot", "", NOW)
    assert [e.path for e in caught.value.errors] == ["username", "password", "role", "party"]
    add_user(engine, "ana", PASSWORD, "analyst", "MOC", NOW)
    with pytest.raises(Conflict):
        add_user(engine, "ana", PASSWORD, "analyst", "MOC", NOW)


def test_five_wrong_passwords_lock_until_unlocked(engine: Engine) -> None:
    add_user(engine, "ana", PASSWORD, "analyst", "MOC", NOW)
    for attempt in range(4):
        with pytest.raises(LoginRefused, match="wrong user name or password"):
            log_in(engine, "ana", f"wrong {attempt}", NOW)
    with pytest.raises(LoginRefused, match="now locked"):
        log_in(engine, "ana", "wrong again", NOW)
    with pytest.raises(LoginRefused, match="locked"):
        log_in(engine, "ana", PASSWORD, NOW)
    assert unlock(engine, "ana")
    token, found = log_in(engine, "ana", PASSWORD, NOW)
    assert found.user.role == "analyst" and token


def test_a_right_password_resets_the_count(engine: Engine) -> None:
    add_user(engine, "ana", PASSWORD, "analyst", "MOC", NOW)
    for _ in range(4):
        with pytest.raises(LoginRefused):
            log_in(engine, "ana", "wrong", NOW)
    log_in(engine, "ana", PASSWORD, NOW)
    for _ in range(4):
        with pytest.raises(LoginRefused, match="wrong"):
            log_in(engine, "ana", "wrong", NOW)


def test_sessions_expire_and_end_at_logout(engine: Engine) -> None:
    add_user(engine, "ana", PASSWORD, "analyst", "MOC", NOW)
    token, made = log_in(engine, "ana", PASSWORD, NOW)
    found = session(engine, token, NOW + timedelta(hours=1))
    assert found is not None and found.csrf_token == made.csrf_token
    assert session(engine, "not-a-token", NOW) is None
    assert session(engine, token, NOW + timedelta(hours=9)) is None  # past its 8 hours
    token, _ = log_in(engine, "ana", PASSWORD, NOW)
    log_out(engine, token)
    assert session(engine, token, NOW) is None


def test_unknown_user_is_refused_like_a_wrong_password(engine: Engine) -> None:
    with pytest.raises(LoginRefused, match="wrong user name or password"):
        log_in(engine, "nobody", PASSWORD, NOW)


def test_hostile_user_names_are_refused_without_a_lookup(engine: Engine) -> None:
    for name in ("a\x00b", "x" * 65, "o'brien; drop table users", "\u0430dmin"):
        with pytest.raises(LoginRefused, match="wrong user name or password"):
            log_in(engine, name, PASSWORD, NOW)
    assert not unlock(engine, "a\x00b")
