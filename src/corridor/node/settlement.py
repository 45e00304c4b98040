"""Settlement at a node, for the entry points: its commands go through the node's message bus (the
node's unit of work, so settlement's changes and the events they publish share the transaction of
their cause), its queries read through the node's unit of work."""

from __future__ import annotations

from typing import Any

from corridor.node.bootstrap import Node
from corridor.service.commands import Command
from corridor.settlement.handlers import SettlementContext
from corridor.settlement.ports import SettlementUnitOfWork


class NodeSettlement:
    def __init__(self, node: Node) -> None:
        self.node = node
        assert node.bus.ctx.settlement is not None, "make_context gives every node a settlement context"
        self.ctx: SettlementContext = node.bus.ctx.settlement

    def uow(self) -> SettlementUnitOfWork:
        return self.node.uow()

    def handle(self, command: Command) -> Any:
        return self.node.handle(command)
