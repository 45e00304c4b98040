"""In-memory fakes of what the node trusts: the trust list of message keys, the registered document
issuers and the revocations. They keep their rows in the shared ``MemoryStore``."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from corridor.documents.issuers import Issuer
from corridor.documents.revocation import RevocationRecord
from corridor.service import ports

if TYPE_CHECKING:
    from corridor.adapters.memory import MemoryStore


class MemoryKeys(ports.KeyRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def get(self, key_id: str) -> ports.TrustedKey | None:
        return self.store.keys.get(key_id)

    def active(self, node: str) -> ports.TrustedKey | None:
        mine = [k for k in self.store.keys.values() if k.node == node and k.status == "active"]
        return max(mine, key=lambda k: (k.created, k.key_id), default=None)

    def all(self) -> list[ports.TrustedKey]:
        return sorted(self.store.keys.values(), key=lambda k: (k.created, k.key_id))

    def add(self, key: ports.TrustedKey) -> None:
        if key.key_id in self.store.keys:
            raise ports.CommitConflict(f"key {key.key_id} is already in the trust list")
        self.store.keys[key.key_id] = key

    def set_status(self, key_id: str, status: str) -> None:
        current = self.store.keys.get(key_id)
        if current is not None:
            self.store.keys[key_id] = replace(current, status=status)


class MemoryIssuers(ports.IssuerRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def get(self, issuer_id: str) -> Issuer | None:
        found = self.store.issuers.get(issuer_id)
        return None if found is None else found[0]

    def list_issuers(self) -> list[Issuer]:
        return [self.store.issuers[i][0] for i in sorted(self.store.issuers)]

    def _insert(self, issuer: Issuer, source: str) -> None:
        self.store.issuers[issuer.id] = (issuer, source)


class MemoryRevocations(ports.RevocationRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def find(self, target_hash: str, merkle_root: str, issuer_ids: set[str]) -> RevocationRecord | None:
        for h in (target_hash, merkle_root):
            found = [self.store.revocations.get((h, i)) for i in issuer_ids]
            records = sorted((r for r in found if r is not None), key=lambda r: (r.revoked_at, r.issuer_id))
            if records:
                return records[0]
        return None

    def add(self, record: RevocationRecord) -> bool:
        return self.store.revocations.setdefault((record.hash, record.issuer_id), record) is record

    def list_records(self) -> list[RevocationRecord]:
        return sorted(self.store.revocations.values(), key=lambda r: (r.revoked_at, r.hash, r.issuer_id))
