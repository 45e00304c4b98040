"""The inbox (each message from the peer applied once) and the messages the node rejected."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from corridor.adapters import tables as t
from corridor.adapters.repositories.common import INSERT, utc
from corridor.service import ports

INBOX_OUTCOME = select(t.inbox.c.outcome).where(t.inbox.c.message_id == bindparam("id"))


class SqlInbox(ports.InboxRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def outcome(self, message_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(INBOX_OUTCOME, {"id": message_id}).first()
        return None if row is None else dict(row.outcome)

    def add(self, message_id: str, sender: str, type_: str, at: datetime, outcome: dict[str, Any]) -> None:
        try:
            self.conn.execute(
                INSERT["inbox"],
                {
                    "message_id": message_id,
                    "sender": sender,
                    "type": type_,
                    "received_at": at,
                    "outcome": outcome,
                },
            )
        except IntegrityError as exc:
            raise ports.CommitConflict(f"message {message_id} is already in the inbox") from exc

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(t.inbox)).scalar_one())


class SqlRejections(ports.RejectionRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, message_id: str | None, sender: str | None, field: str, reason: str, at: datetime) -> None:
        self.conn.execute(
            insert(t.rejections).values(
                message_id=(message_id or "")[:80] or None,
                sender=(sender or "")[:40] or None,
                field=field[:80],
                reason=reason,
                received_at=at,
            )
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
