"""The corridor's journeys as their users live them, through each node's HTTP API: the exporter
files once, customs at both ends decide before the goods arrive, the carrier reports the voyage,
the importer pays, and the goods are released. One test per journey; the steps are in
``journey_steps``."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.journey_steps import AUTOMATED, SHRIMP, Journey, example, reasons, stage, stages, with_declarant

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
    duties = imported["assessment"]
    assert {amount["currencyID"] for amount in duties["totals"]} == {"RUB"}  # assessed before sailing
    [line] = duties["lines"]
    taxes = {tax["TypeCode"]: tax for tax in line["DutyTaxFee"]}
    assert set(taxes) == {"RU-IMPORT-DUTY", "RU-VAT"}  # EAEU import duty, then Russian import VAT
    duty, vat = taxes["RU-IMPORT-DUTY"], taxes["RU-VAT"]
    assert vat["TaxRateNumeric"] == "10"  # the reduced rate on seafood, not the standard 22 %
    value_and_duty = money(line["CustomsValueAmount"]) + money(duty["Payment"]["TaxAssessedAmount"])
    assert money(vat["AdValoremTaxBaseAmount"]) == value_and_duty
    acknowledged = journey.exporter.get(f"/v1/declarations/{export['id']}")["acknowledgement"]
    assert acknowledged is not None and acknowledged["status"] == "accepted"
    assert acknowledged["lane"] == "yellow"

    checked = journey.import_officer_clears(imported, "veterinary certificate and listed establishment checked")
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


def money(amount: dict[str, Any]) -> Decimal:
    return Decimal(amount["value"])
