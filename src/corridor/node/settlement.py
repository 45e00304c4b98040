"""Settlement at a node: its unit of work on the node's database, its context (the node's clock,
the rate table, the node's key to sign realisation records) and the retry of a command that lost a
race, as the node's message bus does for declarations."""

from __future__ import annotations

import random
import time
from typing import Any

from corridor.adapters.settlement_store import SqlSettlementUnitOfWork
from corridor.node.bootstrap import Node
from corridor.service.ports import ConcurrentUpdate
from corridor.settlement import handlers, signing
from corridor.settlement.ports import SettlementUnitOfWork
from corridor.shared.errors import Conflict

MAX_ATTEMPTS = 5


class NodeSettlement:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.ctx = handlers.SettlementContext(node.country, node.bus.ctx.clock, sign=self.sign)

    def uow(self) -> SettlementUnitOfWork:
        return SqlSettlementUnitOfWork(self.node.engine)

    def sign(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.node.uow() as uow:
            key_id, private_key = self.node.bus.ctx.signer.signing_key(uow.keys)
        return signing.sign(body, key_id, private_key)

    def handle(self, command: Any) -> Any:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return handlers.handle(command, self.uow(), self.ctx)
            except ConcurrentUpdate as exc:
                if attempt == MAX_ATTEMPTS:
                    raise Conflict(f"{exc}, on each of {MAX_ATTEMPTS} attempts; try again") from exc
                time.sleep(random.uniform(0, 0.02 * attempt))
        raise AssertionError("unreachable")
