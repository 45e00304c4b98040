"""A small message bus: each command type goes to one handler with the unit of work and context."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

from corridor.service.commands import (
    ClearDeclaration,
    Command,
    FileDeclaration,
    HoldDeclaration,
    PayDuties,
    ReleaseDeclaration,
)
from corridor.service.context import NodeContext
from corridor.service.ports import ConcurrentUpdate, UnitOfWork
from corridor.shared.errors import Conflict
from corridor.shared.logs import log_context

Handler = Callable[[Any, UnitOfWork, NodeContext], Any]

# A command that lost a race with a concurrent change of the same declaration is run again on what
# is committed now, each attempt in a transaction of its own (a lost attempt leaves nothing behind);
# after this many attempts the caller is told to try again (HTTP 409).
MAX_ATTEMPTS = 5
RETRY_PAUSE_S = 0.02  # up to this much times the attempt number, at random, so racers spread out

log = logging.getLogger(__name__)

# What a command did to a declaration, as the log says it.
DECLARATION_EVENTS: dict[type[Command], str] = {
    FileDeclaration: "declaration filed",
    ClearDeclaration: "declaration cleared",
    HoldDeclaration: "declaration held",
    PayDuties: "duties paid",
    ReleaseDeclaration: "declaration released",
}


def _log_outcome(command: Command, result: Any) -> None:
    """One record of what a command did to a declaration: its id, flow, lane and status now; the
    consignment's correlation id is the export declaration's id (kept as ``peer_id`` at the
    destination)."""
    event = DECLARATION_EVENTS.get(type(command))
    declaration_id = getattr(result, "id", None)
    if event is None or not isinstance(declaration_id, str):
        return
    flow, lane, status = (getattr(result, name, None) for name in ("flow", "lane", "status"))
    correlation = declaration_id if flow == "export" else getattr(result, "peer_id", None)
    with log_context(declaration_id=declaration_id, correlation_id=correlation):
        log.info("%s: %s, lane %s, status %s", event, flow, lane, status)


class MessageBus:
    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], ctx: NodeContext, handlers: dict[type[Command], Handler]
    ) -> None:
        self.uow_factory = uow_factory
        self.ctx = ctx
        self.handlers = handlers

    def handle(self, command: Command) -> Any:
        handler = self.handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        with log_context(node=self.ctx.country, declaration_id=getattr(command, "declaration_id", None)):
            result = self._run(handler, command)
            _log_outcome(command, result)
        return result

    def _unit_of_work(self) -> UnitOfWork:
        """A unit of work that hands the events it collects to the handlers subscribed to them."""
        uow = self.uow_factory()
        uow.event_handlers = self.ctx.event_handlers
        return uow

    def _run(self, handler: Handler, command: Command) -> Any:
        for attempt in range(1, MAX_ATTEMPTS):
            try:
                return handler(command, self._unit_of_work(), self.ctx)
            except ConcurrentUpdate:
                time.sleep(random.uniform(0, RETRY_PAUSE_S * attempt))
        try:
            return handler(command, self._unit_of_work(), self.ctx)
        except ConcurrentUpdate as exc:
            raise Conflict(f"{exc}, on each of {MAX_ATTEMPTS} attempts; try again") from exc
