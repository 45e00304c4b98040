"""One contract, three transports: in-process, HTTP (the peer's FastAPI app) and NATS JetStream
carry the relay's envelopes with the same behaviour. One delivered, a batch delivered, a refusal
for good dead-lettered with its reason, a refusal that may pass later retried until it passes,
a duplicate without a second effect."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corridor.api.app import create_app
from corridor.messaging.nats_transport import NatsJetStream
from corridor.messaging.transport import (
    Delivery,
    HttpTransport,
    InProcessTransport,
    Transport,
    retryable,
)
from corridor.node.bootstrap import Node, bootstrap_node
from corridor.service.auth import create_api_key
from corridor.service.outbox import enqueue
from tests.e2e.test_delivery_retries import PEER_SECRET, Clock, cleared_export
from tests.integration.conftest import NATS_URL

SETTLE_SECONDS = 30  # NATS hands a refused message back after the relay's backoff (one second first)


@dataclass
class Link:
    """India sends to Russia over ``transport``; ``settle`` makes Russia take what waits for it."""

    india: Node
    russia: Node
    clock: Clock
    transport: Transport
    consume: Callable[[], int] = lambda: 0
    acknowledged: list[dict[str, Any]] = field(default_factory=list)  # outcomes a NATS consumer saw
    kept_dead: Callable[[], list[str]] = list  # the dead letters a NATS stream keeps, with why
    closers: list[Callable[[], None]] = field(default_factory=list)

    def settle(self, until: Callable[[], bool] = lambda: True) -> None:
        """Let Russia take what waits for it (at once, but for NATS: until ``until`` holds)."""
        deadline = time.monotonic() + SETTLE_SECONDS
        self.consume()
        while not until() and time.monotonic() < deadline:
            self.consume()

    def applied(self) -> int:
        with self.russia.uow() as uow:
            return uow.inbox.count()

    def refusals(self) -> list[str]:
        with self.russia.uow() as uow:
            return [r["reason"] for r in uow.rejections.recent()]

    def dead_letters(self) -> list[str]:
        """Why each message given up on was refused: India's dead outbox messages, and for NATS the
        dead letters kept in the stream for the refusals for good Russia's consumer acknowledged."""
        with self.india.uow() as uow:
            dead = [m.last_error or "" for m in uow.outbox.with_status(status="dead")]
        given_up = [o for o in self.acknowledged if o.get("status") == "rejected" and not retryable(o)]
        kept = self.kept_dead()
        assert len(kept) == len(given_up), f"{len(given_up)} refused for good, {len(kept)} dead letters kept"
        return dead + kept


def introduce_india(link: Link) -> None:
    link.russia.keyring.import_public(link.india.keyring.export_public())


def in_process(tmp_path: Path, clock: Clock) -> Link:
    transport = InProcessTransport()
    russia = bootstrap_node("RU", tmp_path / "RU", InProcessTransport(), clock=clock)
    transport.register("RU", russia.receive, russia.receive_many)
    india = bootstrap_node("IN", tmp_path / "IN", transport, clock=clock)
    return Link(india, russia, clock, transport, closers=[india.close, russia.close])


def http(tmp_path: Path, clock: Clock) -> Link:
    russia = bootstrap_node("RU", tmp_path / "RU", InProcessTransport(), clock=clock)
    create_api_key(russia.uow(), "peer", "IN", "India", clock(), PEER_SECRET)
    client = TestClient(create_app(russia))
    transport = HttpTransport({"RU": str(client.base_url)}, {"RU": PEER_SECRET})
    transport.client = client  # the requests go to Russia's app in this process
    india = bootstrap_node("IN", tmp_path / "IN", transport, clock=clock)
    return Link(india, russia, clock, transport, closers=[client.close, india.close, russia.close])


