"""The outbox relay: delivers due messages, retries with exponential backoff, keeps what fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from corridor.messaging.transport import Transport
from corridor.service.ports import UnitOfWork

BASE_BACKOFF = timedelta(seconds=1)
MAX_BACKOFF = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    return min(BASE_BACKOFF * (2 ** min(attempts, 20)), MAX_BACKOFF)


@dataclass
class RelayReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0


class Relay:
    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], transport: Transport, clock: Callable[[], datetime]
    ) -> None:
        self.uow_factory = uow_factory
        self.transport = transport
        self.clock = clock

    def run_once(self, limit: int = 200) -> RelayReport:
        with self.uow_factory() as uow:
            due = uow.outbox.due(self.clock(), limit)
        report = RelayReport()
        results = []
        for message in due:
            results.append((message, self.transport.deliver(message.recipient, message.envelope)))
        if not results:
            return report
        with self.uow_factory() as uow:
            now = self.clock()
            delivered = [message.message_id for message, delivery in results if delivery.ok]
            uow.outbox.mark_sent(delivered, now)
            report.sent = len(delivered)
            for message, delivery in results:
                if delivery.ok:
                    continue
                if delivery.permanent:
                    uow.outbox.mark_dead(message.message_id, delivery.detail)
                    report.dead += 1
                else:
                    uow.outbox.mark_retry(
                        message.message_id, delivery.detail, now + backoff(message.attempts)
                    )
                    report.retried += 1
            uow.commit()
        return report
