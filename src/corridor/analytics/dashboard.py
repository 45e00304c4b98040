"""The dashboard: panels of a chart, the numbers behind it (a table, also as CSV) and notes,
built from the official series and the node's own data."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import polars as pl

from corridor.analytics import charts, kpis
from corridor.analytics.frames import Frames
from corridor.analytics.official import DIRECTIONS, TOTAL, OfficialRow
from corridor.analytics.target import TARGET_USD_BN, progress, yearly_totals


@dataclass(frozen=True, slots=True)
class Panel:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    draw: Callable[[], str] | None = None  # the chart as SVG text, drawn when asked for
    notes: tuple[str, ...] = ()

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows([getattr(v, "raw", v) for v in row] for row in self.rows)
        return out.getvalue()


@dataclass(frozen=True, slots=True)
class Dashboard:
    node: str
    panels: tuple[Panel, ...]
    sources: tuple[str, ...] = field(default=())

    def panel(self, key: str) -> Panel | None:
        return next((p for p in self.panels if p.key == key), None)


class Shown(str):
    """A number as the page shows it (thousands separators, per cent), keeping the number itself
    for the CSV."""

    raw: object

    def __new__(cls, shown: str, raw: object) -> Shown:
        made = super().__new__(cls, shown)
        made.raw = raw
        return made


def money(value: Any, digits: int = 2) -> str:
    return "" if value is None else Shown(f"{float(value):,.{digits}f}", round(float(value), 6))


def pct(value: Any) -> str:
    return "" if value is None else Shown(f"{float(value) * 100:.1f} %", round(float(value), 6))


def _rows(frame: pl.DataFrame, formats: Sequence[Callable[[Any], str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(f(v) for f, v in zip(formats, row, strict=True)) for row in frame.iter_rows())


def target_panel(official: list[OfficialRow]) -> Panel:
    history = yearly_totals(official)
    if not history:
        return Panel("target", "Progress to USD 100 bn", ("note",), (("no official yearly totals",),))
    plan = progress(history)
    rows = [
        (
            y.fiscal_year,
            "official",
            money(y.exports_bn),
            money(y.imports_bn),
            money(y.total_bn),
            money(y.balance_bn),
        )
        for y in history
    ]
    rows += [(fy, "required path", "", "", money(v), "") for fy, v in plan.path[1:]]
    rows += [(fy, "at the run rate", "", "", money(v), "") for fy, v in plan.projection[1:]]
    notes = [
        f"Last official year {plan.last.fiscal_year}: USD {plan.last.total_bn:.2f} bn; USD {TARGET_USD_BN:.0f} bn in "
        f"FY{plan.path[-1][0]} needs {plan.required_cagr * 100:.2f} % a year for {plan.years_left} years.",
    ]
    if plan.run_rate is not None and plan.projected_target_year is not None:
        notes.append(
            f"At the latest year-on-year growth ({plan.run_rate * 100:.2f} %) the total reaches USD "
            f"{plan.projected_target_year:.2f} bn in FY{plan.projection[-1][0]}"
            f" ({'short by' if (plan.shortfall_bn or 0) > 0 else 'above by'} USD {abs(plan.shortfall_bn or 0):.2f} bn)."
        )
    draw = partial(
        charts.target_chart,
        [y.fiscal_year for y in history], [y.exports_bn for y in history], [y.imports_bn for y in history],
        plan.path, plan.projection,
    )  # fmt: skip
    columns = ("fiscal_year", "series", "exports_usd_bn", "imports_usd_bn", "total_usd_bn", "balance_usd_bn")
    return Panel("target", "Progress to USD 100 bn by 2030", columns, tuple(rows), draw, tuple(notes))


def balance_panel(official: list[OfficialRow]) -> Panel:
    history = yearly_totals(official)
    frame = pl.DataFrame({"fy": [y.fiscal_year for y in history], "balance": [y.balance_bn for y in history]})
    slope = kpis.trend(frame, "balance")
    rows = tuple(
        (y.fiscal_year, money(y.balance_bn), money(y.exports_bn / y.total_bn * 100, 1)) for y in history
    )
    notes = ["India's balance: exports to Russia less imports from Russia (negative: deficit)."]
    if slope is not None:
        notes.append(f"Trend (least squares): {slope:+.2f} USD bn a year.")
    draw = partial(
        charts.bars,
        "India's trade balance with Russia, USD bn",
        [r[0] for r in rows],
        [y.balance_bn for y in history],
        "USD bn",
        charts.ORANGE,
    )
    return Panel(
        "balance", "Balance", ("fiscal_year", "balance_usd_bn", "exports_share_pct"), rows, draw, tuple(notes)
    )


def flows_panel(frames: Frames) -> Panel:
    months = kpis.by_month(frames.items)
    rows = _rows(months, (str, money, money, money))
    slope = kpis.trend(months, "balance_usd")
    notes = ["Declared invoice value at this node, converted to USD at the filing date's rate."]
    if slope is not None:
        notes.append(f"Balance trend: {slope:+,.0f} USD a month.")
    series = {
        "India's exports": months["exports_usd"].to_list(),
        "India's imports": months["imports_usd"].to_list(),
        "balance": months["balance_usd"].to_list(),
    }
    draw = (
        partial(
            charts.grouped_months, "Corridor flows by month, USD", months["month"].to_list(), series, "USD"
        )
        if months.height
        else None
    )
    return Panel(
        "flows",
        "Corridor flows by month",
        ("month", "exports_usd", "imports_usd", "balance_usd"),
        rows,
        draw,
        tuple(notes),
    )


def latest_chapters(official: list[OfficialRow]) -> list[tuple[OfficialRow, float | None]]:
    """Per direction, the HS-chapter rows of the latest fiscal year that has any, largest first,
    each with its share of that year's official total in the direction (None when no total)."""
    totals = {(r.fiscal_year, r.direction): r.value_usd_mn for r in official if r.hs_chapter == TOTAL}
    chapters = [r for r in official if r.hs_chapter != TOTAL]
    latest = {d: max((r.fiscal_year for r in chapters if r.direction == d), default="") for d in DIRECTIONS}
    shown = sorted(
        (r for r in chapters if r.fiscal_year == latest[r.direction]),
        key=lambda r: (r.direction, -r.value_usd_mn, r.hs_chapter),
    )
    return [
        (r, float(r.value_usd_mn / total) if (total := totals.get((r.fiscal_year, r.direction))) else None)
        for r in shown
    ]


