"""API keys bound to a role and a party; only their SHA-256 hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from corridor.service.ports import ApiKey, UnitOfWork
from corridor.shared.errors import FieldError, Forbidden, InvalidInput, NotFound

ROLES = ("admin", "officer", "trader", "peer", "carrier", "issuer", "bank")


class Unauthorized(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: str
    role: str
    party_id: str

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden(f"role {self.role!r} may not do this (needs {' or '.join(roles)})")


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_api_key(
    uow: UnitOfWork, role: str, party_id: str, label: str, now: datetime, secret: str | None = None
) -> str:
    """Store a new key and return its secret (shown once)."""
    if role not in ROLES:
        raise InvalidInput([FieldError("role", f"must be one of {', '.join(ROLES)}")])
    secret = secret or f"ck_{secrets.token_urlsafe(32)}"
    with uow:
        uow.api_keys.add(ApiKey(f"key-{secrets.token_hex(6)}", hash_key(secret), role, party_id, label, now))
        uow.commit()
    return secret


def api_keys(uow: UnitOfWork) -> list[ApiKey]:
    """Every key the node issued, oldest first (their hashes, never their secrets)."""
    with uow:
        return uow.api_keys.all()


def revoke_api_key(uow: UnitOfWork, key_id: str, by: Principal | None = None) -> ApiKey:
    """Revoke a key: it is refused from then on (within CORRIDOR_API_KEY_CACHE_S seconds at a
    serving process). Revoking a revoked key again changes nothing. ``by``, the administrator
    asking, may not revoke the key it asks with (it would lock itself out)."""
    if by is not None and by.key_id == key_id:
        raise InvalidInput(
            [FieldError("key_id", "is the key of this request: revoke it with another administrator's key")]
        )
    with uow:
        key = uow.api_keys.revoke(key_id)
        if key is None:
            raise NotFound(f"no API key {key_id!r}")
        uow.commit()
    return key


def ensure_api_key(uow: UnitOfWork, role: str, party_id: str, label: str, now: datetime, secret: str) -> None:
    """Make ``secret`` a valid key (idempotent): used for the administrator's key from settings."""
    with uow:
        known = uow.api_keys.by_hash(hash_key(secret))
    if known is None:
        create_api_key(uow, role, party_id, label, now, secret)
    elif known.role != role:
        raise ValueError(f"that secret is already a {known.role} key")


def authenticate(uow: UnitOfWork, secret: str | None) -> Principal:
    if not secret:
        raise Unauthorized("missing X-API-Key header")
    with uow:
        key = uow.api_keys.by_hash(hash_key(secret))
    if key is None or key.revoked:
        raise Unauthorized("unknown or revoked API key")
    return Principal(key.id, key.role, key.party_id)
