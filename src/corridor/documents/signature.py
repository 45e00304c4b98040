"""The issuer's Ed25519 signature over a batch's merkleRoot.

There is no blockchain or DNS in the corridor, so instead of a document store or DNS-TXT record
the issuer signs the merkleRoot and the verifier checks the signature against the node's issuer
registry. The signature sits in the top-level ``proof`` array, the member OpenAttestation v2 uses
for DID-signed documents, with the same fields (``type``, ``created``, ``proofPurpose``,
``verificationMethod``, ``signature``) and the same signed message, the ASCII string
``"0x" + merkleRoot``. Its ``type`` is ``Ed25519Signature2018`` rather than the library's
``OpenAttestationSignature2018`` (which means an Ethereum secp256k1 signature), so TradeTrust
tools do not mistake it for one of theirs; ``verifySignature`` and ``validateSchema`` of the npm
library ignore ``proof`` and pass."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PROOF_TYPE = "Ed25519Signature2018"
PROOF_PURPOSE = "assertionMethod"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as e:
        raise ValueError("not base64url") from e


def signing_input(merkle_root: str) -> bytes:
    return ("0x" + merkle_root).encode("ascii")


def sign_merkle_root(
    merkle_root: str, private_key: Ed25519PrivateKey, verification_method: str, created: datetime
) -> dict[str, Any]:
    return {
        "type": PROOF_TYPE,
        "created": created.isoformat().replace("+00:00", "Z"),
        "proofPurpose": PROOF_PURPOSE,
        "verificationMethod": verification_method,
        "signature": b64url(private_key.sign(signing_input(merkle_root))),
    }


@lru_cache(maxsize=1024)
def _verify(signature: str, merkle_root: str, public_key: bytes) -> bool:
    # Every document of a batch carries the same signature over the same root: check it once.
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            b64url_decode(signature), signing_input(merkle_root)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_merkle_root_signature(entry: dict[str, Any], merkle_root: str, public_key: bytes) -> bool:
    signature = entry.get("signature")
    if not isinstance(signature, str) or not isinstance(merkle_root, str):
        return False
    return _verify(signature, merkle_root, public_key)
