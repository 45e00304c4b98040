"""NATS JetStream between nodes (the scale path): a node publishes an envelope to the peer's inbox
subject; JetStream stores it durably and the peer's consumer applies it. The JetStream message id
is the envelope's message id and a digest of its text, so a re-publish of the same envelope inside
the stream's duplicate window is dropped by the server, and any later one (or the same message
sealed again) by the receiver's inbox; a garbled or forged copy under the same message id cannot
make the server drop the genuine envelope as its duplicate.

The stream also keeps each node's dead letters: an envelope refused for good, or still refused
after ``MAX_DELIVERIES`` deliveries, is copied to ``<prefix>.<country>.dead`` with the refusal's
field and reason in its headers before it is acknowledged, so an operator can see it and send it
again. Freshness is judged at the moment the stream stored an envelope (its JetStream timestamp),
so an envelope that waited while the consumer was down is not refused as stale.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

import nats
from nats.errors import Error as NatsError
from nats.js.api import StreamConfig
from nats.js.errors import BadRequestError
from nats.js.errors import Error as JetStreamError

from corridor.messaging.relay import backoff
from corridor.messaging.transport import Delivery, retryable

T = TypeVar("T")
log = logging.getLogger(__name__)

# A message refused for a reason that may pass later (``retryable``) is handed back with the relay's
# backoff, up to this many deliveries; then it is acknowledged and its refusal stays recorded.
MAX_DELIVERIES = 20


def dedupe_id(envelope: str) -> str:
    """JetStream's ``Nats-Msg-Id`` of an envelope: its message id and a digest of its exact text."""
    digest = hashlib.sha256(envelope.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{json.loads(envelope)['header']['message_id']}.{digest}"


def inbox_subject(prefix: str, country: str) -> str:
    return f"{prefix}.{country.lower()}.inbox"


def dead_letter_subject(prefix: str, country: str) -> str:
    return f"{prefix}.{country.lower()}.dead"


REFUSED_FIELD, REFUSED_REASON, DELIVERIES = (
    "Corridor-Refused-Field",
    "Corridor-Refused-Reason",
    "Corridor-Deliveries",
)


class ReceiveMany(Protocol):
    """A node's receive of a batch in one transaction: the envelopes' bytes and when the stream
    stored each; one outcome each, in order."""

    def __call__(self, envelopes: list[bytes], *, stored_at: list[datetime]) -> list[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An envelope the node refused for good, with why (as kept in the dead-letter subject)."""

    envelope: bytes
    field: str
    reason: str
    deliveries: int


def _header_text(value: object) -> str:
    """One line of ASCII for a NATS header: the text (at most 1,000 characters) in JSON string
    escapes."""
    return json.dumps(str(value)[:1000], ensure_ascii=True)[1:-1]


def _header_value(text: str) -> str:
    """What ``_header_text`` wrote; a header not written by it is returned as it is."""
    try:
        value = json.loads(f'"{text}"')
    except ValueError:
        return text
    return value if isinstance(value, str) else text


async def _log_error(error: Exception) -> None:
    """The client's connection errors as one log line each (not a traceback per attempt)."""
    log.warning("NATS: %s: %s", type(error).__name__, error)


async def _applied(receive_many: ReceiveMany, messages: list[Any]) -> list[dict[str, Any] | None]:
    """The outcome of each message, the batch applied in one transaction; should that fail
    unexpectedly, each message is applied alone, so that one message the node cannot apply holds
    back no other (None for a message whose outcome could not be recorded)."""
    try:
        batch: list[dict[str, Any] | None] = list(
            await asyncio.to_thread(
                receive_many,
                [message.data for message in messages],
                stored_at=[message.metadata.timestamp for message in messages],
            )
        )
        return batch
    except Exception:
        log.warning(
            "NATS: a batch of %d could not be applied; applying its messages one by one", len(messages)
        )
    outcomes: list[dict[str, Any] | None] = []
    for message in messages:
        try:
            [outcome] = await asyncio.to_thread(
                receive_many, [message.data], stored_at=[message.metadata.timestamp]
            )
        except Exception:
            outcome = None
        outcomes.append(outcome)
    return outcomes


class _Loop:
    """An asyncio loop on its own thread, so the synchronous relay and handlers can use nats-py."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="nats-loop", daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


class NatsJetStream:
    """One connection per node; ``deliver`` is the Transport, ``consume`` feeds the node's inbox."""

    def __init__(self, url: str, stream: str, subject_prefix: str, timeout: float = 5.0) -> None:
        self.url, self.stream, self.prefix, self.timeout = url, stream, subject_prefix, timeout
        self._loop = _Loop()
        self._nc: Any = None
        self._js: Any = None
        self._subscriptions: dict[str, Any] = {}  # the durable pull consumer by country, bound once
        self._loop.run(self._connect(), timeout)

    async def _connect(self) -> None:
        self._nc = await nats.connect(
            self.url, connect_timeout=self.timeout, max_reconnect_attempts=-1, error_cb=_log_error
        )
        self._js = self._nc.jetstream()
        config = StreamConfig(
            name=self.stream,
            subjects=[f"{self.prefix}.*.inbox", f"{self.prefix}.*.dead"],
            duplicate_window=120.0,
        )
        try:
            await self._js.add_stream(config)
        except BadRequestError:  # made before dead letters were kept: same name, fewer subjects
            await self._js.update_stream(config)

    def deliver(self, recipient: str, envelope: str) -> Delivery:
        return self.deliver_many(recipient, [envelope])[0]

    def deliver_many(self, recipient: str, envelopes: list[str]) -> list[Delivery]:
        """A relay pass's envelopes for one peer, published at once: the stream's acknowledgements
        are awaited together, not one round trip after the other."""
        deliveries: list[Delivery] = self._loop.run(self._publish_all(recipient, envelopes), self.timeout + 1)
        return deliveries

    async def _publish_all(self, recipient: str, envelopes: list[str]) -> list[Delivery]:
        return list(await asyncio.gather(*(self._publish(recipient, envelope) for envelope in envelopes)))

    async def _publish(self, recipient: str, envelope: str) -> Delivery:
        try:
            ack = await self._js.publish(
                inbox_subject(self.prefix, recipient),
                envelope.encode("utf-8"),
                headers={"Nats-Msg-Id": dedupe_id(envelope)},
                timeout=self.timeout,
            )
        except (NatsError, JetStreamError, TimeoutError) as exc:
            return Delivery(False, detail=f"NATS: {type(exc).__name__}: {exc}")
        return Delivery(
            True, detail=f"stored in {ack.stream} at {ack.seq}" + (" (duplicate)" if ack.duplicate else "")
        )

    def consume(self, country: str, receive_many: ReceiveMany, batch: int = 100) -> int:
        """Apply what waits in this node's inbox subject, up to ``batch`` messages in one
        transaction; returns how many messages were taken. A message is acknowledged once the node
        has recorded its outcome (applied, duplicate or rejected for good); a refusal that may pass
        later (a key not imported yet) hands it back for redelivery with backoff, and the others go
        on; an unexpected error (e.g. the database is down) hands the whole batch back. A message
        refused for good (or still refused after ``MAX_DELIVERIES``) is kept as a dead letter
        first."""
        return self._loop.run(self._consume(country, receive_many, batch), self.timeout + 30)

    async def _consume(self, country: str, receive_many: ReceiveMany, batch: int) -> int:
        subscription = await self._subscription(country)
        try:
            messages = await subscription.fetch(batch, timeout=0.5)
        except TimeoutError:
            return 0
        except (NatsError, JetStreamError):
            self._subscriptions.pop(country, None)  # bound again on the next pass
            raise
        outcomes = await _applied(receive_many, messages)
        for message, outcome in zip(messages, outcomes, strict=True):
            if outcome is None:  # no outcome recorded (e.g. the database is down): redeliver later
                await message.nak(delay=5.0)
                continue
            delivered = message.metadata.num_delivered
            if retryable(outcome) and delivered < MAX_DELIVERIES:
                await message.nak(delay=backoff(delivered - 1).total_seconds())
                continue
            if outcome.get("status") == "rejected":
                try:
                    await self._keep_dead(country, message.data, outcome, delivered)
                except (NatsError, JetStreamError, TimeoutError):  # not kept yet: hand it back
                    await message.nak(delay=5.0)
                    continue
            await message.ack()
        return len(messages)

    async def _subscription(self, country: str) -> Any:
        if country not in self._subscriptions:
            self._subscriptions[country] = await self._js.pull_subscribe(
                inbox_subject(self.prefix, country),
                durable=f"{self.prefix.replace('.', '-')}-{country.lower()}",
                stream=self.stream,
            )
        return self._subscriptions[country]

    async def _keep_dead(self, country: str, data: bytes, outcome: dict[str, Any], delivered: int) -> None:
        digest = hashlib.sha256(data).hexdigest()[:32]
        await self._js.publish(
            dead_letter_subject(self.prefix, country),
            data,
            headers={
                "Nats-Msg-Id": f"dead.{digest}.{delivered}",
                REFUSED_FIELD: _header_text(outcome.get("field", "")),
                REFUSED_REASON: _header_text(outcome.get("reason", "")),
                DELIVERIES: str(delivered),
            },
            timeout=self.timeout,
        )

    def dead_letters(self, country: str, limit: int = 1000) -> list[DeadLetter]:
        """The dead letters kept for ``country``'s node, oldest first (at most ``limit``)."""
        return self._loop.run(self._dead_letters(country, limit), self.timeout + 30)

    async def _dead_letters(self, country: str, limit: int) -> list[DeadLetter]:
        # an ephemeral consumer of its own, from the first message (removed at unsubscribe)
        subscription = await self._js.pull_subscribe(
            dead_letter_subject(self.prefix, country), stream=self.stream
        )
        found: list[DeadLetter] = []
        try:
            while len(found) < limit:
                try:
                    messages = await subscription.fetch(min(100, limit - len(found)), timeout=0.5)
                except TimeoutError:
                    break
                for message in messages:
                    headers = message.headers or {}
                    found.append(
                        DeadLetter(
                            message.data,
                            _header_value(headers.get(REFUSED_FIELD, "")),
                            _header_value(headers.get(REFUSED_REASON, "")),
                            int(headers.get(DELIVERIES, "0")) if headers.get(DELIVERIES, "").isdigit() else 0,
                        )
                    )
                    await message.ack()
        finally:
            await subscription.unsubscribe()
        return found

    def reachable(self) -> bool:
        """Whether the connection to the NATS server is up now (readiness)."""
        return self._nc is not None and bool(self._nc.is_connected)

    def delete_stream(self) -> None:
        """Remove the stream and everything in it (tests and decommissioning)."""
        self._loop.run(self._js.delete_stream(self.stream), self.timeout)

    def close(self) -> None:
        if self._nc is not None:
            self._loop.run(self._nc.close(), self.timeout)
        self._loop.stop()
