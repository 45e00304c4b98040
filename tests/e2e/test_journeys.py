"""The corridor's journeys as their users live them, through each node's HTTP API: the exporter
files once, customs at both ends decide before the goods arrive, the carrier reports the voyage,
the importer pays, and the goods are released. One test per journey; the steps are in
``journey_steps``."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.journey_steps import (
    AUTOMATED,
    SHRIMP,
    Journey,
    currencies,
    example,
    money,
    reasons,
    stage,
    stages,
    taxes,
    with_declarant,
)

Start = Callable[[dict[str, Any]], Journey]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    """Start a journey of a declaration between two fresh nodes (closed when the test ends)."""
    started: list[Journey] = []

    def journey(document: dict[str, Any]) -> Journey:
        started.append(Journey(tmp_path / str(len(started)), document))
        return started[-1]

    yield journey
    for one in started:
        one.close()


def test_shrimp_from_nhava_sheva_to_st_petersburg_released_on_arrival(start: Start) -> None:
    """An Indian AEO exporter ships frozen vannamei shrimp in a reefer container from Nhava Sheva
    to an AEO importer in St Petersburg. The export is green and gets its Let Export Order at once;
    the signed pre-arrival data reaches Russia, which assesses import duty and the reduced VAT on
    seafood before the ship sails. Shrimp is under veterinary control, so the import is yellow
    even for an AEO: the officer checks the documents while the ship is at sea, the importer pays,
    and the goods are released the moment the vessel arrives, with no officer at the quay."""
    journey = start(example(SHRIMP))

    export = journey.exporter_files()
    assert (export["status"], export["lane"]) == ("cleared", "green")
    journey.messages_cross()

    imported = journey.import_declaration()  # built from the pre-arrival data: nothing re-keyed
    assert imported["peer_declaration_id"] == export["id"]
    assert (imported["status"], imported["lane"]) == ("under_control", "yellow")
    assert currencies(imported) == {"RUB"}  # assessed while the goods are still in India
    duty, vat = taxes(imported)["RU-IMPORT-DUTY"], taxes(imported)["RU-VAT"]
    assert vat["TaxRateNumeric"] == "10"  # the reduced rate on seafood, not the standard 22 %
    customs_value = money(imported["assessment"]["lines"][0]["CustomsValueAmount"])
    assert money(vat["AdValoremTaxBaseAmount"]) == customs_value + money(duty["Payment"]["TaxAssessedAmount"])
    acknowledged = journey.exporter.get(f"/v1/declarations/{export['id']}")["acknowledgement"]
    assert acknowledged is not None and acknowledged["status"] == "accepted"
    assert acknowledged["lane"] == "yellow"

    checked = journey.import_officer_clears(
        imported, "veterinary certificate and listed establishment checked"
    )
    assert checked["status"] == "pre_assessed"  # documents conform before arrival: nothing left but payment
    journey.importer_pays_the_duties(imported)
    journey.vessel_departs(export["id"], days_at_sea=30)
    assert journey.import_declaration()["status"] == "pre_assessed"
    journey.vessel_arrives()

    released = journey.import_declaration()
    assert released["status"] == "released"
    timeline = journey.import_timeline()
    assert stages(timeline).index("arrival") < stages(timeline).index("release")
    release, arrival = stage(timeline, "release"), stage(timeline, "arrival")
    assert release["at"] == arrival["at"] and release["detail"]["officer"] == AUTOMATED
    consignment = journey.importer.get(f"/v1/consignments/{export['id']}/timeline")
    assert consignment["release_hours"] == 0


def test_the_shrimp_duties_are_a_posted_transfer_and_both_ledgers_agree_on_the_invoice(start: Start) -> None:
    """The shrimp again, with money: St Petersburg's node takes only a bank's deposit as funds.
    The importer cannot pay its duties before its bank credits its rouble account; once it has,
    paying moves the roubles to the Russian customs revenue account in the same transaction that
    records the payment, and the arrival releases the goods. At Nhava Sheva the importer's bank
    pays the dollar invoice from roubles at the stored rate; the destination's ledger books the same
    transfers, and both ledgers balance."""
    journey = start(example(SHRIMP))
    journey.funding_is_explicit_at("RU")
    export = journey.exporter_files()
    journey.messages_cross()
    imported = journey.import_declaration()
    journey.import_officer_clears(imported, "veterinary certificate and listed establishment checked")
    [duties] = imported["assessment"]["totals"]
    importer = journey.importer.party

    refused = journey.importer_pays_the_duties(imported, expect=422)
    assert refused["errors"][0]["path"] == "duties[0].amount"  # nothing in the account: it would overdraw
    assert "duty_payment" not in stages(journey.import_timeline())
    journey.bank_deposits("RU", importer, duties)
    journey.importer_pays_the_duties(imported)
    payment = stage(journey.import_timeline(), "duty_payment")
    assert payment["detail"]["transfers"] == [f"duty:{imported['id']}:RUB"]
    assert journey.balance("RU", "customs:RU") == money(duties)
    assert journey.balance("RU", f"cust:{importer}:RUB") == 0

    journey.vessel_departs(export["id"], days_at_sea=30)
    journey.vessel_arrives()
    assert journey.import_declaration()["status"] == "released"

    transfers = journey.importers_bank_pays_the_invoice(export["id"], "RUB", "USD")
    journey.messages_cross()
    exporter = f"cust:{journey.exporter.party}:USD"
    invoice = money(example(SHRIMP)["Declaration"]["InvoiceAmount"])
    assert journey.balance("IN", exporter) == journey.balance("RU", exporter) == invoice
    for country in ("IN", "RU"):
        statement = journey.bank(country).get(f"/v1/ledger/balance?account=cust:{importer}:RUB")
        assert Decimal(statement["debits_posted"]) > 0, country
        assert journey.ledger_balances(country), f"the {country} ledger balances"
    assert len(transfers) >= 2  # the sample funding at the origin, then the conversion's two legs


def test_dap_fertiliser_from_vladivostok_to_chennai_is_pre_cleared_paid_and_released_on_arrival(
    start: Start,
) -> None:
    """A Russian exporter ships diammonium phosphate to an AEO importer in Chennai. Fertiliser
    exports are under quota, so the Russian export officer checks the allocation before the Let
    Export Order. India's risk engine keeps the AEO importer green: the duties are assessed on the
    CIF value before the ship sails, the importer pays, and the vessel's arrival releases the goods
    without any officer at the Indian end."""
    journey = start(example("ru-in-fertiliser.json"))

    export = journey.exporter_files()
    assert (export["status"], export["lane"]) == ("under_control", "yellow")
    export = journey.export_officer_clears(export, "export quota allocation checked")
    assert export["status"] == "cleared"
    journey.messages_cross()

    imported = journey.import_declaration()
    assert (imported["status"], imported["lane"]) == ("pre_assessed", "green")
    assert currencies(imported) == {"INR"}
    assert journey.import_officers_queue() == []  # nothing for an officer to do
    journey.importer_pays_the_duties(imported)
    journey.vessel_departs(export["id"], days_at_sea=24)
    journey.vessel_arrives()

    timeline = journey.import_timeline()
    assert timeline["status"] == "released"
    assert stage(timeline, "release")["at"] == stage(timeline, "arrival")["at"]
    assert stage(timeline, "release")["detail"]["officer"] == AUTOMATED
    assert "examination" not in stages(timeline)


def test_crude_oil_from_vladivostok_to_chennai_pays_bcd_nccd_and_sws_and_is_released_after_the_officers_check(
    start: Start,
) -> None:
    """Crude oil for a refinery in Chennai: India assesses its levies in rupees before arrival
    (specific basic customs duty and calamity duty per tonne, the social welfare surcharge; crude
    is outside GST). The importer is new to the corridor, so an officer checks the consignment once
    the tanker is in; paid and found conform, the oil is released, and the importer follows the
    carrier's milestones and customs' stages on one timeline."""
    journey = start(example("ru-in-crude-oil.json"))

    export = journey.export_is_cleared()
    imported = journey.import_declaration()
    assert imported["peer_declaration_id"] == export["id"]
    assert currencies(imported) == {"INR"}
    levied = {code for code, tax in taxes(imported).items() if tax["Levied"]}
    assert levied == {"IN-BCD", "IN-NCCD", "IN-SWS"} and "IN-IGST" in taxes(imported)

    journey.importer_pays_the_duties(imported)
    journey.carrier_reports_the_voyage(export["id"], days_at_sea=22)
    assert journey.import_declaration()["status"] == "under_control"  # waits for the officer
    journey.import_officer_clears(imported, "examined: conform")

    assert journey.import_declaration()["status"] == "released"
    consignment = journey.importer.get(f"/v1/consignments/{export['id']}/timeline")
    sources = {(entry["source"], entry["what"]) for entry in consignment["timeline"]}
    assert {("customs", "arrival"), ("customs", "release")} <= sources
    assert ("logistics", "departing") in sources and consignment["release_hours"] is not None


def test_red_lane_shrimp_is_examined_after_arrival_and_released_by_the_officer(start: Start) -> None:
    """The chamber of commerce revokes the shrimp's certificate of origin before the exporter files
    (issued in error). Both nodes see the revocation and put the consignment in the red lane. The
    export officer checks it and lets it go; at St Petersburg a physical examination needs the
    goods, so the officer waits for the vessel: the consignment joins the queue on arrival with
    its due time, the officer examines the goods, finds them conform and releases them."""
    journey = start(example(SHRIMP))
    paperwork = journey.chamber_issues_the_paperwork()
    journey.chamber_revokes(paperwork[0], "issued in error")
    journey.messages_cross()  # the destination learns of the revocation

    export = journey.exporter_files(paperwork)
    assert (export["status"], export["lane"]) == ("under_control", "red")
    journey.export_officer_clears(export, "goods and certificate examined at the CFS")
    journey.messages_cross()
    imported = journey.import_declaration()
    assert (imported["status"], imported["lane"]) == ("under_control", "red")

    refused = journey.import_officer_clears(imported, "examined", expect=409)
    assert "not arrived" in refused["error"]  # a physical examination needs the goods
    journey.importer_pays_the_duties(imported)
    journey.vessel_departs(export["id"])
    journey.vessel_arrives()
    [queued] = journey.import_officers_queue()
    assert queued["id"] == imported["id"] and queued["lane"] == "red"
    arrived = datetime.fromisoformat(stage(journey.import_timeline(), "arrival")["at"])
    assert datetime.fromisoformat(queued["due"]) - arrived == timedelta(hours=48)
    assert "conform" in journey.import_officer_releases(imported, expect=409)["error"]

    released = journey.import_officer_clears(imported, "container opened at the quay: conform")
    assert released["status"] == "released"
    release = stage(journey.import_timeline(), "release")
    assert release["detail"]["officer"] == journey.import_officer.party
    assert datetime.fromisoformat(release["at"]) > arrived
    assert journey.import_officers_queue() == []


def test_st_petersburg_holds_the_shrimp_for_a_laboratory_test_and_releases_it_when_the_result_is_in(
    start: Start,
) -> None:
    """While the shrimp is at sea the Russian officer decides to have it sampled for a laboratory
    test on arrival and holds the import. Paid or not, held goods are not released when the vessel
    arrives; the officer finds the held consignment, and when the laboratory finds it conform two
    days later, clears and releases it."""
    journey = start(example(SHRIMP))
    export = journey.exporter_files()
    journey.messages_cross()
    imported = journey.import_declaration()

    held = journey.import_officer_holds(imported, "veterinary sampling for a laboratory test on arrival")
    assert held["status"] == "held"
    journey.importer_pays_the_duties(imported)
    journey.vessel_departs(export["id"])
    journey.vessel_arrives()
    assert journey.import_declaration()["status"] == "held"
    on_hold = journey.import_officer.get("/v1/declarations?status=held")["items"]
    assert [declaration["id"] for declaration in on_hold] == [imported["id"]]

    journey.time_passes(hours=48)
    released = journey.import_officer_clears(imported, "laboratory result: conform")
    assert released["status"] == "released"
    timeline = journey.import_timeline()
    arrived, release = stage(timeline, "arrival"), stage(timeline, "release")
    assert datetime.fromisoformat(release["at"]) - datetime.fromisoformat(arrived["at"]) >= timedelta(
        hours=48
    )
    assert release["detail"]["officer"] == journey.import_officer.party


def test_a_certificate_revoked_by_the_chamber_sends_the_consignment_red_at_both_ends(start: Start) -> None:
    """The chamber that certified the shrimp's origin revokes the certificate. The revocation
    travels to Russia as a signed message, so the importer's side can verify the certificate and
    see that it no longer stands. When the exporter files with it, each node finds the revoked
    certificate, puts the consignment in the red lane and tells its officers why; the traders see
    the lane but not the risk findings."""
    journey = start(example(SHRIMP))
    paperwork = journey.chamber_issues_the_paperwork()
    certificate = paperwork[0]
    assert journey.importer.post("/v1/documents/verify", {"document": certificate}, 200)["valid"]

    journey.chamber_revokes(certificate, "issued in error")
    journey.messages_cross()
    verdict = journey.importer.post("/v1/documents/verify", {"document": certificate}, 422)
    assert verdict["valid"] is False and verdict["lane"] == "red"
    assert "revoked" in " ".join(check["message"] for check in verdict["checks"])

    export = journey.exporter_files(paperwork)
    assert export["lane"] == "red" and "risk" not in export
    findings = journey.export_officer.get(f"/v1/declarations/{export['id']}")["risk"]["documents"]
    assert "revoked" in reasons(findings)
    journey.export_officer_clears(export, "goods examined; certificate to be reissued")
    journey.messages_cross()

    imported = journey.import_declaration()
    assert imported["lane"] == "red" and "risk" not in imported
    findings = journey.import_officer.get(f"/v1/declarations/{imported['id']}")["risk"]["documents"]
    revoked = [finding for finding in findings if finding["lane"] == "red"]
    assert [finding["path"] for finding in revoked] == ["Declaration.AdditionalDocument[0].ID"]
    assert "revoked" in reasons(revoked) and "issued in error" in reasons(revoked)
    assert "no certificate of origin" in reasons(findings)  # the revoked one no longer counts


def test_export_office_holds_shrimp_after_the_let_export_order_and_lifts_the_hold_before_departure(
    start: Start,
) -> None:
    """After the Let Export Order, but before the ship leaves Nhava Sheva, the export office learns
    something that makes it stop the container. It holds the export; Russia is told and holds its
    import declaration, so the goods could not be released on arrival even if paid. The export
    office re-examines, lifts its hold, Russia frees the import, and the shrimp continues its
    journey: checked, paid and released on arrival. Once the ship has sailed the export office can
    no longer hold the goods."""
    journey = start(example(SHRIMP))
    export = journey.exporter_files()
    journey.messages_cross()

    stopped = journey.export_officer_holds(export, "alert: container to be re-examined before loading")
    assert stopped["status"] == "stopped"
    journey.messages_cross()
    imported = journey.import_declaration()
    assert imported["status"] == "held"
    assert stage(journey.import_timeline(), "export_control")["detail"]["held"] is True
    journey.importer_pays_the_duties(imported)
    assert journey.import_declaration()["status"] == "held"

    lifted = journey.export_officer_clears(stopped, "re-examined at the CFS: conform")
    assert lifted["status"] == "cleared"
    journey.messages_cross()
    assert journey.import_declaration()["status"] == "under_control"  # back to its yellow-lane check
    journey.import_officer_clears(imported, "veterinary certificate checked")
    journey.vessel_departs(export["id"])
    refused = journey.export_officer_holds(lifted, "too late", expect=409)
    assert "INNSA" in refused["error"]  # the goods left Nhava Sheva: Russia controls them now
    journey.vessel_arrives()

    timeline = journey.import_timeline()
    assert timeline["status"] == "released"
    assert stage(timeline, "release")["at"] == stage(timeline, "arrival")["at"]


def test_prearrival_data_the_destination_cannot_assess_is_rejected_with_reasons_back_at_the_origin(
    start: Start,
) -> None:
    """An exporter ships frozen mud crab, a good that Russia's node holds no tariff line for. The
    export clears, but the destination cannot assess duties on the pre-arrival data: it rejects
    the message, and the exporter reads why on its own export declaration. No import declaration
    is made at the destination and nothing waits for its officers."""
    document = example(SHRIMP)
    [item] = document["Declaration"]["GoodsShipment"]["GovernmentAgencyGoodsItem"]
    item["Commodity"]["Description"] = "Frozen mud crab (Scylla serrata), whole cooked"
    item["Commodity"]["Classification"] = [
        {"ID": "03061400", "IdentificationTypeCode": "ITC-HS"},
        {"ID": "0306149000", "IdentificationTypeCode": "TNVED"},
    ]
    journey = start(document)

    export = journey.exporter_files()
    assert export["status"] == "cleared"
    journey.messages_cross()

    answer = journey.exporter.get(f"/v1/declarations/{export['id']}")["acknowledgement"]
    assert answer["status"] == "rejected"
    assert "0306149000" in reasons(answer["reasons"]) and "RU" in reasons(answer["reasons"])
    assert all(reason["path"].startswith("Declaration.") for reason in answer["reasons"])
    assert journey.importer.get("/v1/declarations")["items"] == []
    assert journey.import_officer.get("/v1/declarations")["items"] == []
    assert journey.import_officers_queue() == []


def test_a_customs_broker_files_the_shrimp_under_the_exporters_mandate(start: Start) -> None:
    """A customs broker in Mumbai lodges the exporter's declaration, naming itself Declarant.
    Without the exporter's mandate on record the node refuses it; once the administrator records
    the mandate the broker files, both the broker and the exporter follow the declaration, and
    the consignment travels on to the importer as any other."""
    journey = start(example(SHRIMP))
    address: dict[str, Any] = {"CountryCode": "IN", "CityName": "Mumbai", "PostcodeID": "400001"}
    broker_party: dict[str, Any] = {
        "Name": "Sample Harbour Customs Brokers",
        "ID": "27AADFB7315K1ZF",
        "Address": address,
    }
    broker = journey.user("IN", "trader", broker_party["ID"])
    lodged = with_declarant(journey.document, broker_party)

    refused = broker.post("/v1/declarations", lodged, 403)
    assert "mandate" in refused["error"]
    admin = journey.user("IN", "admin", "IN-ADMIN")
    mandate = {"broker_id": broker.party, "exporter_id": journey.exporter.party}
    admin.post("/v1/mandates", mandate, 201)

    export = broker.post("/v1/declarations", lodged, 201)
    assert export["status"] == "cleared"
    assert export["declaration"]["Declaration"]["Declarant"]["ID"] == broker.party
    assert [d["id"] for d in journey.exporter.get("/v1/declarations")["items"]] == [export["id"]]
    journey.messages_cross()
    assert journey.import_declaration()["peer_declaration_id"] == export["id"]

    for_another = copy.deepcopy(lodged)  # a mandate from one exporter is not one from another
    for_another["Declaration"]["Exporter"]["ID"] = "AAKCT7310Q"
    for_another["Declaration"]["FunctionalReferenceID"] = "SAMPLE-IN-NSA-000418"
    assert "mandate" in broker.post("/v1/declarations", for_another, 403)["error"]


def test_another_trader_sees_nothing_of_the_journey(start: Start) -> None:
    """A trader who is no party to a consignment learns nothing of it at either node: its
    declarations and timelines answer 404 exactly like ones that do not exist."""
    journey = start(example("in-ru-pharmaceuticals.json"))
    export = journey.export_is_cleared()
    imported = journey.import_declaration()
    stranger = journey.user(journey.origin, "trader", "ZZZCZ9999Z")
    stranger_abroad = journey.user(journey.destination, "trader", "7804129374")

    assert stranger.get("/v1/declarations")["items"] == []
    assert stranger.http.get(f"/v1/declarations/{export['id']}").status_code == 404
    assert stranger_abroad.get("/v1/declarations")["items"] == []
    for path in (
        f"/v1/declarations/{imported['id']}",
        f"/v1/declarations/{imported['id']}/timeline",
        f"/v1/consignments/{export['id']}/timeline",
    ):
        missing = path.replace(imported["id"], "26RU00000000000000").replace(
            export["id"], "26IN00000000000000"
        )
        seen, unknown = stranger_abroad.http.get(path), stranger_abroad.http.get(missing)
        assert seen.status_code == unknown.status_code == 404
        assert seen.json().keys() == unknown.json().keys()


def test_an_exporter_files_three_shrimp_shipments_in_one_bulk_and_each_is_assessed_before_it_sails(
    start: Start,
) -> None:
    """A large exporter's system sends the day's declarations in one request: three shipments of
    the same shrimp, each with its own reference. Each is filed, cleared and sent on as if filed
    alone; Russia builds, assesses and acknowledges each import declaration before departure."""
    journey = start(example(SHRIMP))
    reference = journey.document["Declaration"]["FunctionalReferenceID"]
    documents = []
    for n in range(3):
        document = copy.deepcopy(journey.document)
        document["Declaration"]["FunctionalReferenceID"] = f"{reference}-{n}"
        documents.append(document)

    filed = journey.exporter.post("/v1/declarations/bulk", {"declarations": documents}, 200)
    assert (filed["filed"], filed["refused"]) == (3, 0)
    exports = [r["declaration"] for r in filed["results"]]
    assert [e["lrn"] for e in exports] == [f"{reference}-{n}" for n in range(3)]
    assert {(e["status"], e["lane"]) for e in exports} == {("cleared", "green")}
    journey.messages_cross()

    imports = journey.importer.get("/v1/declarations")["items"]
    assert sorted(i["peer_declaration_id"] for i in imports) == sorted(e["id"] for e in exports)
    assert {(i["status"], i["lane"]) for i in imports} == {("under_control", "yellow")}
    assert {tuple(sorted(taxes(i))) for i in imports} == {("RU-IMPORT-DUTY", "RU-VAT")}
    for export in exports:
        acknowledged = journey.exporter.get(f"/v1/declarations/{export['id']}")["acknowledgement"]
        assert acknowledged is not None and acknowledged["status"] == "accepted"
