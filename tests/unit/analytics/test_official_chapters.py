"""The official figures by HS chapter: the shipped rows hold together, and the goods and growth
panels use them (the latest year's mix; growth between the last two years published)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import polars as pl
import pytest

from corridor.analytics import kpis
from corridor.analytics.dashboard import goods_panel, growth_panel, official_sources
from corridor.analytics.frames import Frames
from corridor.analytics.official import TOTAL, OfficialRow, parse_official, shipped_rows
from corridor.api.web.text import say, text

HEADER = "fiscal_year,direction,hs_chapter,value_usd_mn,source\n"
SOURCE = "Department of Commerce EIDB (test figure)"


def no_declarations() -> Frames:
    items = pl.DataFrame(
        schema={
            "direction": pl.String,
            "month": pl.String,
            "hs_chapter": pl.String,
            "currency": pl.String,
            "value_usd": pl.Float64,
        }
    )
    return Frames((), pl.DataFrame(), items, pl.DataFrame(), pl.DataFrame(), True, pl.DataFrame())


def official(*lines: str) -> list[OfficialRow]:
    return parse_official(HEADER + "".join(f"{line},{SOURCE}\n" for line in lines))


def test_shipped_chapters_never_add_up_to_more_than_the_years_total() -> None:
    rows = shipped_rows()
    totals = {(r.fiscal_year, r.direction): r.value_usd_mn for r in rows if r.hs_chapter == TOTAL}
    summed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in rows:
        if r.hs_chapter != TOTAL:
            summed[(r.fiscal_year, r.direction)] += r.value_usd_mn
    checked = [key for key in summed if key in totals]
    assert ("2024-25", "IN->RU") in checked and ("2024-25", "RU->IN") in checked
    for key in checked:
        assert summed[key] <= totals[key], key


def test_shipped_chapters_give_two_consecutive_years_in_each_direction() -> None:
    years: dict[str, set[str]] = defaultdict(set)
    for r in shipped_rows():
        if r.hs_chapter != TOTAL:
            years[r.direction].add(r.fiscal_year)
            assert "Export Import Data Bank" in r.source or "as reported" in r.source
    assert {"2024-25", "2025-26"} <= years["IN->RU"] and {"2024-25", "2025-26"} <= years["RU->IN"]


def test_growth_compares_only_chapters_published_in_both_periods() -> None:
    frame = pl.DataFrame(
        {
            "period": ["2024-25", "2024-25", "2024-25", "2025-26", "2025-26"],
            "hs_chapter": ["30", "85", "03", "30", "85"],
            "value_usd": [100.0, 300.0, 50.0, 150.0, 240.0],
        }
    )
    growing, shrinking = kpis.chapter_growth(frame, "period", in_both=True)
    assert growing.select("hs_chapter", "change_usd").rows() == [("30", 50.0)]
    assert shrinking.select("hs_chapter", "change_usd").rows() == [("85", -60.0)]
    # counted as zero when absent: 03 "shrinks" by all of its value
    _, as_zero = kpis.chapter_growth(frame, "period")
    assert as_zero.select("hs_chapter", "change_usd").rows() == [("85", -60.0), ("03", -50.0)]


def test_growth_panel_uses_the_last_two_official_years_of_exports() -> None:
    rows = official(
        "2023-24,IN->RU,30,10",
        "2024-25,IN->RU,30,100",
        "2024-25,IN->RU,85,300",
        "2024-25,IN->RU,03,50",
        "2025-26,IN->RU,30,150",
        "2025-26,IN->RU,85,240",
        "2025-26,RU->IN,27,40000",
    )
    panel = growth_panel(no_declarations(), rows)
    assert [(r[0], r[1], getattr(r[4], "raw", None)) for r in panel.rows] == [
        ("growing", "30", 50e6),
        ("shrinking", "85", -60e6),
    ]
    assert tuple(say(n) for n in panel.notes) == (
        "Basis: official figures, FY2024-25 to FY2025-26, the chapters published for both years.",
    )


def test_growth_panel_falls_back_to_the_node_without_two_official_years_sharing_a_chapter() -> None:
    rows = official("2024-25,IN->RU,30,100", "2025-26,IN->RU,85,240")
    panel = growth_panel(no_declarations(), rows)
    assert panel.rows == () and "this node's declarations" in say(panel.notes[0])


def test_goods_panel_shows_the_latest_official_mix_with_its_share_of_the_total() -> None:
    rows = official(
        "2024-25,IN->RU,TOTAL,1000",
        "2024-25,IN->RU,30,100",
        "2024-25,RU->IN,TOTAL,60000",
        "2024-25,RU->IN,27,50000",
        "2024-25,RU->IN,31,2000",
        "2025-26,IN->RU,30,150",
        "2025-26,IN->RU,85,240",
    )
    panel = goods_panel(no_declarations(), rows)
    shown = [(say(r[0]), r[1], getattr(r[2], "raw", None), getattr(r[4], "raw", None)) for r in panel.rows]
    assert shown == [
        ("IN->RU (official FY2025-26)", "85", 240e6, None),  # no FY2025-26 total: no share
        ("IN->RU (official FY2025-26)", "30", 150e6, None),
        ("RU->IN (official FY2024-25)", "27", 50000e6, pytest.approx(50000 / 60000, abs=1e-6)),
        ("RU->IN (official FY2024-25)", "31", 2000e6, pytest.approx(2000 / 60000, abs=1e-6)),
    ]
    assert panel.draw is not None and "Official goods mix" in panel.draw(text)


def test_sources_name_each_publication_once_per_year_and_direction() -> None:
    rows = official("2025-26,IN->RU,30,150", "2025-26,IN->RU,85,240", "2025-26,IN->RU,TOTAL,4500")
    assert official_sources(rows) == (f"FY2025-26 IN->RU 30, 85, TOTAL: {SOURCE}",)
