"""A node's signing keys and its trust list of peers' public keys, kept in the node's data directory.

Layout: ``<data_dir>/keys/<key_id>.pem`` (private keys, mode 0600) and ``<data_dir>/trust.json``
(every known public key, own and peers', with its status).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from corridor.messaging.envelope import b64url, b64url_decode
from corridor.shared.private import FILE_MODE, private_directory

ACTIVE, RETIRED, REVOKED = "active", "retired", "revoked"
STATUSES = (ACTIVE, RETIRED, REVOKED)


class KeyringError(Exception):
    """A key or trust-list problem a user can act on."""


@dataclass(frozen=True, slots=True)
class TrustedKey:
    key_id: str
    node: str
    public_key: str
    status: str
    created: str

    def to_json(self) -> dict[str, str]:
        return {
            "key_id": self.key_id,
            "node": self.node,
            "public_key": self.public_key,
            "status": self.status,
            "created": self.created,
        }

    def load(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(b64url_decode(self.public_key))


def public_key_text(key: Ed25519PublicKey) -> str:
    return b64url(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def _entry_from_json(raw: Any, where: str) -> TrustedKey:
    if not isinstance(raw, dict):
        raise KeyringError(f"{where}: must be an object")
    for name in ("key_id", "node", "public_key", "status", "created"):
        if not isinstance(raw.get(name), str) or not raw[name]:
            raise KeyringError(f"{where}.{name}: missing or not a string")
    if raw["status"] not in STATUSES:
        raise KeyringError(f"{where}.status: must be one of {', '.join(STATUSES)}")
    try:
        decoded = b64url_decode(raw["public_key"])
    except ValueError as exc:
        raise KeyringError(f"{where}.public_key: not base64url") from exc
    if len(decoded) != 32:
        raise KeyringError(f"{where}.public_key: not a 32-byte Ed25519 public key")
    return TrustedKey(raw["key_id"], raw["node"], raw["public_key"], raw["status"], raw["created"])


class KeyRing:
    """Own private keys plus the trust list; every change is written at once (atomic replace)."""

    def __init__(self, data_dir: Path, node: str) -> None:
        self.data_dir = data_dir
        self.node = node
        self.key_dir = data_dir / "keys"
        self.trust_path = data_dir / "trust.json"
        self._trust: dict[str, TrustedKey] = {}
        self._private: dict[str, Ed25519PrivateKey] = {}
        self._public_cache: dict[str, Ed25519PublicKey] = {}
        self._load()
        if self.active_key_id() is None:
            self.rotate()

    def _load(self) -> None:
        if self.trust_path.exists():
            try:
                raw = json.loads(self.trust_path.read_text("utf-8"))
            except json.JSONDecodeError as exc:
                raise KeyringError(f"{self.trust_path.name}: not JSON ({exc.msg})") from exc
            entries = raw.get("keys") if isinstance(raw, dict) else None
            if not isinstance(entries, list):
                raise KeyringError(f"{self.trust_path.name}: keys must be a list")
            for i, entry in enumerate(entries):
                key = _entry_from_json(entry, f"keys[{i}]")
                self._trust[key.key_id] = key
        if self.key_dir.exists():
            for pem in sorted(self.key_dir.glob("*.pem")):
                loaded = serialization.load_pem_private_key(pem.read_bytes(), password=None)
                if not isinstance(loaded, Ed25519PrivateKey):
                    raise KeyringError(f"{pem.name}: not an Ed25519 private key")
                self._private[pem.stem] = loaded

    def _save(self) -> None:
        private_directory(self.data_dir)
        payload = {"keys": [k.to_json() for k in self._trust.values()]}
        tmp = self.trust_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(payload, indent=2))
        os.replace(tmp, self.trust_path)
        self._public_cache.clear()

    def active_key_id(self) -> str | None:
        for key in self._trust.values():
            if key.node == self.node and key.status == ACTIVE and key.key_id in self._private:
                return key.key_id
        return None

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        key_id = self.active_key_id()
        if key_id is None:
            raise KeyringError(f"node {self.node} has no active signing key")
        return key_id, self._private[key_id]

    def rotate(self) -> TrustedKey:
        """Make a new active key; the previous one is retired (still verifies, no longer signs)."""
        private = Ed25519PrivateKey.generate()
        now = datetime.now(UTC)
        key_id = f"{self.node}-{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
        private_directory(self.key_dir)
        path = self.key_dir / f"{key_id}.pem"
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        for old in list(self._trust.values()):
            if old.node == self.node and old.status == ACTIVE:
                self._trust[old.key_id] = replace(old, status=RETIRED)
        entry = TrustedKey(key_id, self.node, public_key_text(private.public_key()), ACTIVE, now.isoformat())
        self._trust[key_id] = entry
        self._private[key_id] = private
        self._save()
        return entry

    def revoke(self, key_id: str) -> TrustedKey:
        key = self._trust.get(key_id)
        if key is None:
            raise KeyringError(f"key_id {key_id!r}: not in the trust list")
        revoked = replace(key, status=REVOKED)
        self._trust[key_id] = revoked
        self._save()
        return revoked

    def export_public(self) -> dict[str, Any]:
        """The node's own public keys, for a peer to import."""
        return {"node": self.node, "keys": [k.to_json() for k in self._trust.values() if k.node == self.node]}

    def import_public(self, document: Any) -> list[TrustedKey]:
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise KeyringError("keys: the document must be an object with a list 'keys'")
        imported = [_entry_from_json(e, f"keys[{i}]") for i, e in enumerate(document["keys"])]
        accepted: dict[str, TrustedKey] = {}
        for key in imported:
            if key.node == self.node:
                raise KeyringError(f"keys: {key.key_id} claims to be this node's own key")
            current = self._trust.get(key.key_id)
            if current is not None and current.node != key.node:
                raise KeyringError(
                    f"keys: {key.key_id} is trusted as a key of node {current.node}, not {key.node}"
                )
            if current is not None and current.public_key != key.public_key:
                raise KeyringError(f"keys: {key.key_id} is already trusted with a different public key")
            accepted[key.key_id] = current if current is not None and current.status == REVOKED else key
        self._trust.update(accepted)  # all or nothing: only after every entry passed
        self._save()
        return imported

    def trusted(self) -> list[TrustedKey]:
        return list(self._trust.values())

    def resolve(self, key_id: str, sender: str) -> Ed25519PublicKey:
        """The public key to verify a message from ``sender`` signed with ``key_id``."""
        key = self._trust.get(key_id)
        if key is None:
            raise LookupError(f"key {key_id!r} is not in the trust list")
        if key.status == REVOKED:
            raise LookupError(f"key {key_id!r} is revoked")
        if key.node != sender:
            raise LookupError(f"key {key_id!r} belongs to node {key.node!r}, not the sender {sender!r}")
        cached = self._public_cache.get(key_id)
        if cached is None:
            cached = self._public_cache[key_id] = key.load()
        return cached
