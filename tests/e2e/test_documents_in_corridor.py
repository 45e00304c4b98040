"""Verifiable documents in the journey: both nodes verify and cross-check what a declaration
references; mismatches go yellow, tampered or revoked documents red; revocation reaches the peer."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from corridor.customs.domain.vocabulary import Status
from corridor.demo.paperwork import documents_for, reference
from corridor.demo.run import Corridor
from corridor.demo.samples import SampleCorridor
from corridor.service.commands import ClearDeclaration, FileDeclaration, RevokeDocument

NOW = datetime.now(UTC)


@pytest.fixture
def corridor(tmp_path: Path) -> Any:
    c = Corridor.embedded(tmp_path)
    india, russia = c.nodes["IN"].bus.ctx.documents, c.nodes["RU"].bus.ctx.documents
    assert india is not None and russia is not None
    chamber = india.register(
        name="Sample Chamber of Commerce", country="IN", role="chamber of commerce", node="IN"
    )
    russia.add(chamber)  # RU trusts the Indian chamber's key
    c.chamber = chamber.id
    yield c
    c.close()


def wrap(corridor: Any, raws: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return corridor.nodes["IN"].bus.ctx.documents.issue(raws, corridor.chamber)


def file(corridor: Any, declaration: dict[str, Any], wrapped: list[dict[str, Any]]) -> tuple[Any, Any]:
    export = corridor.nodes["IN"].handle(
        FileDeclaration(reference(declaration, wrapped), documents=tuple(wrapped))
    )
    if export.status == Status.UNDER_CONTROL:  # the officer's check lets it go, findings stay on record
        corridor.nodes["IN"].handle(ClearDeclaration(export.id, "IN-OFFICER", "documents seen"))
    corridor.pump()
    with corridor.nodes["RU"].uow() as uow:
        imported = uow.declarations.find_by_consignment(export.id)
    return export, imported


def findings(declaration: Any) -> list[dict[str, str]]:
    return [finding.to_json() for finding in declaration.risk.documents]


def test_matching_documents_add_no_finding_at_either_node(corridor: Any) -> None:
    declaration = SampleCorridor(1).next("IN", NOW)
    export, imported = file(corridor, declaration, wrap(corridor, documents_for(declaration)))
    assert findings(export) == [] and findings(imported) == []
    with corridor.nodes["RU"].uow() as uow:  # the documents travelled with the pre-arrival data
        refs = [r["ID"] for r in imported.document_json()["Declaration"]["AdditionalDocument"]]
        assert len(uow.documents.get_many(refs)) == 2


def test_a_quantity_mismatch_sends_the_consignment_to_yellow_with_the_reason(corridor: Any) -> None:
    declaration = SampleCorridor(2).next("IN", NOW)
    raws = documents_for(declaration)
    raws[0]["items"][0]["quantity"]["value"] = str(int(float(raws[0]["items"][0]["quantity"]["value"])) + 7)
    export, imported = file(corridor, declaration, wrap(corridor, raws))
    for node_decision in (export, imported):
        assert node_decision.lane in ("yellow", "red")
        reasons = " ".join(f["reason"] for f in findings(node_decision))
        assert "declared" in reasons and "states" in reasons  # e.g. "declared 22656 KGM ... states 22663 KGM"
        assert {f["lane"] for f in findings(node_decision)} == {"yellow"}


def test_a_tampered_document_sends_the_consignment_to_red(corridor: Any) -> None:
    declaration = SampleCorridor(3).next("IN", NOW)
    wrapped = wrap(corridor, documents_for(declaration))
    tampered = copy.deepcopy(wrapped)
    salt, kind, _ = tampered[0]["data"]["countryOfOrigin"].split(":", 2)
    tampered[0]["data"]["countryOfOrigin"] = f"{salt}:{kind}:CN"
    export = corridor.nodes["IN"].handle(
        FileDeclaration(reference(declaration, wrapped), documents=tuple(tampered))
    )
    assert export.lane == "red"
    assert any(f["lane"] == "red" and "targetHash" in f["reason"] for f in findings(export))


def test_a_revocation_reaches_the_peer_and_turns_the_document_red_there(corridor: Any) -> None:
    declaration = SampleCorridor(4).next("IN", NOW)
    wrapped = wrap(corridor, documents_for(declaration))
    record = corridor.nodes["IN"].handle(RevokeDocument(wrapped[0], "issued in error"))
    assert record["hash"] == wrapped[0]["signature"]["targetHash"]
    corridor.pump()
    with corridor.nodes["RU"].uow() as uow:
        found = uow.revocations.find(
            record["hash"], wrapped[0]["signature"]["merkleRoot"], {corridor.chamber}
        )
    assert found is not None
    export, imported = file(corridor, declaration, wrapped)
    assert export.lane == "red" and imported.lane == "red"
    assert any("revoked" in f["reason"] for f in findings(imported))


def test_an_issuer_the_destination_does_not_trust_is_a_yellow_finding_there(
    corridor: Any, tmp_path: Path
) -> None:
    stranger = corridor.nodes["IN"].bus.ctx.documents.register(
        name="Unlisted Export Council", country="IN", role="export promotion council", node="IN"
    )
    declaration = SampleCorridor(5).next("IN", NOW)
    raws = documents_for(declaration)
    wrapped = corridor.nodes["IN"].bus.ctx.documents.issue(raws, stranger.id)
    export, imported = file(corridor, declaration, wrapped)
    assert findings(export) == []
    assert imported.lane in ("yellow", "red")
    assert any(f["lane"] == "yellow" and "issuer" in f["reason"] for f in findings(imported))


def test_a_document_revoked_after_filing_sends_the_waiting_import_back_to_an_officer(corridor: Any) -> None:
    """The certificate was good when the goods were declared; the chamber revokes it while they are
    at sea. The destination's import, pre-assessed and waiting for arrival, goes back to an officer
    in the yellow lane at least, with the revocation as the reason; the export, already cleared,
    is not reopened (its Let Export Order was given)."""
    declaration = SampleCorridor(5).next("IN", NOW)
    wrapped = wrap(corridor, documents_for(declaration))
    export, imported = file(corridor, declaration, wrapped)
    assert imported is not None and imported.status in (Status.PRE_ASSESSED, Status.UNDER_CONTROL)
    corridor.nodes["IN"].handle(RevokeDocument(wrapped[0], "issued in error"))
    corridor.pump()
    with corridor.nodes["RU"].uow() as uow:
        after = uow.declarations.get(imported.id)
        stages = uow.declarations.stages(imported.id)
    assert after is not None
    assert after.status == Status.UNDER_CONTROL and after.lane in ("yellow", "red")
    (reexamination,) = [s for s in stages if s.name == "reexamination"]
    assert wrapped[0]["signature"]["targetHash"] in reexamination.detail["reason"]
    assert "issued in error" in reexamination.detail["reason"]
    with corridor.nodes["IN"].uow() as uow:
        assert uow.declarations.get(export.id).status == Status.CLEARED  # type: ignore[union-attr]
