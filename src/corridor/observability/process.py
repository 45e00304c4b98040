"""Metrics a process counts itself: API requests and their latency by route template, relay passes
and deliveries by outcome and reason, the sizes of its group commits and the commands whose
transactions lost a race with a concurrent one.

With several worker processes, set ``PROMETHEUS_MULTIPROC_DIR`` to a directory of their own
(``corridor node serve --workers N`` does) before any of them starts: each process writes its counts
there and ``/metrics`` of any worker adds them up."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridor.messaging.relay import RelayReport
from corridor.messaging.transport import Delivery, Transport
from corridor.observability.collector import refusal_reason

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "unmatched"  # a path no route took (404s), so that stray paths cannot swell the labels

REQUESTS = Counter(
    "corridor_http_requests",
    "HTTP requests by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "corridor_http_request_duration_seconds",
    "Time from request to the last byte of the answer, by method and route template",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
RELAY_PASSES = Counter("corridor_relay_passes", "Relay passes over the outbox", ["node"])
RELAYED = Counter(
    "corridor_relay_messages", "Outbox messages a relay pass handled, by result", ["node", "result"]
)
DELIVERIES = Counter(
    "corridor_deliveries",
    "Envelope deliveries to a peer by outcome (ok, retry, dead) and reason",
    ["recipient", "outcome", "reason"],
)


COMMAND_GROUPS = Histogram(
    "corridor_group_commit_size",
    "Commands (filings, officers' decisions, duty payments, carriers' events) committed together "
    "by an API process (group commit): one observation a group",
    buckets=(1, 2, 4, 8, 16, 32, 64, 100),
)


RACES_LOST = Counter(
    "corridor_races_lost",
    "Commands whose transaction lost a race with a concurrent one (something it read changed "
    "before it committed) and was run again, or answered 409 after the last attempt, by command",
    ["command"],
)


def observe_races_lost(commands: Sequence[object]) -> None:
    for command in commands:
        RACES_LOST.labels(type(command).__name__).inc()


def observe_group(size: int) -> None:
    COMMAND_GROUPS.observe(size)


def exposition() -> bytes:
    """This process's metrics, or with ``PROMETHEUS_MULTIPROC_DIR`` those of all the workers."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


class RequestMetrics:
    """ASGI middleware: count and time each HTTP request under its route template (``/v1/
    declarations/{declaration_id}``), read from the scope once the router has matched it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = scope.get("route")
            template = str(getattr(route, "path", UNMATCHED))
            method = str(scope.get("method", ""))
            REQUESTS.labels(method, template, str(status)).inc()
            LATENCY.labels(method, template).observe(time.perf_counter() - started)


def observe_pass(country: str, report: RelayReport) -> None:
    RELAY_PASSES.labels(country).inc()
    for result in ("sent", "retried", "dead"):
        count = getattr(report, result)
        if count:
            RELAYED.labels(country, result).inc(count)


_HTTP_STATUS = re.compile(r"^HTTP (\d{3})")


def reason_of(delivery: Delivery) -> str:
    """A short, bounded label for why a delivery failed: the field the peer refused, an HTTP status,
    or the kind of network error."""
    if delivery.ok:
        return ""
    if delivery.outcome is not None:
        return refusal_reason(str(delivery.outcome.get("field") or ""))
    status = _HTTP_STATUS.match(delivery.detail)
    if status:
        return f"http_{status.group(1)}"
    kind = delivery.detail.split(":", 1)[0].strip()
    return kind[:40] if kind.isidentifier() or kind == "NATS" else "unreachable"


def _count(recipient: str, delivery: Delivery) -> Delivery:
    outcome = "ok" if delivery.ok else ("dead" if delivery.permanent else "retry")
    DELIVERIES.labels(recipient, outcome, reason_of(delivery)).inc()
    return delivery


class ObservedTransport:
    """A transport that counts each delivery's outcome and passes everything else through."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner

    def deliver(self, recipient: str, envelope: str) -> Delivery:
        return _count(recipient, self.inner.deliver(recipient, envelope))

    def deliver_many(self, recipient: str, envelopes: list[str]) -> list[Delivery]:
        many = getattr(self.inner, "deliver_many", None)
        found = (
            many(recipient, envelopes)
            if many is not None
            else [self.inner.deliver(recipient, e) for e in envelopes]
        )
        return [_count(recipient, d) for d in found]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
