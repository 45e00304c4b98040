"""A hold after the Let Export Order: the pre-arrival data leaves once, the destination is told of
the hold and of its lifting, and releases nothing on arrival while the export office holds it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from corridor.customs.domain.vocabulary import Status
from corridor.customs.handlers import EXPORT_HOLD, EXPORT_HOLD_LIFTED, PREARRIVAL
from corridor.customs.views import view_for
from corridor.demo.carrier import milestones
from corridor.demo.samples import SAMPLE_CARRIERS
from corridor.messaging.envelope import parse
from corridor.messaging.transport import delivery_from_outcome
from corridor.service.commands import (
    ClearDeclaration,
    FileDeclaration,
    HoldDeclaration,
    PayDuties,
    PostEvents,
)
from corridor.shared.errors import Conflict

CARRIER = SAMPLE_CARRIERS["IN"]["ID"]  # the declared carrier of the sample IN->RU consignments


def types(node: Any) -> list[str]:
    return sorted(m.type for m in node.outbox() if m.type != "customs.acknowledgement.v1")


def text(node: Any, message_type: str) -> str:
    [message] = node.outbox(message_type)
    return message.envelope


def body(node: Any, message_type: str) -> dict[str, Any]:
    return parse(json.loads(text(node, message_type))).body


def imported(node: Any) -> Any:
    [declaration] = node.store.declarations.values()
    return declaration


def stage_names(node: Any, declaration_id: str) -> list[str]:
    return [s.name for s in node.store.stages[declaration_id]]


def test_a_cleared_export_held_and_cleared_again_in_a_burst_sends_one_prearrival(
    make_node: Any, export_in: dict[str, Any]
) -> None:
    node = make_node("IN", lane="red")
    export = node.handle(FileDeclaration(export_in))

    node.handle(ClearDeclaration(export.id, officer_id="officer-7"))
    stopped = node.handle(HoldDeclaration(export.id, officer_id="officer-7", reason="licence withdrawn"))
    cleared = node.handle(ClearDeclaration(export.id, officer_id="officer-7", findings="licence restored"))
    with pytest.raises(Conflict, match=r"status: cannot clear: .* not sent twice"):
        node.handle(ClearDeclaration(export.id, officer_id="officer-7"))

    assert (stopped.status, cleared.status) == (Status.STOPPED, Status.CLEARED)
    assert types(node) == [EXPORT_HOLD, EXPORT_HOLD_LIFTED, PREARRIVAL]
    prearrival_id = parse(json.loads(text(node, PREARRIVAL))).header.message_id
    hold, lifted = body(node, EXPORT_HOLD), body(node, EXPORT_HOLD_LIFTED)
    assert (hold["sequence"], hold["reason"], hold["prearrival_message_id"]) == (
        1,
        "licence withdrawn",
        prearrival_id,
    )
    assert (lifted["sequence"], lifted["prearrival_message_id"]) == (2, prearrival_id)
    names = stage_names(node, export.id)
    assert names.count("export_clearance") == 1 and names.count("prearrival_sent") == 1
    assert "hold_lifted" in names


def test_holding_twice_is_a_conflict_and_sends_nothing_more(
    make_node: Any, export_in: dict[str, Any]
) -> None:
    node = make_node("IN")
    export = node.handle(FileDeclaration(export_in))  # green: cleared at once
    node.handle(HoldDeclaration(export.id, officer_id="officer-7", reason="seal broken"))

    with pytest.raises(Conflict, match="already held and the destination told"):
        node.handle(HoldDeclaration(export.id, officer_id="officer-7", reason="seal broken"))

    assert types(node) == [EXPORT_HOLD, PREARRIVAL]


def test_a_hold_after_departure_is_refused(make_node: Any, export_in: dict[str, Any], clock: Any) -> None:
    node = make_node("IN")
    export = node.handle(FileDeclaration(export_in))
    departure = clock() - timedelta(hours=1)
    node.handle(
        PostEvents(milestones(export_in, export.id, departure, departure + timedelta(days=19), 2), CARRIER)
    )

    with pytest.raises(Conflict, match=r"cannot hold: the goods left IN.* the destination controls them now"):
        node.handle(HoldDeclaration(export.id, officer_id="officer-7", reason="too late"))

    assert node.store.declarations[export.id].status == Status.CLEARED
    assert EXPORT_HOLD not in types(node)


def test_the_destination_holds_the_import_and_releases_only_when_the_hold_is_lifted(
    india: Any, russia: Any, export_in: dict[str, Any], clock: Any
) -> None:
    export = india.handle(FileDeclaration(export_in))
    india.handle(HoldDeclaration(export.id, officer_id="officer-7", reason="licence withdrawn"))

    # the notice overtakes its pre-arrival message: refused for now, so that the relay sends it again
    early = russia.receive(text(india, EXPORT_HOLD))
    assert (early["status"], early["field"]) == ("rejected", "body.prearrival_message_id")
    assert not delivery_from_outcome(early).permanent
    assert russia.receive(text(india, PREARRIVAL))["status"] == "accepted"
    held = russia.receive(text(india, EXPORT_HOLD))
    assert (held["decision"], held["status_now"]) == ("held", Status.HELD)
    assert russia.receive(text(india, EXPORT_HOLD))["status"] == "duplicate"

    declaration = imported(russia)
    assert declaration.status == Status.HELD
    russia.handle(
        PayDuties(
            declaration.id,
            declaration.importer_id,
            view_for("trader", declaration)["assessment"]["totals"],
            "PAY-1",
        )
    )
    departure = clock() - timedelta(days=20)
    arrival = clock() - timedelta(hours=2)
    russia.handle(PostEvents(milestones(export_in, export.id, departure, arrival, 3), CARRIER))
    assert imported(russia).status == Status.HELD
    assert "arrival" in stage_names(russia, declaration.id)
    assert "release" not in stage_names(russia, declaration.id), "no release on arrival while held"
    assert stage_names(russia, declaration.id).count("export_control") == 1

    india.handle(ClearDeclaration(export.id, officer_id="officer-7", findings="licence restored"))
    lifted = russia.receive(text(india, EXPORT_HOLD_LIFTED))

    assert lifted["decision"] == "hold lifted"
    assert imported(russia).status == Status.RELEASED  # green, paid and arrived: out of charge at once
    assert stage_names(russia, declaration.id)[-1] == "release"


def test_notices_that_overtake_one_another_leave_the_latest_in_force(
    make_node: Any, india: Any, russia: Any, export_in: dict[str, Any]
) -> None:
    export = india.handle(FileDeclaration(export_in))
    india.handle(HoldDeclaration(export.id, officer_id="officer-7", reason="licence withdrawn"))
    india.handle(ClearDeclaration(export.id, officer_id="officer-7", findings="licence restored"))
    russia.receive(text(india, PREARRIVAL))

    assert russia.receive(text(india, EXPORT_HOLD_LIFTED))["decision"] == "hold lifted"
    assert russia.receive(text(india, EXPORT_HOLD))["decision"] == "superseded by a later notice"

    assert imported(russia).status != Status.HELD


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"sequence": "1"}, "body.sequence"),
        ({"sequence": 0}, "body.sequence"),
        ({"export_declaration_id": None}, "body.export_declaration_id"),
        ({"reason": None}, "body.reason"),
    ],
)
def test_a_malformed_hold_notice_is_refused_with_its_field(
    india: Any, russia: Any, export_in: dict[str, Any], clock: Any, changes: dict[str, Any], path: str
) -> None:
    from corridor.service.outbox import enqueue

    export = india.handle(FileDeclaration(export_in))
    russia.receive(text(india, PREARRIVAL))
    notice = {"export_declaration_id": export.id, "prearrival_message_id": "x", "sequence": 1, "reason": "r"}
    with india.bus.uow_factory() as uow:
        enqueue(
            uow,
            india.keyring.ring,
            recipient="RU",
            message_type=EXPORT_HOLD,
            body={**notice, **changes},
            now=clock(),
        )
        uow.commit()

    outcome = russia.receive(text(india, EXPORT_HOLD))

    assert (outcome["status"], outcome["field"]) == ("rejected", path)
    assert delivery_from_outcome(outcome).permanent
    assert imported(russia).status != Status.HELD
