"""Seal a message and put it in the outbox inside the caller's transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.service.correlation import correlation_id
from corridor.service.ports import KeyRepository, OutboxMessage, UnitOfWork
from corridor.shared.logs import log_context

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Sealed:
    """A signed envelope ready for the outbox."""

    message_id: str
    envelope: str  # its bytes, as UTF-8 text
    key_id: str  # the key that signed it


class Signer(Protocol):
    node: str

    def signing_key(self, keys: KeyRepository) -> tuple[str, Ed25519PrivateKey]:
        """The node's active key id and private key, as the trust list ``keys`` says now."""

    def seal(
        self, keys: KeyRepository, *, message_type: str, recipient: str, body: dict[str, Any], now: datetime
    ) -> Sealed:
        """The message signed with the node's active key."""


def enqueue(
    uow: UnitOfWork, signer: Signer, *, recipient: str, message_type: str, body: dict[str, Any], now: datetime
) -> str:
    sealed = signer.seal(uow.keys, message_type=message_type, recipient=recipient, body=body, now=now)
    uow.outbox.add(
        OutboxMessage(
            message_id=sealed.message_id,
            recipient=recipient,
            type=message_type,
            envelope=sealed.envelope,
            created_at=now,
        )
    )
    with log_context(message_id=sealed.message_id, correlation_id=correlation_id(body)):
        log.info("envelope sealed: %s to %s, key %s", message_type, recipient, sealed.key_id)
    return sealed.message_id
