"""Filing an export declaration at the origin node (in-memory unit of work, fake assessor)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from corridor.customs.domain.vocabulary import Flow, Status
from corridor.customs.handlers import PREARRIVAL
from corridor.messaging.envelope import parse, verify
from corridor.messaging.keys import KeyringError
from corridor.service.commands import ClearDeclaration, FileDeclaration, HoldDeclaration
from corridor.shared.errors import Conflict, Forbidden, InvalidInput, NotFound


def exporter(document: dict[str, Any]) -> str:
    value: str = document["Declaration"]["Exporter"]["ID"]
    return value


def assert_nothing_stored(node: Any) -> None:
    assert node.store.declarations == {}
    assert node.store.stages == {}
    assert node.store.outbox == {}
    assert node.store.traders == {}


def test_green_export_is_stored_cleared_and_its_prearrival_leaves_in_the_same_commit(
    india: Any, russia: Any, export_in: dict[str, Any], clock: Any
) -> None:
    declaration = india.handle(FileDeclaration(export_in, filed_by=exporter(export_in)))

    stored = india.store.declarations[declaration.id]
    assert (stored.flow, stored.lane, stored.status) == (Flow.EXPORT, "green", Status.CLEARED)
    assert stored.lrn == export_in["Declaration"]["FunctionalReferenceID"]
    assert stored.trader_id == exporter(export_in)
    assert [s.name for s in india.store.stages[declaration.id]] == [
        "lodgement",
        "registration",
        "assessment",
        "export_clearance",
        "prearrival_sent",
    ]
    assert india.store.stages[declaration.id][2].detail == {"lane": "green"}
    # one commit wrote the declaration, its stages, the trader and the outbox message together
    assert len(india.commits) == 1
    [message] = india.outbox()
    assert (message.type, message.recipient, message.status) == (PREARRIVAL, "RU", "pending")
    assert india.store.stages[declaration.id][-1].detail == {"message_id": message.message_id}

    envelope = parse(json.loads(message.envelope))
    assert envelope.header.message_id == message.message_id
    assert envelope.header.sender == "IN"
    assert envelope.body["export_declaration_id"] == declaration.id
    assert envelope.body["lane_at_origin"] == "green"
    assert (
        envelope.body["declaration"]["Declaration"]["FunctionalReferenceID"]
        == (export_in["Declaration"]["FunctionalReferenceID"])
    )
    # signed with the node's active key, verifiable by the peer's trust list
    public_key = russia.keyring.resolve(envelope.header.key_id, "IN")
    verify(envelope, public_key=public_key, expected_recipient="RU", now=clock())


def test_the_trader_is_counted_and_handed_to_the_assessor_as_it_was_before_the_filing(
    india: Any, samples: Any, clock: Any
) -> None:
    first = samples.next("IN", clock())
    second = copy.deepcopy(first)
    second["Declaration"]["FunctionalReferenceID"] = "ANOTHER-LRN-1"
    india.handle(FileDeclaration(first))
    india.handle(FileDeclaration(second))

    trader_id = exporter(first)
    assert india.store.traders[trader_id].declarations == 2
    before = [call["trader"].declarations for call in india.assessor.risk_calls]
    assert before == [0, 1]


def test_an_officer_may_file_without_a_trader_party(india: Any, export_in: dict[str, Any]) -> None:
    declaration = india.handle(FileDeclaration(export_in, filed_by=None))
    assert declaration.id in india.store.declarations


def test_an_invalid_declaration_stores_nothing_and_sends_nothing(
    india: Any, export_in: dict[str, Any]
) -> None:
    export_in["Declaration"]["InvoiceAmount"]["currencyID"] = "XYZ"

    with pytest.raises(InvalidInput) as raised:
        india.handle(FileDeclaration(export_in, filed_by=exporter(export_in)))

    assert "Declaration.InvoiceAmount.currencyID" in [e.path for e in raised.value.errors]
    assert_nothing_stored(india)
    assert india.commits == []


def test_an_import_declaration_is_refused_at_filing(india: Any, export_in: dict[str, Any]) -> None:
    export_in["Declaration"]["TypeCode"] = "IM"
    shipment = export_in["Declaration"]["GoodsShipment"]
    export_in["Declaration"]["DeclarationOffice"]["ID"] = shipment["Consignment"]["UnloadingLocation"]["ID"]
    for item in shipment["GovernmentAgencyGoodsItem"]:
        item["GovernmentProcedure"] = [{"CurrentCode": "40", "PreviousCode": "00"}]
    with pytest.raises(InvalidInput) as raised:
        india.handle(FileDeclaration(export_in))
    assert [e.path for e in raised.value.errors] == ["Declaration.TypeCode"]
    assert_nothing_stored(india)


def test_an_export_from_the_other_country_is_refused_at_this_node(
    russia: Any, export_in: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput) as raised:
        russia.handle(FileDeclaration(export_in))
    [error] = raised.value.errors
    assert error.path == "Declaration.GoodsShipment.ExportCountry.ID"
    assert "IN node" in error.reason
    assert_nothing_stored(russia)


def test_the_same_lrn_twice_is_a_conflict_and_the_first_filing_stays_alone(
    india: Any, export_in: dict[str, Any]
) -> None:
    first = india.handle(FileDeclaration(export_in))

    with pytest.raises(Conflict, match="FunctionalReferenceID"):
        india.handle(FileDeclaration(copy.deepcopy(export_in)))

    assert list(india.store.declarations) == [first.id]
    assert len(india.outbox()) == 1
    assert india.store.traders[exporter(export_in)].declarations == 1


def test_a_trader_may_not_file_someone_elses_declaration(india: Any, export_in: dict[str, Any]) -> None:
    other_party = export_in["Declaration"]["GoodsShipment"]["Importer"]["ID"]
    assert other_party != exporter(export_in)

    with pytest.raises(Forbidden, match="Exporter"):
        india.handle(FileDeclaration(export_in, filed_by=other_party))

    assert_nothing_stored(india)


def test_naming_oneself_declarant_does_not_let_a_trader_file_for_another_exporter(
    india: Any, export_in: dict[str, Any]
) -> None:
    agent = copy.deepcopy(export_in["Declaration"]["Exporter"])
    agent["ID"] = "AAACB1234Z"
    agent["Name"] = "Customs broker"
    export_in["Declaration"]["Declarant"] = agent

    with pytest.raises(Forbidden, match="no mandate"):
        india.handle(FileDeclaration(export_in, filed_by="AAACB1234Z"))

    assert_nothing_stored(india)


def test_green_filing_is_atomic_when_sealing_the_prearrival_fails(
    india: Any, export_in: dict[str, Any]
) -> None:
    india.keyring.revoke(india.keyring.active_key_id())  # the node can no longer sign

    with pytest.raises(KeyringError):
        india.handle(FileDeclaration(export_in))

    assert_nothing_stored(india)


@pytest.mark.parametrize("lane", ["yellow", "red"])
def test_a_yellow_or_red_export_waits_for_an_officer_then_leaves(
    make_node: Any, export_in: dict[str, Any], lane: str
) -> None:
    node = make_node("IN", lane=lane)

    declaration = node.handle(FileDeclaration(export_in))

    stored = node.store.declarations[declaration.id]
    assert (stored.lane, stored.status) == (lane, Status.UNDER_CONTROL)
    assert node.outbox() == []
    assert node.store.stages[declaration.id][-1].name == "queued"
    assert node.store.stages[declaration.id][-1].detail == {"lane": lane}

    cleared = node.handle(ClearDeclaration(declaration.id, officer_id="officer-7", findings="ok"))

    assert cleared.status == Status.CLEARED
    assert node.store.declarations[declaration.id].status == Status.CLEARED
    [message] = node.outbox(PREARRIVAL)
    body = parse(json.loads(message.envelope)).body
    assert body["export_declaration_id"] == declaration.id
    assert body["lane_at_origin"] == lane
    names = [s.name for s in node.store.stages[declaration.id]]
    assert names[-3:] == ["examination", "export_clearance", "prearrival_sent"]
    assert node.store.stages[declaration.id][-2].detail == {"officer": "officer-7"}


def test_clearing_twice_is_a_conflict_and_sends_nothing_more(
    make_node: Any, export_in: dict[str, Any]
) -> None:
    node = make_node("IN", lane="red")
    declaration = node.handle(FileDeclaration(export_in))
    node.handle(ClearDeclaration(declaration.id, officer_id="officer-7"))

    with pytest.raises(Conflict, match="status"):
        node.handle(ClearDeclaration(declaration.id, officer_id="officer-7"))

    assert len(node.outbox()) == 1


def test_clearing_an_unknown_declaration_is_not_found(india: Any) -> None:
    with pytest.raises(NotFound):
        india.handle(ClearDeclaration("25INDOESNOTEXIST00", officer_id="officer-7"))


def test_a_held_export_sends_nothing(make_node: Any, export_in: dict[str, Any]) -> None:
    node = make_node("IN", lane="red")
    declaration = node.handle(FileDeclaration(export_in))

    held = node.handle(HoldDeclaration(declaration.id, officer_id="officer-7", reason="seal broken"))

    assert held.status == "held"
    assert node.store.declarations[declaration.id].status == "held"
    assert node.outbox() == []


def test_a_held_export_can_be_cleared_by_an_officer_and_then_leaves(
    make_node: Any, export_in: dict[str, Any]
) -> None:
    node = make_node("IN", lane="red")
    declaration = node.handle(FileDeclaration(export_in))
    node.handle(HoldDeclaration(declaration.id, officer_id="officer-7", reason="seal broken"))

    cleared = node.handle(ClearDeclaration(declaration.id, officer_id="officer-7", findings="resealed"))

    assert cleared.status == Status.CLEARED
    assert len(node.outbox(PREARRIVAL)) == 1


def test_a_mandated_broker_files_as_declarant_and_is_recorded(india: Any, export_in: dict[str, Any]) -> None:
    from corridor.adapters.memory import MemoryUnitOfWork
    from corridor.customs.domain.vocabulary import Flow
    from corridor.service.commands import GrantMandate

    exporter = export_in["Declaration"]["Exporter"]["ID"]
    broker = copy.deepcopy(export_in["Declaration"]["Exporter"])
    broker["ID"], broker["Name"] = "AAACB1234Z", "Sample Customs Broker"
    export_in["Declaration"]["Declarant"] = broker
    india.handle(GrantMandate("AAACB1234Z", exporter))

    declaration = india.handle(FileDeclaration(export_in, filed_by="AAACB1234Z"))

    stored = india.store.declarations[declaration.id]
    assert (stored.declarant_id, stored.trader_id, stored.flow) == ("AAACB1234Z", exporter, Flow.EXPORT)
    with MemoryUnitOfWork(india.store) as uow:  # the broker finds what it filed
        assert [d.id for d in uow.declarations.query(trader_id="AAACB1234Z")] == [declaration.id]
