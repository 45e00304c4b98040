"""A finding: a mismatch or failed check, the lane it calls for, and the declaration path concerned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lane = Literal["yellow", "red"]


@dataclass(frozen=True, slots=True)
class Finding:
    lane: Lane
    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"lane": self.lane, "path": self.path, "reason": self.reason}
