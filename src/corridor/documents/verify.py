"""Verification of a wrapped document: format, integrity, issuer and revocation.

Every check is reported; the document is valid only if every check is ``valid``. A check that
could not run because an earlier one failed is ``skipped``, which also makes the verdict invalid:
the verifier never accepts a document it did not fully check. The failing checks map to lanes:
a broken targetHash, Merkle proof or issuer signature, or a revocation, is ``red``; anything else
(format, unknown or inactive issuer) is ``yellow``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypedDict

from corridor.documents.issuers import Issuer, IssuerRegistry
from corridor.documents.oa.errors import OAFormatError
from corridor.documents.oa.flatten import iter_leaves
from corridor.documents.oa.merkle import check_proof
from corridor.documents.oa.salting import get_data, is_salted
from corridor.documents.oa.schema import validate_raw_v2
from corridor.documents.oa.wrap import SCHEMA_V2, SIGNATURE_TYPE, digest_document
from corridor.documents.revocation import RevocationStore
from corridor.documents.signature import PROOF_PURPOSE, PROOF_TYPE, verify_merkle_root_signature
from corridor.shared.errors import FieldError

HEX64 = re.compile(r"^[0-9a-f]{64}$")
SCHEMA_V3 = "https://schema.openattestation.com/3.0/schema.json"
TOP_LEVEL_KEYS = {"version", "schema", "data", "signature", "privacy", "proof"}
MAX_PROOF_LENGTH = 64  # a tree of 2**64 documents; anything longer is not a real proof
Status = Literal["valid", "invalid", "skipped"]
Lane = Literal["yellow", "red"]

CHECKS = (
    "format",
    "integrity.targetHash",
    "integrity.merkleProof",
    "issuer.registered",
    "issuer.signature",
    "revocation",
)
RED_CHECKS = {"integrity.targetHash", "integrity.merkleProof", "issuer.signature", "revocation"}


class CheckJson(TypedDict):
    name: str
    status: Status
    message: str
    errors: NotRequired[list[dict[str, str]]]  # [{"path", "reason"}]


class VerdictJson(TypedDict):
    """A verification's answer, as the API and the command line show it."""

    valid: bool
    lane: str | None  # None when valid
    targetHash: str | None
    merkleRoot: str | None
    issuers: list[str]
    documentType: str | None
    checks: list[CheckJson]


@dataclass
class Check:
    name: str
    status: Status
    message: str
    errors: list[FieldError] = field(default_factory=list)

    def to_json(self) -> CheckJson:
        out: CheckJson = {"name": self.name, "status": self.status, "message": self.message}
        if self.errors:
            out["errors"] = [e.to_json() for e in self.errors]
        return out


@dataclass
class Verdict:
    checks: list[Check]
    target_hash: str | None = None
    merkle_root: str | None = None
    issuers: list[str] = field(default_factory=list)
    document_type: str | None = None
    data: Any = None

    @property
    def valid(self) -> bool:
        return len(self.checks) == len(CHECKS) and all(c.status == "valid" for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == "invalid"]

    @property
    def lane(self) -> Lane | None:
        """None when valid; ``red`` for tampering, a forged signature or a revocation; else yellow."""
        if self.valid:
            return None
        return "red" if any(c.name in RED_CHECKS for c in self.failed) else "yellow"

    def to_json(self) -> VerdictJson:
        return {
            "valid": self.valid,
            "lane": self.lane,
            "targetHash": self.target_hash,
            "merkleRoot": self.merkle_root,
            "issuers": self.issuers,
            "documentType": self.document_type,
            "checks": [c.to_json() for c in self.checks],
        }


def _hex_list_errors(value: Any, path: str) -> list[FieldError]:
    if not isinstance(value, list):
        return [FieldError(path, "must be an array of 32-byte hex hashes")]
    return [
        FieldError(f"{path}[{i}]", "must be a 32-byte hash: 64 lowercase hex characters")
        for i, h in enumerate(value)
        if not (isinstance(h, str) and HEX64.match(h))
    ]


def check_format(doc: Any) -> list[FieldError]:
    """Structural checks of a wrapped OA v2 document; an empty list means well formed."""
    if not isinstance(doc, dict):
        return [FieldError("document", "a wrapped document must be a JSON object")]
    version = _version_error(doc)
    if version is not None:
        return [version]
    errors: list[FieldError] = []
    for key in doc:
        if key not in TOP_LEVEL_KEYS:
            errors.append(
                FieldError(str(key), "unknown top-level member; it would not be covered by the hash")
            )
    if "schema" in doc and not isinstance(doc["schema"], str):
        errors.append(FieldError("schema", "must be a string"))
    errors += _signature_errors(doc.get("signature"))
    privacy = doc.get("privacy")
    if privacy is not None:
        if not isinstance(privacy, dict):
            errors.append(FieldError("privacy", "must be an object"))
        elif "obfuscatedData" in privacy:
            errors += _hex_list_errors(privacy["obfuscatedData"], "privacy.obfuscatedData")
    data = doc.get("data")
    if not isinstance(data, dict):
        errors.append(FieldError("data", "missing or not an object"))
        return errors
    try:
        for key, value in iter_leaves(data):
            if isinstance(value, dict | list):
                continue  # empty containers are leaves and are not salted
            if not is_salted(value):
                errors.append(FieldError(f"data.{key}", 'is not salted ("<uuid v4>:<type>:<value>")'))
                if len(errors) > 20:
                    break
    except OAFormatError as e:
        errors += e.errors
        return errors
    if not errors:
        errors += validate_raw_v2(get_data(doc))
    return errors


