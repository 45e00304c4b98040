"""The official series and the target arithmetic, against figures worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from corridor.analytics.official import merged, parse_official, shipped_rows
from corridor.analytics.target import progress, required_cagr, yearly_totals
from corridor.shared.errors import InvalidInput

HEADER = "fiscal_year,direction,hs_chapter,value_usd_mn,source\n"


def test_shipped_series_has_the_briefs_totals_each_with_a_source() -> None:
    rows = shipped_rows()
    assert all(len(r.source) > 20 for r in rows)
    totals = {y.fiscal_year: round(y.total_bn, 2) for y in yearly_totals(rows)}
    assert totals == {
        "2021-22": 13.12,
        "2022-23": 49.35,
        "2023-24": 65.69,
        "2024-25": 68.72,
        "2025-26": 59.86,
    }


def test_required_growth_and_projection_from_the_last_official_year() -> None:
    plan = progress(yearly_totals(shipped_rows()))
    # FY2025-26: 4.4935 + 55.3696 = 59.8631 bn
    # (100 / 59.8631) ** (1 / 4) - 1 = exp(ln(1.670480) / 4) - 1 = 0.136868
    assert plan.required_cagr == pytest.approx(0.136868, abs=1e-6)
    assert plan.years_left == 4 and plan.path[-1][0] == "2029-30"
    assert plan.path[-1][1] == pytest.approx(100.0)
    # run rate: 59.8631 / 68.72 - 1 = -0.128884; 59.8631 * 0.871116 ** 4 = 34.47
    assert plan.run_rate == pytest.approx(-0.128884, abs=1e-6)
    assert plan.projected_target_year == pytest.approx(34.47, abs=0.01)
    assert plan.shortfall_bn == pytest.approx(65.53, abs=0.01)


def test_balance_is_exports_less_imports() -> None:
    years = yearly_totals(shipped_rows())
    assert [round(y.balance_bn, 2) for y in years] == [-6.62, -43.07, -57.17, -58.96, -50.88]


def test_required_cagr_doubling_in_two_years() -> None:
    assert required_cagr(50, 200, 2) == pytest.approx(1.0)  # 50 -> 100 -> 200
    with pytest.raises(ValueError):
        required_cagr(0, 100, 5)


def test_validation_names_row_and_field() -> None:
    text = HEADER + "2025-26,IN->RU,TOTAL,5000,Department of Commerce EIDB\n2025-27,IN->XX,1,-3,\n"
    with pytest.raises(InvalidInput) as caught:
        parse_official(text)
    paths = {e.path for e in caught.value.errors}
    assert paths == {
        "row 3.fiscal_year",
        "row 3.direction",
        "row 3.hs_chapter",
        "row 3.value_usd_mn",
        "row 3.source",
    }


def test_missing_column_and_repeated_row_are_refused() -> None:
    with pytest.raises(InvalidInput, match="missing column source"):
        parse_official("fiscal_year,direction,hs_chapter,value_usd_mn\n")
    row = "2025-26,IN->RU,30,12.5,Department of Commerce EIDB\n"
    with pytest.raises(InvalidInput, match="row 3: repeats row 2"):
        parse_official(HEADER + row + row)


def test_an_import_replaces_the_row_of_the_same_key() -> None:
    newer = parse_official(HEADER + "2024-25,IN->RU,TOTAL,5000,Department of Commerce EIDB revised\n")
    rows = merged(shipped_rows(), newer)
    exports = [r for r in rows if r.key == ("2024-25", "IN->RU", "TOTAL")]
    assert [r.value_usd_mn for r in exports] == [Decimal("5000")]
    assert round(yearly_totals(rows)[-2].total_bn, 2) == 68.84
