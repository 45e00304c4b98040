"""The demo journey: two embedded nodes exchange signed pre-arrival data both ways."""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from corridor.classification.adapters.loader import CACHE_DIR
from corridor.customs.domain.vocabulary import Flow, Status
from corridor.demo.paperwork import documents_for, reference
from corridor.demo.samples import SampleCorridor
from corridor.demo.settlement import settle_demo
from corridor.demo.voyage import DemoClock, run_voyages
from corridor.messaging.envelope import b64url, b64url_decode
from corridor.messaging.jcs import canonical
from corridor.messaging.relay import refreshed
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node, hs_check_on, introduce
from corridor.service.commands import ClearDeclaration, FileDeclaration
from corridor.service.context import Assessor

DIRECTIONS = {"IN": "IN->RU", "RU": "RU->IN"}
# The demo's random selection key: public, so sample runs can be compared; a real node keeps its own.
DEMO_SELECTION_KEY = b"corridor-demo-selection-key-sample"


@dataclass
class Corridor:
    """Two nodes in one process joined by the in-process transport."""

    nodes: dict[str, Node]
    transport: InProcessTransport

    @classmethod
    def embedded(
        cls,
        data_dir: Path,
        db_url: str | None = None,
        db_schema: str | None = None,
        assessors: dict[str, Assessor] | None = None,
        **node_options: Any,
    ) -> Corridor:
        """Nodes IN and RU; on a shared server each node gets its own schema ``<db_schema>_in|ru``."""
        transport = InProcessTransport()
        nodes = {
            c: bootstrap_node(
                c,
                data_dir / c,
                transport,
                db_url=db_url,
                db_schema=f"{db_schema}_{c.lower()}" if db_schema else None,
                assessor=(assessors or {}).get(c),
                **node_options,
            )
            for c in ("IN", "RU")
        }
        for country, node in nodes.items():
            transport.register(country, node.receive, node.receive_many)
        introduce(nodes["IN"], nodes["RU"])
        return cls(nodes, transport)

    def pump(self) -> int:
        """Relay until both outboxes are empty (or only hold messages waiting for a retry)."""
        moved = 0
        while True:
            sent = sum(node.relay_once().sent for node in self.nodes.values())
            moved += sent
            if sent == 0:
                return moved

    def close(self) -> None:
        for node in self.nodes.values():
            node.close()


@dataclass
class DemoSummary:
    consignments: int = 0
    by_direction: Counter[str] = field(default_factory=Counter)
    lanes: dict[str, Counter[str]] = field(
        default_factory=lambda: {Flow.EXPORT: Counter(), Flow.IMPORT: Counter()}
    )
    duties: dict[str, Decimal] = field(default_factory=dict)
    messages_signed: int = 0
    messages_verified: int = 0
    messages_rejected: int = 0
    acknowledged: int = 0
    documents_issued: int = 0
    document_findings: int = 0
    voyages: dict[str, Any] = field(default_factory=dict)
    settlement: dict[str, Any] = field(default_factory=dict)
    elapsed_s: float = 0.0
    data_dir: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "consignments": self.consignments,
            "by_direction": dict(self.by_direction),
            "lanes": {
                flow: {lane: counts.get(lane, 0) for lane in ("green", "yellow", "red")}
                for flow, counts in self.lanes.items()
            },
            "duties": {currency: str(amount) for currency, amount in sorted(self.duties.items())},
            "messages_signed": self.messages_signed,
            "messages_verified": self.messages_verified,
            "messages_rejected": self.messages_rejected,
            "acknowledged": self.acknowledged,
            "documents": {"issued": self.documents_issued, "findings": self.document_findings},
            "release": self.voyages,
            "settlement": self.settlement,
            "elapsed_s": round(self.elapsed_s, 3),
            "data_dir": self.data_dir,
        }


CHAMBERS = {
    "IN": ("Sample Indian Chamber of Commerce", "chamber of commerce"),
    "RU": ("Sample Russian Chamber of Commerce and Industry", "chamber of commerce"),
}


def register_chambers(data_dir: Path, corridor: Corridor) -> dict[str, str]:
    """A sample issuing body at each node, trusted by the other node (as `corridor doc issuer
    register` and `issuer import` do)."""
    ids = {}
    for country, (name, role) in CHAMBERS.items():
        peer = "RU" if country == "IN" else "IN"
        here, there = corridor.nodes[country].bus.ctx.documents, corridor.nodes[peer].bus.ctx.documents
        assert here is not None and there is not None, "embedded nodes keep a document registry"
        chamber = here.register(name=name, country=country, role=role, node=country)
        there.add(chamber)
        ids[country] = chamber.id
    return ids


def tampered_copies(envelope_text: str, now: datetime) -> list[str]:
    """Adversarial copies of a real envelope: each must be rejected by the receiver."""
    original = json.loads(envelope_text)
    forged_body = json.loads(envelope_text)
    forged_body["body"]["export_declaration_id"] = "26IN00000000000000"
    wrong_recipient = json.loads(envelope_text)
    wrong_recipient["header"]["recipient"] = wrong_recipient["header"]["sender"]
    stale = json.loads(envelope_text)
    stale["header"]["created"] = (now - timedelta(days=2)).isoformat()
    bad_signature = json.loads(envelope_text)
    raw = bytearray(b64url_decode(bad_signature["signature"]))
    raw[0] ^= 0x01
    bad_signature["signature"] = b64url(bytes(raw))
    unknown_key = dict(original, header={**original["header"], "key_id": "IN-unknown"})
    return [canonical(e).decode() for e in (forged_body, wrong_recipient, stale, bad_signature, unknown_key)]


