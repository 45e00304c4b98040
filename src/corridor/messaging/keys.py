"""A node's signing keys and its trust list of public keys (its own and its peers').

The trust list is in the node's database (``uow.keys``) and is read inside the transaction that
signs or verifies, so a revoke, rotate or import by any process of the node counts at once in every
other. Private keys stay out of the database: ``<data_dir>/keys/<key_id>.pem`` (PKCS#8, mode 0600),
read once per key id; the database says which own key is active. A ``trust.json`` written by
earlier versions is moved into the database on start, once.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from corridor.messaging.envelope import b64url, b64url_decode
from corridor.messaging.envelope import seal as seal_envelope
from corridor.service.outbox import Sealed
from corridor.service.ports import CommitConflict, KeyRepository, TrustedKey, UnitOfWork
from corridor.shared.private import FILE_MODE, private_directory

__all__ = [
    "ACTIVE",
    "RETIRED",
    "REVOKED",
    "KeyRing",
    "KeyringError",
    "NodeKeys",
    "PrivateKeys",
    "TrustedKey",
    "public_key_text",
]

ACTIVE, RETIRED, REVOKED = "active", "retired", "revoked"
STATUSES = (ACTIVE, RETIRED, REVOKED)
LIMITS = {"key_id": 100, "node": 8, "public_key": 64, "created": 40}  # the trusted_keys columns
LEGACY_TRUST_FILE = "trust.json"
_FILE_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

T = TypeVar("T")


class KeyringError(Exception):
    """A key or trust-list problem a user can act on."""


def public_key_text(key: Ed25519PublicKey) -> str:
    return b64url(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def _entry_from_json(raw: Any, where: str) -> TrustedKey:
    if not isinstance(raw, dict):
        raise KeyringError(f"{where}: must be an object")
    for name, limit in LIMITS.items():
        if not isinstance(raw.get(name), str) or not raw[name]:
            raise KeyringError(f"{where}.{name}: missing or not a string")
        if len(raw[name]) > limit:
            raise KeyringError(f"{where}.{name}: longer than {limit} characters")
    if not isinstance(raw.get("status"), str) or raw["status"] not in STATUSES:
        raise KeyringError(f"{where}.status: must be one of {', '.join(STATUSES)}")
    try:
        decoded = b64url_decode(raw["public_key"])
    except ValueError as exc:
        raise KeyringError(f"{where}.public_key: not base64url") from exc
    if len(decoded) != 32:
        raise KeyringError(f"{where}.public_key: not a 32-byte Ed25519 public key")
    return TrustedKey(raw["key_id"], raw["node"], raw["public_key"], raw["status"], raw["created"])


class PrivateKeys:
    """The node's own private keys, one PEM file per key id; a key id's key never changes, so each
    file is read once."""

    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir
        self._loaded: dict[str, Ed25519PrivateKey] = {}

    def path(self, key_id: str) -> Path:
        if not _FILE_SAFE.fullmatch(key_id):
            raise KeyringError(f"key_id {key_id!r}: not usable as a key file name")
        return self.key_dir / f"{key_id}.pem"

    def exists(self, key_id: str) -> bool:
        return key_id in self._loaded or self.path(key_id).exists()

    def create(self, key_id: str) -> Ed25519PrivateKey:
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        private_directory(self.key_dir)
        fd = os.open(self.path(key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        self._loaded[key_id] = private
        return private

    def load(self, key_id: str) -> Ed25519PrivateKey:
        found = self._loaded.get(key_id)
        if found is not None:
            return found
        path = self.path(key_id)
        try:
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except FileNotFoundError:
            raise KeyringError(
                f"{path}: the private key of the active signing key {key_id} is missing"
                " (restore the file, or make a new key with `corridor keys rotate`)"
            ) from None
        except (OSError, ValueError, TypeError) as exc:
            raise KeyringError(f"{path.name}: cannot read the private key ({exc})") from None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise KeyringError(f"{path.name}: not an Ed25519 private key")
        self._loaded[key_id] = loaded
        return loaded


class KeyRing:
    """The node's keys inside the caller's transaction: every method takes the unit of work's
    trust list (``uow.keys``), so signing and verifying see the list as it is now."""

    def __init__(self, node: str, private: PrivateKeys) -> None:
        self.node = node
        self.private = private
        self._public: dict[str, Ed25519PublicKey] = {}  # by the public key's text: immutable

    def signing_key(self, keys: KeyRepository) -> tuple[str, Ed25519PrivateKey]:
        active = keys.active(self.node)
        if active is None:
            raise KeyringError(
                f"node {self.node} has no active signing key (`corridor keys rotate` makes one)"
            )
        return active.key_id, self.private.load(active.key_id)

    def seal(
        self, keys: KeyRepository, *, message_type: str, recipient: str, body: dict[str, Any], now: datetime
    ) -> Sealed:
        key_id, private_key = self.signing_key(keys)
        envelope = seal_envelope(
            private_key=private_key,
            key_id=key_id,
            message_type=message_type,
            sender=self.node,
            recipient=recipient,
            body=body,
            now=now,
        )
        return Sealed(envelope.header.message_id, envelope.to_bytes().decode("utf-8"), key_id)

    def resolve(self, keys: KeyRepository, key_id: str, sender: str) -> Ed25519PublicKey:
        """The public key to verify a message from ``sender`` signed with ``key_id``."""
        key = keys.get(key_id)
        if key is None:
            raise LookupError(f"key {key_id!r} is not in the trust list")
        if key.status == REVOKED:
            raise LookupError(f"key {key_id!r} is revoked")
        if key.node != sender:
            raise LookupError(f"key {key_id!r} belongs to node {key.node!r}, not the sender {sender!r}")
        loaded = self._public.get(key.public_key)
        if loaded is None:
            loaded = self._public[key.public_key] = Ed25519PublicKey.from_public_bytes(
                b64url_decode(key.public_key)
            )
        return loaded

    def rotate(self, keys: KeyRepository) -> TrustedKey:
        """Make a new active key; the previous one is retired (still verifies, no longer signs)."""
        now = datetime.now(UTC)
        key_id = f"{self.node}-{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
        private = self.private.create(key_id)
        for old in keys.all():
            if old.node == self.node and old.status == ACTIVE:
                keys.set_status(old.key_id, RETIRED)
        entry = TrustedKey(key_id, self.node, public_key_text(private.public_key()), ACTIVE, now.isoformat())
        keys.add(entry)
        return entry

    def revoke(self, keys: KeyRepository, key_id: str) -> TrustedKey:
        key = keys.get(key_id)
        if key is None:
            raise KeyringError(f"key_id {key_id!r}: not in the trust list")
        keys.set_status(key_id, REVOKED)
        return replace(key, status=REVOKED)

    def export_public(self, keys: KeyRepository) -> dict[str, Any]:
        """The node's own public keys, for a peer to import."""
        return {"node": self.node, "keys": [k.to_json() for k in keys.all() if k.node == self.node]}

    def import_public(self, keys: KeyRepository, document: Any) -> list[TrustedKey]:
        """Trust a peer's public keys; every entry is checked before any is stored. A key revoked
        here stays revoked whatever the peer says."""
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise KeyringError("keys: the document must be an object with a list 'keys'")
        imported = [_entry_from_json(e, f"keys[{i}]") for i, e in enumerate(document["keys"])]
        accepted: dict[str, TrustedKey] = {}
        for key in imported:
            if key.node == self.node:
                raise KeyringError(f"keys: {key.key_id} claims to be this node's own key")
            current = accepted.get(key.key_id) or keys.get(key.key_id)
            if current is not None and current.node != key.node:
                raise KeyringError(
                    f"keys: {key.key_id} is trusted as a key of node {current.node}, not {key.node}"
                )
            if current is not None and current.public_key != key.public_key:
                raise KeyringError(f"keys: {key.key_id} is already trusted with a different public key")
            accepted[key.key_id] = key
        for key in accepted.values():
            current = keys.get(key.key_id)
            if current is None:
                keys.add(key)
            elif current.status not in (REVOKED, key.status):
                keys.set_status(key.key_id, key.status)
        return imported

    def adopt_trust_file(self, keys: KeyRepository, path: Path) -> None:
        """Move a trust list file of earlier versions into the database: entries not there yet are
        added, nothing already there changes (so a second run does nothing). An own key marked
        active whose private key file is gone is stored as retired, as that version would have
        retired it on its next start."""
        try:
            raw = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyringError(f"{path.name}: cannot read ({exc})") from None
        except json.JSONDecodeError as exc:
            raise KeyringError(f"{path.name}: not JSON ({exc.msg})") from None
        entries = raw.get("keys") if isinstance(raw, dict) else None
        if not isinstance(entries, list):
            raise KeyringError(f"{path.name}: keys must be a list")
        for i, entry in enumerate(entries):
            key = _entry_from_json(entry, f"{path.name}: keys[{i}]")
            if keys.get(key.key_id) is not None:
                continue
            if key.node == self.node and key.status == ACTIVE and not self.private.exists(key.key_id):
                key = replace(key, status=RETIRED)
            keys.add(key)


