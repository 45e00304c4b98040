"""The rule on the trader: one with few earlier declarations is looked at more closely."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from corridor.customs.domain.risk.rule_base import Hit, RuleBase, RuleJson
from corridor.customs.domain.risk.subject import RiskSubject


class NewTraderJson(RuleJson):
    min_prior_declarations: int


@dataclass(frozen=True, slots=True, kw_only=True)
class NewTraderRule(RuleBase):
    """Fires when the trader has fewer than ``min_prior_declarations`` earlier declarations."""

    kind: ClassVar[Literal["new_trader"]] = "new_trader"

    min_prior_declarations: int

    def __post_init__(self) -> None:
        self._check_common()
        if self.min_prior_declarations < 1:
            raise ValueError(f"rule {self.id}: min_prior_declarations must be at least 1")

    def evaluate(self, subject: RiskSubject, selection_key: bytes) -> Hit | None:
        prior = subject.trader_prior_declarations
        if prior >= self.min_prior_declarations:
            return None
        detail = (
            f"trader {subject.trader_id} has {prior} prior declarations, "
            f"fewer than {self.min_prior_declarations}"
        )
        return detail, ()

    def to_json(self) -> NewTraderJson:
        return {**self._common_json(), "min_prior_declarations": self.min_prior_declarations}