def jetstream(tmp_path: Path, clock: Clock, stream: tuple[str, str]) -> Link:
    buses = {c: NatsJetStream(NATS_URL, *stream) for c in ("IN", "RU")}
    india = bootstrap_node("IN", tmp_path / "IN", buses["IN"], clock=clock)
    russia = bootstrap_node("RU", tmp_path / "RU", buses["RU"], clock=clock)
    link = Link(india, russia, clock, buses["IN"], closers=[india.close, russia.close])
    link.closers += [buses["IN"].close, buses["RU"].close]

    def receive(data: list[bytes], *, stored_at: list[datetime]) -> list[dict[str, Any]]:
        outcomes = russia.receive_many(data, stored_at=stored_at)
        link.acknowledged.extend(outcomes)
        return outcomes

    link.consume = lambda: buses["RU"].consume("RU", receive)
    link.kept_dead = lambda: [f"{d.field}: {d.reason}" for d in buses["RU"].dead_letters("RU")]
    return link


@pytest.fixture(params=["in-process", "http", pytest.param("nats", marks=pytest.mark.nats)])
def link(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Link]:
    """India and Russia, Russia not trusting India's key yet."""
    clock = Clock()
    if request.param == "nats":
        made = jetstream(tmp_path, clock, request.getfixturevalue("stream"))
    else:
        made = {"in-process": in_process, "http": http}[request.param](tmp_path, clock)
    made.india.keyring.import_public(made.russia.keyring.export_public())
    yield made
    for close in made.closers:
        close()


def test_one_message_is_delivered_and_applied(link: Link) -> None:
    introduce_india(link)
    cleared_export(link.india, 61)
    report = link.india.relay_once()
    assert (report.sent, report.retried, report.dead) == (1, 0, 0)
    link.settle(until=lambda: link.applied() == 1)
    assert link.applied() == 1 and link.refusals() == []


def test_a_relay_pass_delivers_a_batch(link: Link) -> None:
    introduce_india(link)
    for seed in (62, 63, 64):
        cleared_export(link.india, seed)
    assert link.india.relay_once().sent == 3
    link.settle(until=lambda: link.applied() == 3)
    assert link.applied() == 3 and link.refusals() == []
    with link.india.uow() as uow:
        assert uow.outbox.count("pending") == 0


def test_a_refusal_for_good_is_dead_lettered_with_its_reason(link: Link) -> None:
    introduce_india(link)
    with link.india.uow() as uow:  # a sound message of a type Russia does not take
        enqueue(
            uow,
            link.india.keyring.ring,
            recipient="RU",
            message_type="corridor.unknown.v1",
            body={"n": 1},
            now=link.clock(),
        )
        uow.commit()
    link.india.relay_once()
    link.settle(until=lambda: bool(link.refusals()))
    (reason,) = link.refusals()
    assert "unknown message type" in reason
    assert any("unknown message type" in dead for dead in link.dead_letters())
    link.clock.now += timedelta(days=1)  # nothing is tried again
    assert link.india.relay_once().sent == 0
    link.settle()
    assert link.refusals() == [reason] and link.applied() == 0


def test_a_refusal_that_may_pass_later_is_retried_until_it_passes(link: Link) -> None:
    cleared_export(link.india, 65)  # Russia does not trust India's key yet: refused for now
    link.india.relay_once()
    link.settle(until=lambda: bool(link.refusals()))
    assert link.applied() == 0 and "not in the trust list" in link.refusals()[0]
    assert link.dead_letters() == []

    introduce_india(link)
    link.clock.now += timedelta(minutes=5)  # past the relay's backoff, before the message is stale
    link.india.relay_once()
    link.settle(until=lambda: link.applied() == 1)
    assert link.applied() == 1
    assert link.dead_letters() == []


def test_a_duplicate_has_no_second_effect(link: Link) -> None:
    introduce_india(link)
    cleared_export(link.india, 66)
    with link.india.uow() as uow:
        (message,) = uow.outbox.due(link.clock(), 10)
    deliveries: list[Delivery] = [link.transport.deliver("RU", message.envelope) for _ in range(2)]
    assert all(d.ok for d in deliveries), deliveries
    link.settle(until=lambda: link.applied() == 1)
    link.settle()
    assert link.applied() == 1 and link.refusals() == []
    assert link.india.relay_once().sent == 1  # the relay's own send of it: taken, no effect
    link.settle()
    assert link.applied() == 1 and link.refusals() == []