class NodeKeys:
    """The key ring's commands for operators (CLI, API, tests), each in a transaction of its own."""

    def __init__(self, ring: KeyRing, uow_factory: Callable[[], UnitOfWork]) -> None:
        self.ring = ring
        self.uow_factory = uow_factory

    @classmethod
    def open(cls, data_dir: Path, node: str, uow_factory: Callable[[], UnitOfWork]) -> NodeKeys:
        """The node's keys: a trust.json of earlier versions moved into the database (then renamed
        ``trust.json.migrated``) and a first key made when the node has none."""
        keys = cls(KeyRing(node, PrivateKeys(data_dir / "keys")), uow_factory)
        legacy = data_dir / LEGACY_TRUST_FILE
        try:
            keys._prepare(legacy)
        except CommitConflict:  # another process of the node did it at the same moment
            keys._prepare(legacy)
        with suppress(FileNotFoundError):  # nothing to move, or another process moved it
            os.replace(legacy, legacy.with_name(f"{LEGACY_TRUST_FILE}.migrated"))
        return keys

    def _prepare(self, legacy: Path) -> None:
        with self.uow_factory() as uow:
            if legacy.exists():
                self.ring.adopt_trust_file(uow.keys, legacy)
            if uow.keys.active(self.node) is None:
                self.ring.rotate(uow.keys)
            uow.commit()

    @property
    def node(self) -> str:
        return self.ring.node

    def _read(self, action: Callable[[KeyRepository], T]) -> T:
        with self.uow_factory() as uow:
            return action(uow.keys)

    def _write(self, action: Callable[[KeyRepository], T]) -> T:
        with self.uow_factory() as uow:
            result = action(uow.keys)
            uow.commit()
        return result

    def active_key_id(self) -> str | None:
        active = self._read(lambda keys: keys.active(self.node))
        return None if active is None else active.key_id

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        return self._read(self.ring.signing_key)

    def resolve(self, key_id: str, sender: str) -> Ed25519PublicKey:
        return self._read(lambda keys: self.ring.resolve(keys, key_id, sender))

    def trusted(self) -> list[TrustedKey]:
        return self._read(lambda keys: keys.all())

    def export_public(self) -> dict[str, Any]:
        return self._read(self.ring.export_public)

    def rotate(self) -> TrustedKey:
        return self._write(self.ring.rotate)

    def revoke(self, key_id: str) -> TrustedKey:
        return self._write(lambda keys: self.ring.revoke(keys, key_id))

    def import_public(self, document: Any) -> list[TrustedKey]:
        return self._write(lambda keys: self.ring.import_public(keys, document))
