"""kill -9 of the relay/consumer process at random points: each node runs its API (`node serve
--no-relay`) and a separate `node relay`; while consignments are filed both ways, relays are
killed with SIGKILL at seeded random moments and started again. Every consignment converges on
both nodes, none lost, none applied twice (a relay killed mid-pass leaves its claimed messages to
the next relay once their lease ends).

Over HTTP and over NATS JetStream; over JetStream `node relay` is also the consumer of the node's
inbox stream, so a kill may fall in the middle of a fetched batch, whose unacknowledged messages
the stream delivers again once their acknowledgement wait ends. `KILL_CONSIGNMENTS` and
`KILL_RELAYS` change the counts."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine

from corridor.cli.cluster import peer_key_file, provision
from corridor.cli.common import local_node
from corridor.demo.samples import SampleCorridor
from corridor.messaging.relay import CLAIM_LEASE
from corridor.service.auth import create_api_key
from tests.e2e.test_two_nodes_http import PEER, free_port
from tests.faults.convergence import anomalies
from tests.integration.conftest import NATS_URL, stream  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
CONSIGNMENTS = int(os.environ.get("KILL_CONSIGNMENTS", "20"))  # both ways, half each
KILLS = int(os.environ.get("KILL_RELAYS", "3"))
ACK_WAIT_S = 30  # JetStream's default: a fetched message not acknowledged this long is delivered again


class Node:
    def __init__(
        self, country: str, data_dir: Path, ports: dict[str, int], nats: dict[str, str] | None = None
    ) -> None:
        self.country, self.data_dir, self.ports = country, data_dir, ports
        self.nats = nats  # CORRIDOR_NATS_* settings: the exchange over JetStream instead of HTTP
        self.api: subprocess.Popen[bytes] | None = None
        self.relay: subprocess.Popen[bytes] | None = None

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "corridor",
            "node",
            *args,
            "--node",
            self.country,
            "--data-dir",
            str(self.data_dir),
        ]
        env = {**os.environ, "CORRIDOR_ENV": "test", **(self.nats or {})}
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    def start_api(self) -> None:
        self.api = self._spawn("serve", "--port", str(self.ports[self.country]), "--no-relay")

    def start_relay(self) -> None:
        if self.nats is not None:  # the relay publishes to the stream and consumes the node's inbox
            self.relay = self._spawn("relay", "--relay-interval", "0.1")
            return
        peer = PEER[self.country]
        self.relay = self._spawn(
            "relay", "--peer", f"{peer}=http://127.0.0.1:{self.ports[peer]}",
            "--peer-key-file", f"{peer}={peer_key_file(self.data_dir, self.country, peer)}", "--relay-interval", "0.1",
        )  # fmt: skip

    def kill_relay(self) -> None:
        assert self.relay is not None
        self.relay.send_signal(signal.SIGKILL)
        self.relay.wait(timeout=10)

    def stop(self) -> None:
        for process in (self.api, self.relay):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture(params=["http", pytest.param("nats", marks=pytest.mark.nats)])
def nodes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[dict[str, Node], dict[str, str]]]:
    nats = None
    if request.param == "nats":
        name, prefix = request.getfixturevalue("stream")
        nats = {
            "CORRIDOR_NATS_URL": NATS_URL,
            "CORRIDOR_NATS_STREAM": name,
            "CORRIDOR_NATS_SUBJECT_PREFIX": prefix,
        }
    provision(tmp_path, ["IN", "RU"], None, {"IN": None, "RU": None})
    officer = {}
    for country in ("IN", "RU"):
        with local_node(tmp_path, country) as opened:
            officer[country] = create_api_key(
                opened.uow(), "officer", f"{country}-OFFICER-1", "officer", datetime.now(UTC)
            )
    ports = {"IN": free_port(), "RU": free_port()}
    made = {c: Node(c, tmp_path, ports, nats) for c in ("IN", "RU")}
    try:
        for node in made.values():
            node.start_api()
            node.start_relay()
        deadline = time.monotonic() + 120
        for country in made:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{ports[country]}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    assert time.monotonic() < deadline, f"node {country} did not start"
                    time.sleep(0.2)
        yield made, officer
    finally:
        for node in made.values():
            node.stop()


def call(node: Node, key: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    url = f"http://127.0.0.1:{node.ports[node.country]}{path}"
    return httpx.request(method, url, headers={"x-api-key": key}, timeout=15, **kwargs)


def test_relays_killed_at_random_points_lose_and_double_nothing(
    nodes: tuple[dict[str, Node], dict[str, str]], tmp_path: Path
) -> None:
    made, officer = nodes
    rng = random.Random(1401)
    samples = SampleCorridor(seed=1401)
    kill_at = sorted(rng.sample(range(2, CONSIGNMENTS), KILLS))
    filed: dict[str, list[str]] = {"IN": [], "RU": []}
    killed = []
    for i in range(CONSIGNMENTS):
        origin = ("IN", "RU")[i % 2]
        answer = call(
            made[origin],
            officer[origin],
            "POST",
            "/v1/declarations",
            json=samples.next(origin, datetime.now(UTC)),
        )
        assert answer.status_code == 201, answer.text
        declaration = answer.json()
        if declaration["status"] == "under_control":
            cleared = call(
                made[origin],
                officer[origin],
                "POST",
                f"/v1/declarations/{declaration['id']}/clear",
                json={"findings": "ok"},
            )
            assert cleared.status_code == 200
        filed[origin].append(declaration["id"])
        if i in kill_at:
            victim = made[rng.choice(["IN", "RU"])]
            time.sleep(rng.uniform(0.0, 0.5))  # somewhere in a relay pass, or between two
            victim.kill_relay()
            killed.append(victim.country)
            victim.start_relay()

    deadline = time.monotonic() + max(CLAIM_LEASE.total_seconds(), ACK_WAIT_S) + 90
    waiting = [(o, d) for o, ids in filed.items() for d in ids]
    while waiting and time.monotonic() < deadline:
        waiting = [
            (o, d) for o, d in waiting
            if not call(made[o], officer[o], "GET", f"/v1/declarations/{d}").json()["acknowledgement"]
        ]  # fmt: skip
        time.sleep(1)
    for node in made.values():
        node.stop()
    assert not waiting, f"not acknowledged: {waiting}"
    engines = {c: create_engine(f"sqlite:///{tmp_path / c / 'corridor.sqlite'}") for c in ("IN", "RU")}
    found = anomalies(engines, filed)
    transport = "nats" if made["IN"].nats else "http"
    print(
        {
            "transport": transport,
            "consignments": CONSIGNMENTS,
            "relays_killed": killed,
            "anomalies": len(found),
        }
    )
    assert len(killed) == KILLS
    assert found == [], found[:10]
