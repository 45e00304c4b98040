"""What the service layer needs to keep API keys: their hashes, bound to a role and a party."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    key_hash: str
    role: str
    party_id: str
    label: str
    created_at: datetime
    revoked: bool = False

    def described(self) -> dict[str, Any]:
        """What may be shown of the key: everything but its hash."""
        return {"id": self.id, "role": self.role, "party_id": self.party_id, "label": self.label,
                "created_at": self.created_at.isoformat(), "revoked": self.revoked}  # fmt: skip


class ApiKeyRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, key: ApiKey) -> None: ...

    @abc.abstractmethod
    def by_hash(self, key_hash: str) -> ApiKey | None: ...

    @abc.abstractmethod
    def all(self) -> list[ApiKey]:
        """Every key, oldest first."""

    @abc.abstractmethod
    def revoke(self, key_id: str) -> ApiKey | None:
        """Mark the key revoked (again, if it was); None when no key has that id."""
