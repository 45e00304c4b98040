"""Consignments awaiting an officer at the entry ports, ordered by due time."""

from __future__ import annotations

from datetime import datetime

from corridor.customs.domain.release import ConsignmentRelease
from corridor.customs.domain.release_outcomes import QueueEntry


class OfficerQueue:
    """Consignments awaiting an officer, per port, ordered by due time."""

    def __init__(self) -> None:
        self._entries: dict[str, QueueEntry] = {}

    def sync(self, consignment: ConsignmentRelease) -> None:
        if consignment.queue_entry is None:
            self._entries.pop(consignment.consignment_id, None)
        else:
            self._entries[consignment.consignment_id] = consignment.queue_entry

    def for_port(self, port: str) -> list[QueueEntry]:
        return sorted(
            (e for e in self._entries.values() if e.port == port), key=lambda e: (e.due_at, e.consignment_id)
        )

    def overdue(self, now: datetime) -> list[QueueEntry]:
        return sorted((e for e in self._entries.values() if e.due_at < now), key=lambda e: e.due_at)

    def __len__(self) -> int:
        return len(self._entries)
