"""Issuing bodies (chambers of commerce, export promotion councils) registered at a node.

Each issuer has an identity (id, name, ISO 3166 country, role) and an Ed25519 key. Its id is a
DID-style string (``did:corridor:in:fieo``); the key is named ``<id>#<key id>``, which is what a
document's ``issuers[].identityProof.key`` and its signature's ``verificationMethod`` carry. The
registry, not DNS or a blockchain, is what makes an issuer trusted."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corridor.documents.signature import b64url, b64url_decode
from corridor.shared.errors import Conflict, FieldError, InvalidInput, NotFound
from corridor.shared.private import FILE_MODE, private_directory
from corridor.shared.validation import field_errors

ISSUER_ID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$")
ROLES = (
    "chamber of commerce",
    "export promotion council",
    "customs authority",
    "carrier",
    "exporter",
    "other",
)


class Issuer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ISSUER_ID.pattern, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    role: str = Field(min_length=1, max_length=80)
    key_id: str = Field(pattern=r"^[A-Za-z0-9._-]+$", max_length=100)
    public_key: str = Field(
        pattern=r"^[A-Za-z0-9_-]{43}$", description="Ed25519 public key, 32 bytes, base64url without padding"
    )
    registered_at: str = Field(max_length=40)
    node: str | None = Field(
        default=None, max_length=8, description="country code of the node the issuer is registered at"
    )
    active: bool = True

    @property
    def verification_method(self) -> str:
        return f"{self.id}#{self.key_id}"

    def public_key_bytes(self) -> bytes:
        return b64url_decode(self.public_key)

    def oa_issuer(self) -> dict[str, Any]:
        """The entry for a raw document's ``issuers`` array (valid under the OA v2 schema)."""
        return {
            "id": self.id,
            "name": self.name,
            "country": self.country,
            "role": self.role,
            "identityProof": {"type": "DID", "key": self.verification_method},
        }


class IssuerRegistry(Protocol):
    """What verification needs: look an issuer up by id."""

    def get(self, issuer_id: str) -> Issuer | None: ...

    def list_issuers(self) -> list[Issuer]: ...

    def add(self, issuer: Issuer, source: str = "imported") -> None:
        """Record an issuer (e.g. one registered at the peer node) by its public key."""
        ...


class IssuerKeys(Protocol):
    """What issuing needs: the private key of an issuer registered at this node."""

    def private_key(self, issuer_id: str) -> Ed25519PrivateKey: ...


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "issuer"


def key_id_for(public_key: bytes) -> str:
    return "key-" + hashlib.sha256(public_key).hexdigest()[:16]


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _atomic_write(path: Path, text: str, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_issuer(
    *,
    name: str,
    country: str,
    role: str,
    public_key: bytes,
    issuer_id: str | None = None,
    node: str | None = None,
    now: datetime | None = None,
) -> Issuer:
    """An issuer's registry entry, every field checked (errors name the field)."""
    country = country.upper()
    ident = issuer_id or f"did:corridor:{country.lower()}:{slug(name)}"
    errors = []
    if not ISSUER_ID.match(ident):
        errors.append(FieldError("id", "must look like did:<method>:<name> (letters, digits, . _ : % -)"))
    if not re.fullmatch(r"[A-Z]{2}", country):
        errors.append(FieldError("country", "must be an ISO 3166-1 alpha-2 code"))
    if not name.strip():
        errors.append(FieldError("name", "is required"))
    if not role.strip():
        errors.append(FieldError("role", "is required"))
    if errors:
        raise InvalidInput(errors)
    try:
        return Issuer(
            id=ident,
            name=name.strip(),
            country=country,
            role=role.strip(),
            key_id=key_id_for(public_key),
            public_key=b64url(public_key),
            registered_at=(now or now_utc()).isoformat().replace("+00:00", "Z"),
            node=node,
        )
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc)) from None


def generated_issuer(
    *, name: str, country: str, role: str, issuer_id: str | None = None, node: str | None = None
) -> tuple[Issuer, Ed25519PrivateKey]:
    """A new issuing body's registry entry with its fresh Ed25519 key pair."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    issuer = new_issuer(
        name=name, country=country, role=role, public_key=public, issuer_id=issuer_id, node=node
    )
    return issuer, key


class IssuerKeyFiles:
    """Private keys of the issuers registered at this node, in ``<data dir>/documents/keys/``
    (PKCS#8 PEM, file mode 0600, directory 0700); the registry itself is in the node's database."""

    def __init__(self, data_dir: Path | str) -> None:
        self.keys_dir = Path(data_dir) / "documents" / "keys"

    def _key_path(self, issuer_id: str) -> Path:
        return self.keys_dir / (hashlib.sha256(issuer_id.encode()).hexdigest()[:32] + ".pem")

    def create(self, issuer_id: str, key: Ed25519PrivateKey) -> None:
        """Keep ``key`` as ``issuer_id``'s; refused when a key file for it exists already."""
        path = self._key_path(issuer_id)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        private_directory(self.keys_dir)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            raise Conflict(
                f"issuer {issuer_id}: a private key file {path.name} is already kept at this node"
            ) from None
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)

    def discard(self, issuer_id: str) -> None:
        """Remove the key made for a registration that was not committed."""
        self._key_path(issuer_id).unlink(missing_ok=True)

    def private_key(self, issuer_id: str) -> Ed25519PrivateKey:
        path = self._key_path(issuer_id)
        if not path.exists():
            raise NotFound(
                f"issuer {issuer_id} is registered here by its public key only; it cannot issue here"
            )
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise InvalidInput([FieldError("key", f"the key file of {issuer_id} is not an Ed25519 key")])
        return key


def read_issuer_file(path: Path) -> list[Issuer]:
    """The issuers of an ``issuers.json`` written by earlier versions (to move into the database)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [Issuer.model_validate(i) for i in raw.get("issuers", [])]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ValidationError) as e:
        raise InvalidInput([FieldError(path.name, f"issuer registry file is corrupt: {e}")]) from None


class InMemoryIssuerRegistry:
    """A registry and key holder for tests and for embedding in a node with its own storage."""

    def __init__(self) -> None:
        self._issuers: dict[str, Issuer] = {}
        self._keys: dict[str, Ed25519PrivateKey] = {}

    def get(self, issuer_id: str) -> Issuer | None:
        return self._issuers.get(issuer_id)

    def list_issuers(self) -> list[Issuer]:
        return sorted(self._issuers.values(), key=lambda i: i.id)

    def add(self, issuer: Issuer, source: str = "imported") -> None:
        self._issuers[issuer.id] = issuer

    def register(
        self, *, name: str, country: str, role: str, issuer_id: str | None = None, node: str | None = None
    ) -> Issuer:
        issuer, key = generated_issuer(name=name, country=country, role=role, issuer_id=issuer_id, node=node)
        self._issuers[issuer.id] = issuer
        self._keys[issuer.id] = key
        return issuer

    def private_key(self, issuer_id: str) -> Ed25519PrivateKey:
        if issuer_id not in self._keys:
            raise NotFound(f"issuer {issuer_id} has no private key here")
        return self._keys[issuer_id]
