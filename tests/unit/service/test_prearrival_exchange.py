"""Pre-arrival data and acknowledgements between the IN and RU nodes, moved by hand."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from corridor.customs.domain.vocabulary import Flow, Status
from corridor.customs.handlers import ACKNOWLEDGEMENT, PREARRIVAL
from corridor.customs.views import view_for
from corridor.messaging.envelope import canonical, parse, seal
from corridor.service.commands import FileDeclaration
from corridor.service.outbox import enqueue


def file_green(node: Any, document: dict[str, Any]) -> Any:
    return node.handle(FileDeclaration(document))


def only(values: Any) -> Any:
    [value] = list(values)
    return value


def prearrival_text(node: Any) -> str:
    return only(node.outbox(PREARRIVAL)).envelope


def sealed_by(node: Any, *, message_type: str, body: dict[str, Any], recipient: str, now: Any) -> str:
    key_id, private_key = node.keyring.signing_key()
    envelope = seal(
        private_key=private_key,
        key_id=key_id,
        message_type=message_type,
        sender=node.country,
        recipient=recipient,
        body=body,
        now=now,
    )
    return envelope.to_bytes().decode("utf-8")


def test_destination_builds_an_assessed_import_declaration_and_queues_a_signed_ack(
    india: Any, russia: Any, export_in: dict[str, Any], clock: Any
) -> None:
    export = file_green(india, export_in)
    text = prearrival_text(india)
    message_id = parse(json.loads(text)).header.message_id

    outcome = russia.receive(text)

    assert outcome["status"] == "accepted"
    assert outcome["message_id"] == message_id
    imported = only(russia.store.declarations.values())
    assert outcome["import_declaration_id"] == imported.id
    assert (imported.flow, imported.node, imported.lane, imported.status) == (
        Flow.IMPORT,
        "RU",
        "green",
        Status.PRE_ASSESSED,
    )
    assert imported.peer_id == export.id
    assert imported.lrn == export.id
    assert imported.trader_id == export_in["Declaration"]["GoodsShipment"]["Importer"]["ID"]
    document = imported.document_json()["Declaration"]
    assert document["TypeCode"] == "IM"
    unloading = export_in["Declaration"]["GoodsShipment"]["Consignment"]["UnloadingLocation"]["ID"]
    assert document["DeclarationOffice"] == {"ID": unloading}
    for item in document["GoodsShipment"]["GovernmentAgencyGoodsItem"]:
        assert not item["GovernmentProcedure"], "the export procedure is no import procedure"
    # duties from the RU tariff data: totals in roubles
    assert imported.assessment is not None
    assert set(imported.assessment.totals) == {"RUB"}
    assert imported.assessment.country == "RU"
    assert imported.assessment.lines, "one duty line per goods item"
    stages = [s.name for s in russia.store.stages[imported.id]]
    assert stages[0] == "prearrival_received"
    assert [s for s in stages if s in ("registration", "assessment")] == ["registration", "assessment"]
    assert russia.store.stages[imported.id][0].detail == {"message_id": message_id}
    assert russia.store.inbox[message_id]["outcome"]["status"] == "accepted"
    assert russia.store.traders[imported.trader_id].declarations == 1

    ack_message = only(russia.outbox())
    assert (ack_message.type, ack_message.recipient) == (ACKNOWLEDGEMENT, "IN")
    ack = parse(json.loads(ack_message.envelope))
    assert ack.header.sender == "RU"
    assert ack.body["export_declaration_id"] == export.id
    assert ack.body["status"] == "accepted"
    assert ack.body["import_declaration_id"] == imported.id
    assert ack.body["duties"] == imported.assessment.to_json()["totals"]
    assert set(ack.body) == {
        "export_declaration_id",
        "status",
        "reasons",
        "import_declaration_id",
        "lane",
        "duties",
    }, "the acknowledgement keeps the shape peers read"


def test_a_red_destination_lane_keeps_the_import_under_control(
    make_node: Any, india: Any, export_in: dict[str, Any]
) -> None:
    russia = make_node("RU", lane="red")
    india.keyring.import_public(russia.keyring.export_public())
    russia.keyring.import_public(india.keyring.export_public())
    file_green(india, export_in)

    outcome = russia.receive(prearrival_text(india))

    assert outcome["lane"] == "red"
    assert only(russia.store.declarations.values()).status == Status.UNDER_CONTROL
    assert parse(json.loads(only(russia.outbox()).envelope)).body["lane"] == "red"


def test_origin_stores_the_acknowledgement_on_its_export_declaration(
    india: Any, russia: Any, export_in: dict[str, Any]
) -> None:
    export = file_green(india, export_in)
    india.deliver_outbox(russia)
    imported = only(russia.store.declarations.values())

    [outcome] = russia.deliver_outbox(india)

    assert outcome["status"] == "stored"
    assert outcome["export_declaration_id"] == export.id
    stored = india.store.declarations[export.id]
    assert stored.ack is not None and stored.ack.accepted
    assert stored.ack.import_declaration_id == imported.id
    assert stored.ack.message_id == outcome["message_id"]
    assert stored.ack.lane == imported.lane
    assert imported.assessment is not None and list(stored.ack.duties or ()) == imported.assessment.payable()
    assert stored.peer_id == imported.id
    assert stored.flow == Flow.EXPORT
    assert india.store.stages[export.id][-1].name == "destination_ack"
    assert india.store.stages[export.id][-1].detail == {"status": "accepted", "lane": "green"}


def test_the_ru_to_in_direction_works_the_same_way(
    india: Any, russia: Any, export_ru: dict[str, Any]
) -> None:
    export = file_green(russia, export_ru)
    [outcome] = russia.deliver_outbox(india)
    assert outcome["status"] == "accepted"
    imported = only(india.store.declarations.values())
    assert imported.assessment is not None and imported.assessment.country == "IN"

    [ack_outcome] = india.deliver_outbox(russia)

    assert ack_outcome["status"] == "stored"
    assert russia.store.declarations[export.id].peer_id == imported.id


def test_replaying_the_prearrival_is_a_duplicate_with_no_second_effect(
    india: Any, russia: Any, export_in: dict[str, Any]
) -> None:
    file_green(india, export_in)
    text = prearrival_text(india)
    first = russia.receive(text)
    before = copy.deepcopy(
        (russia.store.declarations, russia.store.outbox, russia.store.inbox, russia.store.traders)
    )

    again = russia.receive(text)
    as_bytes = russia.receive(text.encode("utf-8"))
    as_dict = russia.receive(json.loads(text))

    for outcome in (again, as_bytes, as_dict):
        assert outcome["status"] == "duplicate"
        assert outcome["message_id"] == first["message_id"]
        assert outcome["first_outcome"]["import_declaration_id"] == first["import_declaration_id"]
    after = (russia.store.declarations, russia.store.outbox, russia.store.inbox, russia.store.traders)
    assert after == before
    assert russia.store.rejections == []


def test_replaying_the_acknowledgement_is_a_duplicate(
    india: Any, russia: Any, export_in: dict[str, Any]
) -> None:
    export = file_green(india, export_in)
    india.deliver_outbox(russia)
    ack_text = only(russia.outbox()).envelope
    india.receive(ack_text)
    stages_before = len(india.store.stages[export.id])

    outcome = india.receive(ack_text)

    assert outcome["status"] == "duplicate"
    assert len(india.store.stages[export.id]) == stages_before


def tamper_body(text: str) -> str:
    raw = json.loads(text)
    raw["body"]["declaration"]["Declaration"]["InvoiceAmount"]["value"] = "1.00"
    return canonical(raw).decode("utf-8")


def tamper_signature(text: str) -> str:
    raw = json.loads(text)
    first = raw["signature"][0]
    raw["signature"] = ("B" if first == "A" else "A") + raw["signature"][1:]
    return canonical(raw).decode("utf-8")


def tamper_recipient(text: str) -> str:
    raw = json.loads(text)
    raw["header"]["recipient"] = "CN"
    return canonical(raw).decode("utf-8")


def tamper_key_id(text: str) -> str:
    raw = json.loads(text)
    raw["header"]["key_id"] = "IN-unknown-key"
    return canonical(raw).decode("utf-8")


def tamper_extra_member(text: str) -> str:
    raw = json.loads(text)
    raw["header"]["priority"] = "high"
    return canonical(raw).decode("utf-8")


def truncate(text: str) -> str:
    return text[:-1]


def respell(text: str) -> str:
    """The same JSON value, not in canonical form."""
    return json.dumps(json.loads(text), indent=1)


@pytest.mark.parametrize(
    ("tamper", "field"),
    [
        (tamper_body, "signature"),
        (tamper_signature, "signature"),
        (tamper_recipient, "header.recipient"),
        (tamper_key_id, "header.key_id"),
        (tamper_extra_member, "header.priority"),
        (truncate, "envelope"),
        (respell, "envelope"),
    ],
)
def test_a_tampered_envelope_is_rejected_recorded_and_has_no_effect(
    india: Any, russia: Any, export_in: dict[str, Any], tamper: Any, field: str
) -> None:
    file_green(india, export_in)
    text = prearrival_text(india)

    outcome = russia.receive(tamper(text))

    assert outcome["status"] == "rejected"
    assert outcome["field"] == field
    assert russia.store.declarations == {}
    assert russia.store.outbox == {}
    assert russia.store.inbox == {}
    rejection = only(russia.store.rejections)
    assert rejection["field"] == field
    assert rejection["reason"] == outcome["reason"]
    if field in ("signature", "header.recipient", "header.key_id"):  # failed after the wire checks
        assert rejection["message_id"] == parse(json.loads(text)).header.message_id
        assert rejection["sender"] == "IN"
    else:  # the shape was wrong: nothing in the header is trusted enough to record
        assert (rejection["message_id"], rejection["sender"]) == (None, None)
    # the genuine envelope still goes through afterwards
    assert russia.receive(text)["status"] == "accepted"


def test_a_stale_envelope_is_rejected(india: Any, russia: Any, export_in: dict[str, Any], clock: Any) -> None:
    file_green(india, export_in)
    clock.advance(timedelta(minutes=10, seconds=1))

    outcome = russia.receive(prearrival_text(india))

    assert (outcome["status"], outcome["field"]) == ("rejected", "header.created")
    assert "stale" in outcome["reason"]
    assert russia.store.declarations == {}


def test_an_envelope_from_a_revoked_key_is_rejected(
    india: Any, russia: Any, export_in: dict[str, Any]
) -> None:
    file_green(india, export_in)
    text = prearrival_text(india)
    russia.keyring.revoke(parse(json.loads(text)).header.key_id)

    outcome = russia.receive(text)

    assert (outcome["status"], outcome["field"]) == ("rejected", "header.key_id")
    assert "revoked" in outcome["reason"]


def test_a_node_refuses_its_own_messages(india: Any, export_in: dict[str, Any], clock: Any) -> None:
    text = sealed_by(india, message_type=PREARRIVAL, body={"x": 1}, recipient="IN", now=clock())

    outcome = india.receive(text)

    assert (outcome["status"], outcome["field"]) == ("rejected", "header.sender")


def test_an_unknown_message_type_is_rejected(india: Any, russia: Any, clock: Any) -> None:
    text = sealed_by(india, message_type="customs.gossip.v1", body={}, recipient="RU", now=clock())

    outcome = russia.receive(text)

    assert (outcome["status"], outcome["field"]) == ("rejected", "header.type")
    assert russia.store.inbox == {}


def test_a_prearrival_without_an_export_id_is_rejected_with_the_body_path(
    india: Any, russia: Any, clock: Any
) -> None:
    text = sealed_by(india, message_type=PREARRIVAL, body={"declaration": {}}, recipient="RU", now=clock())

    outcome = russia.receive(text)

    assert (outcome["status"], outcome["field"]) == ("rejected", "body.export_declaration_id")
    assert outcome["errors"] == [{"path": "body.export_declaration_id", "reason": "missing or not a string"}]
    assert russia.store.inbox == {}
    assert russia.store.outbox == {}


def test_an_invalid_prearrival_declaration_is_answered_with_a_rejected_ack(
    india: Any, russia: Any, export_in: dict[str, Any], clock: Any
) -> None:
    items = export_in["Declaration"]["GoodsShipment"]["GovernmentAgencyGoodsItem"]
    items[0]["Commodity"]["Classification"][1]["ID"] = "999999"  # not a TN VED code
    body = {"export_declaration_id": "25INFAKE0000000001", "declaration": export_in}
    text = sealed_by(india, message_type=PREARRIVAL, body=body, recipient="RU", now=clock())

    outcome = russia.receive(text)

    assert (outcome["status"], outcome["decision"]) == ("processed", "rejected")  # answered, not refused
    assert russia.store.declarations == {}
    ack = parse(json.loads(only(russia.outbox(ACKNOWLEDGEMENT)).envelope)).body
    assert ack["status"] == "rejected"
    assert ack["export_declaration_id"] == "25INFAKE0000000001"
    paths = [r["path"] for r in ack["reasons"]]
    assert "Declaration.GoodsShipment.GovernmentAgencyGoodsItem[0].Commodity.Classification[1].ID" in paths


def test_an_ack_for_an_unknown_export_is_rejected(india: Any, russia: Any, clock: Any) -> None:
    body = {"export_declaration_id": "25INNOSUCHDECL0001", "status": "accepted", "reasons": []}
    text = sealed_by(russia, message_type=ACKNOWLEDGEMENT, body=body, recipient="IN", now=clock())

    outcome = india.receive(text)

    assert (outcome["status"], outcome["field"]) == ("rejected", "body.export_declaration_id")
    assert india.store.inbox == {}


def test_an_ack_with_a_lane_the_corridor_does_not_know_is_refused_with_its_field(
    india: Any, russia: Any, export_in: dict[str, Any], clock: Any
) -> None:
    export = file_green(india, export_in)
    body = {"export_declaration_id": export.id, "status": "accepted", "reasons": [], "lane": "purple"}
    text = sealed_by(russia, message_type=ACKNOWLEDGEMENT, body=body, recipient="IN", now=clock())

    outcome = india.receive(text)

    assert (outcome["status"], outcome["field"]) == ("rejected", "body.lane")
    assert india.store.declarations[export.id].ack is None
    assert india.store.declarations[export.id].peer_id is None


def test_an_ack_naming_an_import_declaration_is_rejected_not_raised(
    india: Any, russia: Any, export_ru: dict[str, Any], clock: Any
) -> None:
    file_green(russia, export_ru)
    russia.deliver_outbox(india)  # IN now holds an import declaration
    import_id = only(india.store.declarations.values()).id
    body = {"export_declaration_id": import_id, "status": "accepted", "reasons": []}
    text = sealed_by(russia, message_type=ACKNOWLEDGEMENT, body=body, recipient="IN", now=clock())

    outcome = india.receive(text)

    assert (outcome["status"], outcome["field"]) == ("rejected", "body.export_declaration_id")
    assert len(india.store.rejections) == 1


def test_a_prearrival_for_goods_destined_elsewhere_is_rejected(
    make_node: Any, india: Any, export_ru: dict[str, Any], clock: Any
) -> None:
    russia = make_node("RU", real_duties=False)  # stub duties: the RU tariff has no row for these goods
    russia.keyring.import_public(india.keyring.export_public())
    # IN (a trusted peer) sends RU the pre-arrival data of an RU->IN consignment
    body = {"export_declaration_id": "25INFAKE0000000002", "declaration": export_ru}
    text = sealed_by(india, message_type=PREARRIVAL, body=body, recipient="RU", now=clock())

    outcome = russia.receive(text)

    assert (outcome["status"], outcome["decision"]) == ("processed", "rejected")  # answered, not refused
    assert russia.store.declarations == {}


def test_a_non_canonical_variant_of_a_signed_envelope_is_rejected(
    india: Any, russia: Any, export_in: dict[str, Any], clock: Any
) -> None:
    export = file_green(india, export_in)
    body = {"export_declaration_id": export.id, "status": "accepted", "reasons": [], "note": "a\x1fb"}
    text = sealed_by(russia, message_type=ACKNOWLEDGEMENT, body=body, recipient="IN", now=clock())
    assert "\\u001f" in text
    variant = text.replace("\\u001f", "\\u001F")  # one byte differs, the JSON value is the same
    assert sum(a != b for a, b in zip(text, variant, strict=True)) == 1

    outcome = india.receive(variant)

    assert (outcome["status"], outcome["field"]) == ("rejected", "envelope")
    assert india.store.declarations[export.id].ack is None
    assert india.receive(text)["status"] == "stored"  # the canonical original is still good


def test_a_prearrival_the_destination_tariff_cannot_assess_still_gets_an_answer(
    india: Any, russia: Any, export_in: dict[str, Any]
) -> None:
    item = export_in["Declaration"]["GoodsShipment"]["GovernmentAgencyGoodsItem"][0]
    item["Commodity"]["Description"] = "Coffee, not roasted"
    item["Commodity"]["Classification"] = [
        {"ID": "09011111", "IdentificationTypeCode": "ITC-HS"},  # HS 0901.11, valid at both ends
        {
            "ID": "0901110000",
            "IdentificationTypeCode": "TNVED",
        },  # no RU-Flow.IMPORT-DUTY row in tariff_ru.yaml
    ]
    file_green(india, export_in)

    outcome = russia.receive(prearrival_text(india))

    assert outcome["status"] in ("accepted", "processed")
    assert len(russia.outbox(ACKNOWLEDGEMENT)) == 1


def test_an_enqueued_message_is_sealed_by_the_signer_for_the_recipient(india: Any, clock: Any) -> None:
    from corridor.adapters.memory import MemoryUnitOfWork

    with MemoryUnitOfWork(india.store) as uow:
        message_id = enqueue(
            uow, india.ctx.signer, recipient="RU", message_type="t.v1", body={"a": 1}, now=clock()
        )
        uow.commit()

    message = india.store.outbox[message_id]
    assert (message.recipient, message.type, message.status, message.attempts) == ("RU", "t.v1", "pending", 0)
    assert message.next_attempt_at == clock()
    envelope = parse(json.loads(message.envelope))
    assert envelope.header.key_id == india.keyring.active_key_id()
    assert envelope.body == {"a": 1}


PRE_WCO = Path(__file__).parents[2] / "integration" / "fixtures" / "pre-wco-declarations.json"


def test_prearrival_data_from_a_peer_on_the_pre_wco_shape_is_translated(
    india: Any, russia: Any, clock: Any
) -> None:
    legacy = json.loads(PRE_WCO.read_text(encoding="utf-8"))["export"]
    body = {"export_declaration_id": "peer-export-7", "declaration": legacy, "documents": []}
    text = sealed_by(india, message_type=PREARRIVAL, body=body, recipient="RU", now=clock())

    outcome = russia.receive(text)

    assert outcome["status"] == "accepted", outcome
    imported = only(russia.store.declarations.values())
    d = imported.document_json()["Declaration"]
    old = legacy["Declaration"]
    assert d["DeclarationOffice"] == {"ID": old["GoodsShipment"]["Consignment"]["UnloadingLocation"]["ID"]}
    assert d["InvoiceAmount"] == old["Invoice"]["TotalAmount"]
    assert d["GoodsShipment"]["Importer"]["ID"] == old["Importer"]["ID"] == imported.trader_id
    assert d["GoodsShipment"]["Destination"] == {"CountryCode": "RU"}
    assert d["GoodsShipment"]["AEOMutualRecognitionParty"] == [{"ID": "INAEO123456", "RoleCode": "EX"}]
    assert imported.assessment is not None
    fee = view_for("trader", imported)["assessment"]["lines"][0]["DutyTaxFee"][0]
    assert set(fee["Payment"]) == {"TaxAssessedAmount"}


def test_the_importer_counts_as_aeo_when_the_declaration_lists_it(
    india: Any, russia: Any, export_in: dict[str, Any]
) -> None:
    shipment = export_in["Declaration"]["GoodsShipment"]
    shipment["AEOMutualRecognitionParty"] = [{"ID": "RUAEO100200", "RoleCode": "IM"}]
    file_green(india, export_in)
    india.deliver_outbox(russia)
    importer = russia.store.traders[shipment["Importer"]["ID"]]
    assert importer.aeo
    assert not india.store.traders[export_in["Declaration"]["Exporter"]["ID"]].aeo


def test_the_import_declaration_is_built_without_changing_the_export_data(export_in: dict[str, Any]) -> None:
    from corridor.customs.handlers.prearrival import _import_declaration

    export_in["Declaration"]["GoodsShipment"]["Consignment"]["GoodsLocation"] = {"ID": "INNSA"}
    before = copy.deepcopy(export_in)
    built = _import_declaration(export_in)
    assert export_in == before  # the received body is shared with the log context, left as it came
    d = built["Declaration"]
    unloading = before["Declaration"]["GoodsShipment"]["Consignment"]["UnloadingLocation"]["ID"]
    assert d["TypeCode"] == "IM" and d["DeclarationOffice"] == {"ID": unloading}
    assert d["GoodsShipment"]["Consignment"]["GoodsLocation"] == {"ID": unloading}
    assert all("GovernmentProcedure" not in item for item in d["GoodsShipment"]["GovernmentAgencyGoodsItem"])
    assert any(
        "GovernmentProcedure" in item
        for item in before["Declaration"]["GoodsShipment"]["GovernmentAgencyGoodsItem"]
    )
