"""Message faults on every real transport: requests and answers lost, duplicates, delays,
reordering and garbled copies, seeded. Consignments filed both ways all converge to the same final
state on both nodes, none lost, none applied twice; the faults injected and the anomalies found
(none) are printed."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from corridor.adapters.tables import declarations, rejections
from corridor.api.app import create_app
from corridor.messaging.nats_transport import NatsJetStream
from corridor.messaging.transport import HttpTransport, InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node, introduce
from corridor.service.auth import create_api_key
from tests.e2e.test_delivery_retries import Clock
from tests.faults.convergence import PEER, anomalies, converge, file_consignments
from tests.faults.transport import FAULTS, FaultyTransport
from tests.integration.conftest import NATS_URL

CONSIGNMENTS = int(os.environ.get("FAULT_CONSIGNMENTS", "40"))  # both ways, half each; more: set it
ROUNDS = int(os.environ.get("FAULT_ROUNDS", "300"))
SEEDS = {"in-process": 1101, "http": 1102, "nats": 1103}


@dataclass
class Corridor:
    nodes: dict[str, Node]
    clock: Clock
    faulty: dict[str, FaultyTransport] = field(default_factory=dict)
    consume: dict[str, Callable[[], int]] = field(default_factory=dict)
    closers: list[Callable[[], None]] = field(default_factory=list)
    # what passes when nothing moved: past the relay's backoff, but well inside the envelopes'
    # 10-minute freshness window over the run (a JetStream message is not sealed again while it waits)
    tick: timedelta = timedelta(seconds=20)

    def step(self) -> int:
        moved = sum(node.relay_once().sent for node in self.nodes.values())
        return moved + sum(take() for take in self.consume.values())

    def idle(self) -> None:
        """Nothing moved: time passes (past the relay's backoff), the network's queue drains."""
        self.clock.now += self.tick
        for faulty in self.faulty.values():
            faulty.flush()

    def acknowledged(self) -> int:
        total = 0
        for node in self.nodes.values():
            with node.engine.connect() as conn:
                total += conn.execute(
                    select(func.count()).where(
                        declarations.c.flow == "export", declarations.c.peer_id.is_not(None)
                    )
                ).scalar_one()
        return total


def in_process(tmp_path: Path, clock: Clock, request: pytest.FixtureRequest) -> Corridor:
    transport = InProcessTransport()
    nodes = {c: bootstrap_node(c, tmp_path / c, transport, clock=clock) for c in ("IN", "RU")}
    for country, node in nodes.items():
        transport.register(country, node.receive, node.receive_many)
    return Corridor(nodes, clock, closers=[n.close for n in nodes.values()])


def http(tmp_path: Path, clock: Clock, request: pytest.FixtureRequest) -> Corridor:
    nodes = {c: bootstrap_node(c, tmp_path / c, InProcessTransport(), clock=clock) for c in ("IN", "RU")}
    corridor = Corridor(nodes, clock)
    for country, node in nodes.items():
        peer = nodes[PEER[country]]
        secret = f"peer-secret-of-{country}-0123456789abcdef"
        create_api_key(peer.uow(), "peer", country, country, clock(), secret)
        client = TestClient(create_app(peer))
        transport = HttpTransport({PEER[country]: str(client.base_url)}, {PEER[country]: secret})
        transport.client = client  # the requests go to the peer's app in this process
        node.relay.transport = transport
        corridor.closers.append(client.close)
    corridor.closers += [n.close for n in nodes.values()]
    return corridor


def jetstream(tmp_path: Path, clock: Clock, request: pytest.FixtureRequest) -> Corridor:
    name, prefix = request.getfixturevalue("stream")
    buses = {c: NatsJetStream(NATS_URL, name, prefix) for c in ("IN", "RU")}
    nodes = {c: bootstrap_node(c, tmp_path / c, buses[c], clock=clock) for c in ("IN", "RU")}
    corridor = Corridor(nodes, clock, closers=[n.close for n in nodes.values()], tick=timedelta(seconds=2))
    corridor.closers += [b.close for b in buses.values()]
    for country, node in nodes.items():
        corridor.consume[country] = lambda c=country, n=node: buses[c].consume(c, n.receive_many)
    return corridor


@pytest.fixture(params=["in-process", "http", pytest.param("nats", marks=pytest.mark.nats)])
def corridor(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Corridor]]:
    clock = Clock()
    made: Corridor = {"in-process": in_process, "http": http, "nats": jetstream}[request.param](
        tmp_path, clock, request
    )
    introduce(made.nodes["IN"], made.nodes["RU"])
    rng = random.Random(SEEDS[request.param])
    for node in made.nodes.values():
        faulty = FaultyTransport(node.relay.transport, random.Random(rng.random()))
        made.faulty[node.country] = faulty
        node.relay.transport = faulty
    yield request.param, made
    for close in made.closers:
        close()


def refused(node: Node) -> Counter[str]:
    """The fields the node's refusals named (a garbled copy: its signature, or the envelope itself)."""
    with node.engine.connect() as conn:
        return Counter(conn.execute(select(rejections.c.field)).scalars())


@pytest.mark.slow
def test_every_consignment_converges_under_message_faults(corridor: tuple[str, Corridor]) -> None:
    name, made = corridor
    filed = file_consignments(made.nodes, CONSIGNMENTS, seed=SEEDS[name], now=made.clock())
    rounds = converge(made.step, lambda: made.acknowledged() == CONSIGNMENTS, ROUNDS, made.idle)
    for faulty in made.faulty.values():
        faulty.enabled = False
        faulty.flush()
    converge(made.step, lambda: False, 5, made.idle)  # what the faults still hold back comes through

    injected: Counter[str] = sum((f.injected for f in made.faulty.values()), Counter())
    found = anomalies({c: n.engine for c, n in made.nodes.items()}, filed)
    report: dict[str, Any] = {
        "transport": name,
        "consignments": CONSIGNMENTS,
        "rounds": rounds,
        "faults": dict(injected),
        "refused": dict(sum((refused(n) for n in made.nodes.values()), Counter())),
        "anomalies": len(found),
    }
    print(report)
    assert found == [], found[:10]
    assert all(injected[f] > 0 for f in FAULTS), injected  # each kind of fault was exercised
    assert sum(report["refused"].values()) >= 1
