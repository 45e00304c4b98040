"""Service-layer handlers for logistics events: validate, store, share with the peer, drive customs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from corridor.customs.events import DeclarationRegistered, Released
from corridor.logistics.epcis import make_document, parse_document
from corridor.logistics.event_rules import Movement, RuleContext, check_event
from corridor.logistics.events import MovementsRecorded
from corridor.logistics.identifiers import CONTAINER_URI_PREFIX
from corridor.service.commands import PostEvents
from corridor.service.context import NodeContext
from corridor.service.outbox import enqueue
from corridor.service.ports import StoredEvent, UnitOfWork
from corridor.shared.cbv import BizStep
from corridor.shared.errors import FieldError, InvalidInput
from corridor.shared.movement import GoodsMovement

EVENTS = "logistics.events.v1"
MOVEMENT_STEPS = frozenset({BizStep.LOADING, BizStep.DEPARTING, BizStep.ARRIVING})


def post_events(cmd: PostEvents, uow: UnitOfWork, ctx: NodeContext) -> dict[str, Any]:
    now = ctx.clock()
    with uow:
        result, accepted, lookups = ingest(cmd.document, "carrier", uow, ctx, now, poster=cmd.posted_by)
        if accepted:
            document = make_document(accepted, created=now, sender=cmd.posted_by).to_epcis()
            assignments = {c: list(lookups.owner(c) or ()) for e in accepted for c in _containers(e)}
            enqueue(
                uow,
                ctx.signer,
                recipient=ctx.peer,
                message_type=EVENTS,
                body={"epcis": document, "containers": assignments},
                now=now,
            )
        uow.commit()
    return result


def on_events(
    body: dict[str, Any], header: dict[str, str], uow: UnitOfWork, ctx: NodeContext
) -> dict[str, Any]:
    """Events the peer accepted from its carriers; the peer's container assignments come along."""
    assignments = body.get("containers", {})
    if not isinstance(assignments, dict):
        raise InvalidInput([FieldError("body.containers", "must map container -> [consignment, origin]")])
    now = ctx.clock()
    for container, pair in assignments.items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise InvalidInput([FieldError(f"body.containers.{container}", "must be [consignment, origin]")])
        uow.events.assign(pair[0], [container], pair[1], now)
    result, _, _ = ingest(body.get("epcis"), "peer", uow, ctx, now)
    return result


def _containers(event: Any) -> list[str]:
    return [
        uri.removeprefix(CONTAINER_URI_PREFIX)
        for uri in event.epcList or []
        if uri.startswith(CONTAINER_URI_PREFIX)
    ]


class _Lookups:
    """The rules' lookups over the unit of work, cached for one ingestion; events accepted in this
    ingestion join the containers' history at once."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.owners: dict[str, tuple[str, str] | None] = {}
        self.histories: dict[str, list[Movement]] = {}
        self.carriers: dict[str, str | None] = {}

    def owner(self, container: str) -> tuple[str, str] | None:
        if container not in self.owners:
            self.owners[container] = self.uow.events.consignment_of(container)
        return self.owners[container]

    def consignment_of(self, container: str) -> str | None:
        found = self.owner(container)
        return found[0] if found else None

    def origin_of(self, container: str) -> str | None:
        found = self.owner(container)
        return found[1] if found else None

    def carrier_of(self, ref: str) -> str | None:
        if ref not in self.carriers:
            declaration = self.uow.declarations.find_by_consignment(ref)
            self.carriers[ref] = None if declaration is None else declaration.carrier
        return self.carriers[ref]

    def history(self, container: str) -> list[Movement]:
        if container not in self.histories:
            self.histories[container] = [
                Movement(container, e.biz_step, e.locode, e.event_time, e.event_id)
                for e in self.uow.events.for_container(container)
                if e.biz_step in MOVEMENT_STEPS
            ]
        return self.histories[container]

    def record(self, event: StoredEvent) -> None:
        if event.biz_step in MOVEMENT_STEPS:
            for container in event.containers:
                self.history(container).append(
                    Movement(container, event.biz_step, event.locode, event.event_time, event.event_id)
                )


def _rules(lookups: _Lookups, ctx: NodeContext, now: datetime, poster: str | None) -> RuleContext:
    return RuleContext(
        is_known_locode=lambda code: ctx.codes.locode(code) is not None,
        consignment_of_container=lookups.consignment_of,
        history=lookups.history,
        origin_of=lookups.origin_of,
        now=now,
        poster=poster,
        carrier_of=lookups.carrier_of,
    )


def ingest(
    raw: Any, source: str, uow: UnitOfWork, ctx: NodeContext, now: datetime, poster: str | None = None
) -> tuple[dict[str, Any], list[Any], _Lookups]:
    """Check every event (all or nothing), store the new ones, drive the customs of each consignment.
    ``poster`` is the carrier posting at this node; events relayed by the peer have none."""
    parsed = parse_document(raw)
    lookups = _Lookups(uow)
    rules = _rules(lookups, ctx, now, poster)
    errors: list[FieldError] = []
    accepted, duplicates, touched = [], 0, set()
    fresh: list[StoredEvent] = []
    seen = uow.events.existing([e.eventID for e in parsed.document.events if e.eventID])
    for index, event in zip(parsed.indexes, parsed.document.events, strict=True):
        record, problems = check_event(event, rules, path=f"epcisBody.eventList[{index}]")
        if record is None:
            errors.extend(problems)
            continue
        ref = record.consignments[0] if record.consignments else lookups.consignment_of(record.containers[0])
        stored = StoredEvent(
            record.event_id,
            str(ref),
            record.biz_step,
            record.locode,
            record.event_time,
            record.containers,
            event.to_epcis(standalone=False),
            source,
        )
        if stored.event_id in seen:
            duplicates += 1
            continue
        seen.add(stored.event_id)
        fresh.append(stored)
        lookups.record(stored)
        accepted.append(event)
        touched.add(stored.consignment_ref)
    if errors:
        raise InvalidInput(errors)
    uow.events.add_many(fresh, now)
    for ref in sorted(touched):
        tell_movements(uow, ref)
    uow.dispatch_events()
    released = sorted({e.consignment for e in uow.published if isinstance(e, Released)} & touched)
    return (
        {
            "accepted": len(accepted),
            "duplicates": duplicates,
            "consignments": sorted(touched),
            "released": released,
        },
        accepted,
        lookups,
    )


def tell_movements(uow: UnitOfWork, ref: str) -> None:
    """Publish every movement known of the consignment, in event-time order."""
    movements = tuple(
        GoodsMovement(e.event_id, e.event_time, e.biz_step, e.locode)
        for e in sorted(uow.events.for_consignment(ref), key=lambda e: (e.event_time, e.event_id))
    )
    if movements:
        uow.publish(MovementsRecorded(ref, movements))


def on_declaration_registered(event: DeclarationRegistered, uow: UnitOfWork, ctx: NodeContext) -> None:
    """A declaration names the consignment's containers: events about them belong to it; what is
    already known of the consignment is told again for the new declaration."""
    uow.events.assign(event.consignment, list(event.containers), event.loading_location, event.at)
    if event.flow == "import":
        tell_movements(uow, event.consignment)
