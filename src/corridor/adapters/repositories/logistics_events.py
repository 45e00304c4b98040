"""Logistics events (EPCIS) received for consignments, and which consignment each container carries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from corridor.adapters import tables as t
from corridor.adapters.repositories.common import INSERT, utc
from corridor.adapters.repositories.pending import PendingWrites
from corridor.service import ports

EVENTS_EXISTING = select(t.logistics_events.c.event_id).where(
    t.logistics_events.c.event_id.in_(bindparam("ids", expanding=True))
)
EVENTS_OF_CONSIGNMENT = (
    select(t.logistics_events)
    .where(t.logistics_events.c.consignment_ref == bindparam("ref"))
    .order_by(t.logistics_events.c.event_time, t.logistics_events.c.event_id)
)
EVENTS_OF_CONSIGNMENTS = (
    select(t.logistics_events)
    .where(t.logistics_events.c.consignment_ref.in_(bindparam("refs", expanding=True)))
    .order_by(t.logistics_events.c.event_time, t.logistics_events.c.event_id)
)
EVENTS_OF_CONTAINER = (
    select(t.logistics_events)
    .join(
        t.consignment_containers,
        t.consignment_containers.c.consignment_ref == t.logistics_events.c.consignment_ref,
    )
    .where(t.consignment_containers.c.container == bindparam("container"))
    .order_by(t.logistics_events.c.event_time, t.logistics_events.c.event_id)
)
CONTAINER_OWNER = (
    select(t.consignment_containers.c.consignment_ref, t.consignment_containers.c.origin_locode)
    .where(t.consignment_containers.c.container == bindparam("container"))
    .order_by(t.consignment_containers.c.assigned_at.desc())
    .limit(1)
)
ASSIGN_CONTAINER = {
    name: dialect_insert(t.consignment_containers).on_conflict_do_nothing(
        index_elements=["container", "consignment_ref"]
    )
    for name, dialect_insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
}


def _event(row: Any) -> ports.StoredEvent:
    return ports.StoredEvent(
        event_id=row.event_id,
        consignment_ref=row.consignment_ref,
        biz_step=row.biz_step,
        locode=row.locode,
        event_time=utc(row.event_time) or row.event_time,
        containers=tuple(row.containers),
        epcis=row.epcis,
        source=row.source,
    )


class SqlEvents(ports.EventRepository):
    """Container assignments are queued with the transaction's other inserts (``PendingWrites``);
    reading them sends them first."""

    def __init__(self, conn: Connection, pending: PendingWrites | None = None) -> None:
        self.conn = conn
        self.pending = pending or PendingWrites(conn, deferred=False)
        # consignments' events read ahead in this transaction; an event stored since drops its
        # consignment from here (and a savepoint rolled back can only have stored events)
        self._ahead: dict[str, list[ports.StoredEvent]] = {}

    def read_ahead(self, consignment_refs: Sequence[str]) -> None:
        refs = [ref for ref in dict.fromkeys(consignment_refs) if ref not in self._ahead]
        if not refs:
            return
        found: dict[str, list[ports.StoredEvent]] = {ref: [] for ref in refs}
        for row in self.conn.execute(EVENTS_OF_CONSIGNMENTS, {"refs": refs}):
            found[row.consignment_ref].append(_event(row))
        self._ahead.update(found)

    def existing(self, event_ids: list[str]) -> set[str]:
        if not event_ids:
            return set()
        rows = self.conn.execute(EVENTS_EXISTING, {"ids": list(event_ids)})
        return {r.event_id for r in rows}

    def add_many(self, events: list[ports.StoredEvent], received_at: datetime) -> None:
        for e in events:
            self._ahead.pop(e.consignment_ref, None)
        if events:
            self.conn.execute(
                INSERT["logistics_events"],
                [
                    {
                        "event_id": e.event_id,
                        "consignment_ref": e.consignment_ref,
                        "biz_step": e.biz_step,
                        "locode": e.locode,
                        "event_time": e.event_time,
                        "containers": list(e.containers),
                        "epcis": e.epcis,
                        "source": e.source,
                        "received_at": received_at,
                    }
                    for e in events
                ],
            )

    def for_consignment(self, consignment_ref: str) -> list[ports.StoredEvent]:
        if consignment_ref in self._ahead:
            return list(self._ahead[consignment_ref])
        return [_event(r) for r in self.conn.execute(EVENTS_OF_CONSIGNMENT, {"ref": consignment_ref})]

    def for_container(self, container: str) -> list[ports.StoredEvent]:
        self.pending.flush()
        rows = self.conn.execute(EVENTS_OF_CONTAINER, {"container": container})
        return [e for e in map(_event, rows) if container in e.containers]

    def assign(self, consignment_ref: str, containers: list[str], origin_locode: str, at: datetime) -> None:
        if containers:
            self.pending.add(
                ASSIGN_CONTAINER[self.conn.dialect.name],
                [
                    {
                        "container": c,
                        "consignment_ref": consignment_ref,
                        "origin_locode": origin_locode,
                        "assigned_at": at,
                    }
                    for c in containers
                ],
            )

    def consignment_of(self, container: str) -> tuple[str, str] | None:
        self.pending.flush()
        row = self.conn.execute(CONTAINER_OWNER, {"container": container}).first()
        return None if row is None else (row.consignment_ref, row.origin_locode)
