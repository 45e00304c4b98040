"""Metrics read from the node's database at scrape time: every process serving the node (API
workers, the relay) sees the same figures, since they come from the one database, not from a
process's memory.

Each scrape runs a handful of aggregate queries (``GROUP BY`` over indexed columns) in one read
transaction; a database that cannot be read gives ``corridor_node_database_up 0`` and no other node
figures, never an error page."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.pool import QueuePool

from corridor.adapters.tables import declarations, inbox, outbox, rejections

log = logging.getLogger(__name__)

NONE = "none"  # label of a missing value (a declaration without a lane yet)
HEADER_FIELDS = frozenset({"message_id", "type", "sender", "recipient", "created", "key_id"})


def refusal_reason(field: str | None) -> str:
    """A label from a bounded set for the field a refusal names: the field comes from the refused
    envelope itself (a garbled key is named as it arrived), so anything else is ``other``."""
    head, _, rest = (field or "").partition(".")
    if head == "header":
        return f"header.{rest}" if rest in HEADER_FIELDS else "header.other"
    return head if head in ("envelope", "signature", "body") else "other"


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive date-times written as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class NodeCollector(Collector):
    """Filings by lane, declarations by status, outbox depth and age, inbox counts, refusals by
    reason, and this process's database pool."""

    def __init__(self, country: str, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        self.country = country
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "corridor_node_database_up", "1 if the node's database answered this scrape", labels=["node"]
        )
        try:
            with self.engine.connect() as conn:
                found = list(self._from_database(conn))
        except Exception as exc:  # an unreachable database is a figure, not an error page
            log.warning("metrics: node database not readable: %s: %s", type(exc).__name__, exc)
            up.add_metric([self.country], 0)
            found = []
        else:
            up.add_metric([self.country], 1)
        yield up
        yield from found
        yield from self._pool()

    def _from_database(self, conn: Connection) -> Iterator[Metric]:
        node = self.country
        filings = CounterMetricFamily(
            "corridor_filings",
            "Declarations on this node by flow and risk lane",
            labels=["node", "flow", "lane"],
        )
        by_lane = select(declarations.c.flow, declarations.c.lane, func.count()).group_by(
            declarations.c.flow, declarations.c.lane
        )
        for flow, lane, n in conn.execute(by_lane):
            filings.add_metric([node, flow, lane or NONE], n)
        yield filings

        statuses = GaugeMetricFamily(
            "corridor_declarations",
            "Declarations on this node by flow and status",
            labels=["node", "flow", "status"],
        )
        by_status = select(declarations.c.flow, declarations.c.status, func.count()).group_by(
            declarations.c.flow, declarations.c.status
        )
        for flow, status, n in conn.execute(by_status):
            statuses.add_metric([node, flow, status], n)
        yield statuses
        yield from self._outbox(conn)
        yield from self._inbox(conn)

    def _outbox(self, conn: Connection) -> Iterator[Metric]:
        node = self.country
        depth = GaugeMetricFamily(
            "corridor_outbox_messages",
            "Outbox messages by recipient and status",
            labels=["node", "recipient", "status"],
        )
        age = GaugeMetricFamily(
            "corridor_outbox_oldest_pending_age_seconds",
            "Age of the oldest message not yet delivered, by recipient (0 when none waits)",
            labels=["node", "recipient"],
        )
        rows = conn.execute(
            select(outbox.c.recipient, outbox.c.status, func.count(), func.min(outbox.c.created_at)).group_by(
                outbox.c.recipient, outbox.c.status
            )
        )
        now = self.clock()
        oldest: dict[str, float] = {}
        for recipient, status, n, first in rows:
            depth.add_metric([node, recipient, status], n)
            if status == "pending" and first is not None:
                oldest[recipient] = max(0.0, (now - _aware(first)).total_seconds())
            else:
                oldest.setdefault(recipient, 0.0)
        for recipient, seconds in oldest.items():
            age.add_metric([node, recipient], seconds)
        yield depth
        yield age

    def _inbox(self, conn: Connection) -> Iterator[Metric]:
        node = self.country
        taken = CounterMetricFamily(
            "corridor_inbox_messages",
            "Messages this node has recorded in its inbox (applied once each), by sender and type",
            labels=["node", "sender", "type"],
        )
        last: dict[str, datetime] = {}
        rows = conn.execute(
            select(inbox.c.sender, inbox.c.type, func.count(), func.max(inbox.c.received_at)).group_by(
                inbox.c.sender, inbox.c.type
            )
        )
        for sender, kind, n, newest in rows:
            taken.add_metric([node, sender, kind], n)
            if newest is not None:
                last[sender] = max(last.get(sender, _aware(newest)), _aware(newest))
        yield taken
        since = GaugeMetricFamily(
            "corridor_inbox_last_received_age_seconds",
            "Seconds since the newest message recorded from each sender",
            labels=["node", "sender"],
        )
        now = self.clock()
        for sender, newest in last.items():
            since.add_metric([node, sender], max(0.0, (now - newest).total_seconds()))
        yield since
        refused = CounterMetricFamily(
            "corridor_refusals",
            "Envelopes this node refused, by the part that failed (signature, header.key_id, body, ...)",
            labels=["node", "reason"],
        )
        reasons: dict[str, int] = {}
        for field, n in conn.execute(select(rejections.c.field, func.count()).group_by(rejections.c.field)):
            reasons[refusal_reason(field)] = reasons.get(refusal_reason(field), 0) + n
        for reason, n in sorted(reasons.items()):
            refused.add_metric([node, reason], n)
        yield refused

    def _pool(self) -> Iterator[Metric]:
        pool: Any = self.engine.pool
        if not isinstance(pool, QueuePool):
            return
        labels = ["node", "pid"]
        key = [self.country, str(os.getpid())]
        for name, doc, value in (
            ("size", "Connections the pool keeps open", pool.size()),
            ("checked_out", "Connections in use", pool.checkedout()),
            ("checked_in", "Idle connections in the pool", pool.checkedin()),
            ("overflow", "Connections opened beyond the pool size", pool.overflow()),
        ):
            family = GaugeMetricFamily(f"corridor_db_pool_{name}", f"{doc} (this process)", labels=labels)
            family.add_metric(key, value)
            yield family
