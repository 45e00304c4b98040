"""What is assessed: one declaration's facts and its goods items, as the risk rules see them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from corridor.customs.domain.risk.hs_check import HsCheck
from corridor.customs.domain.risk.vocabulary import Flow, NodeCountry


@dataclass(frozen=True, slots=True)
class RiskItem:
    """One goods item as risk sees it (``hs_code`` is the national code: ITC-HS 8 / TN VED 10)."""

    sequence: int
    hs_code: str
    quantity: Decimal
    unit: str
    value_usd: Decimal
    net_mass_kg: Decimal
    description: str = ""

    def __post_init__(self) -> None:
        code = self.hs_code
        if not (6 <= len(code) <= 10 and code.isascii() and code.isdigit()):
            raise ValueError(f"item {self.sequence}: hs_code {code!r} must be 6 to 10 digits")


@dataclass(frozen=True, slots=True)
class RiskSubject:
    """The facts of one declaration that the rules look at."""

    declaration_id: str
    node_country: NodeCountry
    flow: Flow
    trader_id: str
    trader_is_aeo: bool
    trader_prior_declarations: int
    origin_country: str
    items: Sequence[RiskItem]
    on_date: date
    hs_check: HsCheck | None = None  # the node's description check (hs_description_mismatch)
