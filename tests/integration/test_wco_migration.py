"""Migration 0007: declarations stored before the WCO DM 3.x alignment are rewritten to the new
paths, nothing is lost, and the node serves, signs and clears them (SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, insert, select

from corridor.adapters.database import MIGRATIONS, make_engine, migrate
from corridor.adapters.tables import declarations
from corridor.customs.domain.vocabulary import Flow, Status
from corridor.customs.legacy import upgrade_declaration
from corridor.customs.validation import validate_declaration
from corridor.customs.views import view_for
from corridor.demo.run import Corridor
from corridor.refdata.codelists import code_lists
from corridor.service.commands import ClearDeclaration

FIXTURE = Path(__file__).with_name("fixtures") / "pre-wco-declarations.json"
LEGACY: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
EXPORT_ID, IMPORT_ID = "legacy-export-1", "legacy-import-1"


def upgrade_to(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def row(id_: str, flow: str, status: str, document: dict[str, Any], **extra: Any) -> dict[str, Any]:
    d = document["Declaration"]
    return {
        "id": id_,
        "node": "IN",
        "flow": flow,
        "lrn": d["FunctionalReferenceID"] if flow == Flow.EXPORT else "peer-export-1",
        "trader_id": d["Exporter"]["ID"] if flow == Flow.EXPORT else d["Importer"]["ID"],
        "exporter_id": d["Exporter"]["ID"],
        "importer_id": d["Importer"]["ID"],
        "status": status,
        "lane": "yellow",
        "document": document,
        "risk": {"lane": "yellow", "findings": []},
        "created_at": T0,
        "updated_at": T0,
        "version": 1,
        **extra,
    }


def seed_legacy_rows(url: str, schema: str | None) -> None:
    engine = make_engine(url, schema)
    upgrade_to(engine, "0005")
    with engine.begin() as connection:
        connection.execute(
            insert(declarations), row(EXPORT_ID, Flow.EXPORT, Status.UNDER_CONTROL, LEGACY["export"])
        )
        connection.execute(
            insert(declarations),
            row(
                IMPORT_ID,
                Flow.IMPORT,
                Status.PRE_ASSESSED,
                LEGACY["import"],
                assessment=LEGACY["import_assessment"],
                peer_id="peer-export-1",
            ),
        )
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_stored_declarations_move_to_wco_paths_and_are_served_signed_and_cleared(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "postgres":
        url, schema = request.getfixturevalue("pg_available"), request.getfixturevalue("pg_schema")
        seed_legacy_rows(url, f"{schema}_in")
        corridor = Corridor.embedded(tmp_path, db_url=url, db_schema=schema)
    else:
        (tmp_path / "IN").mkdir(mode=0o700)
        seed_legacy_rows(f"sqlite:///{tmp_path / 'IN' / 'corridor.sqlite'}", None)
        corridor = Corridor.embedded(tmp_path)
    india = corridor.nodes["IN"]
    try:
        with india.uow() as uow:
            export = uow.declarations.get(EXPORT_ID)
            imported = uow.declarations.get(IMPORT_ID)
        assert export is not None and imported is not None
        old = LEGACY["export"]["Declaration"]
        validate_declaration(export.document_json(), code_lists())  # the new edge schema and rules accept it
        d = export.document_json()["Declaration"]
        shipment = d["GoodsShipment"]
        assert d["DeclarationOffice"] == {"ID": old["DeclarationOfficeID"]}
        assert d["InvoiceAmount"] == old["Invoice"]["TotalAmount"]
        assert (d["FunctionCode"], d["GoodsItemQuantity"]) == ("9", 1)
        assert shipment["Importer"]["ID"] == old["Importer"]["ID"]
        assert shipment["TradeTerms"] == old["TradeTerms"]
        assert shipment["Invoice"] == {k: old["Invoice"][k] for k in ("ID", "IssueDateTime")}
        assert shipment["Destination"] == {"CountryCode": old["GoodsShipment"]["DestinationCountry"]["ID"]}
        assert shipment["CustomsValuation"] == {
            "InsuranceAmount": old["GoodsShipment"]["Consignment"]["InsuranceAmount"]
        }
        assert shipment["AEOMutualRecognitionParty"] == [{"ID": "INAEO123456", "RoleCode": "EX"}]
        old_equipment = old["GoodsShipment"]["Consignment"]["TransportEquipment"][0]
        assert shipment["Consignment"]["TransportEquipment"][0]["Seal"] == [
            {"SequenceNumeric": 1, "ID": old_equipment["SealID"][0]}
        ]
        item = shipment["GovernmentAgencyGoodsItem"][0]
        assert (
            item["Commodity"]["InvoiceLine"]["ItemChargeAmount"]
            == (old["GoodsShipment"]["GovernmentAgencyGoodsItem"][0]["ItemChargeAmount"])
        )
        assert "ItemChargeAmount" not in item and "Importer" not in d and "Invoice" not in d

        assert imported.assessment is not None
        served = view_for("officer", imported)["assessment"]
        fee = served["lines"][0]["DutyTaxFee"][0]
        old_fee = LEGACY["import_assessment"]["lines"][0]["DutyTaxFee"][0]
        assert fee["Payment"] == {"TaxAssessedAmount": old_fee["TaxAssessedAmount"]}
        assert fee["DutyRegimeCode"] == "100" and "TaxAssessedAmount" not in fee
        assert served["totals"] == LEGACY["import_assessment"]["totals"]
        assert imported.document_json()["Declaration"]["GoodsShipment"]["AEOMutualRecognitionParty"] == [
            {"ID": "INAEO123456", "RoleCode": "EX"},
            {"ID": "RUAEO654321", "RoleCode": "IM"},
        ]

        served = view_for("officer", export)
        assert served["declaration"]["Declaration"]["DeclarationOffice"]["ID"] == old["DeclarationOfficeID"]

        cleared = india.handle(ClearDeclaration(EXPORT_ID, "OFFICER-1", "documents checked"))
        assert cleared.status == Status.CLEARED
        corridor.pump()  # India signs the pre-arrival message, Russia verifies and accepts it
        with india.uow() as uow:
            acknowledged = uow.declarations.get(EXPORT_ID)
        assert acknowledged is not None and acknowledged.ack is not None
        assert acknowledged.ack.status == "accepted", acknowledged.ack
    finally:
        corridor.close()


def test_the_migration_runs_twice_without_changing_anything(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'corridor.sqlite'}"
    seed_legacy_rows(url, None)
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as connection:
        first = connection.execute(select(declarations.c.document, declarations.c.assessment)).all()
    spec = importlib.util.spec_from_file_location("wco_paths", MIGRATIONS / "versions" / "0007_wco_paths.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with engine.begin() as connection:
        assert module._rewrite(connection) == 0
        second = connection.execute(select(declarations.c.document, declarations.c.assessment)).all()
    assert [tuple(r) for r in first] == [tuple(r) for r in second]
    engine.dispose()


def test_the_rewrite_keeps_every_value_of_the_old_document() -> None:
    def leaves(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [v for k, child in node.items() if k != "IdentificationTypeCode" for v in leaves(child)]
        if isinstance(node, list):
            return [v for child in node for v in leaves(child)]
        return [json.dumps(node)]

    old = copy.deepcopy(LEGACY["export"])
    new = upgrade_declaration(old)
    assert old == LEGACY["export"], "the old document is not changed in place"
    kept = leaves(new)
    assert [leaf for leaf in leaves(old) if leaf not in kept] == []
    assert upgrade_declaration(new) == new, "a second run changes nothing"
