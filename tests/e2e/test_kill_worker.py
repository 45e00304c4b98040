"""kill -9 of API workers at random moments: each node runs `node serve --workers 2` over
PostgreSQL (a schema of the test's own per node) with a `node relay` beside it; while clients file
declarations at both nodes, a worker of one node or the other is killed with SIGKILL. The
supervisor starts a worker in its place; a client whose request failed (the connection dropped
under it) files the same document again, with the same LRN: either the first attempt never
committed and this one is the filing, or it did and the node answers 409 naming the LRN, and the
client finds its declaration by that LRN. Afterwards every declaration was filed exactly once,
and every consignment converged on both nodes, none lost, none applied twice (the relays' batches
to a killed worker are sent again and applied once). `KILL_WORKER_CONSIGNMENTS` and
`KILL_WORKERS` change the counts."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from corridor.adapters.database import make_engine
from corridor.adapters.tables import declarations
from corridor.cli.cluster import peer_key_file, provision
from corridor.cli.common import local_node
from corridor.demo.samples import SampleCorridor
from corridor.messaging.relay import CLAIM_LEASE
from corridor.service.auth import create_api_key
from tests.conftest import fresh_schema
from tests.e2e.test_two_nodes_http import PEER, free_port
from tests.faults.convergence import anomalies

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
CONSIGNMENTS = int(os.environ.get("KILL_WORKER_CONSIGNMENTS", "40"))  # both ways, half each
KILLS = int(os.environ.get("KILL_WORKERS", "6"))
CAP = 10 * CONSIGNMENTS  # filings go on while workers are being killed, up to this many
CLIENTS = 4
WORKERS = 2
SETTLE_S = 3.0  # a replacement worker is left to start serving this long before its node is chosen again


def workers_of(supervisor: int) -> list[int]:
    """The API worker processes the supervisor ``supervisor`` started (its spawned children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == supervisor and b"spawn_main" in command and state != "Z":
            found.append(int(entry.name))
    return found


class Node:
    def __init__(self, country: str, data_dir: Path, db: tuple[str, str], ports: dict[str, int]) -> None:
        self.country, self.data_dir, self.db, self.ports = country, data_dir, db, ports
        self.processes: list[subprocess.Popen[bytes]] = []
        self.url = f"http://127.0.0.1:{ports[country]}"

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        command = [
            sys.executable, "-m", "corridor", "node", *args, "--node", self.country,
            "--data-dir", str(self.data_dir), "--db", self.db[0], "--db-schema", self.db[1],
        ]  # fmt: skip
        env = {**os.environ, "CORRIDOR_ENV": "test"}
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        self.processes.append(process)
        return process

    def start(self) -> None:
        self.supervisor = self._spawn(
            "serve", "--port", str(self.ports[self.country]), "--workers", str(WORKERS)
        )
        peer = PEER[self.country]
        self._spawn(
            "relay", "--peer", f"{peer}=http://127.0.0.1:{self.ports[peer]}",
            "--peer-key-file", f"{peer}={peer_key_file(self.data_dir, self.country, peer)}", "--relay-interval", "0.1",
        )  # fmt: skip

    def workers(self) -> list[int]:
        return workers_of(self.supervisor.pid)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Tally:
    """What the clients saw: requests that failed under them and were sent again, answers >= 500."""

    retried: int = 0
    found_by_lrn: int = 0
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        with self.lock:
            setattr(self, what, getattr(self, what) + 1)


class Client:
    def __init__(self, node: Node, key: str, tally: Tally) -> None:
        self.node, self.key, self.tally = node, key, tally

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The answer to the request, sent again while the connection fails under it (a killed worker)."""
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.request(
                    method, f"{self.node.url}{path}", headers={"x-api-key": self.key}, timeout=15, **kwargs
                )
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"{method} {path}: no answer for 60 s"
                self.tally.count("retried")
                time.sleep(0.1)
                continue
            if answer.status_code >= 500:
                with self.tally.lock:
                    self.tally.server_errors.append(
                        f"{method} {path}: {answer.status_code} {answer.text[:200]}"
                    )
            return answer

    def file(self, document: dict[str, Any]) -> str:
        lrn = document["Declaration"]["FunctionalReferenceID"]
        answer = self.send("POST", "/v1/declarations", json=document)
        if answer.status_code == 409:  # an earlier attempt was filed before its answer was lost
            assert lrn in answer.json()["error"], answer.text
            declaration = self.by_lrn(lrn)
            self.tally.count("found_by_lrn")
        else:
            assert answer.status_code == 201, answer.text
            declaration = answer.json()
        if declaration["status"] == "under_control":
            path = f"/v1/declarations/{declaration['id']}"
            cleared = self.send("POST", f"{path}/clear", json={"findings": "ok"})
            if cleared.status_code == 409:  # cleared by an attempt whose answer was lost
                assert self.send("GET", path).json()["status"] != "under_control", cleared.text
            else:
                assert cleared.status_code == 200, cleared.text
        return str(declaration["id"])

    def by_lrn(self, lrn: str) -> dict[str, Any]:
        answer = self.send("GET", "/v1/declarations", params={"lrn": lrn})
        assert answer.status_code == 200, answer.text
        (declaration,) = answer.json()["items"]
        return dict(declaration)


@pytest.fixture
def nodes(tmp_path: Path, pg_available: str) -> Iterator[tuple[dict[str, Node], dict[str, str], str]]:
    with fresh_schema(pg_available) as schema:
        schemas = {c: f"{schema}_{c.lower()}" for c in ("IN", "RU")}
        provision(tmp_path, ["IN", "RU"], pg_available, dict(schemas))
        officer = {}
        for country in ("IN", "RU"):
            with local_node(tmp_path, country, pg_available, schemas[country]) as opened:
                officer[country] = create_api_key(
                    opened.uow(), "officer", f"{country}-OFFICER-1", "officer", datetime.now(UTC)
                )
        ports = {"IN": free_port(), "RU": free_port()}
        made = {c: Node(c, tmp_path, (pg_available, schemas[c]), ports) for c in ("IN", "RU")}
        try:
            for node in made.values():
                node.start()
            deadline = time.monotonic() + 120
            for node in made.values():
                while len(node.workers()) < WORKERS or not healthy(node):
                    assert time.monotonic() < deadline, f"node {node.country} did not start"
                    time.sleep(0.3)
            yield made, officer, pg_available
        finally:
            for node in made.values():
                node.stop()


def healthy(node: Node) -> bool:
    try:
        return httpx.get(f"{node.url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


class Filings:
    """The consignments the clients file, both ways in turn: ``CONSIGNMENTS``, and more while the
    workers are still being killed (at most ``CAP``)."""

    def __init__(self, seed: int, killing: threading.Event) -> None:
        self.samples, self.killing = SampleCorridor(seed), killing
        self.lock = threading.Lock()
        self.count = 0
        self.filed: dict[str, list[str]] = {"IN": [], "RU": []}

    def take(self) -> tuple[str, dict[str, Any]] | None:
        with self.lock:
            if self.count >= CAP or (self.count >= CONSIGNMENTS and not self.killing.is_set()):
                return None
            origin = ("IN", "RU")[self.count % 2]
            self.count += 1
            return origin, self.samples.next(origin, datetime.now(UTC))

    def run(self, clients: dict[str, Client]) -> None:
        while (work := self.take()) is not None:
            origin, document = work
            declaration_id = clients[origin].file(document)
            with self.lock:
                self.filed[origin].append(declaration_id)


def kill_workers(made: dict[str, Node], rng: random.Random, killing: threading.Event) -> list[str]:
    """Kill an API worker ``KILLS`` times at random moments, each time of a node chosen at random
    among those whose workers have all been serving for ``SETTLE_S``; the supervisor must start
    another in place of each within 60 s."""
    killed: list[str] = []
    pending: dict[str, tuple[int, float]] = {}  # node: (the killed worker, when)
    serving_from = dict.fromkeys(made, 0.0)
    try:
        while len(killed) < KILLS:
            time.sleep(rng.uniform(0.1, 1.0))
            now = time.monotonic()
            for country, (victim, at) in list(pending.items()):
                workers = made[country].workers()
                if victim not in workers and len(workers) == WORKERS:
                    del pending[country]
                    serving_from[country] = now + SETTLE_S
                else:
                    assert now - at < 60, f"{country}: the killed worker was not replaced"
            ready = [c for c in made if c not in pending and serving_from[c] <= now]
            if not ready:
                continue
            country = rng.choice(ready)
            victim = rng.choice(made[country].workers())
            os.kill(victim, signal.SIGKILL)
            killed.append(country)
            pending[country] = (victim, now)
    finally:
        killing.clear()
    return killed


def test_api_workers_killed_at_random_moments_lose_and_double_nothing(
    nodes: tuple[dict[str, Node], dict[str, str], str],
) -> None:
    made, officer, url = nodes
    rng = random.Random(1402)
    tally = Tally()
    clients = {c: Client(made[c], officer[c], tally) for c in ("IN", "RU")}
    killing = threading.Event()
    killing.set()
    filings = Filings(1402, killing)
    started = time.monotonic()
    with ThreadPoolExecutor(1) as apart, ThreadPoolExecutor(CLIENTS) as pool:
        killer = apart.submit(kill_workers, made, rng, killing)
        for client in [pool.submit(filings.run, clients) for _ in range(CLIENTS)]:
            client.result()
        killed = killer.result()
    filed = filings.filed
    filing_s = time.monotonic() - started

    deadline = time.monotonic() + CLAIM_LEASE.total_seconds() + 90
    waiting = [(o, d) for o, ids in filed.items() for d in ids]
    while waiting and time.monotonic() < deadline:
        waiting = [(o, d) for o, d in waiting if not clients[o].send("GET", f"/v1/declarations/{d}").json()["acknowledgement"]]  # fmt: skip
        time.sleep(1)
    converging_s = time.monotonic() - started - filing_s
    workers_after = {c: len(node.workers()) for c, node in made.items()}
    for node in made.values():
        node.stop()
    engines = {c: make_engine(url, node.db[1]) for c, node in made.items()}
    exports = {}
    for country, engine in engines.items():
        with engine.connect() as conn:
            exports[country] = conn.execute(
                select(func.count()).select_from(declarations).where(declarations.c.flow == "export")
            ).scalar_one()
    found = anomalies(engines, filed)
    found += [f"{c}: {n} exports, {len(filed[c])} filed" for c, n in exports.items() if n != len(filed[c])]
    found += [
        f"{c}: {len(set(ids))} distinct of {len(ids)} filed"
        for c, ids in filed.items()
        if len(set(ids)) != len(ids)
    ]
    for engine in engines.values():
        engine.dispose()
    print(
        {
            "consignments": filings.count, "workers_killed": len(killed), "killed_at": killed,
            "requests_retried": tally.retried, "filings_found_by_lrn": tally.found_by_lrn,
            "server_errors": len(tally.server_errors), "anomalies": len(found),
            "filing_s": round(filing_s, 1), "converging_s": round(converging_s, 1),
        }
    )  # fmt: skip
    assert not waiting, f"not acknowledged: {waiting}"
    assert workers_after == {"IN": WORKERS, "RU": WORKERS}
    assert tally.server_errors == [], tally.server_errors[:5]
    assert found == [], found[:10]
