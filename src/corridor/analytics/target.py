"""Progress to the USD 100 bn target: the yearly totals of the official series, the balance, the
compound growth rate the target needs, and where the latest year-on-year growth puts 2030.

The target year is the Indian fiscal year 2029-30 (the brief's "USD 100 bn by 2030"; from
USD 59.86 bn in FY2025-26, provisional, it needs (100 / 59.86)^(1/4) - 1 = 13.69 % a year)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from corridor.analytics.official import TOTAL, OfficialRow

TARGET_USD_BN = 100.0
TARGET_FY_START = 2029  # FY2029-30


def fiscal_year(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


@dataclass(frozen=True, slots=True)
class YearTotal:
    fiscal_year: str
    exports_bn: float  # India's exports to Russia
    imports_bn: float  # India's imports from Russia

    @property
    def total_bn(self) -> float:
        return self.exports_bn + self.imports_bn

    @property
    def balance_bn(self) -> float:
        """India's balance: exports less imports (negative: a deficit)."""
        return self.exports_bn - self.imports_bn

    @property
    def start_year(self) -> int:
        return int(self.fiscal_year[:4])


def yearly_totals(rows: Iterable[OfficialRow]) -> list[YearTotal]:
    """The years with both directions' totals, oldest first."""
    found: dict[str, dict[str, float]] = {}
    for row in rows:
        if row.hs_chapter == TOTAL:
            found.setdefault(row.fiscal_year, {})[row.direction] = float(row.value_usd_mn) / 1000
    return [
        YearTotal(fy, values["IN->RU"], values["RU->IN"])
        for fy, values in sorted(found.items())
        if "IN->RU" in values and "RU->IN" in values
    ]


def required_cagr(start_value: float, target: float, years: int) -> float:
    """The compound annual growth rate that takes ``start_value`` to ``target`` in ``years``."""
    if start_value <= 0 or years <= 0:
        raise ValueError("the start value and the number of years must be positive")
    return float((target / start_value) ** (1 / years) - 1)


@dataclass(frozen=True, slots=True)
class TargetProgress:
    history: list[YearTotal]
    last: YearTotal
    years_left: int
    required_cagr: float
    run_rate: float | None  # the latest year-on-year growth of the total
    path: list[tuple[str, float]] = field(default_factory=list)  # required path, last year to target
    projection: list[tuple[str, float]] = field(default_factory=list)  # at the run rate

    @property
    def projected_target_year(self) -> float | None:
        return self.projection[-1][1] if self.projection else None

    @property
    def shortfall_bn(self) -> float | None:
        projected = self.projected_target_year
        return None if projected is None else TARGET_USD_BN - projected


def progress(history: list[YearTotal], target: float = TARGET_USD_BN) -> TargetProgress:
    """The path from the last official year to the target year and the projection at the run rate."""
    if not history:
        raise ValueError("no year has both directions' totals")
    last = history[-1]
    years = TARGET_FY_START - last.start_year
    if years <= 0:
        raise ValueError(f"the last official year {last.fiscal_year} is not before the target year")
    cagr = required_cagr(last.total_bn, target, years)
    run_rate = history[-1].total_bn / history[-2].total_bn - 1 if len(history) > 1 else None
    path = [(fiscal_year(last.start_year + n), last.total_bn * (1 + cagr) ** n) for n in range(years + 1)]
    projection = (
        [(fiscal_year(last.start_year + n), last.total_bn * (1 + run_rate) ** n) for n in range(years + 1)]
        if run_rate is not None
        else []
    )
    return TargetProgress(history, last, years, cagr, run_rate, path, projection)
