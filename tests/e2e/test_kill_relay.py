"""kill -9 of the relay/consumer process at random points: each node runs its API (`node serve
--no-relay`) and a separate `node relay`; while consignments are filed both ways, a relay is
killed with SIGKILL at a seeded random moment, stays down while a backlog of consignments is filed
both ways, is started on that backlog and killed again as soon as it is seen in the middle of a
pass (outbox messages claimed and not yet marked sent), then started for good. Every consignment
converges on both nodes, none lost, none applied twice (a relay killed mid-pass leaves its claimed
messages to the next relay once their lease ends).

Over HTTP and over NATS JetStream; over JetStream `node relay` is also the consumer of the node's
inbox stream, and every other mid-pass kill falls in a fetched batch of inbox messages not yet
acknowledged, which the stream delivers again once their acknowledgement wait ends.
`KILL_CONSIGNMENTS` and `KILL_RELAYS` change the counts."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from corridor.adapters.tables import inbox, outbox
from corridor.cli.cluster import peer_key_file, provision
from corridor.cli.common import local_node
from corridor.demo.samples import SampleCorridor
from corridor.messaging.relay import CLAIM_LEASE
from corridor.service.auth import create_api_key
from tests.e2e.test_two_nodes_http import PEER, free_port
from tests.faults.convergence import anomalies
from tests.integration.conftest import NATS_URL, stream  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
CONSIGNMENTS = int(os.environ.get("KILL_CONSIGNMENTS", "30"))  # both ways, half each
KILLS = int(os.environ.get("KILL_RELAYS", "3"))
BACKLOG = 6  # consignments filed while a killed relay stays down, before it is killed again mid-pass
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


class Watch:
    """Whether a node's relay is in the middle of a pass: outbox messages claimed and not yet
    marked (their lease is running), or, over JetStream, inbox messages fetched and not yet
    acknowledged; and how many times JetStream delivered a message again."""

    def __init__(self, made: dict[str, Node], data_dir: Path) -> None:
        self.engines = {c: create_engine(f"sqlite:///{data_dir / c / 'corridor.sqlite'}") for c in made}
        self.nats = made["IN"].nats
        self.loop = asyncio.new_event_loop()
        self.connection: Any = None
        if self.nats is not None:
            import nats as nats_client

            self.connection = self.loop.run_until_complete(
                nats_client.connect(self.nats["CORRIDOR_NATS_URL"])
            )

    def _consumer(self, country: str) -> Any:
        assert self.nats is not None
        durable = f"{self.nats['CORRIDOR_NATS_SUBJECT_PREFIX'].replace('.', '-')}-{country.lower()}"
        return self.loop.run_until_complete(
            self.connection.jetstream().consumer_info(self.nats["CORRIDOR_NATS_STREAM"], durable)
        )

    def mid_pass(self, country: str, side: str) -> bool:
        """Whether the relay of ``country`` holds outbox messages it claimed and has not marked yet
        (``side`` "outbox"), or inbox messages it fetched from JetStream and has not acknowledged
        yet ("inbox")."""
        if side == "inbox":
            try:
                return int(self._consumer(country).num_ack_pending) > 0
            except Exception:  # the consumer is made by the relay's first look at the stream
                return False
        leased = outbox.c.next_attempt_at > datetime.now(UTC) + CLAIM_LEASE / 2
        with self.engines[country].connect() as conn:
            query = select(func.count()).select_from(outbox).where(outbox.c.status == "pending", leased)
            return int(conn.execute(query).scalar_one()) > 0

    def delivered_again(self) -> int | None:
        """Deliveries by JetStream beyond one per message the nodes took in (the consumer's
        sequence counts every delivery; the inbox keeps each message once)."""
        if self.nats is None:
            return None
        deliveries = sum(int(self._consumer(c).delivered.consumer_seq) for c in self.engines)
        taken = 0
        for engine in self.engines.values():
            with engine.connect() as conn:
                taken += int(conn.execute(select(func.count()).select_from(inbox)).scalar_one())
        return deliveries - taken

    def close(self) -> None:
        if self.connection is not None:
            self.loop.run_until_complete(self.connection.close())
        self.loop.close()
        for engine in self.engines.values():
            engine.dispose()


def call(node: Node, key: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    url = f"http://127.0.0.1:{node.ports[node.country]}{path}"
    return httpx.request(method, url, headers={"x-api-key": key}, timeout=15, **kwargs)


def file(node: Node, key: str, document: dict[str, Any]) -> str:
    answer = call(node, key, "POST", "/v1/declarations", json=document)
    assert answer.status_code == 201, answer.text
    declaration = answer.json()
    if declaration["status"] == "under_control":
        path = f"/v1/declarations/{declaration['id']}/clear"
        cleared = call(node, key, "POST", path, json={"findings": "ok"})
        assert cleared.status_code == 200, cleared.text
    return str(declaration["id"])


def kill_mid_pass(victim: Node, side: str, watch: Watch, rng: random.Random) -> bool:
    """Start the victim's relay on its backlog and kill it as soon as it is seen in the middle of a
    pass over its outbox or its inbox (or after 20 s if never seen); whether it was."""
    victim.start_relay()
    deadline = time.monotonic() + 20
    seen = False
    while not seen and time.monotonic() < deadline:
        seen = watch.mid_pass(victim.country, side)
        time.sleep(0.01)
    time.sleep(rng.uniform(0.0, 0.05))  # somewhere further into the batch
    victim.kill_relay()
    return seen


def test_relays_killed_at_random_points_lose_and_double_nothing(
    nodes: tuple[dict[str, Node], dict[str, str]], tmp_path: Path
) -> None:
    made, officer = nodes
    rng = random.Random(1401)
    samples = SampleCorridor(seed=1401)
    slot = (CONSIGNMENTS - 2) // KILLS  # one kill, then its backlog, in each slot of the run
    assert slot > BACKLOG, "KILL_CONSIGNMENTS too few for KILL_RELAYS"
    kill_at = {2 + k * slot + rng.randrange(slot - BACKLOG) for k in range(KILLS)}
    filed: dict[str, list[str]] = {"IN": [], "RU": []}
    killed: list[str] = []
    mid_pass: Counter[str] = Counter()
    sides = ["outbox", "inbox"] if made["IN"].nats else ["outbox"]
    watch = Watch(made, tmp_path)
    stopped: tuple[Node, int] | None = None  # a node whose relay is down, and until which filing
    try:
        for i in range(CONSIGNMENTS):
            origin = ("IN", "RU")[i % 2]
            filed[origin].append(file(made[origin], officer[origin], samples.next(origin, datetime.now(UTC))))
            if stopped is not None and i >= stopped[1]:  # a backlog waits for it both ways
                victim = stopped[0]
                side = sides[len(killed) // 2 % len(sides)]
                mid_pass[side] += kill_mid_pass(victim, side, watch, rng)
                killed.append(victim.country)
                victim.start_relay()
                stopped = None
            if i in kill_at and stopped is None:
                victim = made[rng.choice(["IN", "RU"])]
                time.sleep(rng.uniform(0.0, 0.5))  # somewhere in a relay pass, or between two
                victim.kill_relay()
                killed.append(victim.country)
                stopped = (victim, i + BACKLOG)

        deadline = time.monotonic() + max(CLAIM_LEASE.total_seconds(), ACK_WAIT_S) + 90
        waiting = [(o, d) for o, ids in filed.items() for d in ids]
        while waiting and time.monotonic() < deadline:
            waiting = [
                (o, d) for o, d in waiting
                if not call(made[o], officer[o], "GET", f"/v1/declarations/{d}").json()["acknowledgement"]
            ]  # fmt: skip
            time.sleep(1)
        delivered_again = watch.delivered_again()
    finally:
        watch.close()
    for node in made.values():
        node.stop()
    assert not waiting, f"not acknowledged: {waiting}"
    engines = {c: create_engine(f"sqlite:///{tmp_path / c / 'corridor.sqlite'}") for c in ("IN", "RU")}
    found = anomalies(engines, filed)
    print(
        {
            "transport": "nats" if made["IN"].nats else "http",
            "consignments": CONSIGNMENTS,
            "relays_killed": len(killed),
            "killed_mid_pass": dict(mid_pass),
            "delivered_again": delivered_again,
            "anomalies": len(found),
        }
    )
    assert len(killed) == 2 * KILLS
    assert found == [], found[:10]