def goods_panel(frames: Frames, official: list[OfficialRow]) -> Panel:
    chapters = kpis.by_chapter(frames.items)
    rows = list(
        _rows(
            chapters.select("direction", "hs_chapter", "value_usd", "items", "share"),
            (str, str, money, str, pct),
        )
    )
    published = latest_chapters(official)
    rows += [
        (f"{r.direction} (official FY{r.fiscal_year})", r.hs_chapter, money(float(r.value_usd_mn) * 1e6), "", pct(share))
        for r, share in published
    ]  # fmt: skip
    notes = ["This node's declarations by HS chapter, share of the direction's declared value."]
    if published:
        years = sorted({f"{r.direction} FY{r.fiscal_year}" for r, _ in published})
        notes.append(
            f"Official: the latest fiscal year published by HS chapter ({', '.join(years)}), "
            "share of that year's official total where one is published; sources below."
        )
    top = chapters.sort("value_usd", descending=True).head(12)
    labels = [f"{d} HS {c}" for d, c in zip(top["direction"], top["hs_chapter"], strict=True)]
    values = top["value_usd"].to_list()
    title = "Goods mix by HS chapter, USD"
    if not top.height and published:  # nothing declared here yet: the official mix
        biggest = sorted(published, key=lambda p: -p[0].value_usd_mn)[:12]
        labels = [f"{r.direction} HS {r.hs_chapter}" for r, _ in biggest]
        values = [float(r.value_usd_mn) * 1e6 for r, _ in biggest]
        title = "Official goods mix by HS chapter, USD"
    draw = partial(charts.bars, title, labels, values, "USD") if values else None
    return Panel(
        "goods",
        "Goods mix by HS chapter",
        ("direction", "hs_chapter", "value_usd", "items", "share"),
        tuple(rows),
        draw,
        tuple(notes),
    )


def currency_panel(frames: Frames) -> Panel:
    share = kpis.currency_share(frames.items)
    rows = _rows(share.select("currency", "value_usd", "items", "share"), (str, money, str, pct))
    national = share.filter(pl.col("national"))["share"].sum()
    settled = frames.settled.with_columns(share=pl.col("value_usd") / pl.col("value_usd").sum())
    rows = (
        *((f"invoiced in {c}", *rest) for c, *rest in rows),
        *(
            (f"settled in {c}", *rest)
            for c, *rest in _rows(
                settled.select("currency", "value_usd", "payments", "share"), (str, money, str, pct)
            )
        ),
    )
    notes = [
        f"Invoiced in national currencies (INR, RUB): {national * 100:.1f} % of the value.",
        "Settled: invoice payments posted on this node's ledger (settlement), by currency"
        + (
            f"; in INR and RUB: {settled.filter(pl.col('currency').is_in(kpis.NATIONAL))['share'].sum() * 100:.1f} %."
            if settled.height
            else ": none yet."
        ),
    ]
    if frames.rates_are_sample:
        notes.append("Converted to USD at the shipped exchange rates, which are SAMPLE values.")
    draw = (
        partial(
            charts.bars,
            "Invoice currency share of value",
            share["currency"].to_list(),
            (share["share"] * 100).to_list(),
            "% of value",
        )
        if share.height
        else None
    )
    return Panel(
        "currency",
        "Currency share",
        ("currency", "value_usd", "items / payments", "share"),
        rows,
        draw,
        tuple(notes),
    )


