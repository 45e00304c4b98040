"""`corridor cluster up` runs each node as API workers plus a relay process over PostgreSQL (HTTP or
NATS JetStream between the nodes), prints where they listen, carries consignments both ways, and
stops every process on SIGTERM."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from corridor.demo.samples import SampleCorridor
from tests.conftest import fresh_schema
from tests.e2e.test_observability import sample
from tests.e2e.test_two_nodes_http import free_port
from tests.integration.conftest import NATS_URL, stream  # noqa: F401  (the fixture)


def two_free_pairs() -> list[int]:
    """Two ports P and M such that P, P+1, M and M+1 are distinct and free now (the cluster gives
    the second node the port after the first's, for the API and for the relay's metrics)."""
    while True:
        ports = [free_port(), free_port()]
        wanted = {ports[0], ports[0] + 1, ports[1], ports[1] + 1}
        if len(wanted) == 4 and all(_bindable(p) for p in wanted):
            return ports


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


pytestmark = [pytest.mark.slow, pytest.mark.postgres]
OFFICER = {c: f"officer-secret-of-{c}-{secrets.token_hex(8)}" for c in ("IN", "RU")}


def corridor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "corridor", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "CORRIDOR_ENV": "test", **(env or {})},
    )


class Cluster:
    def __init__(self, process: subprocess.Popen[str], where: dict[str, dict[str, Any]]) -> None:
        self.process = process
        self.where = where

    def call(self, method: str, country: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(
            method,
            f"{self.where[country]['api']}{path}",
            headers={"x-api-key": OFFICER[country]},
            timeout=10,
            **kwargs,
        )

    def file(self, origin: str, document: dict[str, Any]) -> str:
        answer = self.call("POST", origin, "/v1/declarations", json=document)
        assert answer.status_code == 201, answer.text
        declaration = answer.json()
        if declaration["status"] == "under_control":
            cleared = self.call(
                "POST", origin, f"/v1/declarations/{declaration['id']}/clear", json={"findings": "ok"}
            )
            assert cleared.status_code == 200, cleared.text
        return str(declaration["id"])

    def acknowledged(self, origin: str, declaration_id: str) -> bool:
        return bool(self.call("GET", origin, f"/v1/declarations/{declaration_id}").json()["acknowledgement"])


@pytest.fixture(params=["http", pytest.param("nats", marks=pytest.mark.nats)])
def cluster(request: pytest.FixtureRequest, tmp_path: Path, pg_available: str) -> Iterator[Cluster]:
    env = {}
    if request.param == "nats":
        name, prefix = request.getfixturevalue("stream")
        env = {"CORRIDOR_NATS_STREAM": name, "CORRIDOR_NATS_SUBJECT_PREFIX": prefix}
    with fresh_schema(pg_available) as schema:
        for country in ("IN", "RU"):
            secret_file = tmp_path / f"officer-{country}.key"
            secret_file.touch(mode=0o600)
            secret_file.write_text(OFFICER[country])
            made = corridor(
                "node", "apikey", "--node", country, "--role", "officer", "--party", f"{country}-OFFICER-1",
                "--secret-file", str(secret_file), "--data-dir", str(tmp_path / "data"),
                "--db", pg_available, "--db-schema", f"{schema}_{country.lower()}",
            )  # fmt: skip
            assert made.returncode == 0, made.stderr
        nats = ["--nats-url", NATS_URL] if request.param == "nats" else []
        ports = two_free_pairs()
        log = (tmp_path / "cluster.log").open("w")
        process = subprocess.Popen(
            [
                sys.executable, "-m", "corridor", "cluster", "up", "--nodes", "IN,RU",
                "--data-dir", str(tmp_path / "data"), "--db", pg_available, "--db-schema", schema,
                "--port", str(ports[0]), "--metrics-port", str(ports[1]), "--workers", "2", "--for", "120", *nats,
            ],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env={**os.environ, "CORRIDOR_ENV": "test", **env},
        )  # fmt: skip
        try:
            assert process.stdout is not None
            where = {}
            for _ in range(2):
                text = process.stdout.readline()
                assert text, (tmp_path / "cluster.log").read_text()[-2000:]
                line = json.loads(text)
                where[line["node"]] = line
            yield Cluster(process, where)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()


def test_cluster_carries_consignments_both_ways_and_stops_on_sigterm(cluster: Cluster) -> None:
    assert cluster.where["IN"]["api"] != cluster.where["RU"]["api"]
    for country in ("IN", "RU"):  # ready once the classifier each process loads as it starts is in
        deadline = time.monotonic() + 60
        ready = httpx.get(cluster.where[country]["readyz"], timeout=5)
        while ready.status_code == 503 and time.monotonic() < deadline:
            assert set(ready.json()["checks"].values()) <= {"ok", "loading"}, ready.text
            time.sleep(0.2)
            ready = httpx.get(cluster.where[country]["readyz"], timeout=5)
        assert ready.status_code == 200, ready.text
    samples = SampleCorridor(seed=41)
    filed = [(o, cluster.file(o, samples.next(o, datetime.now(UTC)))) for o in ("IN", "RU", "IN", "RU")]
    deadline = time.monotonic() + 40
    waiting = set(filed)
    while waiting and time.monotonic() < deadline:
        waiting = {(o, d) for o, d in waiting if not cluster.acknowledged(o, d)}
        time.sleep(0.2)
    assert not waiting, f"not acknowledged: {waiting}"

    metrics = httpx.get(cluster.where["IN"]["metrics"], timeout=5).text
    assert sample(
        metrics, "corridor_http_requests_total", method="POST", route="/v1/declarations", status="201"
    )
    relay = httpx.get(cluster.where["IN"]["relay_metrics"], timeout=5).text
    assert (sample(relay, "corridor_relay_passes_total", node="IN") or 0) > 0
    assert (sample(relay, "corridor_relay_messages_total", node="IN", result="sent") or 0) >= 2

    pids = [pid for where in cluster.where.values() for pid in where["pids"]]
    cluster.process.send_signal(signal.SIGTERM)
    out, _ = cluster.process.communicate(timeout=30)
    assert cluster.process.returncode == 0
    assert json.loads(out.strip().splitlines()[-1]) == {"stopped": ["IN", "RU"]}
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def test_cluster_refuses_an_unknown_node_in_one_line() -> None:
    done = corridor("cluster", "up", "--nodes", "IN,XX")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--nodes" in done.stderr


def test_several_workers_leave_the_relay_to_its_own_process() -> None:
    done = corridor("node", "serve", "--node", "IN", "--workers", "2", "--relay")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "corridor node relay" in done.stderr
