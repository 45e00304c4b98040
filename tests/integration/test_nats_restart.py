"""NATS JetStream stopped and started again mid-run: a `nats-server` of the test's own (own port,
own store directory) goes down with envelopes in its stream and in the nodes' outboxes, comes
back on the same store, and every consignment filed before, during and after converges on both
nodes, none lost, none applied twice."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from corridor.messaging.nats_transport import NatsJetStream
from corridor.node.bootstrap import bootstrap_node, introduce
from tests.e2e.test_delivery_retries import Clock
from tests.e2e.test_two_nodes_http import free_port
from tests.faults.convergence import anomalies, converge, file_consignments
from tests.integration.test_fault_injection import Corridor

pytestmark = pytest.mark.slow
NATS_SERVER = shutil.which("nats-server")


class NatsServer:
    def __init__(self, store: Path) -> None:
        self.port, self.store = free_port(), store
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert NATS_SERVER is not None
        self.process = subprocess.Popen(
            [NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                probe = NatsJetStream(self.url, "PROBE", "probe", timeout=1)
            except Exception:  # not up yet
                time.sleep(0.2)
                continue
            probe.delete_stream()
            probe.close()
            return
        raise AssertionError("nats-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    if NATS_SERVER is None:
        pytest.skip("nats-server is not installed on this machine")
    server = NatsServer(tmp_path / "jetstream")
    server.start()
    yield server
    server.stop()


def test_nats_stopped_and_restarted_mid_run_loses_and_doubles_nothing(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    clock = Clock()
    buses = {c: NatsJetStream(nats_server.url, "CORRIDOR_RESTART", "corridor-restart") for c in ("IN", "RU")}
    nodes = {c: bootstrap_node(c, tmp_path / c, buses[c], clock=clock) for c in ("IN", "RU")}
    made = Corridor(nodes, clock, tick=timedelta(seconds=2))
    introduce(nodes["IN"], nodes["RU"])

    def take(country: str) -> int:
        try:
            return buses[country].consume(country, nodes[country].receive_many)
        except Exception:  # the server is away: the messages wait in the stream
            return 0

    made.consume = {c: (lambda c=c: take(c)) for c in ("IN", "RU")}
    try:
        filed = file_consignments(nodes, 10, seed=1201, now=clock())
        made.step()  # some in flight: published, not all consumed or acknowledged

        nats_server.stop()
        during = file_consignments(nodes, 6, seed=1202, now=clock())
        failed = 0
        for node in nodes.values():  # the relay tries, fails, keeps the messages for a retry
            failed += node.relay_once(limit=1).retried
        nats_server.start()  # same port, same store

        for origin, ids in during.items():
            filed[origin] += ids
        total = sum(len(ids) for ids in filed.values())
        rounds = converge(made.step, lambda: made.acknowledged() == total, 150, made.idle)
        found = anomalies({c: n.engine for c, n in nodes.items()}, filed)
        print(
            {
                "consignments": total,
                "deliveries_failed_while_down": failed,
                "rounds": rounds,
                "anomalies": len(found),
            }
        )
        assert failed >= 1
        assert found == [], found[:10]
    finally:
        for node in nodes.values():
            node.close()
        for bus in buses.values():
            bus.close()
