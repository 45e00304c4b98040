"""The corridor's journeys as their users live them, through each node's HTTP API: the exporter
files once, customs at both ends decide before the goods arrive, the carrier reports the voyage,
the importer pays, and the goods are released on arrival. One test per journey."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corridor.api.app import create_app
from corridor.demo.carrier import milestones
from corridor.demo.run import Corridor
from corridor.service.auth import create_api_key

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "declarations"
SELECTION_KEY = b"journey-tests-selection-key-0000"


class Clock:
    """Both nodes' clock, moved on by the test as the voyage goes."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Actor:
    """Someone who uses one node's API with a key bound to their role and party."""

    def __init__(self, corridor: Corridor, country: str, role: str, party: str) -> None:
        node = corridor.nodes[country]
        secret = create_api_key(node.uow(), role, party, f"{role} {party}", node.bus.ctx.clock())
        self.http = TestClient(create_app(node), raise_server_exceptions=False)
        self.http.headers["X-API-Key"] = secret

    def post(self, path: str, body: Any, expect: int) -> dict[str, Any]:
        response = self.http.post(path, json=body)
        assert response.status_code == expect, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def get(self, path: str) -> dict[str, Any]:
        response = self.http.get(path)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


class Journey:
    """One consignment from its example declaration to release at the destination."""

    def __init__(self, tmp_path: Path, example: str) -> None:
        self.document = json.loads((EXAMPLES / example).read_text("utf-8"))
        declaration = self.document["Declaration"]
        self.clock = Clock(datetime.fromisoformat(declaration["IssueDateTime"]) + timedelta(hours=1))
        self.corridor = Corridor.embedded(tmp_path, clock=self.clock, selection_key=SELECTION_KEY)
        self.origin = "IN" if declaration["Exporter"]["Address"]["CountryCode"] == "IN" else "RU"
        self.destination = "RU" if self.origin == "IN" else "IN"
        carrier = declaration["GoodsShipment"]["Consignment"]["Carrier"]["ID"]
        self.exporter = Actor(self.corridor, self.origin, "trader", declaration["Exporter"]["ID"])
        self.export_officer = Actor(self.corridor, self.origin, "officer", f"{self.origin}-OFFICER-1")
        self.importer = Actor(self.corridor, self.destination, "trader", importer_id(declaration))
        self.import_officer = Actor(
            self.corridor, self.destination, "officer", f"{self.destination}-OFFICER-1"
        )
        self.carrier = Actor(self.corridor, self.origin, "carrier", carrier)

    def exporter_files(self) -> dict[str, Any]:
        export = self.exporter.post("/v1/declarations", self.document, 201)
        if export["status"] == "under_control":  # yellow or red: the export officer decides
            export = self.export_officer.post(
                f"/v1/declarations/{export['id']}/clear", {"findings": "documents in order"}, 200
            )
        self.corridor.pump()  # the signed pre-arrival data crosses to the destination
        return export

    def import_declaration(self) -> dict[str, Any]:
        [imported] = self.importer.get("/v1/declarations")["items"]
        return imported

    def importer_pays_the_duties(self, imported: dict[str, Any]) -> None:
        totals = imported["assessment"]["totals"]
        self.importer.post(
            f"/v1/declarations/{imported['id']}/payments", {"amounts": totals, "reference": "PAY-1"}, 200
        )

    def carrier_reports_the_voyage(self, export_id: str, days_at_sea: int) -> None:
        departure = self.clock.now + timedelta(days=1)
        voyage = milestones(self.document, export_id, departure, departure + timedelta(days=days_at_sea))
        for event in voyage["epcisBody"]["eventList"]:
            self.clock.now = max(
                self.clock.now, datetime.fromisoformat(event["eventTime"]) + timedelta(minutes=5)
            )
            self.carrier.post("/v1/events", {**voyage, "epcisBody": {"eventList": [event]}}, 202)
            self.corridor.pump()

    def officer_examines_if_selected(self, imported: dict[str, Any]) -> None:
        """A yellow or red import waits for the officer's examination; found conform and paid, it
        is released."""
        if imported["status"] == "under_control":
            self.import_officer.post(
                f"/v1/declarations/{imported['id']}/clear", {"findings": "examined: conform"}, 200
            )


def importer_id(declaration: dict[str, Any]) -> str:
    party = declaration.get("Importer") or declaration["GoodsShipment"]["Importer"]
    return str(party["ID"])


@pytest.fixture
def journeys(tmp_path: Path) -> Iterator[list[Journey]]:
    made: list[Journey] = []
    yield made
    for journey in made:
        journey.corridor.close()


def stages(timeline: dict[str, Any]) -> list[str]:
    return [stage["stage"] for stage in timeline["timeline"]]


def test_shrimp_from_mundra_to_astrakhan_is_cleared_before_arrival_and_released_on_arrival(
    tmp_path: Path, journeys: list[Journey]
) -> None:
    journey = Journey(tmp_path, "in-ru-shrimp.json")
    journeys.append(journey)

    export = journey.exporter_files()
    assert export["status"] == "cleared"

    imported = journey.import_declaration()  # built from the pre-arrival data: nothing re-keyed
    assert imported["peer_declaration_id"] == export["id"]
    duties = {amount["currencyID"] for amount in imported["assessment"]["totals"]}
    assert duties == {"RUB"}  # EAEU import duty and VAT, assessed before the ship sails
    acknowledged = journey.exporter.get(f"/v1/declarations/{export['id']}")["acknowledgement"]
    assert acknowledged is not None and acknowledged["status"] == "accepted"

    journey.importer_pays_the_duties(imported)
    journey.carrier_reports_the_voyage(export["id"], days_at_sea=20)
    journey.officer_examines_if_selected(journey.import_declaration())

    released = journey.import_declaration()
    assert released["status"] == "released"
    timeline = stages(journey.importer.get(f"/v1/declarations/{released['id']}/timeline"))
    assert timeline.index("arrival") < timeline.index("release")


def test_crude_oil_from_vladivostok_to_chennai_pays_bcd_sws_igst_and_is_released_on_arrival(
    tmp_path: Path, journeys: list[Journey]
) -> None:
    journey = Journey(tmp_path, "ru-in-crude-oil.json")
    journeys.append(journey)

    export = journey.exporter_files()
    imported = journey.import_declaration()
    duties = imported["assessment"]
    assert {amount["currencyID"] for amount in duties["totals"]} == {"INR"}
    assert imported["peer_declaration_id"] == export["id"]

    journey.importer_pays_the_duties(imported)
    journey.carrier_reports_the_voyage(export["id"], days_at_sea=22)
    journey.officer_examines_if_selected(journey.import_declaration())

    assert journey.import_declaration()["status"] == "released"
    # the importer follows its goods: the carrier's milestones and customs' stages on one timeline
    consignment = journey.importer.get(f"/v1/consignments/{export['id']}/timeline")
    sources = {(entry["source"], entry["what"]) for entry in consignment["timeline"]}
    assert {("customs", "arrival"), ("customs", "release")} <= sources
    assert ("logistics", "departing") in sources and consignment["release_hours"] is not None


def test_another_trader_sees_nothing_of_the_journey(tmp_path: Path, journeys: list[Journey]) -> None:
    journey = Journey(tmp_path, "in-ru-pharmaceuticals.json")
    journeys.append(journey)
    export = journey.exporter_files()
    stranger = Actor(journey.corridor, journey.origin, "trader", "ZZZCZ9999Z")

    assert stranger.get("/v1/declarations")["items"] == []
    assert stranger.http.get(f"/v1/declarations/{export['id']}").status_code == 404
