"""Revocation of a document (its targetHash) or a whole batch (its merkleRoot).

A revocation is a record signed by the issuer's Ed25519 key over its RFC 8785 (JCS) form, so the
node can forward it to the peer node as is and the peer accepts it only after checking the
signature against its own issuer registry. A revocation counts for a document only when it comes
from one of the document's issuers."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corridor.documents.issuers import IssuerKeys, IssuerRegistry, now_utc
from corridor.documents.signature import b64url, b64url_decode
from corridor.shared.errors import FieldError, Forbidden, InvalidInput, NotFound

HASH = re.compile(r"^[0-9a-f]{64}$")
MESSAGE_TYPE = "corridor.documents.revocation.v1"


class RevocationRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["document", "batch"]
    hash: str = Field(pattern=HASH.pattern, description="targetHash (document) or merkleRoot (batch)")
    issuer_id: str = Field(max_length=200)
    reason: str = Field(min_length=1, max_length=500)
    revoked_at: str = Field(max_length=40)
    verification_method: str = Field(max_length=301)
    signature: str = Field(default="", max_length=100)

    def signing_payload(self) -> bytes:
        body = self.model_dump(exclude={"signature"})
        body["type"] = MESSAGE_TYPE
        return bytes(rfc8785.dumps(body))

    def to_json(self) -> dict[str, Any]:
        return self.model_dump()


class RevocationStore(Protocol):
    def find(self, target_hash: str, merkle_root: str, issuer_ids: set[str]) -> RevocationRecord | None:
        """A revocation of the document or of its batch by one of ``issuer_ids``, if any."""
        ...

    def add(self, record: RevocationRecord) -> bool:
        """Store ``record``; False when the same hash was already revoked by the same issuer."""
        ...

    def list_records(self) -> list[RevocationRecord]: ...


class InMemoryRevocationStore:
    def __init__(self) -> None:
        self._records: dict[tuple[str, str], RevocationRecord] = {}

    def find(self, target_hash: str, merkle_root: str, issuer_ids: set[str]) -> RevocationRecord | None:
        for h in (target_hash, merkle_root):
            for issuer in sorted(issuer_ids):
                rec = self._records.get((h, issuer))
                if rec is not None:
                    return rec
        return None

    def add(self, record: RevocationRecord) -> bool:
        key = (record.hash, record.issuer_id)
        if key in self._records:
            return False
        self._records[key] = record
        return True

    def list_records(self) -> list[RevocationRecord]:
        return list(self._records.values())


def read_revocation_file(path: Path) -> list[RevocationRecord]:
    """The revocations of a ``revocations.json`` written by earlier versions (to move into the
    database)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [RevocationRecord.model_validate(item) for item in raw.get("revocations", [])]
    except (OSError, ValueError, TypeError, AttributeError, ValidationError) as e:
        raise InvalidInput([FieldError(path.name, f"revocation file is corrupt: {e}")]) from None


def create_revocation(
    keys: IssuerKeys,
    registry: IssuerRegistry,
    *,
    issuer_id: str,
    kind: Literal["document", "batch"],
    hash_hex: str,
    reason: str,
    now: datetime | None = None,
) -> RevocationRecord:
    """A revocation signed by ``issuer_id``'s key (which must be held at this node)."""
    issuer = registry.get(issuer_id)
    if issuer is None:
        raise NotFound(f"issuer {issuer_id} is not registered")
    if not HASH.match(hash_hex):
        raise InvalidInput([FieldError("hash", "must be 64 lowercase hex characters")])
    if not reason.strip():
        raise InvalidInput([FieldError("reason", "give the reason for the revocation")])
    unsigned = RevocationRecord(
        kind=kind,
        hash=hash_hex,
        issuer_id=issuer_id,
        reason=reason.strip(),
        revoked_at=(now or now_utc()).isoformat().replace("+00:00", "Z"),
        verification_method=issuer.verification_method,
    )
    signature = keys.private_key(issuer_id).sign(unsigned.signing_payload())
    return unsigned.model_copy(update={"signature": b64url(signature)})


def check_revocation_signature(record: RevocationRecord, registry: IssuerRegistry) -> None:
    """Raise Forbidden unless ``record`` is signed by the registered key of its issuer."""
    issuer = registry.get(record.issuer_id)
    if issuer is None:
        raise Forbidden(f"revocation from unknown issuer {record.issuer_id}")
    if record.verification_method != issuer.verification_method:
        raise Forbidden(f"revocation signed with {record.verification_method}, not the registered key")
    try:
        Ed25519PublicKey.from_public_bytes(issuer.public_key_bytes()).verify(
            b64url_decode(record.signature), record.signing_payload()
        )
    except (InvalidSignature, ValueError) as e:
        raise Forbidden("revocation signature does not verify") from e


def accept_revocation(store: RevocationStore, registry: IssuerRegistry, record: RevocationRecord) -> bool:
    """Apply a revocation received from the peer node after checking its signature."""
    check_revocation_signature(record, registry)
    return store.add(record)
