"""A small message bus: each command type goes to one handler with the unit of work and context."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from corridor.service.commands import Command
from corridor.service.context import NodeContext
from corridor.service.ports import ConcurrentUpdate, UnitOfWork
from corridor.shared.errors import Conflict

Handler = Callable[[Any, UnitOfWork, NodeContext], Any]

# A command that lost a race with a concurrent change of the same declaration is run again on what
# is committed now, each attempt in a transaction of its own (a lost attempt leaves nothing behind);
# after this many attempts the caller is told to try again (HTTP 409).
MAX_ATTEMPTS = 5
RETRY_PAUSE_S = 0.02  # up to this much times the attempt number, at random, so racers spread out


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
        for attempt in range(1, MAX_ATTEMPTS):
            try:
                return handler(command, self.uow_factory(), self.ctx)
            except ConcurrentUpdate:
                time.sleep(random.uniform(0, RETRY_PAUSE_S * attempt))
        try:
            return handler(command, self.uow_factory(), self.ctx)
        except ConcurrentUpdate as exc:
            raise Conflict(f"{exc}, on each of {MAX_ATTEMPTS} attempts; try again") from exc
