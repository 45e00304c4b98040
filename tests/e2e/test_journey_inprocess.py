"""The journey both ways through two embedded nodes, on SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from corridor.customs.domain.vocabulary import Flow, Status
from corridor.demo.run import Corridor, run_demo
from corridor.demo.samples import SampleCorridor
from corridor.service.commands import ClearDeclaration, FileDeclaration


def file_and_clear(corridor: Corridor, origin: str, document: dict[str, Any]) -> str:
    node = corridor.nodes[origin]
    declaration = node.handle(FileDeclaration(document))
    if declaration.status == Status.UNDER_CONTROL:
        declaration = node.handle(ClearDeclaration(declaration.id, "OFFICER-1", "documents checked"))
    assert declaration.status == Status.CLEARED
    return str(declaration.id)


def without_procedures(document: dict[str, Any]) -> dict[str, Any]:
    shipment = copy.deepcopy(document["Declaration"]["GoodsShipment"])
    for item in shipment["GovernmentAgencyGoodsItem"]:
        item.pop("GovernmentProcedure", None)
    return dict(shipment)


def assert_journey(corridor: Corridor, export_ids: dict[str, list[str]]) -> None:
    for origin, ids in export_ids.items():
        destination = "RU" if origin == "IN" else "IN"
        currency = "RUB" if destination == "RU" else "INR"
        with corridor.nodes[origin].uow() as uow:
            exports = [uow.declarations.get(i) for i in ids]
        with corridor.nodes[destination].uow() as uow:
            imports = {d.peer_id: d for d in uow.declarations.query(limit=1000) if d.flow == Flow.IMPORT}
        for export in exports:
            assert export is not None and export.flow == Flow.EXPORT
            assert export.ack is not None and export.ack.accepted, export.ack
            imported = imports[export.id]
            assert export.peer_id == imported.id
            assert imported.lane in ("green", "yellow", "red")
            assert imported.document_json()["Declaration"]["TypeCode"] == "IM"
            # the same shipment, less the export procedure codes (the importer declares its own)
            assert without_procedures(imported.document_json()) == without_procedures(export.document_json())
            assert all(
                item["GovernmentProcedure"] == []
                for item in imported.document_json()["Declaration"]["GoodsShipment"][
                    "GovernmentAgencyGoodsItem"
                ]
            )
            assert imported.assessment is not None
            assert set(imported.assessment.totals) == {currency}
            assert imported.assessment.valuation is not None
            assert imported.assessment.valuation.customs_value.currency == currency


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_journey_both_ways(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    options: dict[str, Any] = {}
    if backend == "postgres":
        # both nodes share the server but each gets its own schema, as two databases would be
        options = {
            "db_url": request.getfixturevalue("pg_available"),
            "db_schema": request.getfixturevalue("pg_schema"),
        }
    corridor = Corridor.embedded(tmp_path, **options)
    samples = SampleCorridor(seed=11)
    now = datetime.now(UTC)
    ids = {
        "IN": [file_and_clear(corridor, "IN", samples.next("IN", now)) for _ in range(6)],
        "RU": [file_and_clear(corridor, "RU", samples.next("RU", now)) for _ in range(6)],
    }
    corridor.pump()
    assert_journey(corridor, ids)
    corridor.close()


def test_restart_mid_run_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    samples = SampleCorridor(seed=5)
    now = datetime.now(UTC)
    corridor = Corridor.embedded(tmp_path)
    ids = {"IN": [file_and_clear(corridor, "IN", samples.next("IN", now)) for _ in range(5)]}
    corridor.transport.offline.add("RU")  # the peer is down: the relay keeps everything
    report = corridor.nodes["IN"].relay_once()
    assert report.sent == 0 and report.retried == 5
    corridor.close()  # the India node stops with five messages in its outbox

    restarted = Corridor.embedded(tmp_path)  # same data directories: same databases and keys
    with restarted.nodes["IN"].uow() as uow:
        pending = uow.outbox.with_status(status="pending")
        assert len(pending) == 5
        envelope = pending[0].envelope
    # deliver one message twice before the relay runs: the receiver applies it once
    assert restarted.nodes["RU"].receive(envelope)["status"] == "accepted"
    assert restarted.nodes["RU"].receive(envelope)["status"] == "duplicate"
    with restarted.nodes["IN"].uow() as uow:
        for message in uow.outbox.with_status(status="pending"):
            uow.outbox.mark_retry(message.message_id, "test: due now", datetime(2000, 1, 1, tzinfo=UTC))
        uow.commit()
    restarted.pump()
    assert_journey(restarted, ids)
    with restarted.nodes["RU"].uow() as uow:
        assert len([d for d in uow.declarations.query(limit=100) if d.flow == Flow.IMPORT]) == 5
        assert uow.inbox.count() == 5
    restarted.close()


def test_demo_summary_counts_are_consistent(tmp_path: Path) -> None:
    summary = run_demo(tmp_path / "demo", consignments=30, seed=3).to_json()
    assert summary["consignments"] == 30
    assert summary["by_direction"] == {"IN->RU": 15, "RU->IN": 15}
    assert sum(summary["lanes"]["export"].values()) == 30
    assert sum(summary["lanes"]["import"].values()) == 30
    assert summary["acknowledged"] == 30
    # each consignment: a pre-arrival message, its acknowledgement, five milestone messages and the
    # invoice's payment, each signed once and verified once
    assert summary["messages_signed"] == 30 * 8
    assert summary["messages_verified"] == 30 * 8
    assert summary["release"]["released"] == 30
    assert summary["release"]["events_posted"] == 30 * 5
    assert summary["messages_rejected"] == 5  # the demo's five tampered copies; the replay is a duplicate
    assert set(summary["duties"]) == {"INR", "RUB"}
    money = summary["settlement"]
    assert money["all_ledgers_balance"] and money["ledgers_balance"] == {"IN": True, "RU": True}
    assert {"INR", "RUB"} <= set(money["settled"])  # duties in the home currencies, invoices as invoiced
    assert sum(f["obligations"] for f in money["interbank"].values()) == 30  # one per invoice
    for figures in money["interbank"].values():
        assert Decimal(figures["multilateral_net"]) <= Decimal(figures["gross"])
    shares = sum(Decimal(v) for v in money["share_percent"].values())
    assert abs(shares - 100) <= Decimal("0.02")  # rounded to two decimals each


def test_a_batch_applies_each_message_once_and_refuses_only_the_bad_one(tmp_path: Path) -> None:
    samples = SampleCorridor(seed=23)
    now = datetime.now(UTC)
    corridor = Corridor.embedded(tmp_path)
    for _ in range(2):
        file_and_clear(corridor, "IN", samples.next("IN", now))
    with corridor.nodes["IN"].uow() as uow:
        first, second = (m.envelope for m in uow.outbox.with_status(status="pending"))
    tampered = first.replace('"lane_at_origin":"', '"lane_at_origin":"x', 1)
    outcomes = corridor.nodes["RU"].receive_many([first, tampered, second, first])
    assert [o["status"] for o in outcomes] == ["accepted", "rejected", "accepted", "duplicate"]
    with corridor.nodes["RU"].uow() as uow:
        assert len([d for d in uow.declarations.query(limit=10) if d.flow == Flow.IMPORT]) == 2
        assert uow.inbox.count() == 2 and uow.rejections.count() == 1
    corridor.close()
