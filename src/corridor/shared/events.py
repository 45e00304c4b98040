"""The base of every domain event. Aggregates record events; the unit of work collects them and,
before it commits, hands each to the handlers subscribed to its type, in the same transaction (so
a reaction is never lost to a crash between two commits)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened in one capability that others may react to."""