def _version_error(doc: dict[str, Any]) -> FieldError | None:
    version = doc.get("version")
    if version == SCHEMA_V2:
        return None
    if version == SCHEMA_V3 or "@context" in doc:
        reason = "OpenAttestation v3 documents are not supported; expected v2"
    elif version is None:
        reason = "missing; a wrapped v2 document has version " + SCHEMA_V2
    else:
        reason = f"unsupported version {version!r}; expected {SCHEMA_V2}"
    return FieldError("version", reason)


def _signature_errors(sig: Any) -> list[FieldError]:
    """The SHA3MerkleProof block: type, targetHash, merkleRoot and a bounded proof, nothing else."""
    if sig is None:
        return [FieldError("signature", "missing: the document is not wrapped (no SHA3MerkleProof block)")]
    if not isinstance(sig, dict):
        return [FieldError("signature", "must be an object")]
    errors: list[FieldError] = []
    if sig.get("type") != SIGNATURE_TYPE:
        errors.append(FieldError("signature.type", f"must be {SIGNATURE_TYPE!r}"))
    for key in ("targetHash", "merkleRoot"):
        if not (isinstance(sig.get(key), str) and HEX64.match(sig[key])):
            errors.append(
                FieldError(f"signature.{key}", "must be a 32-byte hash: 64 lowercase hex characters")
            )
    proof = sig.get("proof")
    errors += _hex_list_errors(proof, "signature.proof")
    if isinstance(proof, list) and len(proof) > MAX_PROOF_LENGTH:
        errors.append(FieldError("signature.proof", f"has {len(proof)} steps; at most {MAX_PROOF_LENGTH}"))
    for key in sig:
        if key not in ("type", "targetHash", "proof", "merkleRoot"):
            errors.append(FieldError(f"signature.{key}", "unknown member of the signature block"))
    return errors


def _proof_entries(doc: dict[str, Any]) -> tuple[list[dict[str, Any]], list[FieldError]]:
    proof = doc.get("proof")
    if proof is None:
        return [], [FieldError("proof", "missing: the issuer's signature over the merkleRoot")]
    if not isinstance(proof, list) or not proof:
        return [], [FieldError("proof", "must be a non-empty array of signatures")]
    errors: list[FieldError] = []
    for i, entry in enumerate(proof):
        p = f"proof[{i}]"
        if not isinstance(entry, dict):
            errors.append(FieldError(p, "must be an object"))
            continue
        if entry.get("type") != PROOF_TYPE:
            errors.append(FieldError(f"{p}.type", f"must be {PROOF_TYPE!r}"))
        if entry.get("proofPurpose") != PROOF_PURPOSE:
            errors.append(FieldError(f"{p}.proofPurpose", f"must be {PROOF_PURPOSE!r}"))
        for key in ("verificationMethod", "signature", "created"):
            if not isinstance(entry.get(key), str):
                errors.append(FieldError(f"{p}.{key}", "is required and must be a string"))
    return [e for e in proof if isinstance(e, dict)], errors


def _skip_rest(checks: list[Check], reason: str) -> None:
    done = {c.name for c in checks}
    checks += [Check(name, "skipped", reason) for name in CHECKS if name not in done]


def verify_document(doc: Any, registry: IssuerRegistry, revocations: RevocationStore) -> Verdict:
    checks: list[Check] = []
    verdict = Verdict(checks=checks)
    entries = _well_formed(doc, checks)
    if entries is None:
        return verdict
    sig = doc["signature"]
    verdict.target_hash = sig["targetHash"]
    verdict.merkle_root = sig["merkleRoot"]
    data = get_data(doc)
    verdict.data = data
    verdict.document_type = data.get("documentType") if isinstance(data.get("documentType"), str) else None
    if not _intact(doc, sig, checks):
        return verdict
    registered = _registered_issuers(data, registry, verdict)
    if registered is None:
        return verdict
    if not _signed(registered, entries, sig["merkleRoot"], checks):
        return verdict
    record = revocations.find(sig["targetHash"], sig["merkleRoot"], {i.id for i in registered})
    if record is not None:
        what = "the document" if record.kind == "document" else "its batch"
        checks.append(
            Check(
                "revocation",
                "invalid",
                f"{what} was revoked by {record.issuer_id} at {record.revoked_at}: {record.reason}",
            )
        )
    else:
        checks.append(Check("revocation", "valid", "neither the document nor its batch is revoked"))
    return verdict


