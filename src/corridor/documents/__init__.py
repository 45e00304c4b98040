"""Verifiable trade documents in the OpenAttestation v2 wrapped-document format (TradeTrust).

- ``corridor.documents.oa``: the format itself (salting, keccak-256, sorted Merkle tree,
  obfuscation), byte-compatible with ``@govtechsg/open-attestation``.
- ``issuers``, ``signature``, ``revocation``: the corridor's trust layer (issuer registry with
  Ed25519 keys instead of DNS or a blockchain).
- ``verify``, ``crosscheck``, ``service``: verification verdicts, declaration cross-checks, and
  the operations the CLI (``cli.app``) and the API (``api.router``) expose.
"""
