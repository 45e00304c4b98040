"""A node with real data and one API key per kind of caller, for the API-wide proofs (fuzzing and
the authorization matrix): routes reach their handlers because path parameters and bodies can name
declarations, a consignment and documents that exist, owned by the parties the keys act for."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from corridor.customs.domain.vocabulary import Status
from corridor.demo.carrier import milestones
from corridor.demo.run import Corridor
from corridor.demo.samples import SAMPLE_CARRIERS, SampleCorridor
from corridor.node.bootstrap import Node
from corridor.service.auth import create_api_key
from corridor.service.commands import ClearDeclaration, FileDeclaration, PostEvents

NOW = datetime.now(UTC)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "documents"

OFFICER = "IN-OFFICER-1"
CARRIER = SAMPLE_CARRIERS["IN"]["ID"]  # the declared carrier of the sample IN->RU consignments
PEER = "RU"


@dataclass
class SeededNode:
    """Node IN of a two-node corridor, after a little trade; ``keys`` maps a caller kind to its key."""

    corridor: Corridor
    database: str  # sqlite or postgres
    keys: dict[str, str]
    owner: str  # the trader: exporter of ``export_id`` and importer of ``import_id``
    other: str  # another trader: exporter of ``other_export_id``
    issuer: str
    export_id: str
    other_export_id: str
    import_id: str
    consignment_ref: str
    declaration: dict[str, Any]  # a fresh declaration of the owner's, not yet filed
    events: dict[str, Any]  # EPCIS milestones of the owner's consignment
    wrapped: dict[str, Any]  # a document the issuer issued
    raw_document: dict[str, Any]  # a document to issue
    duties: list[dict[str, str]]  # what the owner owes on ``import_id``

    @property
    def node(self) -> Node:
        return self.corridor.nodes["IN"]

    def bodies(self) -> dict[tuple[str, str], Any]:
        """A well-formed JSON body for each route that takes one, by (method, path template):
        what the owner, the officer, the carrier, the issuer or the peer would send."""
        return {
            ("POST", "/v1/api-keys"): {"role": "trader", "party_id": "AAACS1234F", "label": "new trader"},
            ("POST", "/v1/mandates"): {"broker_id": "BROKER-1", "exporter_id": self.owner},
            ("POST", "/v1/declarations/validate"): copy.deepcopy(self.declaration),
            ("POST", "/v1/declarations"): copy.deepcopy(self.declaration),
            ("POST", "/v1/declarations/bulk"): {"declarations": [copy.deepcopy(self.declaration)]},
            ("POST", "/v1/declarations/{declaration_id}/clear"): {"findings": "documents checked"},
            ("POST", "/v1/declarations/{declaration_id}/hold"): {"reason": "physical inspection"},
            ("POST", "/v1/declarations/{declaration_id}/release"): {"reason": "arrived, conform, paid"},
            ("POST", "/v1/declarations/{declaration_id}/payments"): {
                "amounts": copy.deepcopy(self.duties),
                "reference": "PAY-1",
            },
            ("POST", "/v1/events"): copy.deepcopy(self.events),
            ("POST", "/v1/documents/verify"): {"document": copy.deepcopy(self.wrapped)},
            ("POST", "/v1/documents/redact"): {
                "document": copy.deepcopy(self.wrapped),
                "fields": ["exporter.address"],
            },
            ("POST", "/v1/documents/issue"): {
                "issuer_id": self.issuer,
                "documents": [copy.deepcopy(self.raw_document)],
            },
            ("POST", "/v1/documents/revoke"): {
                "document": copy.deepcopy(self.wrapped),
                "reason": "issued in error",
            },
            ("POST", "/v1/envelopes/batch"): {"envelopes": ["{}"]},
        }

    def close(self) -> None:
        self.corridor.close()


def _file(node: Node, document: dict[str, Any]) -> str:
    declaration = node.handle(FileDeclaration(copy.deepcopy(document)))
    if declaration.status == Status.UNDER_CONTROL:
        declaration = node.handle(ClearDeclaration(declaration.id, OFFICER, "checked"))
    return str(declaration.id)


def seed(data_dir: Path, db_url: str | None = None, db_schema: str | None = None) -> SeededNode:
    corridor = Corridor.embedded(data_dir, db_url=db_url, db_schema=db_schema)
    node, ru = corridor.nodes["IN"], corridor.nodes["RU"]
    samples = SampleCorridor(seed=11)
    mine = samples.next("IN", NOW)
    owner = mine["Declaration"]["Exporter"]["ID"]
    theirs = samples.next("IN", NOW)
    while theirs["Declaration"]["Exporter"]["ID"] == owner:
        theirs = samples.next("IN", NOW)
    fresh = samples.next("IN", NOW)
    fresh["Declaration"]["Exporter"] = copy.deepcopy(mine["Declaration"]["Exporter"])
    inbound = samples.next("RU", NOW)
    inbound["Declaration"]["GoodsShipment"]["Importer"] = copy.deepcopy(mine["Declaration"]["Exporter"])

    export_id = _file(node, mine)
    other_export_id = _file(node, theirs)
    _file(ru, inbound)
    corridor.pump()
    with node.uow() as uow:
        imported = [d for d in uow.declarations.query(trader_id=owner) if d.id != export_id]
    assert len(imported) == 1, "the import declaration reached node IN"
    assert imported[0].assessment is not None
    duties = [money.to_json() for money in imported[0].assessment.payable()]

    departure = NOW - timedelta(minutes=5)  # events in the past: loading, then departure
    events = milestones(mine, export_id, departure, departure + timedelta(days=19), steps=2)
    node.handle(PostEvents(copy.deepcopy(events), CARRIER))

    documents = node.bus.ctx.documents
    assert documents is not None
    chamber = documents.register(name="Sample Chamber", country="IN", role="chamber of commerce", node="IN")
    raw_document = json.loads((EXAMPLES / "certificate-of-origin.json").read_text("utf-8"))
    wrapped = documents.issue([copy.deepcopy(raw_document)], chamber.id)[0]

    parties = {
        "admin": ("admin", "IN-ADMIN"),
        "owner": ("trader", owner),
        "other": ("trader", theirs["Declaration"]["Exporter"]["ID"]),
        "officer": ("officer", OFFICER),
        "carrier": ("carrier", CARRIER),
        "other_carrier": ("carrier", "CARRIER-2"),
        "issuer": ("issuer", chamber.id),
        "other_issuer": ("issuer", "did:corridor:in:someone-else"),
        "peer": ("peer", PEER),
    }
    keys = {
        kind: create_api_key(node.uow(), role, party, kind, NOW) for kind, (role, party) in parties.items()
    }
    return SeededNode(
        corridor=corridor,
        database="postgres" if db_url else "sqlite",
        keys=keys,
        owner=owner,
        other=parties["other"][1],
        issuer=chamber.id,
        export_id=export_id,
        other_export_id=other_export_id,
        import_id=imported[0].id,
        consignment_ref=export_id,
        declaration=fresh,
        events=events,
        wrapped=wrapped,
        raw_document=raw_document,
        duties=duties,
    )
