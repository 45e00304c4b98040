"""What a check of a declaration's documents reports to customs: a finding and the lane it calls
for. Defined here so that customs reads findings without knowing who made them."""

from __future__ import annotations

from typing import Protocol


class LaneFinding(Protocol):
    @property
    def lane(self) -> str:
        """The lane the finding calls for: green, yellow or red."""

    @property
    def path(self) -> str:
        """The declaration's field the finding is about (WCO names, dots and ``[i]`` indexes)."""

    @property
    def reason(self) -> str: ...
