"""A small message bus: each command type goes to one handler with the unit of work and context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corridor.service.commands import Command
from corridor.service.context import NodeContext
from corridor.service.ports import UnitOfWork

Handler = Callable[[Any, UnitOfWork, NodeContext], Any]


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
        return handler(command, self.uow_factory(), self.ctx)
