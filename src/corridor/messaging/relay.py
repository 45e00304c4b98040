"""The outbox relay: delivers due messages, retries with exponential backoff, keeps what fails."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.messaging.envelope import MAX_AGE, parse, parse_time, seal
from corridor.messaging.transport import Delivery, Transport
from corridor.service.outbox import Signer
from corridor.service.ports import OutboxMessage, UnitOfWork
from corridor.shared.logs import log_context

log = logging.getLogger(__name__)

BASE_BACKOFF = timedelta(seconds=1)
MAX_BACKOFF = timedelta(minutes=10)
REFRESH_AFTER = MAX_AGE / 4
CLAIM_LEASE = timedelta(seconds=60)  # a relay that dies mid-delivery frees its messages after this


def backoff(attempts: int) -> timedelta:
    return min(BASE_BACKOFF * (1 << min(attempts, 20)), MAX_BACKOFF)


@dataclass
class RelayReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0


def _failed(exc: Exception) -> Delivery:
    return Delivery(False, detail=f"{type(exc).__name__}: {exc}")


def refreshed(
    envelope_text: str,
    signing_key: Callable[[], tuple[str, Ed25519PrivateKey]],
    now: datetime,
    sealed_at: datetime | None = None,
) -> str:
    """The same message (id, type, recipient, body) sealed again now with the node's current key,
    when it has waited in the outbox long enough to risk the receiver's freshness window; the
    receiver's inbox still applies it once, since the message id is unchanged. ``sealed_at`` (the
    outbox row's time) spares parsing a fresh message."""
    if sealed_at is not None and now - sealed_at < REFRESH_AFTER:
        return envelope_text
    envelope = parse(json.loads(envelope_text))
    if now - parse_time(envelope.header.created) < REFRESH_AFTER:
        return envelope_text
    key_id, private_key = signing_key()
    header = envelope.header
    again = seal(
        private_key=private_key,
        key_id=key_id,
        message_type=header.type,
        sender=header.sender,
        recipient=header.recipient,
        body=envelope.body,
        now=now,
        message_id=header.message_id,
    )
    return again.to_bytes().decode("utf-8")


class Relay:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        transport: Transport,
        clock: Callable[[], datetime],
        signer: Signer,
    ) -> None:
        self.uow_factory = uow_factory
        self.transport = transport
        self.clock = clock
        self.signer = signer

    def _signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        with self.uow_factory() as uow:
            return self.signer.signing_key(uow.keys)

    def _deliver(self, due: list[OutboxMessage]) -> list[tuple[OutboxMessage, Delivery]]:
        """Deliver per peer, in one call when the transport takes batches; one message's failure
        must not hold back the others."""
        results: list[tuple[OutboxMessage, Delivery]] = []
        by_peer: dict[str, list[tuple[OutboxMessage, str]]] = {}
        for message in due:
            try:
                envelope = refreshed(message.envelope, self._signing_key, self.clock(), message.created_at)
            except Exception as exc:
                results.append((message, _failed(exc)))
                continue
            by_peer.setdefault(message.recipient, []).append((message, envelope))
        many = getattr(self.transport, "deliver_many", None)
        for recipient, items in by_peer.items():
            if many is not None:
                try:
                    deliveries = many(recipient, [envelope for _, envelope in items])
                except Exception as exc:
                    deliveries = [_failed(exc)] * len(items)
                results.extend((message, d) for (message, _), d in zip(items, deliveries, strict=True))
                continue
            for message, envelope in items:
                try:
                    results.append((message, self.transport.deliver(recipient, envelope)))
                except Exception as exc:
                    results.append((message, _failed(exc)))
        return results

    def run_once(self, limit: int = 200) -> RelayReport:
        with self.uow_factory() as uow:
            due = uow.outbox.claim(self.clock(), limit, CLAIM_LEASE)
            uow.commit()
        report = RelayReport()
        results = self._deliver(due)
        if not results:
            return report
        with self.uow_factory() as uow:
            now = self.clock()
            delivered = [message.message_id for message, delivery in results if delivery.ok]
            uow.outbox.mark_sent(delivered, now)
            report.sent = len(delivered)
            for message, delivery in results:
                if delivery.ok:
                    continue
                if delivery.permanent:
                    uow.outbox.mark_dead(message.message_id, delivery.detail)
                    report.dead += 1
                else:
                    uow.outbox.mark_retry(
                        message.message_id, delivery.detail, now + backoff(message.attempts)
                    )
                    report.retried += 1
            uow.commit()
        self._log(results)
        return report

    def _log(self, results: list[tuple[OutboxMessage, Delivery]]) -> None:
        """After the outcome is committed: one record a message (its id; the correlation id is on
        the record of its sealing)."""
        for message, delivery in results:
            with log_context(node=self.signer.node, message_id=message.message_id):
                if delivery.ok:
                    log.info("envelope sent: %s to %s", message.type, message.recipient)
                elif delivery.permanent:
                    log.error(
                        "envelope dead-lettered: %s to %s: %s",
                        message.type,
                        message.recipient,
                        delivery.detail,
                    )
                else:
                    log.warning(
                        "envelope delivery failed, retry %d after %s: %s to %s: %s",
                        message.attempts + 1,
                        backoff(message.attempts),
                        message.type,
                        message.recipient,
                        delivery.detail,
                    )
