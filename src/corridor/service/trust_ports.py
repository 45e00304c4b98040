"""The ports of what the node trusts: its peers' message keys (the trust list), the registered
document issuers and the revocations it knows."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corridor.shared.errors import Conflict

if TYPE_CHECKING:  # the documents' types, for the type checker only
    from corridor.documents.issuers import Issuer
    from corridor.documents.revocation import RevocationRecord


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """A public key in the node's trust list: its own keys and its peers'."""

    key_id: str
    node: str
    public_key: str  # base64url of the 32 raw Ed25519 bytes
    status: str  # active, retired (verifies, no longer signs) or revoked
    created: str

    def to_json(self) -> dict[str, str]:
        return {
            "key_id": self.key_id,
            "node": self.node,
            "public_key": self.public_key,
            "status": self.status,
            "created": self.created,
        }


class KeyRepository(abc.ABC):
    """The trust list; which of the node's own keys signs is the one whose status is active."""

    @abc.abstractmethod
    def get(self, key_id: str) -> TrustedKey | None: ...

    @abc.abstractmethod
    def active(self, node: str) -> TrustedKey | None:
        """The node's active key (the newest, should there be more than one)."""

    @abc.abstractmethod
    def all(self) -> list[TrustedKey]:
        """Every key, oldest first."""

    @abc.abstractmethod
    def add(self, key: TrustedKey) -> None:
        """Insert a key whose id is not in the list yet."""

    @abc.abstractmethod
    def set_status(self, key_id: str, status: str) -> None: ...


class IssuerRepository(abc.ABC):
    """The issuer registry: issuing bodies this node trusts, by their public keys."""

    @abc.abstractmethod
    def get(self, issuer_id: str) -> Issuer | None: ...

    @abc.abstractmethod
    def list_issuers(self) -> list[Issuer]:
        """Every issuer, by id."""

    def add(self, issuer: Issuer, source: str = "imported") -> None:
        """Record an issuer; the same issuer again changes nothing. Raise Conflict when its id is
        registered with another key. ``source`` says where it came from (registered here,
        imported, migrated)."""
        existing = self.get(issuer.id)
        if existing is None:
            self._insert(issuer, source)
        elif existing.public_key != issuer.public_key:
            raise Conflict(f"issuer {issuer.id} is already registered with another key")

    @abc.abstractmethod
    def _insert(self, issuer: Issuer, source: str) -> None:
        """Store an issuer whose id is not registered yet."""


class RevocationRepository(abc.ABC):
    """Revocations of documents (targetHash) and batches (merkleRoot), as signed by their issuers."""

    @abc.abstractmethod
    def find(self, target_hash: str, merkle_root: str, issuer_ids: set[str]) -> RevocationRecord | None:
        """A revocation of the document or of its batch by one of ``issuer_ids``, if any."""

    @abc.abstractmethod
    def add(self, record: RevocationRecord) -> bool:
        """Store ``record``; False when the same hash was already revoked by the same issuer."""

    @abc.abstractmethod
    def list_records(self) -> list[RevocationRecord]:
        """Every revocation, oldest first."""
