"""The Polars aggregates against small frames worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from corridor.analytics import kpis
from corridor.analytics.extract import UsdRates, direction, in_usd

T0 = datetime(2026, 1, 10, tzinfo=UTC)


def items() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": ["a", "a", "b", "c", "d"],
            "direction": ["IN->RU", "IN->RU", "IN->RU", "RU->IN", "RU->IN"],
            "month": ["2026-01", "2026-01", "2026-02", "2026-01", "2026-02"],
            "hs_chapter": ["30", "85", "30", "27", "31"],
            "currency": ["INR", "USD", "USD", "RUB", "USD"],
            "value_usd": [100.0, 300.0, 200.0, 1000.0, 400.0],
        }
    )


def test_direction_of_export_and_import_at_each_node() -> None:
    frame = pl.DataFrame({"node": ["IN", "IN", "RU", "RU"], "flow": ["export", "import", "export", "import"]})
    got = frame.select(direction(pl.col("node"), pl.col("flow"))).to_series().to_list()
    assert got == ["IN->RU", "RU->IN", "RU->IN", "IN->RU"]


def test_value_by_direction_and_month_with_balance_and_trend() -> None:
    by_dir = kpis.by_direction(items())
    assert by_dir.rows() == [("IN->RU", 600.0, 3), ("RU->IN", 1400.0, 2)]
    months = kpis.by_month(items())
    assert months.rows() == [("2026-01", 400.0, 1000.0, -600.0), ("2026-02", 200.0, 400.0, -200.0)]
    assert kpis.trend(months, "balance_usd") == pytest.approx(400.0)  # two points: the difference


def test_chapter_shares_within_each_direction() -> None:
    chapters = {
        (d, c): s for d, c, s in kpis.by_chapter(items()).select("direction", "hs_chapter", "share").rows()
    }
    assert chapters[("IN->RU", "30")] == pytest.approx(0.5)  # (100 + 200) / 600
    assert chapters[("RU->IN", "27")] == pytest.approx(1000 / 1400)


def test_currency_share_and_national_flag() -> None:
    share = {
        c: (s, n) for c, s, n in kpis.currency_share(items()).select("currency", "share", "national").rows()
    }
    assert share["USD"] == (pytest.approx(0.45), False)  # 900 / 2000
    assert share["RUB"] == (pytest.approx(0.5), True)
    assert share["INR"] == (pytest.approx(0.05), True)


def test_release_kpis_median_p90_and_share_on_arrival() -> None:
    declarations = pl.DataFrame(
        {
            "id": ["r1", "r2", "r3", "r4", "x"],
            "flow": ["import"] * 4 + ["export"],
            "port": ["RULED", "RULED", "RUVVO", "RUVVO", "INNSA"],
            "lane": ["green", "yellow", "yellow", "yellow", "green"],
        }
    )
    hours_after = {"r1": -2, "r2": 10, "r3": 0, "r4": 30, "x": 5}
    rows = []
    for ident, h in hours_after.items():
        rows += [(ident, "arrival", T0), (ident, "release", T0 + timedelta(hours=h))]
    stages = pl.DataFrame(rows, schema=["declaration_id", "stage", "at"], orient="row")
    times = kpis.release_times(declarations, stages)
    assert sorted(times["hours"].to_list()) == [0.0, 0.0, 10.0, 30.0]  # the export is not counted
    overall = kpis.release_kpis(times).row(0, named=True)
    assert overall["released"] == 4
    assert overall["median_h"] == pytest.approx(5.0)
    assert overall["p90_h"] == pytest.approx(24.0)  # 10 + 0.7 * (30 - 10)
    assert overall["share_on_arrival"] == pytest.approx(0.5)
    by_port = {r[0]: r for r in kpis.release_kpis(times, "port").rows()}
    assert by_port["RUVVO"][2] == pytest.approx(15.0)


def test_lanes_and_refusals_counted() -> None:
    declarations = pl.DataFrame(
        {
            "flow": ["export", "export", "export", "import"],
            "lane": ["green", "green", "red", "yellow"],
            "ack_status": ["accepted", "rejected", "rejected", None],
            "ack_reasons": [[], [{"path": "p.a", "reason": "bad"}], [{"path": "p.a", "reason": "bad"}], None],
        }
    )
    lanes = kpis.lanes(declarations).rows()
    assert ("export", "green", 2, pytest.approx(2 / 3)) in lanes
    rejected = pl.DataFrame({"path": ["signature"], "reason": ["does not verify"], "count": [3]})
    refused = kpis.refusals(declarations, rejected).rows()
    assert refused == [
        ("node", "signature", "does not verify", 3),  # messages refused by this node
        ("peer", "p.a", "bad", 2),  # declarations refused by the peer
    ]


def test_chapters_growing_and_shrinking_between_the_last_two_periods() -> None:
    frame = pl.DataFrame(
        {
            "period": ["2022-23", "2023-24", "2023-24", "2024-25", "2024-25", "2024-25"],
            "hs_chapter": ["30", "30", "85", "30", "85", "03"],
            "value_usd": [1.0, 100.0, 300.0, 150.0, 240.0, 20.0],
        }
    )
    growing, shrinking = kpis.chapter_growth(frame, "period")
    assert growing.select("hs_chapter", "change_usd").rows() == [("30", 50.0), ("03", 20.0)]
    assert growing["change_pct"].to_list()[0] == pytest.approx(50.0)
    assert shrinking.select("hs_chapter", "change_usd", "change_pct").rows() == [
        ("85", -60.0, pytest.approx(-20.0))
    ]


def test_values_convert_at_the_rate_in_force_on_the_filing_day() -> None:
    rates = UsdRates(
        pl.DataFrame(
            {
                "from": [datetime(2026, 1, 1).date(), datetime(2026, 2, 1).date()],
                "currency": ["INR", "INR"],
                "usd_per_unit": [0.01, 0.02],
            }
        ),
        sample=True,
    )
    frame = pl.DataFrame(
        {
            "created_at": [T0 - timedelta(days=30), T0, T0 + timedelta(days=30)],
            "currency": ["INR"] * 3,
            "value": [100.0] * 3,
        }
    )
    got = in_usd(frame, rates).sort("created_at")["value_usd"].to_list()
    assert got == [
        pytest.approx(1.0),
        pytest.approx(1.0),
        pytest.approx(2.0),
    ]  # before the table: its first rate
