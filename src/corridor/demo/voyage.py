"""The sample consignments' voyages in simulated time: carrier milestones, duty payments and
officers' checks happen in time order on the nodes' clock (sample behaviour, seeded)."""

from __future__ import annotations

import heapq
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from corridor.customs.domain.model import CustomsDeclaration
from corridor.customs.domain.vocabulary import Flow, Status
from corridor.demo.carrier import milestones
from corridor.node.bootstrap import Node
from corridor.service.commands import ClearDeclaration, PayDuties, PostEvents, ReleaseDeclaration
from corridor.shared.errors import Conflict

PAY_BEFORE_ARRIVAL = 0.8  # share of importers who pay as soon as the duties are assessed (assumption)


class DemoClock:
    """The nodes' clock: starts at real time and moves forward as the voyages progress."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance_to(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


@dataclass
class VoyageReport:
    released: int = 0
    released_on_arrival: int = 0
    events_posted: int = 0
    release_hours: dict[str, list[float]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        by_lane = {
            lane: {"n": len(h), "mean_h": round(statistics.fmean(h), 2), "max_h": round(max(h), 2)}
            for lane, h in sorted(self.release_hours.items())
            if h
        }
        return {
            "released": self.released,
            "released_on_arrival": self.released_on_arrival,
            "events_posted": self.events_posted,
            "release_hours_by_lane": by_lane,
        }


class _Agenda:
    """What happens next, in time order (ties in the order they were scheduled)."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, str, Any]] = []
        self._order = 0

    def schedule(self, at: datetime, kind: str, payload: Any) -> None:
        self._order += 1
        heapq.heappush(self._heap, (at, self._order, kind, payload))

    def pop(self) -> tuple[datetime, str, Any]:
        at, _, kind, payload = heapq.heappop(self._heap)
        return at, kind, payload

    def __bool__(self) -> bool:
        return bool(self._heap)


def run_voyages(
    nodes: dict[str, Node],
    pump: Callable[[], int],
    clock: DemoClock,
    seed: int,
    on_step: Callable[[], None] | None = None,
) -> VoyageReport:
    rng = random.Random(seed)
    agenda = _Agenda()
    for destination, node in nodes.items():
        origin = "RU" if destination == "IN" else "IN"
        with node.uow() as uow:
            imports = [d for d in uow.declarations.query(limit=100_000) if d.flow == Flow.IMPORT]
        for imported in imports:
            _plan_voyage(agenda, imported, origin, destination, clock, rng)
    report = VoyageReport()
    while agenda:
        at, kind, payload = agenda.pop()
        clock.advance_to(at)
        country, subject = payload[0], payload[1]
        node = nodes[country]
        if kind == "event":
            node.handle(PostEvents(*subject))
            report.events_posted += 1
        elif kind == "pay":
            with node.uow() as uow:
                declaration = uow.declarations.get(subject)
            assert declaration is not None and declaration.assessment is not None
            due = [money.to_json() for money in declaration.assessment.payable()]
            node.handle(PayDuties(subject, declaration.importer_id, due, "DEMO"))
        elif not _officer(node, country, subject) and kind_attempts(payload) < 60:
            agenda.schedule(at + timedelta(hours=4), kind, (country, subject, kind_attempts(payload) + 1))
        pump()
        if on_step:
            on_step()
    _measure(nodes, report)
    return report


def _plan_voyage(
    agenda: _Agenda,
    imported: CustomsDeclaration,
    origin: str,
    destination: str,
    clock: DemoClock,
    rng: random.Random,
) -> None:
    """Schedule one import's carrier milestones, its duty payment and, off the green lane, its check."""
    document_json = imported.document_json()
    consignment = document_json["Declaration"]["GoodsShipment"]["Consignment"]
    departure = datetime.fromisoformat(consignment["DepartureDateTime"])
    arrival = datetime.fromisoformat(consignment["ArrivalDateTime"])
    document = milestones(document_json, imported.peer_id or imported.id, departure, arrival)
    carrier = imported.carrier  # the consignment's carrier posts its milestones
    for event in document["epcisBody"]["eventList"]:
        single = {**document, "epcisBody": {"eventList": [event]}}
        agenda.schedule(datetime.fromisoformat(event["eventTime"]), "event", (origin, (single, carrier)))
    paid_at = (
        clock.now + timedelta(hours=1)
        if rng.random() < PAY_BEFORE_ARRIVAL
        else arrival + timedelta(hours=rng.uniform(2, 36))
    )
    agenda.schedule(paid_at, "pay", (destination, imported.id))
    if imported.lane in ("yellow", "red"):
        check_at = arrival + timedelta(
            hours=rng.uniform(2, 10) if imported.lane == "yellow" else rng.uniform(6, 30)
        )
        if imported.lane == "yellow" and rng.random() < 0.5:
            check_at = clock.now + timedelta(hours=rng.uniform(1, 12))  # documents checked before arrival
        agenda.schedule(check_at, "officer", (destination, imported.id))


def kind_attempts(payload: tuple[Any, ...]) -> int:
    return int(payload[2]) if len(payload) > 2 else 0


def _officer(node: Node, country: str, declaration_id: str) -> bool:
    """The officer examines (documents, or goods once they are there), then releases once paid.
    True when nothing is left for the officer: released, or documents found conform before arrival
    (the release then follows arrival and payment by itself)."""
    officer = f"{country}-OFFICER-2"

    def state() -> tuple[str, set[str]]:
        with node.uow() as uow:
            declaration = uow.declarations.get(declaration_id)
            stages = uow.declarations.stages(declaration_id)
        assert declaration is not None
        examined = any(s.name == "examination" and s.detail.get("result") == "conform" for s in stages)
        return declaration.status, {s.name for s in stages} | ({"conform"} if examined else set())

    status, seen = state()
    if status == Status.RELEASED:
        return True
    try:
        if "conform" not in seen:
            node.handle(ClearDeclaration(declaration_id, officer, "checked (demo officer)"))
        elif "arrival" in seen:
            node.handle(ReleaseDeclaration(declaration_id, officer, "arrived, conform, paid (demo officer)"))
    except Conflict:  # the goods are not there yet, or the duties are not paid: look again later
        return False
    status, seen = state()
    return status == Status.RELEASED or "arrival" not in seen


def _measure(nodes: dict[str, Node], report: VoyageReport) -> None:
    for node in nodes.values():
        with node.uow() as uow:
            for declaration in uow.declarations.query(status=Status.RELEASED, limit=100_000):
                stages = {s.name: s.at for s in uow.declarations.stages(declaration.id)}
                hours = (stages["release"] - stages["arrival"]).total_seconds() / 3600
                report.released += 1
                report.released_on_arrival += hours <= 0
                report.release_hours.setdefault(declaration.lane or "none", []).append(max(hours, 0.0))
