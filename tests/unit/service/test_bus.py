"""The message bus runs a command that lost a race with a concurrent change again, a bounded number
of times, each attempt in a unit of work of its own."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from corridor.adapters.memory import MemoryStore, MemoryUnitOfWork
from corridor.service import bus as bus_module
from corridor.service.bus import MAX_ATTEMPTS, MessageBus
from corridor.service.commands import Command
from corridor.service.context import NodeContext
from corridor.service.ports import ConcurrentUpdate, UnitOfWork
from corridor.shared.errors import Conflict


class Racing:
    """A handler that loses the race ``losses`` times, then succeeds; records each unit of work."""

    def __init__(self, losses: int) -> None:
        self.losses = losses
        self.units: list[UnitOfWork] = []

    def __call__(self, command: Any, uow: UnitOfWork, ctx: NodeContext) -> str:
        self.units.append(uow)
        if len(self.units) <= self.losses:
            raise ConcurrentUpdate("declaration 25IN0 changed since it was read")
        return "done"


def bus_with(handler: Racing, monkeypatch: pytest.MonkeyPatch) -> MessageBus:
    monkeypatch.setattr(bus_module, "RETRY_PAUSE_S", 0.0)
    store = MemoryStore()
    node = SimpleNamespace(
        country="IN", event_handlers={}, command_read_ahead={}
    )  # no reactions, no read-ahead
    return MessageBus(lambda: MemoryUnitOfWork(store), node, {Command: handler})  # type: ignore[arg-type]


def test_a_command_that_lost_a_race_runs_again_in_a_fresh_unit_of_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handler = Racing(losses=MAX_ATTEMPTS - 1)
    assert bus_with(handler, monkeypatch).handle(Command()) == "done"
    assert len(handler.units) == MAX_ATTEMPTS
    assert len({id(u) for u in handler.units}) == MAX_ATTEMPTS


def test_a_command_that_keeps_losing_is_a_conflict_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = Racing(losses=MAX_ATTEMPTS)
    with pytest.raises(
        Conflict, match=f"declaration 25IN0 changed since it was read.*{MAX_ATTEMPTS} attempts"
    ):
        bus_with(handler, monkeypatch).handle(Command())
    assert len(handler.units) == MAX_ATTEMPTS


def test_each_race_lost_is_told_with_its_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    bus = bus_with(Racing(losses=2), monkeypatch)
    told: list[list[Command]] = []
    bus.on_race_lost = lambda commands: told.append(list(commands))
    command = Command()

    bus.handle(command)

    assert told == [[command], [command]]


def test_every_attempt_lost_is_told_including_the_last(monkeypatch: pytest.MonkeyPatch) -> None:
    bus = bus_with(Racing(losses=MAX_ATTEMPTS), monkeypatch)
    told: list[int] = []
    bus.on_race_lost = lambda commands: told.append(len(commands))
    with pytest.raises(Conflict):
        bus.handle(Command())
    assert told == [1] * MAX_ATTEMPTS


def test_a_batch_that_lost_a_race_is_told_with_all_its_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    bus = bus_with(Racing(losses=1), monkeypatch)
    told: list[list[Command]] = []
    bus.on_race_lost = lambda commands: told.append(list(commands))
    batch = [Command(), Command()]

    assert bus.handle_many(batch) == ["done", "done"]

    assert told == [batch]