def start_afresh(data_dir: Path) -> None:
    """Remove the last run's databases, keys and documents from ``data_dir``, keeping the HS index
    of each node's folder (the model's vectors of the nomenclature: the same every run, and
    minutes of one core to build again)."""
    if not data_dir.exists():
        return
    for child in data_dir.iterdir():
        if child.is_dir() and not child.is_symlink() and (child / CACHE_DIR).is_dir():
            for inner in child.iterdir():
                if inner.name != CACHE_DIR:
                    _remove(inner)
        else:
            _remove(child)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def load_hs_check(corridor: Corridor, on_progress: Callable[[str, int, int], None] | None) -> None:
    """Load the HS description check as a phase of its own: with the [hs] extra the first filing
    would otherwise load the model and, in a new data directory, build its index (minutes on one
    core) under a bar standing still."""
    if on_progress and hs_check_on():
        phase = "HS check: model and index (built once)"
        on_progress(phase, 0, 1)
        corridor.nodes["IN"].hs.unavailable_reason()
        on_progress(phase, 1, 1)


def run_demo(
    data_dir: Path,
    consignments: int = 200,
    seed: int = 7,
    on_progress: Callable[[str, int, int], None] | None = None,
    batch: int = 25,
) -> DemoSummary:
    start_afresh(data_dir)
    started = time.perf_counter()
    clock = DemoClock(datetime.now(UTC))
    corridor = Corridor.embedded(data_dir, clock=clock, selection_key=DEMO_SELECTION_KEY)
    samples = SampleCorridor(seed)
    summary = DemoSummary(data_dir=str(data_dir))
    chambers = register_chambers(data_dir, corridor)
    try:
        load_hs_check(corridor, on_progress)
        for i in range(consignments):
            origin = "IN" if i % 2 == 0 else "RU"
            node = corridor.nodes[origin]
            clock.advance_to(clock.now + timedelta(seconds=5))
            document = samples.next(origin, clock.now)
            registry = node.bus.ctx.documents
            assert registry is not None, "embedded nodes keep a document registry"
            wrapped = registry.issue(documents_for(document), chambers[origin])
            summary.documents_issued += len(wrapped)
            declaration = node.handle(FileDeclaration(reference(document, wrapped), documents=tuple(wrapped)))
            if declaration.status == Status.UNDER_CONTROL:
                node.handle(
                    ClearDeclaration(
                        declaration.id,
                        officer_id=f"{origin}-OFFICER-1",
                        findings="documents checked (demo officer)",
                    )
                )
            summary.by_direction[DIRECTIONS[origin]] += 1
            if (i + 1) % batch == 0:
                corridor.pump()
            if on_progress:
                on_progress("declarations filed", i + 1, consignments)
        corridor.pump()
        steps = [0]
        total_steps = consignments * 7  # five milestones, a payment and (at most) an officer's check each

        def step() -> None:
            steps[0] += 1
            if on_progress:
                on_progress("voyages (simulated time)", steps[0], max(total_steps, steps[0]))

        summary.voyages = run_voyages(corridor.nodes, corridor.pump, clock, seed, step).to_json()
        if on_progress:
            on_progress("voyages (simulated time)", steps[0], steps[0])
        today = clock.now.date()
        summary.settlement = settle_demo(corridor.nodes, corridor.pump, today).to_json(today)
        _adversarial(corridor, clock.now)
        _collect(corridor, summary)
    finally:
        corridor.close()
    summary.consignments = consignments
    summary.elapsed_s = time.perf_counter() - started
    return summary


def _adversarial(corridor: Corridor, now: datetime) -> None:
    """Replay one delivered message and post tampered copies: none may take effect."""
    with corridor.nodes["IN"].uow() as uow:
        delivered = uow.outbox.with_status(status="sent", limit=1)
    if not delivered:
        return
    russia = corridor.nodes["RU"]
    fresh = refreshed(delivered[0].envelope, corridor.nodes["IN"].keyring.signing_key, now)
    russia.receive(fresh)  # replay: answered as a duplicate, no second effect
    for copy in tampered_copies(fresh, now):
        russia.receive(copy)


def _collect(corridor: Corridor, summary: DemoSummary) -> None:
    for node in corridor.nodes.values():
        with node.uow() as uow:
            summary.messages_signed += uow.outbox.count()
            summary.messages_verified += uow.inbox.count()
            summary.messages_rejected += uow.rejections.count()
            for declaration in _all(uow):
                summary.lanes[declaration.flow][declaration.lane or "none"] += 1
                summary.document_findings += len(declaration.risk.documents) if declaration.risk else 0
                if declaration.flow == Flow.EXPORT and declaration.ack and declaration.ack.accepted:
                    summary.acknowledged += 1
                if declaration.flow == Flow.IMPORT and declaration.assessment is not None:
                    for currency, total in declaration.assessment.totals.items():
                        summary.duties[currency] = summary.duties.get(currency, Decimal(0)) + total.amount


def _all(uow: Any) -> list[Any]:
    out: list[Any] = []
    offset = 0
    while True:
        page = uow.declarations.query(limit=500, offset=offset)
        out.extend(page)
        if len(page) < 500:
            return out
        offset += 500
