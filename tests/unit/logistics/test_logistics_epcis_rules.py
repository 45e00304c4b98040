"""EPCIS models and corridor rules: malformed documents, unknown locations, container on another
consignment, arrival before departure; throughput."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from corridor.logistics.epcis import ObjectEvent, object_event, parse_document, parse_event
from corridor.logistics.event_rules import EventLedger, check_event, to_logistics
from corridor.logistics.identifiers import (
    consignment_uri,
    container_uri,
    is_container_number,
    locode_from_uri,
    locode_uri,
)
from corridor.shared.cbv import BizStep
from corridor.shared.errors import InvalidInput
from corridor.shared.iso6346 import iso6346_check_digit

KNOWN = {"INNSA", "RULED", "RUNVS", "EGSUZ", "EGPSD"}
C1, C2 = "MSKU1234565", "MSKU7654328"
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def ev(step: str, locode: str, at: datetime, *epcs: str) -> ObjectEvent:
    return object_event(biz_step=step, location_uri=locode_uri(locode), epcs=list(epcs), at=at)


def ledger(now: datetime | None = None) -> EventLedger:
    led = EventLedger(KNOWN.__contains__, now=now)
    led.assign("UCR-1", [C1], origin="INNSA")
    led.assign("UCR-2", [C2])
    return led


def raw_event(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2025-03-02T06:00:00+05:30",
        "eventTimeZoneOffset": "+05:30",
        "action": "OBSERVE",
        "epcList": [container_uri(C1)],
        "bizStep": "departing",
        "bizLocation": {"id": locode_uri("INNSA")},
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def doc(*events: Any) -> dict[str, Any]:
    return {
        "@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2025-03-02T06:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


# ------------------------------------------------------------------ identifiers
def test_iso6346_check_digit_reference_example() -> None:
    assert iso6346_check_digit("CSQU305438") == 3
    assert is_container_number("CSQU3054383")
    assert not is_container_number("CSQU3054384")
    with pytest.raises(ValueError):
        container_uri("CSQU3054384")


def test_locode_uri_roundtrip() -> None:
    assert locode_from_uri(locode_uri("INNSA")) == "INNSA"
    assert locode_from_uri("urn:epc:id:sgln:0614141.07346.1234") is None
    with pytest.raises(ValueError):
        locode_uri("innsa")


# ------------------------------------------------------------------ models
def test_bizstep_short_and_uri_forms_are_equal() -> None:
    a = parse_event(raw_event(bizStep="departing"), standalone=False)
    b = parse_event(raw_event(bizStep="https://ref.gs1.org/cbv/BizStep-departing"), standalone=False)
    assert a.bizStep == b.bizStep == BizStep.DEPARTING


@pytest.mark.parametrize(
    ("over", "path", "needle"),
    [
        ({"bizStep": "urn:epcglobal:cbv:bizstep:departing"}, "event.bizStep", "EPCIS 1.x"),
        ({"bizStep": "sailing"}, "event.bizStep", "not a CBV bizStep"),
        ({"eventTime": "2025-03-02T06:00:00"}, "event.eventTime", "RFC 3339"),
        ({"eventTime": 1700000000}, "event.eventTime", "RFC 3339"),
        ({"eventTimeZoneOffset": "+5:30"}, "event.eventTimeZoneOffset", "pattern"),
        ({"action": "MOVE"}, "event.action", "OBSERVE"),
        ({"epcList": [container_uri(C1), container_uri(C1)]}, "event.epcList", "unique"),
        ({"epcList": ["not a uri"]}, "event.epcList[0]", "pattern"),
        ({"type": "TransportEvent"}, "event.type", "no TransportEvent"),
        ({"type": "AggregationEvent"}, "event.type", "only ingests ObjectEvent"),
        ({"ilmd": {"x:y": 1}}, "event.ilmd", "not processed"),
        ({"shipName": "x"}, "event", "namespaced"),
        ({"epcList": None}, "event", "epcList or a non-empty quantityList"),
    ],
)
def test_malformed_events_name_the_field(over: dict[str, Any], path: str, needle: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_event(raw_event(**over), standalone=False)
    assert any(e.path == path and needle in e.reason for e in exc.value.errors), exc.value.errors


def test_standalone_event_needs_context() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_event(raw_event())
    assert exc.value.errors[0].path == "event.@context"


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ([], "$"),
        ({"type": "EPCISQueryDocument"}, "type"),
        ({**doc(), "epcisBody": {}}, "epcisBody.eventList"),
        ({**doc(), "epcisBody": {"eventList": "x"}}, "epcisBody.eventList"),
        (doc(42), "epcisBody.eventList[0]"),
        ({k: v for k, v in doc(raw_event()).items() if k != "creationDate"}, "creationDate"),
        ({**doc(raw_event()), "schemaVersion": "two"}, "schemaVersion"),
        ({**doc(raw_event()), "@context": "not a uri"}, "@context"),
    ],
)
def test_malformed_documents(raw: Any, path: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_document(raw)
    assert any(e.path.startswith(path) for e in exc.value.errors), exc.value.errors


def test_partial_document_keeps_good_events_and_indexes() -> None:
    parsed = parse_document(doc(raw_event(action="MOVE"), raw_event()), partial=True)
    assert parsed.indexes == (1,)
    assert [e.path for e in parsed.errors] == ["epcisBody.eventList[0].action"]


def test_event_id_assigned_deterministically() -> None:
    a = parse_event(raw_event(), standalone=False).with_event_id()
    b = parse_event(raw_event(), standalone=False).with_event_id()
    c = parse_event(raw_event(bizStep="arriving"), standalone=False).with_event_id()
    assert a.eventID == b.eventID != c.eventID
    assert a.eventID is not None and a.eventID.startswith("urn:uuid:")


# ------------------------------------------------------------------ rules
def test_shape_rules() -> None:
    event = parse_event(
        raw_event(
            epcList=["urn:epc:id:sgtin:0614141.107346.2017", container_uri(C1)],
            bizStep="commissioning",
            bizLocation={"id": "urn:epc:id:sgln:0614141.07346.1234"},
        ),
        standalone=False,
    )
    rec, errors = to_logistics(event)
    assert rec is None
    paths = {e.path for e in errors}
    assert paths == {"event.epcList[0]", "event.bizStep", "event.bizLocation.id"}


def test_unknown_location() -> None:
    _, errors = ledger().check(ev("departing", "INBOM", T0, container_uri(C1)))
    assert [(e.path, e.reason) for e in errors] == [
        ("event.bizLocation.id", "unknown UN/LOCODE INBOM"),
        ("event.readPoint.id", "unknown UN/LOCODE INBOM"),
    ]


def test_container_on_other_consignment() -> None:
    _, errors = ledger().check(ev("loading", "INNSA", T0, consignment_uri("UCR-1"), container_uri(C2)))
    assert len(errors) == 1 and "on consignment UCR-2, not on UCR-1" in errors[0].reason
    assert errors[0].path == "event.epcList[1]"


def test_container_not_on_any_consignment() -> None:
    _, errors = ledger().check(ev("loading", "INNSA", T0, container_uri("CSQU3054383")))
    assert "not on any corridor consignment" in errors[0].reason


def test_container_with_matching_consignment_is_accepted() -> None:
    rec, errors = ledger().check(ev("loading", "INNSA", T0, consignment_uri("UCR-1"), container_uri(C1)))
    assert errors == [] and rec is not None
    assert rec.containers == (C1,) and rec.consignments == ("UCR-1",) and rec.locode == "INNSA"


def test_arrival_before_departure_rejected_either_order() -> None:
    led = ledger()
    assert led.check(ev("departing", "INNSA", T0, container_uri(C1)))[1] == []
    _, errors = led.check(ev("arriving", "RULED", T0 - timedelta(hours=1), container_uri(C1)))
    assert errors and "not after its departure from INNSA" in errors[0].reason
    led2 = ledger()
    assert led2.check(ev("arriving", "RULED", T0, container_uri(C1)))[1] == []
    _, errors = led2.check(ev("departing", "INNSA", T0 + timedelta(days=1), container_uri(C1)))
    assert errors and "already arrived at RULED" in errors[0].reason


def test_multi_leg_chronology_is_accepted() -> None:
    led = ledger()
    steps = [("departing", "INNSA", 0), ("arriving", "EGSUZ", 200), ("departing", "EGSUZ", 210),
             ("arriving", "EGPSD", 230), ("departing", "EGPSD", 240), ("arriving", "RULED", 800)]  # fmt: skip
    # posted out of order: still consistent
    for step, loc, h in reversed(steps):
        assert led.check(ev(step, loc, T0 + timedelta(hours=h), container_uri(C1)))[1] == [], (step, loc)
    _, errors = led.check(ev("arriving", "RULED", T0 - timedelta(minutes=1), container_uri(C1)))
    assert "not after its departure from INNSA" in errors[0].reason


def test_origin_from_loading_event_when_not_injected() -> None:
    led = ledger()
    assert led.check(ev("loading", "INNSA", T0, container_uri(C2)))[1] == []
    assert led.check(ev("arriving", "RUNVS", T0 + timedelta(days=2), container_uri(C2)))[1] == []
    _, errors = led.check(ev("departing", "INNSA", T0 + timedelta(days=3), container_uri(C2)))
    assert "after it already arrived at RUNVS" in errors[0].reason


def test_no_origin_no_chronology_verdict() -> None:
    led = ledger()
    assert led.check(ev("arriving", "RUNVS", T0, container_uri(C2)))[1] == []
    assert led.check(ev("departing", "INNSA", T0 + timedelta(days=3), container_uri(C2)))[1] == []


def test_future_event_rejected() -> None:
    led = ledger(now=T0)
    _, errors = led.check(ev("departing", "INNSA", T0 + timedelta(hours=2), container_uri(C1)))
    assert errors[0].path == "event.eventTime" and "future" in errors[0].reason


def test_check_event_is_pure_with_injected_lookups() -> None:
    calls: list[str] = []

    def known(code: str) -> bool:
        calls.append(code)
        return True

    from corridor.logistics.event_rules import RuleContext

    ctx = RuleContext(is_known_locode=known, consignment_of_container=lambda c: "UCR-1", history=lambda c: ())
    rec, errors = check_event(ev("arriving", "RUNVS", T0, container_uri(C1)), ctx)
    assert errors == [] and rec is not None and calls == ["RUNVS", "RUNVS"]


def test_a_posting_carrier_moves_only_consignments_declared_with_it() -> None:
    led = ledger()
    led.ctx.poster = "SOLU"
    led.ctx.carrier_of = {"UCR-1": "SOLU", "UCR-2": "SBSH"}.get
    named = ev("loading", "INNSA", T0, consignment_uri("UCR-1"), container_uri(C1))
    assert led.check(named)[1] == []
    assert led.check(ev("departing", "INNSA", T0 + timedelta(hours=1), container_uri(C1)))[1] == []
    for event, index, ref in (
        (ev("loading", "INNSA", T0, container_uri(C2)), 0, "UCR-2"),  # another carrier's, by its container
        (ev("loading", "INNSA", T0, container_uri(C1), consignment_uri("UCR-2")), 1, "UCR-2"),
        (ev("loading", "INNSA", T0, consignment_uri("UCR-9")), 0, "UCR-9"),  # unknown here
    ):
        rec, errors = led.check(event)
        assert rec is None
        assert (errors[-1].path, errors[-1].reason) == (
            f"event.epcList[{index}]",
            f"no consignment {ref} declared with carrier SOLU here",
        )


def test_events_without_a_poster_are_not_checked_against_a_carrier() -> None:
    led = ledger()  # as for events relayed by the peer node: checked where the carrier posted them
    led.ctx.carrier_of = lambda ref: None
    assert led.check(ev("loading", "INNSA", T0, consignment_uri("UCR-9")))[1] == []


def test_a_thousand_voyages_of_ten_milestones_are_all_accepted() -> None:
    # Speed is measured by benchmarks/events.py, never asserted here.
    containers = []
    for s in range(1000):
        first = f"TGHU{s:06d}"
        containers.append(first + str(iso6346_check_digit(first)))
    steps = [("loading", "INNSA"), ("departing", "INNSA"), ("arriving", "EGSUZ"), ("departing", "EGSUZ"),
             ("arriving", "EGPSD"), ("departing", "EGPSD"), ("arriving", "RULED"), ("unloading", "RULED"),
             ("inspecting", "RULED"), ("departing", "RULED")]  # fmt: skip
    raws = [
        raw_event(
            epcList=[consignment_uri(f"UCR-{k}"), container_uri(c)],
            bizStep=step,
            bizLocation={"id": locode_uri(loc)},
            eventTime=(T0 + timedelta(hours=10 * i + k % 7)).isoformat(),
        )
        for i, (step, loc) in enumerate(steps)
        for k, c in enumerate(containers)
    ]
    led = ledger()
    for k, c in enumerate(containers):
        led.assign(f"UCR-{k}", [c], origin="INNSA")
    accepted = 0
    for raw in raws:
        rec, _ = led.check(parse_event(raw, standalone=False))
        accepted += rec is not None
    assert accepted == len(raws) == 10_000
