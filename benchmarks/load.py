"""Load on both nodes as production runs them, against the embedded default database in the same run.

    python benchmarks/load.py [--seconds S] [--clients C] [--workers W] [--bulk N] [--skip-postgres] [--skip-nats]

For each setup, `corridor cluster up` starts both nodes (each: W API workers and a relay process)
on loopback; once their processes are idle (each loads the HS classifier in the background as it
starts, which a node in service has long done), C client threads file sample export declarations (and clear those put under control)
at both nodes for S seconds, one a request (an API process commits those that arrive together in
one transaction: group commit, whose mean size is printed) or, with --bulk N, N a request through
POST /v1/declarations/bulk; then the run waits, bounded, until every consignment is acknowledged
by its destination. Setups: SQLite file per node with HTTP between the nodes (the default
database), then PostgreSQL with NATS JetStream between the nodes (HTTP when NATS is not reachable).
Prints filings/s, p50/p99 of the filing request, the oldest outbox message seen while loaded
(scraped from /metrics), the time to drain after the load, the CPU the nodes' API workers and
relays spent a filing while loaded (read from Linux's /proc), p50/p99 of each kind of message's
delivery (from its outbox row at one node to its inbox row at the other), and the ratio to SQLite.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from _hs import prepare_hs_index
from _postgres import PG_URL, drop_node_schemas, reachable
from sqlalchemy import select

from corridor.adapters import tables
from corridor.cli.common import local_node
from corridor.demo.samples import SampleCorridor
from corridor.service.auth import create_api_key
from corridor.service.batch import MAX_BULK

NATS_URL = "nats://127.0.0.1:4222"
COUNTRIES = ("IN", "RU")
DRAIN_LIMIT_S = 120.0
SETTLE_LIMIT_S = 120.0
IDLE_CPU = 0.1  # CPU seconds a second below which the started processes count as idle
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nats_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=2):
            return True
    except OSError:
        return False


@dataclass
class Setup:
    name: str
    db: str | None = None
    schema: str | None = None
    nats: bool = False


@dataclass
class Result:
    filed: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in COUNTRIES})
    latencies: list[float] = field(default_factory=list)
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    oldest_outbox_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, reason: str) -> None:
        with self.lock:
            self.errors[reason] += 1


def provision(data_dir: Path, setup: Setup) -> dict[str, str]:
    """An officer key at each node (the cluster provisions the nodes' keys at each other)."""
    keys = {}
    for country in COUNTRIES:
        schema = f"{setup.schema}_{country.lower()}" if setup.schema else None
        with local_node(data_dir, country, setup.db, schema) as node:
            keys[country] = create_api_key(
                node.uow(), "officer", f"{country}-OFFICER-1", "load", datetime.now(UTC)
            )
    return keys


def start_cluster(
    data_dir: Path, setup: Setup, workers: int, limit_s: float, log: Path | None
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    command = [
        sys.executable, "-m", "corridor", "cluster", "up", "--nodes", "IN,RU", "--data-dir", str(data_dir),
        "--port", str(free_port()), "--metrics-port", str(free_port()), "--workers", str(workers),
        "--for", str(limit_s),
    ]  # fmt: skip
    env = {**os.environ, "CORRIDOR_ENV": "test", "CORRIDOR_LOG_LEVEL": "WARNING"}
    if setup.db:
        command += ["--db", setup.db, "--db-schema", str(setup.schema)]
    if setup.nats:
        command += ["--nats-url", NATS_URL]
        env |= {
            "CORRIDOR_NATS_STREAM": f"LOAD_{setup.schema}".upper(),
            "CORRIDOR_NATS_SUBJECT_PREFIX": f"load-{setup.schema}",
        }
    stderr = log.open("a", encoding="utf-8") if log else subprocess.DEVNULL
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
    assert process.stdout is not None
    urls = {}
    for _ in COUNTRIES:
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"{setup.name}: the cluster did not start")
        where = json.loads(line)
        urls[where["node"]] = where["api"]
    return process, urls


def cleared(
    http: httpx.Client, url: str, declaration: dict[str, Any], headers: dict[str, str], result: Result
) -> bool:
    """A declaration put under control is cleared by the officer; False when that failed (the
    consignment is then never sent on, so not waited for at the drain)."""
    if declaration["status"] != "under_control":
        return True
    answer = http.post(
        f"{url}/v1/declarations/{declaration['id']}/clear", json={"findings": "load"}, headers=headers
    )
    if answer.status_code != 200:
        result.failed(f"clearing: HTTP {answer.status_code} {answer.text[:120]}")
        return False
    return True


def client(
    urls: dict[str, str],
    keys: dict[str, str],
    docs: list[tuple[str, dict[str, Any]]],
    stop: threading.Event,
    result: Result,
) -> None:
    with httpx.Client(timeout=30) as http:
        for origin, document in docs:
            if stop.is_set():
                return
            headers = {"x-api-key": keys[origin]}
            started = time.perf_counter()
            try:
                answer = http.post(f"{urls[origin]}/v1/declarations", json=document, headers=headers)
                took = time.perf_counter() - started
                if answer.status_code != 201:
                    result.failed(f"filing: HTTP {answer.status_code} {answer.text[:120]}")
                    continue
                declaration = answer.json()
                if not cleared(http, urls[origin], declaration, headers, result):
                    continue
            except httpx.HTTPError as exc:
                result.failed(f"{type(exc).__name__}: {exc}"[:160])
                continue
            with result.lock:
                result.latencies.append(took)
                result.filed[origin].append(declaration["id"])


def bulk_client(
    urls: dict[str, str],
    keys: dict[str, str],
    docs: list[tuple[str, dict[str, Any]]],
    stop: threading.Event,
    result: Result,
    size: int,
) -> None:
    """As ``client``, filing ``size`` declarations of one origin a request (POST
    /v1/declarations/bulk), as a broker's system sends the day's declarations; each filing's
    latency is that of its request."""
    with httpx.Client(timeout=60) as http:
        for origin in COUNTRIES:
            mine = [document for country, document in docs if country == origin]
            for start in range(0, len(mine), size):
                if stop.is_set():
                    return
                headers = {"x-api-key": keys[origin]}
                started = time.perf_counter()
                try:
                    answer = http.post(
                        f"{urls[origin]}/v1/declarations/bulk",
                        json={"declarations": mine[start : start + size]},
                        headers=headers,
                    )
                    took = time.perf_counter() - started
                    if answer.status_code != 200:
                        result.failed(f"bulk filing: HTTP {answer.status_code} {answer.text[:120]}")
                        continue
                    filed = []
                    for item in answer.json()["results"]:
                        if item["status"] != 201:
                            result.failed(f"filing: HTTP {item['status']} {str(item)[:120]}")
                            continue
                        if cleared(http, urls[origin], item["declaration"], headers, result):
                            filed.append(item["declaration"]["id"])
                except httpx.HTTPError as exc:
                    result.failed(f"{type(exc).__name__}: {exc}"[:160])
                    continue
                with result.lock:
                    result.latencies.extend([took] * len(filed))
                    result.filed[origin].extend(filed)


def tree_cpu(root: int) -> dict[str, float]:
    """CPU seconds (user and system) the live processes under ``root`` have spent so far, read
    from Linux's /proc (nothing where it cannot be read): ``relay`` for the relay processes,
    ``api`` for the API workers (and the processes that started them)."""
    stats: dict[int, tuple[int, float, bool]] = {}  # pid -> (parent, CPU s, a relay process)
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
            command = (entry.parent / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue  # the process ended meanwhile
        # after the command's closing parenthesis: state, ppid, ..., utime and stime (fields 14, 15)
        cpu = (int(fields[11]) + int(fields[12])) / TICKS
        stats[int(entry.parent.name)] = (int(fields[1]), cpu, b" node relay " in command)
    roles = {root: "api"}
    for _ in range(len(stats)):
        found = {
            pid: "relay" if relay else roles[parent]
            for pid, (parent, _cpu, relay) in stats.items()
            if parent in roles and pid not in roles
        }
        if not found:
            break
        roles |= found
    spent = {"api": 0.0, "relay": 0.0}
    for pid, role in roles.items():
        if pid in stats:
            spent[role] += stats[pid][1]
    return spent


def delivery_times(data_dir: Path, setup: Setup) -> dict[str, list[float]]:
    """Seconds from a message's sealing (its outbox row) to its taking effect at the peer (the
    peer's inbox row), by kind: ``prearrival`` and ``acknowledgement``."""
    sealed: dict[str, tuple[str, datetime]] = {}
    applied: dict[str, datetime] = {}
    for country in COUNTRIES:
        schema = f"{setup.schema}_{country.lower()}" if setup.schema else None
        with local_node(data_dir, country, setup.db, schema) as node, node.engine.connect() as conn:
            for row in conn.execute(
                select(tables.outbox.c.message_id, tables.outbox.c.type, tables.outbox.c.created_at)
            ):
                sealed[row.message_id] = (row.type.split(".")[1], _utc(row.created_at))
            for message_id, received_at in conn.execute(
                select(tables.inbox.c.message_id, tables.inbox.c.received_at)
            ):
                applied[message_id] = _utc(received_at)
    times: dict[str, list[float]] = collections.defaultdict(list)
    for message_id, (kind, at) in sealed.items():
        if message_id in applied:
            times[kind].append((applied[message_id] - at).total_seconds())
    return dict(sorted(times.items(), reverse=True))


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def oldest_outbox(urls: dict[str, str]) -> float:
    worst = 0.0
    for url in urls.values():
        try:
            text = httpx.get(f"{url}/metrics", timeout=5).text
        except httpx.HTTPError:
            continue
        for value in re.findall(r"^corridor_outbox_oldest_pending_age_seconds\{[^}]*\} (\S+)$", text, re.M):
            worst = max(worst, float(value))
    return worst


API_COUNTS = re.compile(
    r"^(corridor_group_commit_size_sum|corridor_group_commit_size_count|corridor_races_lost_total)"
    r"(?:\{[^}]*\})? (\S+)$",
    re.M,
)


def api_counts(urls: dict[str, str]) -> collections.defaultdict[str, float]:
    """From both nodes' /metrics: the commands (filings and clearances) committed through the API
    processes' group commits (``..._sum``), the groups they formed (``..._count``), and the
    commands whose transactions lost a race and were run again (``corridor_races_lost_total``)."""
    counts: collections.defaultdict[str, float] = collections.defaultdict(float)
    for url in urls.values():
        try:
            text = httpx.get(f"{url}/metrics", timeout=5).text
        except httpx.HTTPError:
            continue
        for name, value in API_COUNTS.findall(text):
            counts[name] += float(value)
    return counts


def drain(urls: dict[str, str], keys: dict[str, str], result: Result) -> float:
    """Seconds until every filed export carries its destination's acknowledgement (bounded); the
    declarations are looked at by several clients at once, so that looking takes little of it."""
    started = time.monotonic()
    waiting = [(o, d) for o, ids in result.filed.items() for d in ids]
    with httpx.Client(timeout=30) as http, ThreadPoolExecutor(max_workers=8) as pool:

        def acknowledged(item: tuple[str, str]) -> bool:
            origin, declaration_id = item
            answer = http.get(
                f"{urls[origin]}/v1/declarations/{declaration_id}", headers={"x-api-key": keys[origin]}
            )
            return bool(answer.json().get("acknowledgement"))

        while waiting and time.monotonic() - started < DRAIN_LIMIT_S:
            waiting = [
                item for item, done in zip(waiting, pool.map(acknowledged, waiting), strict=True) if not done
            ]
            if waiting:
                time.sleep(0.2)
    if waiting:
        print(f"  {len(waiting)} consignments not acknowledged after {DRAIN_LIMIT_S:.0f} s")
    return time.monotonic() - started


def print_node_errors(log: Path, most: int = 20) -> None:
    """The nodes' error lines (the first ``most``), to tell what the clients' errors were."""
    lines = [line.rstrip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines()]
    errors = [line for line in lines if re.search(r"ERROR|Error|Traceback|died", line)]
    for line in errors[:most]:
        print(f"  node log: {line[:300]}")


def settle(root: int) -> float:
    """Seconds until the processes under ``root`` are idle (under ``IDLE_CPU`` CPU seconds a
    second, bounded by ``SETTLE_LIMIT_S``): a node process answers as soon as it listens and loads
    its classifier in the background (seconds of CPU each, with the HS check on), which the clock
    must not count, as a node in service has long finished it."""
    started = time.monotonic()
    before = sum(tree_cpu(root).values())
    while time.monotonic() - started < SETTLE_LIMIT_S:
        time.sleep(1)
        now = sum(tree_cpu(root).values())
        if now - before < IDLE_CPU:
            break
        before = now
    return time.monotonic() - started


def run(setup: Setup, args: argparse.Namespace, docs: list[tuple[str, dict[str, Any]]]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        keys = provision(data_dir, setup)
        log = args.cluster_log or data_dir / "cluster.log"
        process, urls = start_cluster(data_dir, setup, args.workers, args.seconds + DRAIN_LIMIT_S + 60, log)
        try:
            settled = settle(process.pid)
            print(f"{setup.name}: the nodes' processes settled {settled:.1f} s after answering", flush=True)
            result = Result()
            stop = threading.Event()
            share = [docs[i :: args.clients] for i in range(args.clients)]
            threads = [
                threading.Thread(target=bulk_client, args=(urls, keys, part, stop, result, args.bulk))
                if args.bulk
                else threading.Thread(target=client, args=(urls, keys, part, stop, result))
                for part in share
            ]
            started, clients_cpu, nodes_cpu = time.perf_counter(), time.process_time(), tree_cpu(process.pid)
            for thread in threads:
                thread.start()
            while time.perf_counter() - started < args.seconds:
                result.oldest_outbox_s = max(result.oldest_outbox_s, oldest_outbox(urls))
                time.sleep(1)
            stop.set()
            for thread in threads:
                thread.join()
            elapsed, clients_cpu = time.perf_counter() - started, time.process_time() - clients_cpu
            nodes_cpu = {role: cpu - nodes_cpu[role] for role, cpu in tree_cpu(process.pid).items()}
            drained = drain(urls, keys, result)
            counted = api_counts(urls)
            delivery = delivery_times(data_dir, setup)
            if result.errors:
                print_node_errors(log)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
            if setup.schema and setup.db:
                drop_node_schemas(setup.schema)
    q = statistics.quantiles(result.latencies, n=100) if len(result.latencies) > 2 else [0.0] * 99
    figures = {
        "filings_per_s": len(result.latencies) / elapsed,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "oldest_outbox_s": result.oldest_outbox_s,
        "drain_s": drained,
        "filed": float(len(result.latencies)),
        "errors": float(sum(result.errors.values())),
        "api_cpu_ms_per_filing": nodes_cpu["api"] * 1000 / max(len(result.latencies), 1),
        "relay_cpu_ms_per_filing": nodes_cpu["relay"] * 1000 / max(len(result.latencies), 1),
        "client_cpu_s_per_s": clients_cpu / elapsed,
        "commands_a_group": (
            counted["corridor_group_commit_size_sum"] / counted["corridor_group_commit_size_count"]
            if counted["corridor_group_commit_size_count"]
            else 0.0
        ),
        "races_lost": counted["corridor_races_lost_total"],
    }
    for kind, times in delivery.items():
        d = statistics.quantiles(times, n=100) if len(times) > 2 else [0.0] * 99
        figures[f"{kind}_p50_ms"], figures[f"{kind}_p99_ms"] = d[49] * 1000, d[98] * 1000
    print(
        f"{setup.name:22s} {figures['filings_per_s']:7.1f} filings/s  p50 {figures['p50_ms']:6.1f} ms  "
        f"p99 {figures['p99_ms']:7.1f} ms  oldest outbox message under load {figures['oldest_outbox_s']:5.1f} s  "
        f"drained {figures['drain_s']:5.1f} s after  ({sum(result.errors.values())} errors, {len(result.latencies)} filed)"
    )
    print(
        f"{'':22s} CPU a filing while loaded (both nodes): API workers {figures['api_cpu_ms_per_filing']:.1f} ms, "
        f"relays {figures['relay_cpu_ms_per_filing']:.1f} ms (the database and NATS not counted); "
        f"the clients {figures['client_cpu_s_per_s']:.2f} CPU s a second"
        + (
            f"; {figures['commands_a_group']:.2f} commands (filings, clearances) a group commit"
            if figures["commands_a_group"]
            else ""
        )
        + f"; {figures['races_lost']:.0f} commands run again after losing a race"
    )
    for kind, times in delivery.items():
        print(
            f"{'':22s} {kind} delivery (sealed at one node to applied at the other), {len(times)} "
            f"messages: p50 {figures[f'{kind}_p50_ms']:,.0f} ms  p99 {figures[f'{kind}_p99_ms']:,.0f} ms"
        )
    for reason, count in result.errors.most_common(5):
        print(f"  {count} x {reason}")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="load time per setup")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=2, help="API worker processes per node")
    parser.add_argument("--max-filings", type=int, default=8000, help="sample declarations prepared")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--bulk",
        type=int,
        default=0,
        help="file N declarations a request (POST /v1/declarations/bulk); 0: one each",
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-nats", action="store_true")
    parser.add_argument(
        "--cluster-log",
        type=Path,
        help="append the nodes' logs (warnings and errors) to this file (default: a file in the run's "
        "temporary directory, whose error lines are printed when a client met errors)",
    )
    parser.add_argument("--hs-index-dir", type=Path, default=Path("corridor-data") / "hs-index")
    args = parser.parse_args()
    prepare_hs_index(args.hs_index_dir)
    samples = SampleCorridor(args.seed)
    now = datetime.now(UTC)
    docs = [(c, samples.next(c, now)) for _ in range(args.max_filings // 2) for c in COUNTRIES]
    if not 0 <= args.bulk <= MAX_BULK:
        parser.error(f"--bulk: 0 to {MAX_BULK}")
    print(
        f"{args.clients} clients, {args.workers} API workers + 1 relay per node, {args.seconds:.0f} s of load per setup"
        + (f", {args.bulk} declarations a request" if args.bulk else "")
    )
    setups = [Setup("sqlite, HTTP")]
    if not args.skip_postgres and reachable():
        nats = not args.skip_nats and nats_reachable()
        setups.append(
            Setup(f"postgres, {'NATS' if nats else 'HTTP'}", PG_URL, f"load_{secrets.token_hex(4)}", nats)
        )
    elif not args.skip_postgres:
        print("postgres: not reachable, skipped")
    figures = [run(setup, args, docs) for setup in setups]
    if len(figures) == 2 and figures[0]["filings_per_s"]:
        print(
            f"ratio postgres / sqlite filings/s: {figures[1]['filings_per_s'] / figures[0]['filings_per_s']:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