def _well_formed(doc: Any, checks: list[Check]) -> list[dict[str, Any]] | None:
    """The format check; the proof entries of a well-formed document, ``None`` for a malformed one."""
    errors = check_format(doc)
    entries: list[dict[str, Any]] = []
    if not errors:
        entries, proof_errors = _proof_entries(doc)
        errors += proof_errors
    if errors:
        checks.append(
            Check("format", "invalid", "the document is not a well-formed wrapped OA v2 document", errors)
        )
        _skip_rest(checks, "not checked: the document is malformed")
        return None
    checks.append(Check("format", "valid", "well-formed OpenAttestation v2 wrapped document"))
    return entries


def _intact(doc: dict[str, Any], sig: dict[str, Any], checks: list[Check]) -> bool:
    """The integrity checks: the data hashes to the targetHash, and the proof leads to the root."""
    digest = digest_document(doc)
    if digest != sig["targetHash"]:
        checks.append(
            Check(
                "integrity.targetHash",
                "invalid",
                f"the data hashes to {digest}, not to the targetHash: the document was altered",
            )
        )
        _skip_rest(checks, "not checked: the document's integrity is broken")
        return False
    checks.append(Check("integrity.targetHash", "valid", "the data matches the targetHash"))
    proof = [bytes.fromhex(h) for h in sig["proof"]]
    if not check_proof(proof, bytes.fromhex(sig["merkleRoot"]), bytes.fromhex(sig["targetHash"])):
        checks.append(
            Check(
                "integrity.merkleProof",
                "invalid",
                "the Merkle proof does not lead from targetHash to merkleRoot",
            )
        )
        _skip_rest(checks, "not checked: the document's integrity is broken")
        return False
    checks.append(
        Check("integrity.merkleProof", "valid", f"targetHash is in the batch with root {sig['merkleRoot']}")
    )
    return True


def _registered_issuers(
    data: dict[str, Any], registry: IssuerRegistry, verdict: Verdict
) -> list[Issuer] | None:
    """Issuer identity: every issuer named in the data must be registered, active and named by its
    DID key; ``None`` when one is not."""
    issuer_errors: list[FieldError] = []
    registered = []
    for i, item in enumerate(data["issuers"]):
        p = f"data.issuers[{i}]"
        ident = item.get("id") if isinstance(item, dict) else None
        key = item.get("identityProof", {}).get("key") if isinstance(item, dict) else None
        if not isinstance(ident, str):
            issuer_errors.append(
                FieldError(f"{p}.id", "missing (or hidden): the issuer cannot be identified")
            )
            continue
        verdict.issuers.append(ident)
        found = registry.get(ident)
        if found is None:
            issuer_errors.append(
                FieldError(f"{p}.id", f"issuer {ident} is not in this node's issuer registry")
            )
        elif not found.active:
            issuer_errors.append(FieldError(f"{p}.id", f"issuer {ident} is registered but not active"))
        elif item.get("identityProof", {}).get("type") != "DID" or key != found.verification_method:
            issuer_errors.append(
                FieldError(f"{p}.identityProof", f"must be type DID with key {found.verification_method}")
            )
        else:
            registered.append(found)
    if issuer_errors:
        verdict.checks.append(
            Check("issuer.registered", "invalid", "an issuer is not registered here", issuer_errors)
        )
        _skip_rest(verdict.checks, "not checked: the issuer is not known")
        return None
    verdict.checks.append(
        Check("issuer.registered", "valid", ", ".join(f"{i.name} ({i.id})" for i in registered))
    )
    return registered


def _signed(
    registered: list[Issuer], entries: list[dict[str, Any]], merkle_root: str, checks: list[Check]
) -> bool:
    """Every registered issuer has signed the merkleRoot, and each of its signatures verifies."""
    sig_errors: list[FieldError] = []
    for issuer in registered:
        mine = [e for e in entries if e.get("verificationMethod") == issuer.verification_method]
        if not mine:
            sig_errors.append(FieldError("proof", f"no signature by {issuer.verification_method}"))
        elif not all(verify_merkle_root_signature(e, merkle_root, issuer.public_key_bytes()) for e in mine):
            sig_errors.append(
                FieldError("proof", f"the signature by {issuer.verification_method} does not verify")
            )
    if sig_errors:
        checks.append(
            Check("issuer.signature", "invalid", "the merkleRoot is not signed by the issuer", sig_errors)
        )
        _skip_rest(checks, "not checked: the issuer's signature is missing or wrong")
        return False
    checks.append(Check("issuer.signature", "valid", "the merkleRoot is signed by every issuer"))
    return True
