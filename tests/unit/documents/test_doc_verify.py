"""Issuing and verifying: every check, every lane, and malformed input."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.documents.issuers import Issuer
from corridor.documents.oa import wrap_documents
from corridor.documents.oa.errors import OAFormatError
from corridor.documents.revocation import (
    InMemoryRevocationStore,
    accept_revocation,
    create_revocation,
)
from corridor.documents.service import DocumentContext, issue_documents, redact, revoke, verify
from corridor.documents.signature import sign_merkle_root
from corridor.documents.verify import CHECKS, verify_document
from corridor.shared.errors import Forbidden, InvalidInput, NotFound


def statuses(verdict: Any) -> dict[str, str]:
    return {c.name: c.status for c in verdict.checks}


def test_issued_documents_verify(ctx: DocumentContext, wrapped: list[dict[str, Any]], issuer: Issuer) -> None:
    assert len({w["signature"]["merkleRoot"] for w in wrapped}) == 1
    for doc in wrapped:
        verdict = verify(ctx, doc)
        assert verdict.valid, verdict.to_json()
        assert [c.name for c in verdict.checks] == list(CHECKS)
        assert verdict.issuers == [issuer.id]
        assert doc["data"]["issuers"][0]["identityProof"]["key"].endswith(f"#{issuer.key_id}")
        assert doc["proof"][0]["verificationMethod"] == issuer.verification_method
    assert verify(ctx, wrapped[0]).to_json()["documentType"] == "CERTIFICATE_OF_ORIGIN"


def test_tampered_data_is_red(ctx: DocumentContext, wrapped: list[dict[str, Any]]) -> None:
    doc = copy.deepcopy(wrapped[1])
    item = doc["data"]["items"][0]["amount"]
    item["value"] = item["value"].replace("102000.00", "10200.00")
    verdict = verify(ctx, doc)
    assert not verdict.valid and verdict.lane == "red"
    assert statuses(verdict)["integrity.targetHash"] == "invalid"
    assert statuses(verdict)["revocation"] == "skipped"


def test_swapped_proof_is_red(ctx: DocumentContext, wrapped: list[dict[str, Any]]) -> None:
    doc = copy.deepcopy(wrapped[0])
    doc["signature"]["proof"] = wrapped[1]["signature"]["proof"]
    verdict = verify(ctx, doc)
    assert statuses(verdict)["integrity.merkleProof"] == "invalid" and verdict.lane == "red"


def test_forged_issuer_signature_is_red(
    ctx: DocumentContext, wrapped: list[dict[str, Any]], issuer: Issuer
) -> None:
    doc = copy.deepcopy(wrapped[0])
    forged = sign_merkle_root(
        doc["signature"]["merkleRoot"], Ed25519PrivateKey.generate(), issuer.verification_method, _now()
    )
    doc["proof"] = [forged]
    verdict = verify(ctx, doc)
    assert statuses(verdict)["issuer.signature"] == "invalid" and verdict.lane == "red"


def test_another_issuers_signature_does_not_count(
    ctx: DocumentContext, wrapped: list[dict[str, Any]]
) -> None:
    other = ctx.registry.get("did:corridor:ru:other-chamber")
    assert other is not None
    doc = copy.deepcopy(wrapped[0])
    doc["proof"] = [
        sign_merkle_root(
            doc["signature"]["merkleRoot"],
            ctx.registry.private_key(other.id),
            other.verification_method,
            _now(),
        )
    ]
    assert statuses(verify(ctx, doc))["issuer.signature"] == "invalid"


def test_unknown_issuer_is_yellow(wrapped: list[dict[str, Any]]) -> None:
    from corridor.documents.issuers import InMemoryIssuerRegistry

    empty = DocumentContext(InMemoryIssuerRegistry(), InMemoryRevocationStore())
    verdict = verify(empty, wrapped[0])
    assert statuses(verdict)["issuer.registered"] == "invalid"
    assert verdict.lane == "yellow"
    assert "not in this node's issuer registry" in str(verdict.to_json())


def test_plain_oa_document_without_issuer_signature_is_not_accepted(ctx: DocumentContext) -> None:
    doc = wrap_documents(
        [{"issuers": [{"name": "x", "identityProof": {"type": "DNS-TXT", "location": "e.org"}}]}]
    )[0]
    verdict = verify(ctx, doc)
    assert not verdict.valid and statuses(verdict)["format"] == "invalid"
    assert any(e.path == "proof" for e in verdict.checks[0].errors)


def test_revoked_document_and_batch_are_red(ctx: DocumentContext, wrapped: list[dict[str, Any]]) -> None:
    record = revoke(ctx, wrapped[0], scope="document", reason="issued in error")
    assert record.hash == wrapped[0]["signature"]["targetHash"]
    v0 = verify(ctx, wrapped[0])
    assert statuses(v0)["revocation"] == "invalid" and v0.lane == "red"
    assert verify(ctx, wrapped[1]).valid
    revoke(ctx, wrapped[1], scope="batch", reason="whole batch withdrawn")
    assert all(verify(ctx, w).lane == "red" for w in wrapped)


def test_revocation_propagates_only_with_a_valid_signature(
    ctx: DocumentContext, wrapped: list[dict[str, Any]]
) -> None:
    record = revoke(ctx, wrapped[2], scope="document", reason="duplicate")
    peer_store = InMemoryRevocationStore()
    assert accept_revocation(peer_store, ctx.registry, record) is True
    assert accept_revocation(peer_store, ctx.registry, record) is False  # replay: no second effect
    assert verify(DocumentContext(ctx.registry, peer_store), wrapped[2]).lane == "red"
    tampered = record.model_copy(update={"hash": wrapped[3]["signature"]["targetHash"]})
    with pytest.raises(Forbidden):
        accept_revocation(InMemoryRevocationStore(), ctx.registry, tampered)


def test_revocation_by_another_issuer_does_not_apply(
    ctx: DocumentContext, wrapped: list[dict[str, Any]]
) -> None:
    rec = create_revocation(
        ctx.registry,
        ctx.registry,
        issuer_id="did:corridor:ru:other-chamber",
        kind="document",
        hash_hex=wrapped[0]["signature"]["targetHash"],
        reason="not mine",
    )
    ctx.revocations.add(rec)
    assert verify(ctx, wrapped[0]).valid
    with pytest.raises(Forbidden):
        revoke(ctx, wrapped[0], scope="document", reason="x", issuer_id="did:corridor:ru:other-chamber")


def test_redacted_document_still_verifies(ctx: DocumentContext, wrapped: list[dict[str, Any]]) -> None:
    hidden = redact(wrapped[1], ["items[0].unitPrice", "paymentTerms"])
    assert "paymentTerms" not in hidden["data"]
    assert verify(ctx, hidden).valid
    with pytest.raises(InvalidInput, match="issuers cannot be hidden"):
        redact(wrapped[1], ["issuers[0].name"])


def test_issue_refuses_bad_documents_with_paths(
    ctx: DocumentContext, issuer: Issuer, samples: dict[str, Any]
) -> None:
    bad = copy.deepcopy(samples["certificate-of-origin"])
    bad["items"][0]["hsCode"] = "30"
    del bad["exporter"]
    with pytest.raises(InvalidInput) as err:
        issue_documents(ctx, [bad, samples["commercial-invoice"]], issuer.id)
    paths = {e.path for e in err.value.errors}
    assert {"documents[0].items[0].hsCode", "documents[0].exporter"} <= paths
    with pytest.raises(InvalidInput, match="documentType"):
        issue_documents(ctx, [{"id": "x"}], issuer.id)
    with pytest.raises(NotFound):
        issue_documents(ctx, [samples["commercial-invoice"]], "did:corridor:in:nobody")
    with pytest.raises(OAFormatError):
        issue_documents(ctx, [{"documentType": "X", "a.b": 1}], issuer.id, check_models=False)


MALFORMED: list[tuple[Any, str]] = [
    (None, "document"),
    ([], "document"),
    ("text", "document"),
    ({}, "version"),
    ({"version": "https://schema.openattestation.com/3.0/schema.json"}, "version"),
    ({"version": "2.0"}, "version"),
]


@pytest.mark.parametrize(("doc", "path"), MALFORMED)
def test_malformed_documents_give_field_errors(ctx: DocumentContext, doc: Any, path: str) -> None:
    verdict = verify(ctx, doc)
    assert not verdict.valid and verdict.lane == "yellow"
    assert verdict.checks[0].errors[0].path == path
    assert all(c.status == "skipped" for c in verdict.checks[1:])


def _mutations() -> list[tuple[str, Any]]:
    def drop_signature(d: dict[str, Any]) -> None:
        del d["signature"]

    def short_proof(d: dict[str, Any]) -> None:
        d["signature"]["proof"] = [d["signature"]["proof"][0][:62]]

    def upper_root(d: dict[str, Any]) -> None:
        d["signature"]["merkleRoot"] = d["signature"]["merkleRoot"].upper()

    def wrong_type(d: dict[str, Any]) -> None:
        d["signature"]["type"] = "SHA256MerkleProof"

    def extra_member(d: dict[str, Any]) -> None:
        d["unsigned"] = {"claim": "extra"}

    def dotted_key(d: dict[str, Any]) -> None:
        d["data"]["hs.code"] = d["data"]["id"]

    def unsalted(d: dict[str, Any]) -> None:
        d["data"]["id"] = "plain"

    def bad_obfuscated(d: dict[str, Any]) -> None:
        d["privacy"] = {"obfuscatedData": ["zz"]}

    def no_proof_block(d: dict[str, Any]) -> None:
        del d["proof"]

    def huge_proof(d: dict[str, Any]) -> None:
        d["signature"]["proof"] = [d["signature"]["targetHash"]] * 65

    return [
        ("signature", drop_signature),
        ("signature.proof[0]", short_proof),
        ("signature.merkleRoot", upper_root),
        ("signature.type", wrong_type),
        ("unsigned", extra_member),
        ("data.hs.code", dotted_key),
        ("data.id", unsalted),
        ("privacy.obfuscatedData[0]", bad_obfuscated),
        ("proof", no_proof_block),
        ("signature.proof", huge_proof),
    ]


@pytest.mark.parametrize(("path", "mutate"), _mutations(), ids=[p for p, _ in _mutations()])
def test_structural_faults_are_named(
    ctx: DocumentContext, wrapped: list[dict[str, Any]], path: str, mutate: Any
) -> None:
    doc = copy.deepcopy(wrapped[0])
    mutate(doc)
    verdict = verify_document(doc, ctx.registry, ctx.revocations)
    assert not verdict.valid
    assert statuses(verdict)["format"] == "invalid"
    assert path in {e.path for e in verdict.checks[0].errors}


def _now() -> Any:
    from corridor.documents.issuers import now_utc

    return now_utc()
