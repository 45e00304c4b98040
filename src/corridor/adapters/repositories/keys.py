"""The trust list: the nodes' message-signing keys and their status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from corridor.adapters import tables as t
from corridor.adapters.repositories.common import INSERT
from corridor.service import ports

KEY_BY_ID = select(t.trusted_keys).where(t.trusted_keys.c.key_id == bindparam("key_id"))
ACTIVE_KEY = (
    select(t.trusted_keys)
    .where(t.trusted_keys.c.node == bindparam("node"), t.trusted_keys.c.status == "active")
    .order_by(t.trusted_keys.c.created.desc(), t.trusted_keys.c.key_id.desc())
    .limit(1)
)
ALL_KEYS = select(t.trusted_keys).order_by(t.trusted_keys.c.created, t.trusted_keys.c.key_id)
KEY_STATUS = (
    update(t.trusted_keys)
    .where(t.trusted_keys.c.key_id == bindparam("b_key_id"))
    .values(status=bindparam("status"))
)


def _trusted_key(row: Any) -> ports.TrustedKey:
    return ports.TrustedKey(row.key_id, row.node, row.public_key, row.status, row.created)


class SqlKeys(ports.KeyRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, key_id: str) -> ports.TrustedKey | None:
        row = self.conn.execute(KEY_BY_ID, {"key_id": key_id}).first()
        return None if row is None else _trusted_key(row)

    def active(self, node: str) -> ports.TrustedKey | None:
        row = self.conn.execute(ACTIVE_KEY, {"node": node}).first()
        return None if row is None else _trusted_key(row)

    def all(self) -> list[ports.TrustedKey]:
        return [_trusted_key(row) for row in self.conn.execute(ALL_KEYS)]

    def add(self, key: ports.TrustedKey) -> None:
        try:
            self.conn.execute(INSERT["trusted_keys"], key.to_json())
        except IntegrityError as exc:
            raise ports.CommitConflict(f"key {key.key_id} is already in the trust list") from exc

    def set_status(self, key_id: str, status: str) -> None:
        self.conn.execute(KEY_STATUS, {"b_key_id": key_id, "status": status})
