"""The outbox: messages for the peer node, written in the transaction of the change they tell of."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from corridor.adapters import tables as t
from corridor.adapters.repositories.common import INSERT, utc
from corridor.service import ports

MARK_OUTBOX = (
    update(t.outbox)
    .where(t.outbox.c.message_id == bindparam("b_id"))
    .values(
        status=bindparam("status"),
        attempts=t.outbox.c.attempts + 1,
        last_error=bindparam("last_error"),
        sent_at=func.coalesce(bindparam("sent_at", type_=t.outbox.c.sent_at.type), t.outbox.c.sent_at),
        next_attempt_at=func.coalesce(
            bindparam("next_attempt_at", type_=t.outbox.c.next_attempt_at.type), t.outbox.c.next_attempt_at
        ),
    )
)


def _outbox(row: Any) -> ports.OutboxMessage:
    return ports.OutboxMessage(
        message_id=row.message_id,
        recipient=row.recipient,
        type=row.type,
        envelope=row.envelope,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=utc(row.next_attempt_at),
        created_at=utc(row.created_at),
        last_error=row.last_error,
    )


class SqlOutbox(ports.OutboxRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, message: ports.OutboxMessage) -> None:
        self.conn.execute(
            INSERT["outbox"],
            {
                "message_id": message.message_id,
                "recipient": message.recipient,
                "type": message.type,
                "envelope": message.envelope,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": message.created_at,
                "created_at": message.created_at,
                "sent_at": None,
                "last_error": None,
            },
        )

    def due(self, now: datetime, limit: int) -> list[ports.OutboxMessage]:
        c = t.outbox.c
        query = (
            select(t.outbox)
            .where(c.status == "pending", c.next_attempt_at <= now)
            .order_by(c.created_at, c.message_id)
            .limit(limit)
        )
        return [_outbox(row) for row in self.conn.execute(query)]

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[ports.OutboxMessage]:
        c = t.outbox.c
        query = (
            select(t.outbox)
            .where(c.status == "pending", c.next_attempt_at <= now)
            .order_by(c.created_at, c.message_id)
            .limit(limit)
        )
        if self.conn.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already serialises writers
            query = query.with_for_update(skip_locked=True)
        taken = [_outbox(row) for row in self.conn.execute(query)]
        if taken:
            self.conn.execute(
                update(t.outbox)
                .where(c.message_id.in_([m.message_id for m in taken]))
                .values(next_attempt_at=now + lease)
            )
        return taken

    def with_status(self, *, status: str, limit: int = 100) -> list[ports.OutboxMessage]:
        c = t.outbox.c
        query = select(t.outbox).where(c.status == status).order_by(c.created_at, c.message_id).limit(limit)
        return [_outbox(row) for row in self.conn.execute(query)]

    def _mark(
        self,
        message_id: str,
        status: str,
        error: str | None,
        sent_at: datetime | None,
        next_attempt_at: datetime | None,
    ) -> None:
        self.conn.execute(
            MARK_OUTBOX,
            {
                "b_id": message_id,
                "status": status,
                "last_error": error,
                "sent_at": sent_at,
                "next_attempt_at": next_attempt_at,
            },
        )

    def mark_sent(self, message_ids: list[str], at: datetime) -> None:
        if message_ids:
            self.conn.execute(
                MARK_OUTBOX,
                [
                    {"b_id": i, "status": "sent", "last_error": None, "sent_at": at, "next_attempt_at": None}
                    for i in message_ids
                ],
            )

    def mark_retry(self, message_id: str, error: str, next_attempt_at: datetime) -> None:
        self._mark(message_id, "pending", error, None, next_attempt_at)

    def mark_dead(self, message_id: str, error: str) -> None:
        self._mark(message_id, "dead", error, None, None)

    def requeue(self, message_ids: list[str], now: datetime) -> int:
        if not message_ids:
            return 0
        c = t.outbox.c
        result = self.conn.execute(
            update(t.outbox)
            .where(c.message_id.in_(message_ids), c.status == "dead")
            .values(status="pending", next_attempt_at=now, attempts=0)
        )
        return int(result.rowcount)

    def count(self, status: str | None = None) -> int:
        query = select(func.count()).select_from(t.outbox)
        if status is not None:
            query = query.where(t.outbox.c.status == status)
        return int(self.conn.execute(query).scalar_one())
