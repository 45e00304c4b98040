"""Service-layer handlers for logistics events: validate, store, share with the peer, drive customs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from corridor.customs.domain.model import IMPORT, RELEASED, CustomsDeclaration
from corridor.logistics.customs_link import consignment_ref, replay, write_back
from corridor.logistics.epcis import BizStep, make_document, parse_document
from corridor.logistics.event_rules import LogisticsEvent, Movement, RuleContext, check_event
from corridor.logistics.identifiers import CONTAINER_URI_PREFIX
from corridor.logistics.release import ReleaseError
from corridor.service.commands import PostEvents
from corridor.service.context import NodeContext
from corridor.service.outbox import enqueue
from corridor.service.ports import StoredEvent, UnitOfWork
from corridor.shared.errors import Conflict, FieldError, InvalidInput

EVENTS = "logistics.events.v1"
MOVEMENT_STEPS = frozenset({BizStep.LOADING, BizStep.DEPARTING, BizStep.ARRIVING})


def logistics_event(stored: StoredEvent) -> LogisticsEvent:
    return LogisticsEvent(stored.event_id, stored.event_time, stored.biz_step, stored.locode, stored.containers,
                          (stored.consignment_ref,))


def post_events(cmd: PostEvents, uow: UnitOfWork, ctx: NodeContext) -> dict[str, Any]:
    now = ctx.clock()
    with uow:
        result, accepted = ingest(cmd.document, "carrier", uow, ctx, now)
        if accepted:
            document = make_document(accepted, created=now, sender=cmd.posted_by).to_epcis()
            assignments = {c: list(uow.events.consignment_of(c) or ()) for e in accepted
                           for c in _containers(e)}
            enqueue(uow, ctx.signer, recipient=ctx.peer, message_type=EVENTS,
                    body={"epcis": document, "containers": assignments}, now=now)
        uow.commit()
    return result


def on_events(body: dict[str, Any], header: dict[str, str], uow: UnitOfWork, ctx: NodeContext) -> dict[str, Any]:
    """Events the peer accepted from its carriers; the peer's container assignments come along."""
    assignments = body.get("containers", {})
    if not isinstance(assignments, dict):
        raise InvalidInput([FieldError("body.containers", "must map container -> [consignment, origin]")])
    now = ctx.clock()
    for container, pair in assignments.items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise InvalidInput([FieldError(f"body.containers.{container}", "must be [consignment, origin]")])
        uow.events.assign(pair[0], [container], pair[1], now)
    result, _ = ingest(body.get("epcis"), "peer", uow, ctx, now)
    return result


def _containers(event: Any) -> list[str]:
    return [uri.removeprefix(CONTAINER_URI_PREFIX) for uri in event.epcList or [] if uri.startswith(CONTAINER_URI_PREFIX)]


def ingest(raw: Any, source: str, uow: UnitOfWork, ctx: NodeContext, now: datetime) -> tuple[dict[str, Any], list[Any]]:
    """Check every event (all or nothing), store the new ones, drive the customs of each consignment."""
    parsed = parse_document(raw)

    def history(container: str) -> list[Movement]:
        return [Movement(container, e.biz_step, e.locode, e.event_time, e.event_id)
                for e in uow.events.for_container(container) if e.biz_step in MOVEMENT_STEPS]

    rules = RuleContext(
        is_known_locode=lambda code: ctx.codes.locode(code) is not None,
        consignment_of_container=lambda c: (uow.events.consignment_of(c) or (None, None))[0],
        history=history,
        origin_of=lambda c: (uow.events.consignment_of(c) or (None, None))[1],
        now=now,
    )
    errors: list[FieldError] = []
    accepted, duplicates, touched = [], 0, set()
    for index, event in zip(parsed.indexes, parsed.document.events, strict=True):
        record, problems = check_event(event, rules, path=f"epcisBody.eventList[{index}]")
        if record is None:
            errors.extend(problems)
            continue
        ref = record.consignments[0] if record.consignments else rules.consignment_of_container(record.containers[0])
        stored = StoredEvent(record.event_id, str(ref), record.biz_step, record.locode, record.event_time,
                             record.containers, event.to_epcis(standalone=False), source)
        if uow.events.add(stored, now):
            accepted.append(event)
            touched.add(stored.consignment_ref)
        else:
            duplicates += 1
    if errors:
        raise InvalidInput(errors)
    released = [ref for ref in sorted(touched) if drive_customs(uow, ref)]
    return {"accepted": len(accepted), "duplicates": duplicates, "consignments": sorted(touched),
            "released": released}, accepted


def sync_release(uow: UnitOfWork, declaration: CustomsDeclaration) -> bool:
    """Replay the import declaration with its consignment's events and write back what follows;
    True when the declaration changed (the caller saves it)."""
    if declaration.flow != IMPORT:
        return False
    if not declaration.stages:
        declaration.stages = uow.declarations.stages(declaration.id)
    events = [logistics_event(e) for e in uow.events.for_consignment(consignment_ref(declaration))]
    try:
        machine = replay(declaration, events)
    except ReleaseError as exc:
        raise Conflict(f"status: {exc}") from exc
    return write_back(declaration, machine)


def drive_customs(uow: UnitOfWork, ref: str) -> bool:
    """After new events: update this node's import declaration of ``ref``; True when released now."""
    declaration = uow.declarations.find_by_consignment(ref)
    if declaration is None or declaration.flow != IMPORT:
        return False
    before = declaration.status
    if sync_release(uow, declaration):
        uow.declarations.save(declaration)
    return before != RELEASED and declaration.status == RELEASED
