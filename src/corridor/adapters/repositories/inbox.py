"""The inbox (each message from the peer applied once) and the messages the node rejected."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from corridor.adapters import tables as t
from corridor.adapters.repositories.common import INSERT, utc
from corridor.adapters.repositories.pending import PendingWrites
from corridor.service import ports

INBOX_OUTCOME = select(t.inbox.c.outcome).where(t.inbox.c.message_id == bindparam("id"))
INBOX_OUTCOMES = select(t.inbox.c.message_id, t.inbox.c.outcome).where(
    t.inbox.c.message_id.in_(bindparam("ids", expanding=True))
)


class SqlInbox(ports.InboxRepository):
    """A message applied is queued with the transaction's other inserts (``PendingWrites``), so a
    receiver batch writes its inbox rows in one statement; a message id another transaction
    stored first makes the commit (or the next read of the inbox) raise CommitConflict."""

    def __init__(self, conn: Connection, pending: PendingWrites | None = None) -> None:
        self.conn = conn
        self.pending = pending or PendingWrites(conn, deferred=False)

    def outcome(self, message_id: str) -> dict[str, Any] | None:
        self.pending.flush()
        row = self.conn.execute(INBOX_OUTCOME, {"id": message_id}).first()
        return None if row is None else dict(row.outcome)

    def outcomes(self, message_ids: list[str]) -> dict[str, dict[str, Any]]:
        self.pending.flush()
        if not message_ids:
            return {}
        rows = self.conn.execute(INBOX_OUTCOMES, {"ids": list(dict.fromkeys(message_ids))})
        return {row.message_id: dict(row.outcome) for row in rows}

    def add(self, message_id: str, sender: str, type_: str, at: datetime, outcome: dict[str, Any]) -> None:
        row = {
            "message_id": message_id,
            "sender": sender,
            "type": type_,
            "received_at": at,
            "outcome": outcome,
        }
        self.pending.add(INSERT["inbox"], [row])

    def count(self) -> int:
        self.pending.flush()
        return int(self.conn.execute(select(func.count()).select_from(t.inbox)).scalar_one())


class SqlRejections(ports.RejectionRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, message_id: str | None, sender: str | None, field: str, reason: str, at: datetime) -> None:
        self.conn.execute(
            INSERT["rejections"],
            {
                "message_id": (message_id or "")[:80] or None,
                "sender": (sender or "")[:40] or None,
                "field": field[:80],
                "reason": reason,
                "received_at": at,
            },
        )

    def recent(self, limit: int = 100) -> list[dict[str, Any]]:
        c = t.rejections.c
        rows = self.conn.execute(select(t.rejections).order_by(c.id.desc()).limit(limit))
        return [
            {
                "message_id": r.message_id,
                "sender": r.sender,
                "field": r.field,
                "reason": r.reason,
                "received_at": (utc(r.received_at) or r.received_at).isoformat(),
            }
            for r in rows
        ]

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(t.rejections)).scalar_one())
