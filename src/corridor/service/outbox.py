"""Seal a message and put it in the outbox inside the caller's transaction."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.messaging.envelope import seal
from corridor.service.correlation import correlation_id
from corridor.service.ports import KeyRepository, OutboxMessage, UnitOfWork
from corridor.shared.logs import log_context

log = logging.getLogger(__name__)


class Signer(Protocol):
    node: str

    def signing_key(self, keys: KeyRepository) -> tuple[str, Ed25519PrivateKey]:
        """The node's active key id and private key, as the trust list ``keys`` says now."""


def enqueue(
    uow: UnitOfWork, signer: Signer, *, recipient: str, message_type: str, body: dict[str, Any], now: datetime
) -> str:
    key_id, private_key = signer.signing_key(uow.keys)
    envelope = seal(
        private_key=private_key,
        key_id=key_id,
        message_type=message_type,
        sender=signer.node,
        recipient=recipient,
        body=body,
        now=now,
    )
    uow.outbox.add(
        OutboxMessage(
            message_id=envelope.header.message_id,
            recipient=recipient,
            type=message_type,
            envelope=envelope.to_bytes().decode("utf-8"),
            created_at=now,
        )
    )
    with log_context(message_id=envelope.header.message_id, correlation_id=correlation_id(body)):
        log.info("envelope sealed: %s to %s, key %s", message_type, recipient, key_id)
    return envelope.header.message_id
