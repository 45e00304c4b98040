"""The node's check of a declared code against the goods description, as the risk engine sees it:
the classifier itself is the node's (``corridor.classification``), plugged in at bootstrap."""

from __future__ import annotations

from typing import Protocol


class HsVerdict(Protocol):
    @property
    def available(self) -> bool: ...

    @property
    def flagged(self) -> bool: ...

    @property
    def detail(self) -> str: ...


class HsCheck(Protocol):
    def check(self, description: str, declared_code: str, min_confidence: float) -> HsVerdict: ...

    def unavailable_reason(self) -> str | None:
        """Why the check cannot run on this node (then the rule is inert), or None."""
        ...
