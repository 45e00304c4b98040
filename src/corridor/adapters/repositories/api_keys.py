"""API keys: hashes of the keys callers present, with the role and party each stands for."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from corridor.adapters import tables as t
from corridor.adapters.repositories.common import utc
from corridor.service import ports


class SqlApiKeys(ports.ApiKeyRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, key: ports.ApiKey) -> None:
        self.conn.execute(
            insert(t.api_keys).values(
                id=key.id,
                key_hash=key.key_hash,
                role=key.role,
                party_id=key.party_id,
                label=key.label,
                created_at=key.created_at,
                revoked=key.revoked,
            )
        )

    def by_hash(self, key_hash: str) -> ports.ApiKey | None:
        row = self.conn.execute(select(t.api_keys).where(t.api_keys.c.key_hash == key_hash)).first()
        return None if row is None else _api_key(row)

    def all(self) -> list[ports.ApiKey]:
        query = select(t.api_keys).order_by(t.api_keys.c.created_at, t.api_keys.c.id)
        return [_api_key(row) for row in self.conn.execute(query)]

    def revoke(self, key_id: str) -> ports.ApiKey | None:
        self.conn.execute(update(t.api_keys).where(t.api_keys.c.id == key_id).values(revoked=True))
        row = self.conn.execute(select(t.api_keys).where(t.api_keys.c.id == key_id)).first()
        return None if row is None else _api_key(row)


def _api_key(row: Row[Any]) -> ports.ApiKey:
    return ports.ApiKey(
        row.id,
        row.key_hash,
        row.role,
        row.party_id,
        row.label,
        utc(row.created_at) or row.created_at,
        row.revoked,
    )
