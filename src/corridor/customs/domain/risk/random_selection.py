"""Random selection: a share of declarations drawn with a keyed hash, the same draw on every replay."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Literal

from corridor.customs.domain.risk.rule_base import Hit, RuleBase, RuleJson
from corridor.customs.domain.risk.subject import RiskSubject
from corridor.customs.domain.risk.vocabulary import DRAW_SPACE, format_amount


def selection_draw(declaration_id: str, rule_id: str, key: bytes) -> int:
    """A uniform 64-bit draw from a keyed BLAKE2b hash of the rule id and the declaration id."""
    message = f"{rule_id}\x1f{declaration_id}".encode()
    return int.from_bytes(hashlib.blake2b(message, digest_size=8, key=key).digest(), "big")


class RandomSelectionJson(RuleJson):
    share: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RandomSelectionRule(RuleBase):
    """Selects a ``share`` (0..1) of declarations, deterministically per declaration id."""

    kind: ClassVar[Literal["random_selection"]] = "random_selection"

    share: Decimal
    _threshold: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check_common()
        if not self.share.is_finite() or not Decimal(0) <= self.share <= Decimal(1):
            raise ValueError(f"rule {self.id}: share {self.share} must be between 0 and 1")
        # draw < threshold  <=>  draw / 2**64 < share; exact integer arithmetic
        object.__setattr__(self, "_threshold", int(self.share * DRAW_SPACE))

    def evaluate(self, subject: RiskSubject, selection_key: bytes) -> Hit | None:
        draw = selection_draw(subject.declaration_id, self.id, selection_key)
        if draw >= self._threshold:
            return None
        point = format_amount(Decimal(draw) / DRAW_SPACE)
        return f"random selection: draw {point} is below share {format_amount(self.share)}", ()

    def to_json(self) -> RandomSelectionJson:
        return {**self._common_json(), "share": str(self.share)}
