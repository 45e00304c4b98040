"""Corridor rules on EPCIS events, pure: what a schema-valid ObjectEvent must also satisfy to move a
consignment.

1. Shape: ``epcList`` lists containers (ISO 6346) and/or consignments; ``bizStep`` is one of the logistics
   steps in ``LOGISTICS_STEPS``; the location (bizLocation, else readPoint) is a UN/LOCODE URI.
2. Unknown location: the UN/LOCODE must be known; the lookup is injected (``is_known_locode``), normally
   ``corridor.refdata.codelists``.
3. Container on another consignment: a container listed with a consignment must be assigned to that
   consignment (``consignment_of_container`` is injected); a container alone must be on some consignment.
4. Chronology per container: no arrival before departure from the origin, checked order-independently
   against the container's accepted movements (``history`` and ``origin_of`` are injected): an arrival
   elsewhere at or before the departure from the origin is rejected, whichever is posted first.
5. No event time beyond ``now + future_tolerance``.
6. Carrier: when a carrier posts (``poster`` set), every consignment the event moves (named, or holding
   its containers) must be known at the node with ``poster`` as its declared carrier (``carrier_of`` is
   injected). An unknown consignment and another carrier's get the same answer, so neither is revealed.
   Events relayed by the peer node were checked there and carry no ``poster``.

``EventLedger`` is an in-memory implementation of the injected lookups for batch checks, tests and the
simulation; the node implements the same callables over its database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from corridor.logistics.epcis import ObjectEvent, parse_document
from corridor.logistics.identifiers import CONTAINER_URI_PREFIX, IdKind, ParsedId, locode_from_uri, parse_epc
from corridor.shared.cbv import BizStep
from corridor.shared.errors import FieldError, InvalidInput

LOGISTICS_STEPS = frozenset(
    {
        BizStep.LOADING,
        BizStep.DEPARTING,
        BizStep.ARRIVING,
        BizStep.UNLOADING,
        BizStep.INSPECTING,
        BizStep.RECEIVING,
        BizStep.ENTERING_EXITING,
        BizStep.SHIPPING,
        BizStep.TRANSPORTING,
        BizStep.HOLDING,
        BizStep.STORING,
        BizStep.ACCEPTING,
    }
)


@dataclass(frozen=True, slots=True)
class LogisticsEvent:
    """The part of an accepted EPCIS ObjectEvent that drives a consignment."""

    event_id: str
    event_time: datetime
    biz_step: str
    locode: str
    containers: tuple[str, ...]
    consignments: tuple[str, ...]
    disposition: str | None = None


@dataclass(frozen=True, slots=True)
class Movement:
    """An accepted loading/departing/arriving of one container, as the chronology rule needs it."""

    container: str
    step: str
    locode: str
    at: datetime
    event_id: str


@dataclass(slots=True)
class RuleContext:
    is_known_locode: Callable[[str], bool]
    consignment_of_container: Callable[[str], str | None]
    history: Callable[[str], Sequence[Movement]]
    origin_of: Callable[[str], str | None] = lambda container: None
    now: datetime | None = None
    poster: str | None = None
    carrier_of: Callable[[str], str | None] = lambda consignment: None
    future_tolerance: timedelta = timedelta(minutes=15)


def to_logistics(
    event: ObjectEvent, *, path: str = "event"
) -> tuple[LogisticsEvent | None, list[FieldError]]:
    """Shape rules (1): extract containers, consignments and the UN/LOCODE. No lookups."""
    errors: list[FieldError] = []
    containers: list[str] = []
    consignments: list[str] = []
    if not event.epcList:
        errors.append(
            FieldError(f"{path}.epcList", "a corridor event lists container or consignment identifiers")
        )
    for i, uri in enumerate(event.epcList or ()):
        parsed = parse_epc(uri)
        if isinstance(parsed, ParsedId):
            (containers if parsed.kind is IdKind.CONTAINER else consignments).append(parsed.value)
        else:
            errors.append(FieldError(f"{path}.epcList[{i}]", parsed))
    step = event.bizStep
    if step is None:
        errors.append(FieldError(f"{path}.bizStep", "required; e.g. loading, departing, arriving, unloading"))
    elif step not in LOGISTICS_STEPS:
        errors.append(
            FieldError(
                f"{path}.bizStep", f"{step!r} is not a logistics step ({', '.join(sorted(LOGISTICS_STEPS))})"
            )
        )
    locode: str | None = None
    for name, place in (("bizLocation", event.bizLocation), ("readPoint", event.readPoint)):
        if place is None:
            continue
        code = locode_from_uri(place.id)
        if code is None:
            errors.append(
                FieldError(
                    f"{path}.{name}.id",
                    "not a UN/LOCODE location; use https://vocabulary.uncefact.org/unlocode#<LOCODE>",
                )
            )
        elif locode is None:
            locode = code
    if event.bizLocation is None and event.readPoint is None:
        errors.append(FieldError(f"{path}.bizLocation", "required: the UN/LOCODE where the event happened"))
    if errors or step is None or locode is None:
        return None, errors
    ev = event.with_event_id()
    assert ev.eventID is not None
    return (
        LogisticsEvent(
            event_id=ev.eventID,
            event_time=event.eventTime,
            biz_step=step,
            locode=locode,
            containers=tuple(containers),
            consignments=tuple(consignments),
            disposition=event.disposition,
        ),
        [],
    )


def check_event(
    event: ObjectEvent, ctx: RuleContext, *, path: str = "event"
) -> tuple[LogisticsEvent | None, list[FieldError]]:
    """All rules. Returns the logistics record when there are no errors."""
    rec, errors = to_logistics(event, path=path)
    if rec is None:
        return None, errors
    for name, place in (("bizLocation", event.bizLocation), ("readPoint", event.readPoint)):
        if place is not None:
            code = locode_from_uri(place.id)
            if code is not None and not ctx.is_known_locode(code):
                errors.append(FieldError(f"{path}.{name}.id", f"unknown UN/LOCODE {code}"))
    if ctx.now is not None and rec.event_time > ctx.now + ctx.future_tolerance:
        errors.append(FieldError(f"{path}.eventTime", f"{rec.event_time.isoformat()} is in the future"))
    epcs = event.epcList or []
    for container in rec.containers:
        cpath = f"{path}.epcList[{epcs.index(CONTAINER_URI_PREFIX + container)}]"
        owner = ctx.consignment_of_container(container)
        if owner is None and not rec.consignments:
            errors.append(FieldError(cpath, f"container {container} is not on any corridor consignment"))
        elif owner is not None and rec.consignments and owner not in rec.consignments:
            errors.append(
                FieldError(
                    cpath,
                    f"container {container} is on consignment {owner}, not on {', '.join(rec.consignments)}",
                )
            )
        reason = chronology_violation(rec, container, ctx.history(container), ctx.origin_of(container))
        if reason is not None:
            errors.append(FieldError(f"{path}.eventTime", reason))
    if ctx.poster is not None:
        errors.extend(carrier_errors(rec, epcs, ctx, path))
    return (rec, []) if not errors else (None, errors)


def carrier_errors(rec: LogisticsEvent, epcs: Sequence[str], ctx: RuleContext, path: str) -> list[FieldError]:
    """Rule 6: each consignment the event moves, at the ``epcList`` entry that names it (or names its
    container, when the event lists containers only), must be declared as carried by ``ctx.poster``."""
    errors: list[FieldError] = []
    checked: set[str] = set()
    for i, uri in enumerate(epcs):
        parsed = parse_epc(uri)
        if not isinstance(parsed, ParsedId):
            continue
        if parsed.kind is not IdKind.CONTAINER:
            ref: str | None = parsed.value
        elif rec.consignments:
            continue  # the consignments the event names are checked
        else:
            ref = ctx.consignment_of_container(parsed.value)
        if ref is None or ref in checked:
            continue
        checked.add(ref)
        if ctx.carrier_of(ref) != ctx.poster:
            errors.append(
                FieldError(
                    f"{path}.epcList[{i}]", f"no consignment {ref} declared with carrier {ctx.poster} here"
                )
            )
    return errors


def chronology_violation(
    rec: LogisticsEvent, container: str, history: Iterable[Movement], origin: str | None = None
) -> str | None:
    """Why ``rec`` contradicts the container's accepted movements ("no arrival before departure"), or None.

    The reference is the departure from the container's origin (injected ``origin``, else the place of its
    earliest recorded loading): no arrival elsewhere may precede it. Without a known origin nothing can be
    concluded (a journey posted out of order may still lack its first legs), so the event passes."""
    moves = list(history)
    if origin is None:
        loads = [m for m in moves if m.step == BizStep.LOADING]
        if rec.biz_step == BizStep.LOADING:
            loads.append(Movement(container, rec.biz_step, rec.locode, rec.event_time, rec.event_id))
        if not loads:
            return None
        origin = min(loads, key=lambda m: m.at).locode
    if rec.biz_step == BizStep.ARRIVING and rec.locode != origin:
        for m in moves:
            if m.step == BizStep.DEPARTING and m.locode == origin and m.at >= rec.event_time:
                return (
                    f"container {container} arrives at {rec.locode} at {rec.event_time.isoformat()}, "
                    f"not after its departure from {origin} at {m.at.isoformat()}"
                )
    elif rec.biz_step == BizStep.DEPARTING and rec.locode == origin:
        for m in moves:
            if m.step == BizStep.ARRIVING and m.locode != origin and m.at <= rec.event_time:
                return (
                    f"container {container} departs {origin} at {rec.event_time.isoformat()}, "
                    f"after it already arrived at {m.locode} at {m.at.isoformat()}"
                )
    return None


@dataclass
class IngestResult:
    accepted: list[LogisticsEvent] = field(default_factory=list)
    rejected: list[FieldError] = field(default_factory=list)


class EventLedger:
    """In-memory container assignments and movement history implementing ``RuleContext``'s lookups."""

    def __init__(self, is_known_locode: Callable[[str], bool], now: datetime | None = None) -> None:
        self._assign: dict[str, str] = {}
        self._origin: dict[str, str] = {}
        # Per container, the earliest movement per (step, locode): all the chronology rule depends on.
        self._history: dict[str, dict[tuple[str, str], Movement]] = defaultdict(dict)
        self._seen: set[str] = set()
        self.ctx = RuleContext(
            is_known_locode=is_known_locode,
            consignment_of_container=self._assign.get,
            history=lambda c: tuple(self._history[c].values()) if c in self._history else (),
            origin_of=self._origin.get,
            now=now,
        )

    def assign(self, consignment: str, containers: Iterable[str], origin: str | None = None) -> None:
        """Put containers on a consignment; ``origin`` is the UN/LOCODE where the journey starts."""
        for c in containers:
            self._assign[c] = consignment
            if origin is not None:
                self._origin[c] = origin

    def release_container(self, container: str) -> None:
        self._assign.pop(container, None)

    def record(self, rec: LogisticsEvent) -> None:
        if rec.event_id in self._seen:
            return
        self._seen.add(rec.event_id)
        if rec.biz_step in (BizStep.DEPARTING, BizStep.ARRIVING, BizStep.LOADING):
            for c in rec.containers:
                key = (rec.biz_step, rec.locode)
                prior = self._history[c].get(key)
                if prior is None or rec.event_time < prior.at:
                    self._history[c][key] = Movement(
                        c, rec.biz_step, rec.locode, rec.event_time, rec.event_id
                    )

    def check(
        self, event: ObjectEvent, *, path: str = "event"
    ) -> tuple[LogisticsEvent | None, list[FieldError]]:
        rec, errors = check_event(event, self.ctx, path=path)
        if rec is not None:
            self.record(rec)
        return rec, errors

    def ingest_document(self, raw: Any) -> IngestResult:
        """Parse (models) and check (rules) every event of a document; accepted events are recorded."""
        try:
            parsed = parse_document(raw, partial=True)
        except InvalidInput as exc:
            return IngestResult(rejected=list(exc.errors))
        result = IngestResult(rejected=list(parsed.errors))
        for i, event in zip(parsed.indexes, parsed.document.events, strict=True):
            rec, errs = self.check(event, path=f"epcisBody.eventList[{i}]")
            if rec is not None:
                result.accepted.append(rec)
            result.rejected.extend(errs)
        return result
