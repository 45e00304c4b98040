"""The outbox relay with the in-memory unit of work and a scripted transport."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.adapters.memory import MemoryStore, MemoryUnitOfWork
from corridor.messaging.envelope import format_time, parse_wire, seal, verify
from corridor.messaging.relay import BASE_BACKOFF, MAX_BACKOFF, REFRESH_AFTER, Relay, backoff
from corridor.messaging.transport import Delivery, InProcessTransport, delivery_from_outcome
from corridor.service.ports import OutboxMessage

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
PRIVATE_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KEY_ID = "IN-test-1"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class FakeSigner:
    node = "IN"

    def signing_key(self, keys: object) -> tuple[str, Ed25519PrivateKey]:
        return KEY_ID, PRIVATE_KEY


def message_id_of(envelope: str) -> str:
    return parse_wire(envelope.encode("utf-8")).header.message_id


@dataclass
class ScriptedTransport:
    """Answers each delivery with the next scripted Delivery for that message id."""

    script: dict[str, list[Delivery]]
    calls: list[tuple[str, str, str]] = field(default_factory=list)

    def deliver(self, recipient: str, envelope: str) -> Delivery:
        message_id = message_id_of(envelope)
        self.calls.append((recipient, message_id, envelope))
        return self.script[message_id].pop(0)

    def delivered(self) -> list[str]:
        return [call[1] for call in self.calls]


OK = Delivery(True, outcome={"status": "accepted"})
DOWN = Delivery(False, detail="ConnectError: connection refused")
REFUSED = Delivery(False, permanent=True, detail="signature: does not verify")


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def put(store: MemoryStore, message_id: str, created_at: datetime = NOW, recipient: str = "RU") -> str:
    envelope = seal(
        private_key=PRIVATE_KEY,
        key_id=KEY_ID,
        message_type="customs.prearrival.v1",
        sender="IN",
        recipient=recipient,
        body={"export_declaration_id": message_id},
        now=created_at,
        message_id=message_id,
    )
    text = envelope.to_bytes().decode("utf-8")
    with MemoryUnitOfWork(store) as uow:
        uow.outbox.add(
            OutboxMessage(
                message_id=message_id,
                recipient=recipient,
                type="customs.prearrival.v1",
                envelope=text,
                created_at=created_at,
            )
        )
        uow.commit()
    return text


def relay(store: MemoryStore, transport: ScriptedTransport, clock: Clock) -> Relay:
    return Relay(lambda: MemoryUnitOfWork(store), transport, clock, FakeSigner())


def test_success_marks_the_message_sent_and_does_not_send_it_again(store: MemoryStore, clock: Clock) -> None:
    text = put(store, "m1")
    transport = ScriptedTransport({"m1": [OK]})

    report = relay(store, transport, clock).run_once()

    assert (report.sent, report.retried, report.dead) == (1, 0, 0)
    assert transport.calls == [("RU", "m1", text)]  # a fresh envelope goes out as stored
    assert store.outbox["m1"].status == "sent"
    assert store.outbox["m1"].last_error is None
    again = relay(store, transport, clock).run_once()
    assert (again.sent, again.retried, again.dead) == (0, 0, 0)
    assert len(transport.calls) == 1


def test_a_transient_failure_keeps_the_message_pending_and_backs_off_exponentially(
    store: MemoryStore, clock: Clock
) -> None:
    put(store, "m1")
    transport = ScriptedTransport({"m1": [DOWN, DOWN, DOWN, OK]})
    r = relay(store, transport, clock)

    report = r.run_once()

    message = store.outbox["m1"]
    assert (report.sent, report.retried, report.dead) == (0, 1, 0)
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error == DOWN.detail
    assert message.next_attempt_at == NOW + timedelta(seconds=1)

    # not due yet: nothing is delivered
    clock.now = NOW + timedelta(milliseconds=999)
    assert r.run_once().retried == 0
    assert len(transport.calls) == 1

    waits = []
    for expected_attempts in (2, 3):
        clock.now = store.outbox["m1"].next_attempt_at
        attempted_at = clock.now
        r.run_once()
        message = store.outbox["m1"]
        assert (message.status, message.attempts) == ("pending", expected_attempts)
        waits.append(message.next_attempt_at - attempted_at)
    assert waits == [timedelta(seconds=2), timedelta(seconds=4)]

    clock.now = store.outbox["m1"].next_attempt_at
    assert r.run_once().sent == 1
    assert store.outbox["m1"].status == "sent"
    assert len(transport.calls) == 4


def test_a_permanent_refusal_marks_the_message_dead_and_keeps_it(store: MemoryStore, clock: Clock) -> None:
    put(store, "m1")
    transport = ScriptedTransport({"m1": [REFUSED]})
    r = relay(store, transport, clock)

    report = r.run_once()

    assert (report.sent, report.retried, report.dead) == (0, 0, 1)
    message = store.outbox["m1"]
    assert message.status == "dead"
    assert message.last_error == REFUSED.detail
    assert message_id_of(message.envelope) == "m1"  # kept for inspection
    with MemoryUnitOfWork(store) as uow:
        assert [m.message_id for m in uow.outbox.with_status(status="dead")] == ["m1"]
        assert uow.outbox.count("pending") == 0
    clock.now = NOW + timedelta(days=1)
    assert r.run_once().dead == 0
    assert len(transport.calls) == 1


def test_one_run_handles_each_message_on_its_own(store: MemoryStore, clock: Clock) -> None:
    put(store, "a", NOW - timedelta(seconds=3))
    put(store, "b", NOW - timedelta(seconds=2))
    put(store, "c", NOW - timedelta(seconds=1))
    put(store, "later", NOW + timedelta(minutes=5))  # not due yet
    transport = ScriptedTransport({"a": [OK], "b": [DOWN], "c": [REFUSED]})

    report = relay(store, transport, clock).run_once()

    assert (report.sent, report.retried, report.dead) == (1, 1, 1)
    assert transport.delivered() == ["a", "b", "c"]
    assert {k: m.status for k, m in store.outbox.items()} == {
        "a": "sent",
        "b": "pending",
        "c": "dead",
        "later": "pending",
    }
    assert store.outbox["later"].attempts == 0


def test_the_limit_caps_one_run_oldest_first(store: MemoryStore, clock: Clock) -> None:
    for i in range(5):
        put(store, f"m{i}", NOW - timedelta(seconds=10 - i))
    transport = ScriptedTransport({f"m{i}": [OK] for i in range(5)})

    report = relay(store, transport, clock).run_once(limit=2)

    assert report.sent == 2
    assert transport.delivered() == ["m0", "m1"]


def test_an_empty_outbox_makes_no_delivery(store: MemoryStore, clock: Clock) -> None:
    transport = ScriptedTransport({})
    report = relay(store, transport, clock).run_once()
    assert (report.sent, report.retried, report.dead, transport.calls) == (0, 0, 0, [])


def test_a_message_that_waited_long_is_sealed_again_with_the_same_id(
    store: MemoryStore, clock: Clock
) -> None:
    stored = put(store, "m1")
    transport = ScriptedTransport({"m1": [DOWN, OK]})
    r = relay(store, transport, clock)
    r.run_once()
    clock.now = NOW + REFRESH_AFTER + timedelta(seconds=1)

    r.run_once()

    first, second = transport.calls[0][2], transport.calls[1][2]
    assert first == stored
    assert second != stored
    again = parse_wire(second.encode("utf-8"))
    original = parse_wire(stored.encode("utf-8"))
    assert again.header.message_id == original.header.message_id
    assert again.body == original.body
    assert (again.header.type, again.header.recipient) == (original.header.type, original.header.recipient)
    assert again.header.created == format_time(clock.now)
    verify(again, public_key=PRIVATE_KEY.public_key(), expected_recipient="RU", now=clock.now)
    assert store.outbox["m1"].status == "sent"


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        (0, BASE_BACKOFF),
        (1, 2 * BASE_BACKOFF),
        (5, 32 * BASE_BACKOFF),
        (9, 512 * BASE_BACKOFF),
        (10, MAX_BACKOFF),
        (10_000, MAX_BACKOFF),
    ],
)
def test_backoff_doubles_and_is_capped(attempts: int, wait: timedelta) -> None:
    assert backoff(attempts) == wait


def test_backoff_never_shrinks() -> None:
    waits = [backoff(n) for n in range(40)]
    assert all(a <= b for a, b in itertools.pairwise(waits))


def test_delivery_from_a_peer_outcome() -> None:
    rejected = delivery_from_outcome({"status": "rejected", "field": "signature", "reason": "bad"})
    assert (rejected.ok, rejected.permanent, rejected.detail) == (False, True, "signature: bad")
    for status in ("accepted", "stored", "duplicate"):
        delivered = delivery_from_outcome({"status": status})
        assert (delivered.ok, delivered.permanent) == (True, False)


def test_in_process_transport_is_transient_when_the_peer_is_offline() -> None:
    transport = InProcessTransport()
    received: list[str] = []
    transport.register("RU", lambda envelope: received.append(envelope) or {"status": "accepted"})

    transport.offline.add("RU")
    down = transport.deliver("RU", "x")
    transport.offline.clear()
    up = transport.deliver("RU", "y")
    unknown = transport.deliver("CN", "z")

    assert (down.ok, down.permanent) == (False, False)
    assert (up.ok, received) == (True, ["y"])
    assert (unknown.ok, unknown.permanent) == (False, False)


def test_a_transport_exception_is_a_retry_and_does_not_hold_back_the_others(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from corridor.adapters.memory import MemoryStore, MemoryUnitOfWork
    from corridor.messaging.keys import NodeKeys
    from corridor.messaging.relay import Relay
    from corridor.messaging.transport import Delivery
    from corridor.service.outbox import enqueue

    class Flaky:
        def __init__(self) -> None:
            self.calls = 0

        def deliver(self, recipient: str, envelope: str) -> Delivery:
            self.calls += 1
            if self.calls == 1:
                raise ConnectionResetError("peer went away")
            return Delivery(True)

    store, now = MemoryStore(), datetime.now(UTC)
    ring = NodeKeys.open(tmp_path, "IN", lambda: MemoryUnitOfWork(store)).ring
    with MemoryUnitOfWork(store) as uow:
        for _ in range(3):
            enqueue(uow, ring, recipient="RU", message_type="t", body={}, now=now)
        uow.commit()
    report = Relay(lambda: MemoryUnitOfWork(store), Flaky(), lambda: now, ring).run_once()
    assert (report.sent, report.retried, report.dead) == (2, 1, 0)


def test_a_refusal_the_receiver_calls_retryable_is_retried_not_dead() -> None:
    from corridor.messaging.transport import answer_status, delivery_from_outcome

    unknown_key = {"status": "rejected", "field": "header.key_id", "reason": "not trusted", "retryable": True}
    forged = {"status": "rejected", "field": "signature", "reason": "does not verify", "retryable": False}
    assert not delivery_from_outcome(unknown_key).ok and not delivery_from_outcome(unknown_key).permanent
    assert not delivery_from_outcome(forged).ok and delivery_from_outcome(forged).permanent
    assert (answer_status(unknown_key), answer_status(forged), answer_status({"status": "accepted"})) == (
        409,
        422,
        202,
    )


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        *((status, False) for status in (401, 403, 408, 409, 429, 500, 503)),
        *((status, True) for status in (400, 404, 413, 422)),
    ],
)
def test_an_http_answer_without_an_outcome_is_retried_unless_it_is_a_refusal_for_good(
    status: int, permanent: bool
) -> None:
    from corridor.messaging.transport import http_failure

    delivery = http_failure(status, "no outcome")
    assert (delivery.ok, delivery.permanent, delivery.detail) == (
        False,
        permanent,
        f"HTTP {status}: no outcome",
    )
