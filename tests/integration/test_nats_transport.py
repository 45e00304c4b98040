"""The scale path between nodes: NATS JetStream on 127.0.0.1:4222, a stream of its own per test."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from corridor.customs.domain.vocabulary import Status
from corridor.demo.samples import SampleCorridor
from corridor.messaging.nats_transport import NatsJetStream
from corridor.node.bootstrap import Node, bootstrap_node, introduce
from corridor.service.commands import ClearDeclaration, FileDeclaration
from tests.integration.conftest import NATS_URL

pytestmark = pytest.mark.nats


@pytest.fixture
def nodes(tmp_path: Path, stream: tuple[str, str]) -> Iterator[dict[str, Any]]:
    buses = {c: NatsJetStream(NATS_URL, *stream) for c in ("IN", "RU")}
    nodes = {c: bootstrap_node(c, tmp_path / c, buses[c]) for c in ("IN", "RU")}
    introduce(nodes["IN"], nodes["RU"])
    yield {"nodes": nodes, "buses": buses}
    for c in ("IN", "RU"):
        nodes[c].close()
        buses[c].close()


def file_cleared(node: Node, document: dict[str, Any]) -> str:
    declaration = node.handle(FileDeclaration(document))
    if declaration.status == Status.UNDER_CONTROL:
        declaration = node.handle(ClearDeclaration(declaration.id, "OFFICER", "ok"))
    return str(declaration.id)


def test_prearrival_and_acknowledgement_travel_over_jetstream(nodes: dict[str, Any]) -> None:
    india, russia = nodes["nodes"]["IN"], nodes["nodes"]["RU"]
    buses = nodes["buses"]
    samples = SampleCorridor(41)
    ids = [file_cleared(india, samples.next("IN", datetime.now(UTC))) for _ in range(3)]
    assert india.relay_once().sent == 3  # stored by JetStream; Russia is not consuming yet
    assert buses["RU"].consume("RU", russia.receive_many) == 3
    assert russia.relay_once().sent == 3
    assert buses["IN"].consume("IN", india.receive_many) == 3
    with india.uow() as uow:
        acks = [uow.declarations.get(i).ack for i in ids]  # type: ignore[union-attr]
    assert all(a is not None and a.accepted for a in acks)


def test_a_message_the_node_cannot_apply_holds_back_no_other_of_its_batch(nodes: dict[str, Any]) -> None:
    """Applying the batch fails unexpectedly (here: one message makes the node's receive raise);
    its messages are then applied one by one: the others take effect and are acknowledged, that
    one is handed back for later."""
    india, russia = nodes["nodes"]["IN"], nodes["nodes"]["RU"]
    buses = nodes["buses"]
    samples = SampleCorridor(46)
    for _ in range(3):
        file_cleared(india, samples.next("IN", datetime.now(UTC)))
    with india.uow() as uow:
        poison = uow.outbox.due(datetime.now(UTC), 10)[1].envelope.encode("utf-8")
    assert india.relay_once().sent == 3

    def receive_many(envelopes: list[bytes], *, stored_at: list[datetime]) -> list[dict[str, Any]]:
        if poison in envelopes:
            raise RuntimeError("the node cannot apply this one")
        return russia.receive_many(envelopes, stored_at=stored_at)

    assert buses["RU"].consume("RU", receive_many) == 3
    with russia.uow() as uow:
        assert uow.inbox.count() == 2
    time.sleep(0.5)
    assert buses["RU"].consume("RU", russia.receive_many) == 0  # handed back with a delay of 5 s


def test_a_republished_message_has_no_second_effect(nodes: dict[str, Any]) -> None:
    india, russia = nodes["nodes"]["IN"], nodes["nodes"]["RU"]
    buses = nodes["buses"]
    file_cleared(india, SampleCorridor(42).next("IN", datetime.now(UTC)))
    with india.uow() as uow:
        message = uow.outbox.due(datetime.now(UTC), 10)[0]
    first = buses["IN"].deliver("RU", message.envelope)
    again = buses["IN"].deliver("RU", message.envelope)  # e.g. the relay crashed before marking it sent
    assert first.ok and again.ok and "duplicate" in again.detail
    assert buses["RU"].consume("RU", russia.receive_many) == 1
    with russia.uow() as uow:
        assert uow.inbox.count() == 1


def test_a_message_refused_for_an_unknown_key_is_redelivered_once_the_key_is_imported(
    tmp_path: Path, stream: tuple[str, str]
) -> None:
    buses = {c: NatsJetStream(NATS_URL, *stream) for c in ("IN", "RU")}
    india, russia = (bootstrap_node(c, tmp_path / c, buses[c]) for c in ("IN", "RU"))
    try:
        india.keyring.import_public(russia.keyring.export_public())  # Russia lacks India's key yet
        file_cleared(india, SampleCorridor(43).next("IN", datetime.now(UTC)))
        assert india.relay_once().sent == 1
        assert buses["RU"].consume("RU", russia.receive_many) == 1
        with russia.uow() as uow:
            assert (uow.inbox.count(), uow.rejections.count()) == (0, 1)

        russia.keyring.import_public(india.keyring.export_public())
        deadline = time.monotonic() + 30  # handed back with a backoff of one second
        while time.monotonic() < deadline:
            buses["RU"].consume("RU", russia.receive_many)
            with russia.uow() as uow:
                if uow.inbox.count():
                    break
        with russia.uow() as uow:
            assert (uow.inbox.count(), uow.rejections.count()) == (1, 1)
    finally:
        for node in (india, russia):
            node.close()
        for bus in buses.values():
            bus.close()


def test_a_message_that_waited_in_the_stream_past_the_freshness_window_is_applied(
    tmp_path: Path, stream: tuple[str, str]
) -> None:
    """Russia's consumer was down for 15 minutes (its clock is 15 minutes ahead when it consumes):
    the envelope was fresh when the stream stored it, so it takes effect."""
    later = lambda: datetime.now(UTC) + timedelta(minutes=15)  # noqa: E731
    buses = {c: NatsJetStream(NATS_URL, *stream) for c in ("IN", "RU")}
    india = bootstrap_node("IN", tmp_path / "IN", buses["IN"])
    russia = bootstrap_node("RU", tmp_path / "RU", buses["RU"], clock=later)
    introduce(india, russia)
    try:
        file_cleared(india, SampleCorridor(44).next("IN", datetime.now(UTC)))
        with india.uow() as uow:
            envelope = uow.outbox.due(datetime.now(UTC), 10)[0].envelope
        assert india.relay_once().sent == 1
        assert russia.receive(envelope)["field"] == "header.created"  # judged at its own clock: stale
        assert buses["RU"].consume("RU", russia.receive_many) == 1
        with russia.uow() as uow:
            assert (uow.inbox.count(), uow.rejections.count()) == (1, 1)
        assert buses["RU"].dead_letters("RU") == []
    finally:
        for node in (india, russia):
            node.close()
        for bus in buses.values():
            bus.close()


def test_an_old_envelope_published_now_is_refused_for_good_and_kept_as_a_dead_letter(
    tmp_path: Path, stream: tuple[str, str]
) -> None:
    """A replay: an envelope sealed 15 minutes ago enters the stream now; the stream stamps it now,
    so it is stale at the moment it was stored: refused once, not redelivered, kept with why."""
    earlier = lambda: datetime.now(UTC) - timedelta(minutes=15)  # noqa: E731
    buses = {c: NatsJetStream(NATS_URL, *stream) for c in ("IN", "RU")}
    india = bootstrap_node("IN", tmp_path / "IN", buses["IN"], clock=earlier)
    russia = bootstrap_node("RU", tmp_path / "RU", buses["RU"])
    introduce(india, russia)
    try:
        file_cleared(india, SampleCorridor(45).next("IN", datetime.now(UTC)))
        with india.uow() as uow:
            envelope = uow.outbox.due(datetime.now(UTC), 10)[0].envelope
        assert buses["IN"].deliver("RU", envelope).ok
        assert buses["RU"].consume("RU", russia.receive_many) == 1
        time.sleep(1.5)  # past any redelivery backoff
        assert buses["RU"].consume("RU", russia.receive_many) == 0  # acknowledged, not handed back
        dead = buses["RU"].dead_letters("RU")
        assert [(d.field, d.deliveries) for d in dead] == [("header.created", 1)]
        assert "stale" in dead[0].reason and dead[0].envelope == envelope.encode("utf-8")
        with russia.uow() as uow:
            assert (uow.inbox.count(), uow.rejections.count()) == (0, 1)
        listed = subprocess.run(
            [sys.executable, "-m", "corridor", "outbox", "dead-letters", "--node", "RU", "--nats-url", NATS_URL,
             "--stream", stream[0], "--subject-prefix", stream[1]],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        (row,) = json.loads(listed.stdout)
        assert row["field"] == "header.created" and row["type"] == "customs.prearrival.v1"
    finally:
        for node in (india, russia):
            node.close()
        for bus in buses.values():
            bus.close()
