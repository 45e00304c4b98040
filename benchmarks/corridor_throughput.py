"""End-to-end corridor throughput against the cryptographic floor, measured in the same run.

    python benchmarks/corridor_throughput.py [--consignments N] [--batch B] [--skip-postgres]

For each backend (SQLite file per node; PostgreSQL schema per node) N sample consignments go
file -> risk -> Let Export Order -> sign -> send -> verify -> import build + risk + duties ->
signed acknowledgement -> stored at the origin. The floor is the JCS canonicalisation, Ed25519
signing and verification of the same two messages per consignment, and nothing else.
Prints consignments/s, p50/p99 latency per consignment, and throughput / floor, twice per backend:
with each filing (and each officer's clearance) committed alone, as a lone request is; and with a
batch's filings, then its clearances, committed together per node (group commit, as an API process
commits the filings that arrive while a group commits; ``MessageBus.handle_many``).

The HS description check runs unless CORRIDOR_HS_CHECK=off. Its index (the model's vectors of the
nomenclature, built once per machine, minutes on one core) is kept in --hs-index-dir and built
before the timed run, so the figures are those of nodes that already have it; each node keeps
its recent suggestions in memory (the sample goods repeat, as declared goods do).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest.mock import patch

import rfc8785
from _hs import prepare_hs_index
from _postgres import PG_URL, drop_node_schemas, reachable
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import event

from corridor.customs.domain.vocabulary import Status
from corridor.demo.run import Corridor
from corridor.demo.samples import SampleCorridor
from corridor.messaging import envelope
from corridor.messaging.envelope import parse, seal, verify
from corridor.node.bootstrap import hs_check_on
from corridor.node.runtime import settle_after_startup
from corridor.service.batch import Refused
from corridor.service.commands import ClearDeclaration, FileDeclaration


def documents(n: int, seed: int) -> list[tuple[str, dict[str, Any]]]:
    samples = SampleCorridor(seed)
    now = datetime.now(UTC)
    return [(origin, samples.next(origin, now)) for origin in ("IN", "RU") * (n // 2)]


def floor(docs: list[tuple[str, dict[str, Any]]]) -> tuple[float, float]:
    """Seconds (wall clock, and this process's CPU) for the signing, canonicalisation and
    verification work alone."""
    keys = {c: Ed25519PrivateKey.generate() for c in ("IN", "RU")}
    public = {c: k.public_key() for c, k in keys.items()}
    started, cpu = time.perf_counter(), time.process_time()
    ack_body = {
        "export_declaration_id": "x" * 18,
        "status": "accepted",
        "duties": [{"value": "1.00", "currencyID": "RUB"}],
    }
    for origin, document in docs:
        peer = "RU" if origin == "IN" else "IN"
        now = datetime.now(UTC)
        prearrival_body = {"export_declaration_id": "x" * 18, "declaration": document}
        for sender, recipient, kind, body in (
            (origin, peer, "customs.prearrival.v1", prearrival_body),
            (peer, origin, "customs.acknowledgement.v1", ack_body),
        ):
            sealed = seal(
                private_key=keys[sender],
                key_id="k",
                message_type=kind,
                sender=sender,
                recipient=recipient,
                now=now,
                body=body,
            )
            verify(
                parse(json.loads(sealed.to_bytes())),
                public_key=public[sender],
                expected_recipient=recipient,
                now=now,
            )
    return time.perf_counter() - started, time.process_time() - cpu


class StatementCount:
    """SQL statements sent by both nodes: an executemany counts once (SQLAlchemy sends its rows as
    one multi-row INSERT); SQLite's BEGIN IMMEDIATE and savepoints count, PostgreSQL's implicit
    BEGIN and every COMMIT do not."""

    def __init__(self, corridor: Corridor) -> None:
        self.n = 0
        for node in corridor.nodes.values():
            event.listen(node.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.n += 1


def run(
    corridor: Corridor, docs: list[tuple[str, dict[str, Any]]], batch: int, grouped: bool
) -> tuple[float, float, list[float]]:
    """Total seconds (wall clock, and this process's CPU) and per-consignment latencies (filing to
    acknowledgement stored). ``grouped``: each node's filings of a batch, then its officers'
    clearances, are committed together (``handle_many``), as an API process's group commit does
    with the filings that arrive while one group commits; else each in a transaction of its own."""
    latencies: list[float] = []
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(docs), batch):
        filed_at = []
        chunk = docs[start : start + batch]
        if grouped:
            for origin in ("IN", "RU"):
                node = corridor.nodes[origin]
                t0 = time.perf_counter()
                mine = [FileDeclaration(document) for country, document in chunk if country == origin]
                declarations = answered(node.handle_many(mine))
                clear = [ClearDeclaration(d.id, "BENCH-OFFICER", "cleared for benchmark")
                         for d in declarations if d.status == Status.UNDER_CONTROL]  # fmt: skip
                answered(node.handle_many(clear))
                filed_at.extend([t0] * len(mine))
        else:
            for origin, document in chunk:
                t0 = time.perf_counter()
                node = corridor.nodes[origin]
                declaration = node.handle(FileDeclaration(document))
                if declaration.status == Status.UNDER_CONTROL:
                    node.handle(ClearDeclaration(declaration.id, "BENCH-OFFICER", "cleared for benchmark"))
                filed_at.append(t0)
        corridor.pump()
        done = time.perf_counter()
        latencies.extend(done - t for t in filed_at)
    return time.perf_counter() - started, time.process_time() - cpu, latencies


def answered(outcomes: list[Any]) -> list[Any]:
    """The results of a bulk; a refused command is a defect of the benchmark."""
    refused = [o.error for o in outcomes if isinstance(o, Refused)]
    if refused:
        raise RuntimeError(f"{len(refused)} refused, the first: {refused[0]}")
    return outcomes


def measure(
    docs: list[tuple[str, dict[str, Any]]], batch: int, schema: str | None, grouped: bool
) -> tuple[float, float, list[float], int]:
    """Run the corridor on SQLite (``schema`` None) or in PostgreSQL schemas: wall and CPU seconds,
    latencies, SQL statements sent."""
    with tempfile.TemporaryDirectory() as tmp:
        options: dict[str, Any] = {"db_url": PG_URL, "db_schema": schema} if schema else {}
        corridor = Corridor.embedded(Path(tmp), **options)
        if hs_check_on():  # a node process loads its classifier as it starts, not on a filing
            for node in corridor.nodes.values():
                node.hs.unavailable_reason()
        settle_after_startup()  # as a node process does once started
        statements = StatementCount(corridor)
        try:
            total, cpu, latencies = run(corridor, docs, batch, grouped)
        finally:
            corridor.close()
            if schema:
                drop_node_schemas(schema)
    return total, cpu, latencies, statements.n


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--consignments", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=50, help="consignments filed between relay passes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--hs-index-dir", type=Path, default=Path("corridor-data") / "hs-index")
    args = parser.parse_args()
    prepare_hs_index(args.hs_index_dir)
    docs = documents(args.consignments, args.seed)
    n = len(docs)
    floor_wall, floor_cpu = floor(docs)
    with patch.object(envelope, "canonical", rfc8785.dumps):
        reference_rate = n / floor(docs)[0]
    print(f"consignments: {n} (both ways), batch {args.batch}")
    print(f"floor (JCS + Ed25519 sign + verify, 2 messages each): {n / floor_wall:,.0f} consignments/s")
    print(
        f"  for information, the same floor with the reference rfc8785 canonicaliser: {reference_rate:,.0f}/s"
    )
    backends: list[tuple[str, str | None]] = [("sqlite", None)]
    if not args.skip_postgres:
        if reachable():
            backends.append(("postgres", f"bench_{secrets.token_hex(4)}"))
        else:
            print("postgres: not reachable, skipped")
    runs = [(name, schema, grouped) for name, schema in backends for grouped in (False, True)]
    for name, schema, grouped in runs:
        if schema is not None:
            schema = f"{schema}_{int(grouped)}"
        total, cpu, latencies, statements = measure(docs, args.batch, schema, grouped)
        # the floor again, right after: on a shared machine the ratio is taken against the mean of
        # the floors measured just before and just after this backend's run
        after_wall, after_cpu = floor(docs)
        around = 2 * n / (floor_wall + after_wall)
        around_cpu = 2 * n / (floor_cpu + after_cpu)
        floor_wall, floor_cpu = after_wall, after_cpu
        rate = n / total
        q = statistics.quantiles(latencies, n=100)
        label = f"{name}, {'group commit' if grouped else 'one commit each'}"
        print(
            f"{label:30s} end to end: {rate:,.0f} consignments/s  p50 {q[49] * 1000:,.1f} ms  "
            f"p99 {q[98] * 1000:,.1f} ms  ratio to floor {rate / around:.3f} "
            f"(floor {around:,.0f}/s around this run; to the reference-canonicaliser floor "
            f"{rate / reference_rate:.3f}); {statements / n:.1f} SQL statements per consignment"
        )
        print(
            f"{'':30s} by this process's CPU time: {n / cpu:,.0f} consignments per CPU second, floor "
            f"{around_cpu:,.0f}, ratio {n / cpu / around_cpu:.3f}"
            + (" (the database server's CPU not counted)" if schema else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
