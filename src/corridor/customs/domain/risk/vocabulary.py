"""The words of risk assessment: rule kinds and lanes, and how amounts are shown to people (the lane
and the flow are customs' own vocabulary)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, TypeAlias

from corridor.customs.domain.vocabulary import Flow, Lane

RuleLane: TypeAlias = Literal["yellow", "red"]  # a rule never asks for less than a check
RuleFlow: TypeAlias = Literal["export", "import", "both"]
NodeCountry: TypeAlias = Literal["IN", "RU"]
RuleKind: TypeAlias = Literal[
    "sensitive_hs",
    "unit_value_band",
    "new_trader",
    "origin_country",
    "random_selection",
    "hs_description_mismatch",
]
Basis: TypeAlias = Literal["per_kg", "per_unit"]

LANE_RANK: dict[str, int] = {lane.value: lane.rank for lane in Lane}
RULE_LANES: frozenset[str] = frozenset({"yellow", "red"})
RULE_FLOWS: frozenset[str] = frozenset({"export", "import", "both"})
RULE_KINDS: tuple[str, ...] = (
    "sensitive_hs",
    "unit_value_band",
    "new_trader",
    "origin_country",
    "random_selection",
    "hs_description_mismatch",
)

#: BLAKE2b takes keys of 1 to 64 bytes.
MAX_SELECTION_KEY_BYTES = 64
DRAW_SPACE = 1 << 64  # draws are 64-bit unsigned integers
_FOUR_PLACES = Decimal("0.0001")


def is_hs_prefix(text: str) -> bool:
    """True for a chapter (2 digits) up to a full national line (10 digits)."""
    return 2 <= len(text) <= 10 and text.isascii() and text.isdigit()


def format_amount(value: Decimal) -> str:
    """A Decimal for people: at most four decimal places, no exponent, no trailing zeros."""
    if value.adjusted() > 20:  # too large to quantize in the default context; still readable
        return format(value, "E")
    return format(value.quantize(_FOUR_PLACES).normalize(), "f")


__all__ = ["Flow", "Lane"]
