"""Issue journey: pre-arrival data, carrier events at both nodes, payment, release on arrival."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from corridor.customs.assessment import ReferenceAssessor
from corridor.customs.domain.risk import RiskDecision
from corridor.customs.domain.vocabulary import Lane, Status
from corridor.customs.views import view_for
from corridor.demo.carrier import milestones
from corridor.demo.run import Corridor
from corridor.demo.samples import SAMPLE_CARRIERS, SampleCorridor
from corridor.service.commands import (
    ClearDeclaration,
    FileDeclaration,
    PayDuties,
    PostEvents,
    ReleaseDeclaration,
)
from corridor.shared.errors import Conflict, InvalidInput

NOW = datetime.now(UTC)
CARRIER = SAMPLE_CARRIERS["IN"]["ID"]  # the declared carrier of the sample IN->RU consignments


class FixedLane(ReferenceAssessor):
    """Real duties; the risk decision forced to one lane so each path can be tested."""

    lane = "green"

    def risk(self, *args: Any, **kwargs: Any) -> RiskDecision:
        return super().risk(*args, **kwargs).forced(Lane(self.lane))


class Clock:
    """The nodes' clock, moved forward by the test as the ship sails."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def corridor_with(tmp_path: Path, lane: str, clock: Clock) -> Corridor:
    assessors = {}
    for country in ("IN", "RU"):
        assessor = FixedLane.for_country(country, b"test-node-selection-key-0000000000")
        assessor.lane = lane
        assessors[country] = assessor
    return Corridor.embedded(tmp_path, assessors=assessors, clock=clock)


def sail(
    corridor: Corridor, clock: Clock, export_id: str, document: dict[str, Any], steps: int
) -> dict[str, Any]:
    """Post the first ``steps`` milestones, each when it happens (departure tomorrow, 19 days at sea)."""
    departure = NOW + timedelta(days=1)
    events = milestones(document, export_id, departure, departure + timedelta(days=19), steps=steps)
    result: dict[str, Any] = {"accepted": 0, "duplicates": 0}
    for event in events["epcisBody"]["eventList"]:
        clock.now = max(clock.now, datetime.fromisoformat(event["eventTime"]) + timedelta(minutes=5))
        single = {**events, "epcisBody": {"eventList": [event]}}
        outcome = post(corridor, "IN", single)
        result = {k: result[k] + outcome[k] for k in ("accepted", "duplicates")}
    return result


def ship(corridor: Corridor, seed: int = 3) -> tuple[str, str, dict[str, Any]]:
    document = SampleCorridor(seed).next("IN", NOW)
    export = corridor.nodes["IN"].handle(FileDeclaration(document))
    if export.status == Status.UNDER_CONTROL:
        export = corridor.nodes["IN"].handle(ClearDeclaration(export.id, "IN-OFFICER", "ok"))
    corridor.pump()
    with corridor.nodes["RU"].uow() as uow:
        imported = uow.declarations.find_by_consignment(export.id)
    assert imported is not None
    return export.id, imported.id, document


def pay(corridor: Corridor, import_id: str) -> Any:
    with corridor.nodes["RU"].uow() as uow:
        declaration = uow.declarations.get(import_id)
    assert declaration is not None
    node = corridor.nodes["RU"]
    return node.handle(
        PayDuties(
            import_id,
            declaration.importer_id,
            view_for("trader", declaration)["assessment"]["totals"],
            "PAY-1",
        )
    )


