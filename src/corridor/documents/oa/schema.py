"""The parts of the OpenAttestation v2 JSON schema (https://schema.openattestation.com/2.0/schema.json)
that a raw document must satisfy: ``issuers`` (at least one; each with a name and an identity
proof of type DNS-TXT, DNS-DID or DID, or a document store, certificate store or token registry
address), ``$template``, ``recipient``, ``network`` and ``attachments``. The npm library runs the
full schema on every wrap; the interop tests check that documents accepted here pass it."""

from __future__ import annotations

import re
from typing import Any

from corridor.shared.errors import FieldError

_ADDRESS = re.compile(r"^0x[a-fA-F0-9]{40}$")
_IDENTITY_PROOFS: dict[str, tuple[str, ...]] = {
    "DNS-TXT": ("location",),
    "DNS-DID": ("key", "location"),
    "DID": ("key",),
}
_REVOCATION_TYPES = ("NONE", "REVOCATION_STORE", "OCSP_RESPONDER")


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def validate_raw_v2(data: Any, root: str = "data") -> list[FieldError]:
    errors: list[FieldError] = []
    if not isinstance(data, dict):
        return [FieldError(root, "a document must be a JSON object")]
    for key in ("id", "documentUrl"):
        if key in data and not _is_str(data[key]):
            errors.append(FieldError(f"{root}.{key}", "must be a string"))
    if "$template" in data:
        errors += _template(data["$template"], f"{root}.$template")
    if "recipient" in data:
        rec = data["recipient"]
        if not isinstance(rec, dict):
            errors.append(FieldError(f"{root}.recipient", "must be an object"))
        elif "name" in rec and not _is_str(rec["name"]):
            errors.append(FieldError(f"{root}.recipient.name", "must be a string"))
    if "network" in data:
        net = data["network"]
        if not isinstance(net, dict) or not _is_str(net.get("chain")):
            errors.append(FieldError(f"{root}.network", "must be an object with a string 'chain'"))
    if "attachments" in data:
        errors += _attachments(data["attachments"], f"{root}.attachments")
    issuers = data.get("issuers")
    if not isinstance(issuers, list) or not issuers:
        errors.append(FieldError(f"{root}.issuers", "must be a non-empty array of issuers"))
    else:
        for i, issuer in enumerate(issuers):
            errors += _issuer(issuer, f"{root}.issuers[{i}]")
    return errors


def _template(t: Any, path: str) -> list[FieldError]:
    if _is_str(t):
        return []
    if not isinstance(t, dict):
        return [FieldError(path, "must be a string or an object")]
    errors = []
    if not _is_str(t.get("name")):
        errors.append(FieldError(f"{path}.name", "is required and must be a string"))
    if t.get("type") != "EMBEDDED_RENDERER":
        errors.append(FieldError(f"{path}.type", "must be 'EMBEDDED_RENDERER'"))
    if "url" in t and not _is_str(t["url"]):
        errors.append(FieldError(f"{path}.url", "must be a string"))
    return errors


def _attachments(a: Any, path: str) -> list[FieldError]:
    if not isinstance(a, list):
        return [FieldError(path, "must be an array")]
    errors = []
    for i, item in enumerate(a):
        p = f"{path}[{i}]"
        if not isinstance(item, dict):
            errors.append(FieldError(p, "must be an object"))
            continue
        for key in ("filename", "type", "data"):
            if not _is_str(item.get(key)):
                errors.append(FieldError(f"{p}.{key}", "is required and must be a string"))
        for key in item:
            if key not in ("filename", "type", "data"):
                errors.append(FieldError(f"{p}.{key}", "is not allowed in an attachment"))
    return errors


def _issuer(issuer: Any, path: str) -> list[FieldError]:
    if not isinstance(issuer, dict):
        return [FieldError(path, "must be an object")]
    if "certificateStore" in issuer and not ("documentStore" in issuer or "tokenRegistry" in issuer):
        errors = []
        if not _is_str(issuer.get("name")):
            errors.append(FieldError(f"{path}.name", "is required and must be a string"))
        if not (_is_str(issuer["certificateStore"]) and _ADDRESS.match(issuer["certificateStore"])):
            errors.append(FieldError(f"{path}.certificateStore", "must be a 0x-prefixed 20-byte address"))
        return errors
    errors = []
    if "id" in issuer and not _is_str(issuer["id"]):
        errors.append(FieldError(f"{path}.id", "must be a string"))
    if not _is_str(issuer.get("name")):
        errors.append(FieldError(f"{path}.name", "is required and must be a string"))
    rev = issuer.get("revocation")
    if rev is not None:
        if not isinstance(rev, dict):
            errors.append(FieldError(f"{path}.revocation", "must be an object"))
        elif "type" in rev and rev["type"] not in _REVOCATION_TYPES:
            errors.append(
                FieldError(f"{path}.revocation.type", f"must be one of {', '.join(_REVOCATION_TYPES)}")
            )
    proof = issuer.get("identityProof")
    if not isinstance(proof, dict):
        errors.append(FieldError(f"{path}.identityProof", "is required and must be an object"))
    else:
        kind = proof.get("type")
        if kind not in _IDENTITY_PROOFS:
            errors.append(FieldError(f"{path}.identityProof.type", "must be one of DNS-TXT, DNS-DID, DID"))
        else:
            for key in _IDENTITY_PROOFS[kind]:
                if not _is_str(proof.get(key)):
                    errors.append(FieldError(f"{path}.identityProof.{key}", f"is required for {kind}"))
    stores = [k for k in ("documentStore", "tokenRegistry", "certificateStore") if k in issuer]
    if len(stores) > 1:
        errors.append(
            FieldError(path, "an issuer has at most one of documentStore, tokenRegistry, certificateStore")
        )
    for key in stores:
        if not (_is_str(issuer[key]) and _ADDRESS.match(issuer[key])):
            errors.append(FieldError(f"{path}.{key}", "must be a 0x-prefixed 20-byte address"))
    return errors
