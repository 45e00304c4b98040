"""File consignments both ways and check, from each node's database, that every one converged to
the same final state on both nodes: the export acknowledged as accepted at its origin, exactly one
import built from it at its destination, the same declaration ids and lane on both sides, the
pre-arrival data and the acknowledgement each applied once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from corridor.adapters.tables import declarations, stages
from corridor.customs.domain.vocabulary import Status
from corridor.demo.samples import SampleCorridor
from corridor.node.bootstrap import Node
from corridor.service.commands import ClearDeclaration, FileDeclaration

PEER = {"IN": "RU", "RU": "IN"}


def file_consignments(nodes: dict[str, Node], n: int, seed: int, now: datetime) -> dict[str, list[str]]:
    """``n`` consignments, alternately from India and from Russia, cleared for export."""
    samples = SampleCorridor(seed)
    filed: dict[str, list[str]] = {"IN": [], "RU": []}
    for i in range(n):
        origin = ("IN", "RU")[i % 2]
        filed[origin].append(file_one(nodes[origin], samples.next(origin, now)))
    return filed


def file_one(node: Node, document: dict[str, Any]) -> str:
    declaration = node.handle(FileDeclaration(document))
    if declaration.status == Status.UNDER_CONTROL:
        declaration = node.handle(ClearDeclaration(declaration.id, f"{node.country}-OFFICER-1", "cleared"))
    return str(declaration.id)


def _rows(engine: Engine) -> tuple[dict[str, dict[str, Any]], Counter[tuple[str, str]]]:
    with engine.connect() as conn:
        rows = {
            r.id: dict(r._mapping)
            for r in conn.execute(
                select(
                    declarations.c.id,
                    declarations.c.flow,
                    declarations.c.lane,
                    declarations.c.peer_id,
                    declarations.c.ack,
                )
            )
        }
        applied = Counter(
            (r.declaration_id, r.stage)
            for r in conn.execute(select(stages.c.declaration_id, stages.c.stage))
            if r.stage in ("destination_ack", "prearrival_received")
        )
    return rows, applied


def anomalies(engines: dict[str, Engine], filed: dict[str, list[str]]) -> list[str]:
    """Every way a consignment failed to converge (empty when all did)."""
    found: list[str] = []
    state = {c: _rows(e) for c, e in engines.items()}
    for origin, exports in filed.items():
        rows, applied = state[origin]
        peer_rows, peer_applied = state[PEER[origin]]
        imports_of: dict[str, list[str]] = {}
        for row in peer_rows.values():
            if row["flow"] == "import":
                imports_of.setdefault(row["peer_id"], []).append(row["id"])
        for export_id in exports:
            found += _one(
                export_id, origin, rows, applied, imports_of.get(export_id, []), peer_rows, peer_applied
            )
        extra = set(imports_of) - set(exports)
        found += [f"{PEER[origin]}: import built from unknown export {e}" for e in sorted(extra)]
    return found


def _one(
    export_id: str,
    origin: str,
    rows: dict[str, dict[str, Any]],
    applied: Counter[tuple[str, str]],
    imports: list[str],
    peer_rows: dict[str, dict[str, Any]],
    peer_applied: Counter[tuple[str, str]],
) -> list[str]:
    export = rows.get(export_id)
    if export is None:
        return [f"{origin}: export {export_id} missing"]
    if len(imports) != 1:
        return [f"{export_id}: {len(imports)} imports at {PEER[origin]} (lost or doubled)"]
    (import_id,) = imports
    ack = export["ack"] or {}
    problems = []
    if ack.get("status") != "accepted" or export["peer_id"] != import_id:
        problems.append(
            f"{export_id}: acknowledgement {ack.get('status')!r} naming {export['peer_id']}, import is {import_id}"
        )
    if ack.get("lane") != peer_rows[import_id]["lane"]:
        problems.append(
            f"{export_id}: lane {ack.get('lane')} at origin, {peer_rows[import_id]['lane']} at destination"
        )
    if applied[(export_id, "destination_ack")] != 1:
        problems.append(
            f"{export_id}: acknowledgement applied {applied[(export_id, 'destination_ack')]} times"
        )
    if peer_applied[(import_id, "prearrival_received")] != 1:
        problems.append(
            f"{import_id}: pre-arrival data applied {peer_applied[(import_id, 'prearrival_received')]} times"
        )
    return problems


def converge(
    step: Callable[[], int], done: Callable[[], bool], rounds: int, idle: Callable[[], None] = lambda: None
) -> int:
    """Run ``step`` (a relay pass over both nodes; how much moved) until ``done`` or ``rounds``
    passes; ``idle`` runs when nothing moved (advance a clock, drain held messages)."""
    for count in range(1, rounds + 1):
        if done():
            return count
        if step() == 0:
            idle()
    return rounds
