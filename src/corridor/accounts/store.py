"""Users and their sessions in the node's database: passwords hashed with argon2id, a lockout
after ``MAX_FAILURES`` wrong passwords in a row, sessions known by the SHA-256 of their token."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update

from corridor.accounts.tables import users, web_sessions
from corridor.shared.errors import Conflict, FieldError, InvalidInput

ROLES = ("trader", "officer", "carrier", "analyst", "bank")
MAX_FAILURES = 5
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD = 12
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{3,64}$")
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: str
    party_id: str
    locked: bool


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf_token: str


class LoginRefused(Exception):
    """Wrong user name or password, or a locked account (the message says which it may tell)."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(engine: Engine, username: str, password: str, role: str, party_id: str, now: datetime) -> User:
    errors = []
    if not _USERNAME.match(username):
        errors.append(FieldError("username", "3 to 64 letters, digits or . _ @ -"))
    if len(password) < MIN_PASSWORD:
        errors.append(FieldError("password", f"at least {MIN_PASSWORD} characters"))
    if role not in ROLES:
        errors.append(FieldError("role", f"must be one of {', '.join(ROLES)}"))
    if not party_id.strip() or len(party_id) > 40:
        errors.append(FieldError("party", "1 to 40 characters"))
    if errors:
        raise InvalidInput(errors)
    with engine.begin() as conn:
        if conn.execute(select(users.c.username).where(users.c.username == username)).first():
            raise Conflict(f"user {username} exists")
        conn.execute(
            insert(users).values(
                username=username, password_hash=_hasher.hash(password), role=role,
                party_id=party_id, failed_logins=0, locked_at=None, created_at=now,
            )
        )  # fmt: skip
    return User(username, role, party_id, False)


def unlock(engine: Engine, username: str) -> bool:
    if not _USERNAME.match(username):
        return False
    with engine.begin() as conn:
        done = conn.execute(
            update(users).where(users.c.username == username).values(failed_logins=0, locked_at=None)
        )
    return bool(done.rowcount)


def log_in(engine: Engine, username: str, password: str, now: datetime) -> tuple[str, Session]:
    """A new session's token and the session; LoginRefused otherwise. Each wrong password counts
    (committed before the refusal is raised); the ``MAX_FAILURES``-th in a row locks the account
    until an administrator unlocks it."""
    refusal: str | None = None
    if not _USERNAME.match(username):  # never a user name: not looked up (PostgreSQL refuses a NUL)
        _hasher.hash(password)
        raise LoginRefused("wrong user name or password")
    with engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.username == username).with_for_update()).first()
        if row is None:
            _hasher.hash(password)  # spend the same time as for a known user
            refusal = "wrong user name or password"
        elif row.locked_at is not None:
            refusal = "this account is locked after repeated wrong passwords; ask an administrator"
        elif not _verified(row.password_hash, password):
            failures = row.failed_logins + 1
            locked = now if failures >= MAX_FAILURES else None
            conn.execute(
                update(users)
                .where(users.c.username == username)
                .values(failed_logins=failures, locked_at=locked)
            )
            refusal = (
                "this account is now locked after repeated wrong passwords"
                if locked is not None
                else "wrong user name or password"
            )
        else:
            conn.execute(update(users).where(users.c.username == username).values(failed_logins=0))
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            conn.execute(
                insert(web_sessions).values(
                    token_hash=_digest(token), username=username, csrf_token=csrf,
                    created_at=now, expires_at=now + SESSION_LIFETIME,
                )
            )  # fmt: skip
    if refusal is not None or row is None:
        raise LoginRefused(refusal or "wrong user name or password")
    return token, Session(User(row.username, row.role, row.party_id, False), csrf)


def _verified(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def session(engine: Engine, token: str | None, now: datetime) -> Session | None:
    """The live session of ``token``, if any (an expired one is removed)."""
    if not token or len(token) > 200:
        return None
    # the token is only hashed, so any text is safe to look up
    s, u = web_sessions.c, users.c
    with engine.connect() as conn:
        row = conn.execute(
            select(s.expires_at, s.csrf_token, u.username, u.role, u.party_id, u.locked_at)
            .join_from(web_sessions, users, s.username == u.username)
            .where(s.token_hash == _digest(token))
        ).first()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=now.tzinfo)
    if expires <= now or row.locked_at is not None:
        log_out(engine, token)
        return None
    return Session(User(row.username, row.role, row.party_id, False), row.csrf_token)


def log_out(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == _digest(token)))
