"""An operator sees how often transactions lose races: each command of an attempt that lost one
counts once under its command type in ``corridor_races_lost_total``."""

from __future__ import annotations

from prometheus_client import REGISTRY

from corridor.observability.process import observe_races_lost
from corridor.service.commands import ClearDeclaration, FileDeclaration


def lost(command: str) -> float:
    return REGISTRY.get_sample_value("corridor_races_lost_total", {"command": command}) or 0.0


def test_each_command_of_a_lost_attempt_counts_under_its_type() -> None:
    filed, cleared = lost("FileDeclaration"), lost("ClearDeclaration")

    observe_races_lost([FileDeclaration({}), FileDeclaration({}), ClearDeclaration("x", "OFFICER-1", "")])

    assert (lost("FileDeclaration") - filed, lost("ClearDeclaration") - cleared) == (2.0, 1.0)
