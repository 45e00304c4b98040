"""Delivery over HTTP follows one rule, one envelope per request or a relay pass in one: a refusal
that may pass later (the peer has not imported the sender's key yet) is retried with backoff; a
refusal for good (a bad signature) is dead-lettered with its reason."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from corridor.adapters import tables
from corridor.api.app import create_app
from corridor.customs.domain.vocabulary import Status
from corridor.demo.samples import SampleCorridor
from corridor.messaging.transport import HttpTransport, InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node
from corridor.service.auth import create_api_key
from corridor.service.commands import ClearDeclaration, FileDeclaration

PEER_SECRET = "peer-secret-of-IN-0123456789abcdef"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Pair:
    india: Node
    russia: Node
    clock: Clock
    client: TestClient


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    """India relays over HTTP to Russia's API; Russia has not imported India's keys yet."""
    clock = Clock()
    russia = bootstrap_node("RU", tmp_path / "RU", InProcessTransport(), clock=clock)
    create_api_key(russia.uow(), "peer", "IN", "India", clock(), PEER_SECRET)
    client = TestClient(create_app(russia))
    http = HttpTransport({"RU": str(client.base_url)}, {"RU": PEER_SECRET})
    http.client = client  # the HTTP requests go to Russia's app in this process
    india = bootstrap_node("IN", tmp_path / "IN", http, clock=clock)
    yield Pair(india, russia, clock, client)
    client.close()
    india.close()
    russia.close()


def cleared_export(node: Node, seed: int) -> str:
    declaration = node.handle(FileDeclaration(SampleCorridor(seed).next("IN", node.bus.ctx.clock())))
    if declaration.status == Status.UNDER_CONTROL:
        declaration = node.handle(ClearDeclaration(declaration.id, "IN-OFFICER-1", "ok"))
    return str(declaration.id)


def outbox(node: Node) -> dict[str, tuple[str, int, datetime, str | None]]:
    """Each pre-arrival message: status, attempts, next attempt, last error; by declaration id."""
    with node.uow() as uow:
        messages = [
            m for status in ("pending", "sent", "dead") for m in uow.outbox.with_status(status=status)
        ]
    return {
        m.envelope.split('"export_declaration_id":"', 1)[1].split('"', 1)[0]: (
            m.status,
            m.attempts,
            m.next_attempt_at,
            m.last_error,
        )
        for m in messages
    }


def tamper(node: Node, declaration_id: str) -> None:
    """Change the body of a sealed pre-arrival message in the outbox: its signature no longer holds."""
    with node.engine.begin() as conn:
        for message_id, envelope in conn.execute(
            tables.outbox.select().with_only_columns(tables.outbox.c.message_id, tables.outbox.c.envelope)
        ):
            if declaration_id in envelope:
                changed = envelope.replace('"lane_at_origin":"', '"lane_at_origin":"x', 1)
                conn.execute(
                    update(tables.outbox)
                    .where(tables.outbox.c.message_id == message_id)
                    .values(envelope=changed)
                )


def relay_pass(node: Node, per_request: int) -> None:
    """Offer both messages to the peer: one relay pass, or one pass per message."""
    for _ in range(2 if per_request == 1 else 1):
        node.relay_once(limit=per_request)


@pytest.mark.parametrize(
    "per_request", [1, 200], ids=["one envelope per request", "a relay pass per request"]
)
def test_an_unknown_key_is_retried_until_the_peer_imports_it_and_a_bad_signature_goes_dead(
    pair: Pair, per_request: int
) -> None:
    sound, forged = cleared_export(pair.india, 31), cleared_export(pair.india, 32)
    tamper(pair.india, forged)

    relay_pass(pair.india, per_request)

    first = outbox(pair.india)
    for declaration_id in (sound, forged):
        status, attempts, next_attempt_at, error = first[declaration_id]
        assert (status, attempts) == ("pending", 1), first[declaration_id]
        assert next_attempt_at > pair.clock.now
        assert error is not None and error.startswith("header.key_id: ")

    pair.russia.keyring.import_public(pair.india.keyring.export_public())
    pair.clock.now = max(first[sound][2], first[forged][2]) + timedelta(seconds=1)
    relay_pass(pair.india, per_request)

    second = outbox(pair.india)
    assert second[sound][:2] == ("sent", 2)
    assert second[forged][0] == "dead"
    assert second[forged][3] == "signature: does not verify with the sender's key"
    with pair.russia.uow() as uow:
        assert uow.declarations.find_by_consignment(sound) is not None
        assert uow.declarations.find_by_consignment(forged) is None
        assert uow.inbox.count() == 1


def test_the_http_answer_tells_a_refusal_for_now_from_a_refusal_for_good(pair: Pair) -> None:
    cleared_export(pair.india, 33)
    with pair.india.uow() as uow:
        envelope = uow.outbox.with_status(status="pending")[0].envelope
    headers = {"x-api-key": PEER_SECRET, "content-type": "application/json"}

    unknown_key = pair.client.post("/v1/envelopes", content=envelope, headers=headers)
    pair.russia.keyring.import_public(pair.india.keyring.export_public())
    forged = pair.client.post(
        "/v1/envelopes",
        content=envelope.replace('"lane_at_origin":"', '"lane_at_origin":"x', 1),
        headers=headers,
    )

    assert unknown_key.status_code == 409
    assert unknown_key.json()["field"] == "header.key_id"
    assert unknown_key.json()["retryable"] is True
    assert forged.status_code == 422
    assert forged.json()["field"] == "signature"
    assert forged.json()["retryable"] is False
