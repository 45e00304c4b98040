"""OpenAttestation v2 wrapped documents (the TradeTrust format), written from the algorithm of the
npm package ``@govtechsg/open-attestation`` and checked against it byte for byte in
``tests/integration/oa_interop``.

Nothing here knows about issuers, keys or nodes: it is the pure format (salting, flattening,
keccak-256 digests, the sorted Merkle tree, obfuscation and structural checks)."""

from corridor.documents.oa.errors import OAFormatError
from corridor.documents.oa.merkle import MerkleTree, check_proof
from corridor.documents.oa.obfuscate import obfuscate_document
from corridor.documents.oa.salting import get_data, salt_data, unsalt
from corridor.documents.oa.wrap import (
    SCHEMA_V2,
    digest_document,
    wrap_document,
    wrap_documents,
    wrap_salted,
)

__all__ = [
    "SCHEMA_V2",
    "MerkleTree",
    "OAFormatError",
    "check_proof",
    "digest_document",
    "get_data",
    "obfuscate_document",
    "salt_data",
    "unsalt",
    "wrap_document",
    "wrap_documents",
    "wrap_salted",
]
