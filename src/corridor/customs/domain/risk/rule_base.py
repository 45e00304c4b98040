"""What every risk rule has: identity, lane, flow, effective dates, source, and an HS prefix index."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, TypeAlias, TypedDict

from corridor.customs.domain.risk.vocabulary import (
    RULE_FLOWS,
    RULE_LANES,
    RuleFlow,
    RuleKind,
    RuleLane,
    is_hs_prefix,
)


class PrefixIndex:
    """Set membership on HS prefixes: one slice and one set lookup per distinct prefix length."""

    __slots__ = ("_lengths", "_prefixes")

    def __init__(self, prefixes: Iterable[str]) -> None:
        self._prefixes = frozenset(prefixes)
        # longest first, so the most specific prefix is the one reported
        self._lengths = tuple(sorted({len(p) for p in self._prefixes}, reverse=True))

    def match(self, code: str) -> str | None:
        prefixes = self._prefixes
        for n in self._lengths:
            head = code[:n]
            if head in prefixes:
                return head
        return None

    def __bool__(self) -> bool:
        return bool(self._prefixes)


# (detail for the officer, sequences of the items concerned)
Hit: TypeAlias = tuple[str, tuple[int, ...]]


def check_prefixes(rule_id: str, name: str, prefixes: frozenset[str]) -> None:
    for prefix in prefixes:
        if not is_hs_prefix(prefix):
            raise ValueError(f"rule {rule_id}: {name} entry {prefix!r} is not 2 to 10 digits")


class RuleJson(TypedDict):
    """What every rule states, as its version fingerprint reads it."""

    id: str
    kind: str
    description: str
    lane: str
    flow: str
    valid_from: str
    valid_to: str | None
    source: str
    overrides_aeo: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleBase:
    """Fields every rule has. ``valid_to`` is the last day the rule applies (inclusive)."""

    kind: ClassVar[RuleKind]

    id: str
    description: str
    lane: RuleLane
    valid_from: date
    valid_to: date | None = None
    source: str
    flow: RuleFlow = "both"
    overrides_aeo: bool = False

    def _check_common(self) -> None:
        if not self.id:
            raise ValueError("rule id must not be empty")
        if self.lane not in RULE_LANES:
            raise ValueError(f"rule {self.id}: lane {self.lane!r} must be yellow or red")
        if self.flow not in RULE_FLOWS:
            raise ValueError(f"rule {self.id}: flow {self.flow!r} must be export, import or both")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"rule {self.id}: valid_to {self.valid_to} is before valid_from")
        if not self.source.strip():
            raise ValueError(f"rule {self.id}: source must not be empty")

    def effective_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def applies_to(self, flow: str) -> bool:
        return self.flow == "both" or self.flow == flow

    def _common_json(self) -> RuleJson:
        return {
            "id": self.id,
            "kind": self.kind,
            "description": self.description,
            "lane": self.lane,
            "flow": self.flow,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source": self.source,
            "overrides_aeo": self.overrides_aeo,
        }
