"""Two in-memory corridor nodes (IN and RU) wired like production, minus the database and network.

Each node has its own MemoryStore (its trust list too), private keys in tmp_path, a fixed clock and a fake assessor that
picks the lane; outbox messages are moved between nodes by hand (``Node.deliver_outbox``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from corridor.adapters.memory import MemoryStore, MemoryUnitOfWork
from corridor.customs.assessment import ReferenceAssessor
from corridor.customs.domain.assessment import Assessment, DutyTaxFee, LineAssessment
from corridor.customs.domain.risk import RiskDecision
from corridor.customs.domain.vocabulary import Lane
from corridor.demo.samples import SampleCorridor
from corridor.messaging.keys import NodeKeys
from corridor.node.bootstrap import COMMAND_HANDLERS, make_context
from corridor.service.bus import MessageBus
from corridor.service.commands import Command, ReceiveEnvelope
from corridor.service.context import NodeContext
from corridor.service.ports import OutboxMessage, Trader
from corridor.shared.money import Money

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
SEED = 7
SELECTION_KEY = b"test-node-selection-key-0000000000"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class FakeAssessor:
    """Risk gives a fixed lane; duties come from the node's real tariff data (or a stub)."""

    lane: str = "green"
    duties_country: str | None = None
    risk_calls: list[dict[str, Any]] = field(default_factory=list)

    def risk(
        self, declaration: Any, flow: str, trader: Trader | None, declaration_id: str, at: datetime
    ) -> RiskDecision:
        self.risk_calls.append({"flow": flow, "trader": trader, "declaration_id": declaration_id, "at": at})
        return RiskDecision(Lane(self.lane), (), "test fake")

    def duties(self, declaration: Any, at: datetime) -> Assessment:
        if self.duties_country is not None:
            return ReferenceAssessor.for_country(self.duties_country, SELECTION_KEY).duties(declaration, at)
        fee = Money.of("1.00", "USD")
        line = LineAssessment(
            1, "0000000000", fee, (DutyTaxFee("TEST-FEE", fee, "fixed", None, fee, "test fake"),)
        )
        return Assessment("XX", at.date(), (line,))


class CountingUnitOfWork(MemoryUnitOfWork):
    """Counts the commits made through the store it shares with the node."""

    def __init__(self, store: MemoryStore, commits: list[int]) -> None:
        super().__init__(store)
        self._commits = commits

    def commit(self) -> None:
        super().commit()
        self._commits.append(1)


@dataclass
class Node:
    country: str
    keyring: NodeKeys
    store: MemoryStore
    ctx: NodeContext
    bus: MessageBus
    assessor: FakeAssessor
    commits: list[int]
    delivered: set[str] = field(default_factory=set)

    def handle(self, command: Command) -> Any:
        return self.bus.handle(command)

    def handle_many(self, commands: list[Any]) -> list[Any]:
        return self.bus.handle_many(commands)

    def receive(self, envelope: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.bus.handle(ReceiveEnvelope(envelope))
        return result

    def outbox(self, message_type: str | None = None) -> list[OutboxMessage]:
        return [m for m in self.store.outbox.values() if message_type is None or m.type == message_type]

    def deliver_outbox(self, peer: Node) -> list[dict[str, Any]]:
        """Hand every message not handed over before to ``peer`` (the relay's job, done by hand)."""
        outcomes = []
        for message in sorted(self.outbox(), key=lambda m: m.message_id):
            if message.message_id in self.delivered:
                continue
            assert message.recipient == peer.country
            outcomes.append(peer.receive(message.envelope))
            self.delivered.add(message.message_id)
        return outcomes


NodeFactory = Callable[..., Node]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_node(tmp_path: Path, clock: Clock) -> NodeFactory:
    def make(country: str, lane: str = "green", real_duties: bool = True) -> Node:
        store = MemoryStore()
        keyring = NodeKeys.open(tmp_path / country, country, lambda: MemoryUnitOfWork(store))
        assessor = FakeAssessor(lane=lane, duties_country=country if real_duties else None)
        ctx = make_context(country, keyring.ring, clock, assessor=assessor)
        commits: list[int] = []
        bus = MessageBus(lambda: CountingUnitOfWork(store, commits), ctx, COMMAND_HANDLERS)
        return Node(country, keyring, store, ctx, bus, assessor, commits)

    return make


def introduce(a: Node, b: Node) -> None:
    a.keyring.import_public(b.keyring.export_public())
    b.keyring.import_public(a.keyring.export_public())


@pytest.fixture
def india(make_node: NodeFactory) -> Node:
    return make_node("IN")


@pytest.fixture
def russia(make_node: NodeFactory, india: Node) -> Node:
    node = make_node("RU")
    introduce(india, node)
    return node


@pytest.fixture
def samples() -> SampleCorridor:
    return SampleCorridor(SEED)


@pytest.fixture
def export_in(samples: SampleCorridor) -> dict[str, Any]:
    """A valid IN->RU export declaration (fresh copy per test)."""
    return json.loads(json.dumps(samples.next("IN", NOW)))


@pytest.fixture
def export_ru(samples: SampleCorridor) -> dict[str, Any]:
    """A valid RU->IN export declaration (fresh copy per test)."""
    return json.loads(json.dumps(samples.next("RU", NOW)))
