"""A small message bus: each command type goes to one handler with the unit of work and context."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from corridor.service import batch
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
        #: Told of the commands of each attempt that lost a race (the node process's metrics).
        self.on_race_lost: Callable[[Sequence[Command]], None] | None = None

    def handle(self, command: Command) -> Any:
        handler = self.handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        with log_context(node=self.ctx.country, declaration_id=getattr(command, "declaration_id", None)):
            result = self._run(handler, command)
            _log_outcome(command, result)
        return result

    def handle_many(self, commands: Sequence[Command]) -> list[Any]:
        """Run ``commands`` together in one transaction (see ``service.batch``): each command's
        result, or ``Refused`` with the error that refused it alone, in their order. A race lost
        runs the batch again, as ``handle`` does a command."""
        handlers = []
        for command in commands:
            handler = self.handlers.get(type(command))
            if handler is None:
                raise LookupError(f"no handler for {type(command).__name__}")
            handlers.append(handler)
        if not commands:
            return []
        with log_context(node=self.ctx.country):
            outcomes: list[Any] = self._retrying(
                lambda: batch.run_batch(
                    handlers, commands, self._unit_of_work, self.ctx, self._read_ahead(commands)
                ),
                commands,
            )
        for command, outcome in zip(commands, outcomes, strict=True):
            if not isinstance(outcome, batch.Refused):
                with log_context(
                    node=self.ctx.country, declaration_id=getattr(command, "declaration_id", None)
                ):
                    _log_outcome(command, outcome)
        return outcomes

    def _read_ahead(self, commands: Sequence[Command]) -> Callable[[UnitOfWork], None]:
        """What the commands' types read ahead, each given its commands together."""
        by_type: dict[type, list[Command]] = {}
        for command in commands:
            if type(command) in self.ctx.command_read_ahead:
                by_type.setdefault(type(command), []).append(command)

        def read(uow: UnitOfWork) -> None:
            for kind, group in by_type.items():
                self.ctx.command_read_ahead[kind](group, uow)

        return read

    def _unit_of_work(self) -> UnitOfWork:
        """A unit of work that hands the events it collects to the handlers subscribed to them."""
        uow = self.uow_factory()
        uow.event_handlers = self.ctx.event_handlers
        return uow

    def _run(self, handler: Handler, command: Command) -> Any:
        return self._retrying(lambda: handler(command, self._unit_of_work(), self.ctx), (command,))

    def _retrying(self, attempt: Callable[[], Any], commands: Sequence[Command]) -> Any:
        for number in range(1, MAX_ATTEMPTS):
            try:
                return attempt()
            except ConcurrentUpdate:
                self._lost(commands)
                time.sleep(random.uniform(0, RETRY_PAUSE_S * number))
        try:
            return attempt()
        except ConcurrentUpdate as exc:
            self._lost(commands)
            raise Conflict(f"{exc}, on each of {MAX_ATTEMPTS} attempts; try again") from exc

    def _lost(self, commands: Sequence[Command]) -> None:
        if self.on_race_lost is not None:
            self.on_race_lost(commands)