def release_panel(frames: Frames) -> Panel:
    times = kpis.release_times(frames.declarations, frames.stages)
    overall = kpis.release_kpis(times)
    detail = kpis.release_kpis(times, "port", "lane")
    fmt = (str, str, str, lambda v: money(v, 1), lambda v: money(v, 1), pct)
    rows = [("all", "all", *(_rows(overall, fmt[2:])[0]))] if times.height else []
    rows += list(_rows(detail, fmt))
    notes = [
        "Import declarations released at this node: hours from arrival to release (0 when released at or before arrival, WCO Time Release Study)."
    ]
    draw = (
        partial(charts.histogram, "Arrival to release, hours", times["hours"].to_list(), "hours")
        if times.height
        else None
    )
    columns = ("port", "lane", "released", "median_h", "p90_h", "share_on_arrival")
    return Panel("release", "Release times", columns, tuple(rows), draw, tuple(notes))


def lanes_panel(frames: Frames) -> Panel:
    lanes = kpis.lanes(frames.declarations)
    refused = kpis.refusals(frames.declarations, frames.rejections)
    rows = list(_rows(lanes, (str, lambda v: v or "none", str, pct)))
    rows += [("refusal: " + k, p or "", r, str(c)) for k, p, r, c in refused.iter_rows()]
    labels = [f"{f} {ln or 'none'}" for f, ln in zip(lanes["flow"], lanes["lane"], strict=True)]
    draw = (
        partial(charts.bars, "Declarations by lane", labels, lanes["declarations"].to_list(), "declarations")
        if lanes.height
        else None
    )
    return Panel(
        "lanes",
        "Lanes and refusals",
        ("flow / refusal", "lane / field", "declarations / reason", "share / count"),
        tuple(rows),
        draw,
    )


def official_growth_basis(official: list[OfficialRow]) -> tuple[pl.DataFrame, str] | None:
    """India's exports by HS chapter in the last two fiscal years published by chapter, when two
    such years share a chapter; with the words naming the basis."""
    chapters = [r for r in official if r.hs_chapter != TOTAL and r.direction == kpis.EXPORTS]
    years = sorted({r.fiscal_year for r in chapters})[-2:]
    last_two = [r for r in chapters if r.fiscal_year in years]
    if len(years) < 2 or not {r.hs_chapter for r in last_two if r.fiscal_year == years[0]} & {
        r.hs_chapter for r in last_two if r.fiscal_year == years[1]
    }:
        return None
    frame = pl.DataFrame(
        {
            "period": [r.fiscal_year for r in last_two],
            "hs_chapter": [r.hs_chapter for r in last_two],
            "value_usd": [float(r.value_usd_mn) * 1e6 for r in last_two],
        }
    )
    return frame, f"official figures, FY{years[0]} to FY{years[1]}, the chapters published for both years"


def growth_panel(frames: Frames, official: list[OfficialRow]) -> Panel:
    found = official_growth_basis(official)
    if found is not None:
        frame, basis = found
        growing, shrinking = kpis.chapter_growth(frame, "period", in_both=True)
    else:
        frame = frames.items.filter(pl.col("direction") == kpis.EXPORTS).select(
            pl.col("month").alias("period"), "hs_chapter", "value_usd"
        )
        basis = "this node's declarations, last two months (no official chapter series for two years yet)"
        growing, shrinking = kpis.chapter_growth(frame, "period")
    fmt = (str, money, money, money, lambda v: money(v, 1))
    rows = [("growing", *r) for r in _rows(growing, fmt)] + [("shrinking", *r) for r in _rows(shrinking, fmt)]
    both = pl.concat([growing, shrinking])
    draw = (
        partial(
            charts.bars,
            "Change in India's exports by HS chapter, USD",
            [f"HS {c}" for c in both["hs_chapter"]],
            both["change_usd"].to_list(),
            "USD",
            charts.GREEN,
        )
        if both.height
        else None
    )
    columns = ("kind", "hs_chapter", "before_usd", "after_usd", "change_usd", "change_pct")
    return Panel(
        "growth",
        "India's exports: chapters that narrow or widen the gap",
        columns,
        tuple(rows),
        draw,
        (f"Basis: {basis}.",),
    )


def official_sources(official: list[OfficialRow]) -> tuple[str, ...]:
    """One line per publication, year and direction, naming the chapters (or TOTAL) it gives."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for r in official:
        grouped.setdefault((r.fiscal_year, r.direction, r.source), []).append(r.hs_chapter)
    return tuple(
        sorted(f"FY{fy} {d} {', '.join(sorted(chs))}: {src}" for (fy, d, src), chs in grouped.items())
    )


def build(node: str, frames: Frames, official: list[OfficialRow]) -> Dashboard:
    panels = (
        target_panel(official),
        balance_panel(official),
        flows_panel(frames),
        goods_panel(frames, official),
        currency_panel(frames),
        release_panel(frames),
        lanes_panel(frames),
        growth_panel(frames, official),
    )
    return Dashboard(node, panels, official_sources(official))
