"""Consignment state machine: release on arrival, officer queue, no release without payment, no double
release, out-of-order events held and applied in order, duplicates without effect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.customs.domain.officer_queue import OfficerQueue
from corridor.customs.domain.release import (
    AlreadyReleased,
    ConsignmentRelease,
    ExamResult,
    GoodsStatus,
    InvalidTransition,
    NotPaid,
    OutcomeKind,
)
from corridor.customs.domain.vocabulary import Lane, StageName
from corridor.shared.movement import GoodsMovement

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def le(eid: str, step: str, locode: str, hours: float) -> GoodsMovement:
    return GoodsMovement(eid, h(hours), step, locode)


DEP = le("e-dep", "departing", "INNSA", 0)
ARR = le("e-arr", "arriving", "RULED", 800)
UNL = le("e-unl", "unloading", "RULED", 806)
EXIT = le("e-exit", "departing", "RULED", 830)


def precleared(lane: Lane, paid: bool = True) -> ConsignmentRelease:
    cr = ConsignmentRelease("UCR-1", "RULED")
    cr.lodge(h(2))
    cr.register(h(2.1))
    cr.assess(h(2.2), lane)
    if paid:
        cr.pay(h(20))
    return cr


def test_green_precleared_paid_released_on_arrival() -> None:
    cr = precleared(Lane.GREEN)
    cr.apply(DEP)
    out = cr.apply(ARR)
    assert [o.kind for o in out] == [OutcomeKind.APPLIED, OutcomeKind.STAGE, OutcomeKind.RELEASED]
    assert cr.status is GoodsStatus.RELEASED and cr.release_hours() == 0.0
    assert "pre-cleared" in out[-1].detail
    cr.apply(EXIT)
    assert cr.status is GoodsStatus.EXITED and cr.stages[StageName.EXIT] == h(830)


def test_green_unpaid_waits_then_released_on_payment() -> None:
    cr = precleared(Lane.GREEN, paid=False)
    cr.apply_all([DEP, ARR])
    assert cr.status is GoodsStatus.ARRIVED
    out = cr.pay(h(812))
    assert out[-1].kind is OutcomeKind.RELEASED and cr.release_hours() == 12.0


@pytest.mark.parametrize(("lane", "sla"), [(Lane.YELLOW, 12), (Lane.RED, 48)])
def test_yellow_red_go_to_officer_queue_with_due_time(lane: Lane, sla: int) -> None:
    cr = precleared(lane)
    queue = OfficerQueue()
    cr.apply_all([DEP, ARR])
    queue.sync(cr)
    assert cr.status is GoodsStatus.QUEUED
    (entry,) = queue.for_port("RULED")
    assert entry.lane is lane and entry.due_at == h(800 + sla)
    assert queue.overdue(h(800 + sla + 1)) == [entry]
    with pytest.raises(InvalidTransition, match="conform examination"):
        cr.release(h(801), "officer-7")
    cr.examine(h(803), ExamResult.CONFORM, "officer-7", "seal intact")
    cr.release(h(804), "officer-7")
    queue.sync(cr)
    assert cr.status is GoodsStatus.RELEASED and len(queue) == 0 and cr.release_hours() == 4.0
    assert cr.stages[StageName.EXAMINATION] == h(803)


def test_officer_hold_then_release_after_reexamination() -> None:
    cr = precleared(Lane.RED)
    cr.apply_all([DEP, ARR])
    cr.examine(h(810), ExamResult.NON_CONFORM, "officer-7", "undeclared goods")
    cr.hold(h(811), "officer-7", "undeclared goods")
    assert cr.status is GoodsStatus.HELD and cr.queue_entry is None
    with pytest.raises(InvalidTransition):
        cr.release(h(812), "officer-7")
    cr.examine(h(830), ExamResult.CONFORM, "officer-7", "amended declaration")
    cr.release(h(831), "officer-7")
    assert cr.status is GoodsStatus.RELEASED


def test_no_release_without_payment() -> None:
    cr = precleared(Lane.RED, paid=False)
    cr.apply_all([DEP, ARR])
    cr.examine(h(805), ExamResult.CONFORM, "officer-7")
    with pytest.raises(NotPaid):
        cr.release(h(806), "officer-7")
    assert StageName.RELEASE not in cr.stages
    cr.pay(h(820))  # examined conform and now paid: out of charge without another officer step
    assert cr.stages[StageName.RELEASE] == h(820)


def test_no_double_release() -> None:
    cr = precleared(Lane.GREEN)
    cr.apply_all([DEP, ARR])
    with pytest.raises(AlreadyReleased):
        cr.release(h(801), "officer-7")
    with pytest.raises(AlreadyReleased):
        cr.hold(h(801), "officer-7", "late doubt")
    assert cr.stages[StageName.RELEASE] == h(800)


def test_no_release_before_arrival_and_stage_order() -> None:
    cr = precleared(Lane.GREEN)
    with pytest.raises(InvalidTransition, match="before arrival"):
        cr.release(h(30), "officer-7")
    fresh = ConsignmentRelease("UCR-2", "RULED")
    with pytest.raises(InvalidTransition, match="needs lodgement"):
        fresh.register(h(1))
    fresh.lodge(h(5))
    with pytest.raises(InvalidTransition, match="precedes lodgement"):
        fresh.register(h(4))
    with pytest.raises(InvalidTransition, match="already lodged"):
        fresh.lodge(h(6))
    with pytest.raises(InvalidTransition):
        fresh.pay(h(6))


def test_red_physical_examination_needs_arrival() -> None:
    cr = precleared(Lane.RED)
    with pytest.raises(InvalidTransition, match="physical"):
        cr.examine(h(100), ExamResult.CONFORM, "officer-7")


def test_yellow_documentary_check_before_arrival_releases_on_arrival() -> None:
    cr = precleared(Lane.YELLOW)
    cr.examine(h(50), ExamResult.CONFORM, "officer-7")
    cr.apply_all([DEP, ARR])
    assert cr.status is GoodsStatus.RELEASED and cr.release_hours() == 0.0


def test_baseline_filing_after_arrival() -> None:
    cr = ConsignmentRelease("UCR-1", "RULED")
    cr.apply_all([DEP, ARR])
    assert cr.status is GoodsStatus.ARRIVED and not cr.pre_cleared
    cr.lodge(h(830))
    cr.register(h(831))
    cr.assess(h(840), Lane.GREEN)
    out = cr.pay(h(860))
    assert out[-1].detail == "green lane, paid" and cr.release_hours() == 60.0


def test_out_of_order_events_are_held_and_applied_in_order() -> None:
    cr = precleared(Lane.GREEN)
    out = cr.apply(EXIT)
    assert out[0].kind is OutcomeKind.BUFFERED and "arrival" in out[0].detail
    assert cr.apply(UNL)[0].kind is OutcomeKind.BUFFERED
    assert cr.apply(ARR)[0].kind is OutcomeKind.BUFFERED
    assert cr.status is GoodsStatus.EXPECTED and len(cr.pending) == 3
    out = cr.apply(DEP)
    applied = [o.ref for o in out if o.kind is OutcomeKind.APPLIED]
    assert applied == ["e-dep", "e-arr", "e-unl", "e-exit"]
    assert cr.pending == () and cr.status is GoodsStatus.EXITED
    logistics = [t.what for t in cr.timeline if t.source == "logistics" and t.ref and t.ref.startswith("e-")]
    assert logistics == ["departing", "arriving", "arrival", "unloading", "departing"]
    assert [t.at for t in cr.timeline] == sorted(t.at for t in cr.timeline)


def test_exit_before_release_is_held_until_release() -> None:
    cr = precleared(Lane.RED)
    cr.apply_all([DEP, ARR])
    out = cr.apply(EXIT)
    assert out[0].kind is OutcomeKind.BUFFERED and "before customs release" in out[0].detail
    cr.examine(h(810), ExamResult.CONFORM, "officer-7")
    out = cr.release(h(812), "officer-7")
    assert [o.kind for o in out][-2:] == [OutcomeKind.STAGE, OutcomeKind.EXITED]
    assert cr.status is GoodsStatus.EXITED


def test_duplicates_have_no_effect() -> None:
    cr = precleared(Lane.GREEN)
    cr.apply_all([DEP, ARR])
    before = (dict(cr.stages), list(cr.timeline))
    out = cr.apply(ARR)
    assert [o.kind for o in out] == [OutcomeKind.DUPLICATE]
    assert cr.apply(GoodsMovement("e-arr", h(900), "arriving", "RULED"))[0].kind is OutcomeKind.DUPLICATE
    assert (dict(cr.stages), list(cr.timeline)) == before


@settings(max_examples=60, deadline=None)
@given(order=st.permutations([DEP, ARR, UNL, EXIT]), dup=st.integers(0, 3))
def test_any_arrival_order_gives_same_result(order: list[GoodsMovement], dup: int) -> None:
    cr = precleared(Lane.GREEN)
    cr.apply_all([*order, order[dup]])
    assert cr.status is GoodsStatus.EXITED and cr.pending == ()
    assert cr.stages[StageName.ARRIVAL] == h(800) and cr.stages[StageName.RELEASE] == h(800)
    assert cr.stages[StageName.EXIT] == h(830)


def test_force_pending_applies_held_arrival_without_departure() -> None:
    cr = precleared(Lane.GREEN)
    cr.apply_all([EXIT, ARR])
    assert cr.status is GoodsStatus.EXPECTED
    out = cr.force_pending()
    assert [o.ref for o in out if o.kind is OutcomeKind.APPLIED] == ["e-arr", "e-exit"]
    assert cr.status is GoodsStatus.EXITED


def test_force_pending_keeps_exit_before_release_held() -> None:
    cr = precleared(Lane.RED)
    cr.apply_all([ARR, EXIT])
    cr.force_pending()
    assert cr.status is GoodsStatus.QUEUED and [e.event_id for e in cr.pending] == ["e-exit"]
