"""What the documents capability tells the others. Its published interface: other capabilities
import nothing else of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from corridor.shared.events import Event


@dataclass(frozen=True, slots=True)
class DocumentRevoked(Event):
    """An issuing body revoked a document (``kind`` "document": ``hash`` is its targetHash) or a
    whole batch (``kind`` "batch": ``hash`` is the batch's merkleRoot), here or at the peer."""

    kind: str
    hash: str
    reason: str
    at: datetime
