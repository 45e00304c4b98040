"""What a check of a declaration's documents reports to customs: a finding and the lane it calls
for. Defined here so that customs reads findings without knowing who made them."""

from __future__ import annotations

from typing import Any, Protocol


class LaneFinding(Protocol):
    @property
    def lane(self) -> str: ...

    def to_json(self) -> dict[str, Any]: ...
