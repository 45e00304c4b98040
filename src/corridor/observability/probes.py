"""Readiness: the node's database answers, its schema is at the newest migration, the message bus
answers when the node exchanges over one (a transport with a ``reachable()`` method), and the HS
classifier this process loads as it starts has loaded (a classifier that cannot load is a note,
not a reason to refuse traffic: the node files without the description check)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from corridor.adapters.database import MIGRATIONS


@cache
def migration_heads() -> frozenset[str]:
    """The newest revisions the package ships."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # said, but not in the way of readiness

    @property
    def ready(self) -> bool:
        return all(value == "ok" for value in self.checks.values())

    def to_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"status": "ready" if self.ready else "not ready", "checks": self.checks}
        if self.notes:
            answer["notes"] = self.notes
        return answer


def _database(engine: Engine, readiness: Readiness) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = frozenset(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # the reason is the answer
        readiness.checks["database"] = f"unreachable: {type(exc).__name__}"
        readiness.checks["migrations"] = "unknown: database unreachable"
        return
    readiness.checks["database"] = "ok"
    expected = migration_heads()
    if current == expected:
        readiness.checks["migrations"] = "ok"
    else:
        readiness.checks["migrations"] = (
            f"at {', '.join(sorted(current)) or 'none'}, expected {', '.join(sorted(expected))}"
        )


def readiness(
    engine: Engine, transport: object, classifier: Callable[[], str | None] | None = None
) -> Readiness:
    """``classifier`` tells where the process's classifier warm-up stands (``HsService.warm_up_state``)."""
    found = Readiness()
    _database(engine, found)
    state = classifier() if classifier is not None else None
    if state is not None and state.startswith("unavailable"):
        found.notes["classifier"] = f"{state}; filings are not checked against their descriptions"
    elif state is not None:
        found.checks["classifier"] = state
    reachable = getattr(transport, "reachable", None)
    if callable(reachable):
        try:
            found.checks["bus"] = "ok" if reachable() else "not connected"
        except Exception as exc:  # the reason is the answer
            found.checks["bus"] = f"unreachable: {type(exc).__name__}"
    return found
