"""Declared code against the goods description: the check is the node's (a classifier); the rule
holds its threshold and effective dates."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Literal

from corridor.customs.domain.risk.rule_base import Hit, RuleBase, RuleJson
from corridor.customs.domain.risk.subject import RiskSubject


class HsMismatchJson(RuleJson):
    min_confidence: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HsMismatchRule(RuleBase):
    """Fires for an item whose declared heading the node's classifier confidently contradicts
    (best heading's confidence at least ``min_confidence``); inert where the node has no check."""

    kind: ClassVar[Literal["hs_description_mismatch"]] = "hs_description_mismatch"

    min_confidence: Decimal

    def __post_init__(self) -> None:
        self._check_common()
        if not self.min_confidence.is_finite() or not Decimal(0) <= self.min_confidence <= Decimal(1):
            raise ValueError(f"rule {self.id}: min_confidence {self.min_confidence} must be between 0 and 1")

    def evaluate(self, subject: RiskSubject, selection_key: bytes) -> Hit | None:
        if subject.hs_check is None:
            return None
        parts: list[str] = []
        seqs: list[int] = []
        for item in subject.items:
            verdict = subject.hs_check.check(item.description, item.hs_code, float(self.min_confidence))
            if verdict.flagged:
                parts.append(f"item {item.sequence}: {verdict.detail}")
                seqs.append(item.sequence)
        if not seqs:
            return None
        return "; ".join(parts), tuple(seqs)

    def to_json(self) -> HsMismatchJson:
        return {**self._common_json(), "min_confidence": str(self.min_confidence)}