def post(corridor: Corridor, node: str, document: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = corridor.nodes[node].handle(PostEvents(document, CARRIER))
    corridor.pump()
    return result


def status(corridor: Corridor, import_id: str) -> tuple[str, list[str]]:
    with corridor.nodes["RU"].uow() as uow:
        declaration = uow.declarations.get(import_id)
        stages = [s.name for s in uow.declarations.stages(import_id)]
    assert declaration is not None
    return declaration.status, stages


def test_green_paid_consignment_is_released_on_arrival(tmp_path: Path) -> None:
    clock = Clock()
    corridor = corridor_with(tmp_path, "green", clock)
    export_id, import_id, document = ship(corridor)
    pay(corridor, import_id)
    assert sail(corridor, clock, export_id, document, steps=5) == {"accepted": 5, "duplicates": 0}
    current, stages = status(corridor, import_id)
    assert current == Status.RELEASED
    assert stages.index("arrival") < stages.index("release")
    with corridor.nodes["RU"].uow() as uow:
        release = next(s for s in uow.declarations.stages(import_id) if s.name == "release")
        arrival = next(s for s in uow.declarations.stages(import_id) if s.name == "arrival")
        assert release.at == arrival.at  # out of charge at the arrival instant
        assert len(uow.events.for_consignment(export_id)) == 5  # the events reached the destination
    # the same events again: duplicates, no second effect
    assert sail(corridor, clock, export_id, document, steps=5) == {"accepted": 0, "duplicates": 5}
    corridor.close()


def test_unpaid_green_waits_and_is_released_when_paid(tmp_path: Path) -> None:
    clock = Clock()
    corridor = corridor_with(tmp_path, "green", clock)
    export_id, import_id, document = ship(corridor)
    sail(corridor, clock, export_id, document, steps=3)
    assert status(corridor, import_id)[0] != Status.RELEASED
    with pytest.raises(Conflict, match="not paid"):
        corridor.nodes["RU"].handle(ReleaseDeclaration(import_id, "RU-OFFICER", "arrived and paid"))
    pay(corridor, import_id)
    assert status(corridor, import_id)[0] == Status.RELEASED
    with pytest.raises(Conflict):
        pay(corridor, import_id)  # paid once only
    corridor.close()


def test_red_lane_goes_to_officer_queue_and_officer_releases(tmp_path: Path) -> None:
    clock = Clock()
    corridor = corridor_with(tmp_path, "red", clock)
    export_id, import_id, document = ship(corridor)
    with pytest.raises(Conflict, match="not arrived"):
        corridor.nodes["RU"].handle(ClearDeclaration(import_id, "RU-OFFICER", "early"))
    pay(corridor, import_id)
    sail(corridor, clock, export_id, document, steps=3)
    current, stages = status(corridor, import_id)
    assert current == Status.UNDER_CONTROL and "queued" in stages
    cleared = corridor.nodes["RU"].handle(
        ClearDeclaration(import_id, "RU-OFFICER", "seals intact, goods conform")
    )
    assert cleared.status == Status.RELEASED
    with pytest.raises(Conflict, match="already released"):
        corridor.nodes["RU"].handle(ReleaseDeclaration(import_id, "RU-OFFICER", "arrived and paid"))
    corridor.close()


def test_events_out_of_order_are_held_and_applied_in_order(tmp_path: Path) -> None:
    clock = Clock()
    corridor = corridor_with(tmp_path, "green", clock)
    export_id, import_id, document = ship(corridor)
    pay(corridor, import_id)
    departure = NOW + timedelta(days=1)
    full = milestones(document, export_id, departure, departure + timedelta(days=19), steps=3)
    clock.now = departure + timedelta(days=20)
    arrival_only = copy.deepcopy(full)
    arrival_only["epcisBody"]["eventList"] = [full["epcisBody"]["eventList"][2]]
    post(corridor, "IN", arrival_only)  # arrival before any departure is known: held
    assert status(corridor, import_id)[0] != Status.RELEASED
    post(corridor, "IN", full)  # the departure comes: the held arrival applies, release follows
    assert status(corridor, import_id)[0] == Status.RELEASED
    corridor.close()


def test_bad_events_are_refused_with_field_paths_and_nothing_stored(tmp_path: Path) -> None:
    clock = Clock()
    corridor = corridor_with(tmp_path, "green", clock)
    export_id, _, document = ship(corridor)
    departure = NOW + timedelta(days=1)
    clock.now = departure + timedelta(days=20)
    events = milestones(document, export_id, departure, departure - timedelta(days=1), steps=3)
    with pytest.raises(InvalidInput) as refused:
        corridor.nodes["IN"].handle(PostEvents(events, CARRIER))
    assert any(e.path.endswith("eventTime") for e in refused.value.errors)
    unknown = milestones(document, export_id, departure, departure + timedelta(days=19), steps=2)
    unknown["epcisBody"]["eventList"][1]["bizLocation"]["id"] = (
        "https://vocabulary.uncefact.org/unlocode#INZZZ"
    )
    with pytest.raises(InvalidInput) as refused:
        corridor.nodes["IN"].handle(PostEvents(unknown, CARRIER))
    assert any("INZZZ" in e.reason for e in refused.value.errors)
    with corridor.nodes["IN"].uow() as uow:
        assert uow.events.for_consignment(export_id) == []
        assert uow.outbox.count() == 1  # only the pre-arrival message; no events went out
    corridor.close()


def refusal(corridor: Corridor, node: str, document: dict[str, Any], carrier: str) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as refused:
        corridor.nodes[node].handle(PostEvents(document, carrier))
    return [(e.path, e.reason) for e in refused.value.errors]


def test_another_carrier_cannot_post_events_for_a_consignment_it_does_not_carry(tmp_path: Path) -> None:
    clock = Clock()
    corridor = corridor_with(tmp_path, "green", clock)
    export_id, _, document = ship(corridor)
    departure = NOW + timedelta(days=1)
    clock.now = departure + timedelta(hours=1)
    events = milestones(document, export_id, departure, departure + timedelta(days=19), steps=2)
    containers_only = copy.deepcopy(events)
    containers_only["epcisBody"]["eventList"][1]["epcList"].pop(0)  # the consignment, found by its container
    reason = f"no consignment {export_id} declared with carrier OTHER-LINE here"
    for posted in (events, containers_only):
        assert refusal(corridor, "IN", posted, "OTHER-LINE") == [
            ("epcisBody.eventList[0].epcList[0]", reason),
            ("epcisBody.eventList[1].epcList[0]", reason),
        ]
    corridor.pump()
    for node in ("IN", "RU"):
        with corridor.nodes[node].uow() as uow:
            assert uow.events.for_consignment(export_id) == []
    with corridor.nodes["IN"].uow() as uow:
        assert uow.outbox.count() == 1  # only the pre-arrival message: nothing relayed
    assert post(corridor, "IN", events)["accepted"] == 2  # the declared carrier may
    corridor.close()


def test_events_for_an_unknown_consignment_are_refused_and_not_relayed(tmp_path: Path) -> None:
    clock = Clock()
    corridor = corridor_with(tmp_path, "green", clock)
    never_filed = SampleCorridor(5).next("IN", NOW)
    departure = NOW - timedelta(days=2)
    events = milestones(never_filed, "26IN0000000000NONE", departure, departure + timedelta(days=1), steps=3)
    reason = f"no consignment 26IN0000000000NONE declared with carrier {CARRIER} here"
    for node in ("IN", "RU"):
        assert refusal(corridor, node, events, CARRIER) == [
            (f"epcisBody.eventList[{i}].epcList[0]", reason) for i in range(3)
        ]
    corridor.pump()
    for node in ("IN", "RU"):
        with corridor.nodes[node].uow() as uow:
            assert uow.events.for_consignment("26IN0000000000NONE") == []
            assert uow.outbox.count() == 0
    corridor.close()


def test_a_foreign_carriers_arrival_does_not_release_a_paid_green_import(tmp_path: Path) -> None:
    clock = Clock()
    corridor = corridor_with(tmp_path, "green", clock)
    export_id, import_id, document = ship(corridor)
    with corridor.nodes["RU"].uow() as uow:
        imported = uow.declarations.get(import_id)
    assert imported is not None  # the pre-arrival data brought the declared carrier along
    assert imported.document_json()["Declaration"]["GoodsShipment"]["Consignment"]["Carrier"]["ID"] == CARRIER
    pay(corridor, import_id)
    assert sail(corridor, clock, export_id, document, steps=2)["accepted"] == 2  # loaded and departed
    departure = NOW + timedelta(days=1)
    full = milestones(document, export_id, departure, departure + timedelta(days=19), steps=3)
    arrival = {**full, "epcisBody": {"eventList": [full["epcisBody"]["eventList"][2]]}}
    clock.now = departure + timedelta(days=19, minutes=5)
    for node in ("RU", "IN"):  # at the destination directly, or at the origin to be relayed
        assert refusal(corridor, node, arrival, "OTHER-LINE") == [
            (
                "epcisBody.eventList[0].epcList[0]",
                f"no consignment {export_id} declared with carrier OTHER-LINE here",
            )
        ]
    corridor.pump()
    current, stages = status(corridor, import_id)
    assert current != Status.RELEASED and "arrival" not in stages
    assert post(corridor, "RU", arrival)["released"] == [export_id]  # the declared carrier's arrival
    assert status(corridor, import_id)[0] == Status.RELEASED
    corridor.close()


def test_officer_release_needs_a_reason_and_keeps_it(tmp_path: Path) -> None:
    clock = Clock()
    corridor = corridor_with(tmp_path, "red", clock)
    export_id, import_id, document = ship(corridor)
    sail(corridor, clock, export_id, document, steps=3)
    corridor.nodes["RU"].handle(ClearDeclaration(import_id, "RU-OFFICER", "seals intact, goods conform"))
    pay(corridor, import_id)
    current, stages = status(corridor, import_id)
    assert current != Status.RELEASED and "release" not in stages  # examined, paid: the officer releases
    for reason, why in (
        ("", "must not be blank"),
        ("  \n ", "must not be blank"),
        ("x" * 2001, "at most 2000 characters"),
        ("paid\x00", "NUL"),
        ("paid\ud800", "lone surrogate"),
        (None, "must be text"),
    ):
        with pytest.raises(InvalidInput) as refused:
            corridor.nodes["RU"].handle(ReleaseDeclaration(import_id, "RU-OFFICER", reason))  # type: ignore[arg-type]
        [error] = refused.value.errors
        assert error.path == "reason" and why in error.reason, (reason, error)
    assert status(corridor, import_id)[0] != Status.RELEASED  # nothing written by a refusal
    released = corridor.nodes["RU"].handle(
        ReleaseDeclaration(import_id, "RU-OFFICER", "  duties paid late; goods conform  ")
    )
    assert released.status == Status.RELEASED
    with corridor.nodes["RU"].uow() as uow:
        [release] = [s for s in uow.declarations.stages(import_id) if s.name == "release"]
    assert release.detail == {"officer": "RU-OFFICER", "reason": "duties paid late; goods conform"}
    corridor.close()
