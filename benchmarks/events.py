"""Logistics events ingested per second: in-process and through the REST API, SQLite and PostgreSQL.

    python benchmarks/events.py [--consignments N] [--batch B] [--skip-postgres] [--skip-rest]

Setup (not timed): N sample consignments are filed at the India node and their pre-arrival data is
exchanged. Timed: their carrier milestones (loading, departing at the origin port; arriving,
unloading, exit at the destination port) are posted as EPCIS 2.0 documents of B events each. Each
document is validated (pydantic models + corridor rules), stored, and sealed into a signed message
for the peer in the same transaction; "with peer" also relays the messages, verifies them and
ingests them at the peer. The baseline is the same documents' EPCIS parsing and rule checks alone
(no database, no signing), measured in the same run.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _postgres import PG_URL, drop_node_schemas, reachable
from fastapi.testclient import TestClient

from corridor.api.app import create_app
from corridor.customs.domain.model import UNDER_CONTROL
from corridor.demo.carrier import milestones
from corridor.demo.run import Corridor
from corridor.demo.samples import SAMPLE_CARRIERS, SampleCorridor
from corridor.logistics.event_rules import EventLedger
from corridor.refdata.codelists import code_lists
from corridor.service.auth import create_api_key
from corridor.service.commands import ClearDeclaration, FileDeclaration, PostEvents

START = datetime.now(UTC)
CARRIER = SAMPLE_CARRIERS["IN"]["ID"]  # the declared carrier of every consignment filed at the India node


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def setup(corridor: Corridor, n: int, seed: int) -> list[tuple[str, dict[str, Any]]]:
    samples = SampleCorridor(seed)
    shipped = []
    for _ in range(n):
        document = samples.next("IN", START)
        export = corridor.nodes["IN"].handle(FileDeclaration(document))
        if export.status == UNDER_CONTROL:
            corridor.nodes["IN"].handle(ClearDeclaration(export.id, "BENCH", "ok"))
        shipped.append((export.id, document))
    corridor.pump()
    return shipped


def documents(shipped: list[tuple[str, dict[str, Any]]], batch: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    head: dict[str, Any] = {}
    for ref, document in shipped:
        consignment = document["Declaration"]["GoodsShipment"]["Consignment"]
        doc = milestones(
            document,
            ref,
            datetime.fromisoformat(consignment["DepartureDateTime"]),
            datetime.fromisoformat(consignment["ArrivalDateTime"]),
        )
        head = {k: v for k, v in doc.items() if k != "epcisBody"}
        events.extend(doc["epcisBody"]["eventList"])
    events.sort(key=lambda e: e["eventTime"])
    return [{**head, "epcisBody": {"eventList": events[i : i + batch]}} for i in range(0, len(events), batch)]


def baseline(docs: list[dict[str, Any]], shipped: list[tuple[str, dict[str, Any]]]) -> float:
    codes = code_lists()
    ledger = EventLedger(lambda c: codes.locode(c) is not None, now=START + timedelta(days=400))
    for ref, document in shipped:
        consignment = document["Declaration"]["GoodsShipment"]["Consignment"]
        ledger.assign(
            ref,
            [e["ID"] for e in consignment.get("TransportEquipment", [])],
            consignment["LoadingLocation"]["ID"],
        )
    started = time.perf_counter()
    for doc in docs:
        ledger.ingest_document(doc)
    return time.perf_counter() - started


def run(
    kind: str, db: dict[str, Any], n: int, batch: int, seed: int, with_peer: bool, rest: bool
) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock()
        corridor = Corridor.embedded(Path(tmp), clock=clock, **db)
        try:
            shipped = setup(corridor, n, seed)
            docs = documents(shipped, batch)
            clock.now = START + timedelta(days=400)  # every milestone is in the past
            count = sum(len(d["epcisBody"]["eventList"]) for d in docs)
            node = corridor.nodes["IN"]
            if rest:
                client = TestClient(create_app(node))
                headers = {"x-api-key": create_api_key(node.uow(), "carrier", CARRIER, "bench", START)}
                started = time.perf_counter()
                for doc in docs:
                    response = client.post("/v1/events", json=doc, headers=headers)
                    assert response.status_code == 202, response.text
            else:
                started = time.perf_counter()
                for doc in docs:
                    node.handle(PostEvents(doc, CARRIER))
                    if with_peer:
                        corridor.pump()
            if with_peer:
                corridor.pump()
            return count, time.perf_counter() - started
        finally:
            corridor.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--consignments", type=int, default=400)
    parser.add_argument("--batch", type=int, default=50, help="events per EPCIS document")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-rest", action="store_true")
    args = parser.parse_args()
    backends: list[tuple[str, dict[str, Any]]] = [("sqlite", {})]
    if not args.skip_postgres:
        if reachable():
            backends.append(("postgres", {"db_url": PG_URL, "db_schema": f"bench_ev_{secrets.token_hex(4)}"}))
        else:
            print("postgres: not reachable, skipped")
    with tempfile.TemporaryDirectory() as tmp:
        probe = Corridor.embedded(Path(tmp), clock=Clock())
        shipped = setup(probe, args.consignments, args.seed)
        docs = documents(shipped, args.batch)
        probe.close()
    base = baseline(docs, shipped)
    total = sum(len(d["epcisBody"]["eventList"]) for d in docs)
    base_rate = total / base
    print(f"events: {total} ({args.consignments} consignments x 5 milestones), {args.batch} per document")
    print(f"baseline (EPCIS parse + rules only, in memory): {base_rate:,.0f} events/s")
    modes = [("in-process", False, False), ("in-process + peer", True, False)]
    if not args.skip_rest:
        modes.append(("REST API", False, True))
    for name, db in backends:
        for mode, with_peer, rest in modes:
            try:
                count, seconds = run(name, db, args.consignments, args.batch, args.seed, with_peer, rest)
            finally:
                if "db_schema" in db:
                    drop_node_schemas(db["db_schema"])
            rate = count / seconds
            print(f"{name:8s} {mode:18s} {rate:8,.0f} events/s   ratio to baseline {rate / base_rate:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
