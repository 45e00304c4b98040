"""Signing a realisation record with the node's Ed25519 key: the record's RFC 8785 canonical JSON is
signed, and the signature names the key, so anyone with the node's public key can check it."""

from __future__ import annotations

import base64
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign(body: dict[str, Any], key_id: str, private_key: Ed25519PrivateKey) -> dict[str, Any]:
    signature = private_key.sign(rfc8785.dumps(body))
    return {"record": body, "signature": {"alg": "Ed25519", "key_id": key_id, "value": _b64(signature)}}


def verify(signed: dict[str, Any], public_key: Ed25519PublicKey) -> bool:
    try:
        value = signed["signature"]["value"]
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        public_key.verify(raw, rfc8785.dumps(signed["record"]))
    except (InvalidSignature, KeyError, TypeError, ValueError):
        return False
    return True
