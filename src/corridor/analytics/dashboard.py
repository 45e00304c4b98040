"""The dashboard: panels of a chart, the numbers behind it (a table, also as CSV) and notes,
built from the official series and the node's own data.

No text a reader sees is written here: a panel's title, its notes, the words in its table and its
chart's labels are keys (``Phrase``, ``Label``, ``charts.Translate``) that the pages resolve in
their one text module, so that a translation is added in one place. The CSV keeps each word's
id."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import polars as pl

from corridor.analytics import charts, kpis
from corridor.analytics.frames import Frames
from corridor.analytics.official import DIRECTIONS, TOTAL, OfficialRow
from corridor.analytics.target import TARGET_USD_BN, TargetProgress, progress, yearly_totals


class Phrase(NamedTuple):
    """A text to show: its key in the pages' text module and the values put into it."""

    key: str
    params: Mapping[str, str] = {}


@dataclass(frozen=True, slots=True)
class Panel:
    """A panel; its title is the text ``panel.<key>``, its columns' headings ``column.<id>``."""

    key: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    draw: Callable[[charts.Translate], str] | None = None  # the chart as SVG text, drawn when asked for
    notes: tuple[Phrase, ...] = ()

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


class Label(str):
    """A word in a table (a series, a kind of row): the CSV keeps its id, the page shows the text
    of ``phrase``."""

    phrase: Phrase

    def __new__(cls, ident: str, key: str, **params: str) -> Label:
        made = super().__new__(cls, ident)
        made.phrase = Phrase(key, params)
        return made


def money(value: Any, digits: int = 2) -> str:
    return "" if value is None else Shown(f"{float(value):,.{digits}f}", round(float(value), 6))


def pct(value: Any) -> str:
    return "" if value is None else Shown(f"{float(value) * 100:.1f} %", round(float(value), 6))


def _rows(frame: pl.DataFrame, formats: Sequence[Callable[[Any], str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(f(v) for f, v in zip(formats, row, strict=True)) for row in frame.iter_rows())


def _target_notes(plan: TargetProgress) -> tuple[Phrase, ...]:
    path = {
        "year": plan.last.fiscal_year,
        "total": f"{plan.last.total_bn:.2f}",
        "target": f"{TARGET_USD_BN:.0f}",
        "target_year": plan.path[-1][0],
        "cagr": f"{plan.required_cagr * 100:.2f}",
        "years": str(plan.years_left),
    }
    if plan.run_rate is None or plan.projected_target_year is None:
        return (Phrase("note.target.path", path),)
    at_run_rate = {
        "rate": f"{plan.run_rate * 100:.2f}",
        "reached": f"{plan.projected_target_year:.2f}",
        "year": plan.projection[-1][0],
        "gap": f"{abs(plan.shortfall_bn or 0):.2f}",
    }
    short = (plan.shortfall_bn or 0) > 0
    return Phrase("note.target.path", path), Phrase(
        f"note.target.{'short' if short else 'above'}", at_run_rate
    )


def target_panel(official: list[OfficialRow]) -> Panel:
    history = yearly_totals(official)
    if not history:
        return Panel("target", ("note",), ((Label("no_official_totals", "row.no_official_totals"),),))
    plan = progress(history)
    rows = [
        (
            y.fiscal_year,
            Label("official", "series.official"),
            money(y.exports_bn),
            money(y.imports_bn),
            money(y.total_bn),
            money(y.balance_bn),
        )
        for y in history
    ]
    rows += [(fy, Label("required_path", "series.path"), "", "", money(v), "") for fy, v in plan.path[1:]]
    rows += [
        (fy, Label("run_rate", "series.projection"), "", "", money(v), "") for fy, v in plan.projection[1:]
    ]
    notes = _target_notes(plan)
    years = [y.fiscal_year for y in history]
    exports, imports = [y.exports_bn for y in history], [y.imports_bn for y in history]

    def draw(tr: charts.Translate) -> str:
        return charts.target_chart(tr, years, exports, imports, plan.path, plan.projection)

    columns = ("fiscal_year", "series", "exports_usd_bn", "imports_usd_bn", "total_usd_bn", "balance_usd_bn")
    return Panel("target", columns, tuple(rows), draw, notes)


def balance_panel(official: list[OfficialRow]) -> Panel:
    history = yearly_totals(official)
    frame = pl.DataFrame({"fy": [y.fiscal_year for y in history], "balance": [y.balance_bn for y in history]})
    slope = kpis.trend(frame, "balance")
    rows = tuple(
        (y.fiscal_year, money(y.balance_bn), money(y.exports_bn / y.total_bn * 100, 1)) for y in history
    )
    notes = [Phrase("note.balance.meaning")]
    if slope is not None:
        notes.append(Phrase("note.balance.trend", {"slope": f"{slope:+.2f}"}))
    labels, values = [r[0] for r in rows], [y.balance_bn for y in history]

    def draw(tr: charts.Translate) -> str:
        return charts.bars(tr("chart.balance"), labels, values, tr("unit.usd_bn"), charts.ORANGE)

    return Panel("balance", ("fiscal_year", "balance_usd_bn", "exports_share_pct"), rows, draw, tuple(notes))


def flows_panel(frames: Frames) -> Panel:
    months = kpis.by_month(frames.items)
    rows = _rows(months, (str, money, money, money))
    slope = kpis.trend(months, "balance_usd")
    notes = [Phrase("note.flows.basis")]
    if slope is not None:
        notes.append(Phrase("note.flows.trend", {"slope": f"{slope:+,.0f}"}))
    series = {
        "series.exports": months["exports_usd"].to_list(),
        "series.imports": months["imports_usd"].to_list(),
        "series.balance": months["balance_usd"].to_list(),
    }
    labels = months["month"].to_list()

    def draw(tr: charts.Translate) -> str:
        named = {tr(key): values for key, values in series.items()}
        return charts.grouped_months(tr("chart.flows"), labels, named, tr("unit.usd"))

    columns = ("month", "exports_usd", "imports_usd", "balance_usd")
    return Panel("flows", columns, rows, draw if months.height else None, tuple(notes))


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
        (
            Label(f"{r.direction} official FY{r.fiscal_year}", "row.official_year", direction=r.direction, year=r.fiscal_year),
            r.hs_chapter, money(float(r.value_usd_mn) * 1e6), "", "" if share is None else pct(share),
        )
        for r, share in published
    ]  # fmt: skip
    notes = [Phrase("note.goods.declarations")]
    if published:
        years = sorted({f"{r.direction} FY{r.fiscal_year}" for r, _ in published})
        notes.append(Phrase("note.goods.official", {"years": ", ".join(years)}))
    top = chapters.sort("value_usd", descending=True).head(12)
    pairs = list(zip(top["direction"], top["hs_chapter"], strict=True))
    values = top["value_usd"].to_list()
    title = "chart.goods"
    if not top.height and published:  # nothing declared here yet: the official mix
        biggest = sorted(published, key=lambda p: -p[0].value_usd_mn)[:12]
        pairs = [(r.direction, r.hs_chapter) for r, _ in biggest]
        values = [float(r.value_usd_mn) * 1e6 for r, _ in biggest]
        title = "chart.goods_official"

    def draw(tr: charts.Translate) -> str:
        labels = [tr("chart.chapter_of").format(direction=d, chapter=c) for d, c in pairs]
        return charts.bars(tr(title), labels, values, tr("unit.usd"))

    columns = ("direction", "hs_chapter", "value_usd", "items", "share")
    return Panel("goods", columns, tuple(rows), draw if values else None, tuple(notes))


def currency_panel(frames: Frames) -> Panel:
    share = kpis.currency_share(frames.items)
    rows = _rows(share.select("currency", "value_usd", "items", "share"), (str, money, str, pct))
    national = share.filter(pl.col("national"))["share"].sum()
    settled = frames.settled.with_columns(share=pl.col("value_usd") / pl.col("value_usd").sum())
    settled_rows = _rows(settled.select("currency", "value_usd", "payments", "share"), (str, money, str, pct))
    rows = (
        *((Label(f"invoiced:{c}", "row.invoiced_in", currency=c), *rest) for c, *rest in rows),
        *((Label(f"settled:{c}", "row.settled_in", currency=c), *rest) for c, *rest in settled_rows),
    )
    national_settled = settled.filter(pl.col("currency").is_in(kpis.NATIONAL))["share"].sum()
    notes = [
        Phrase("note.currency.national", {"share": f"{national * 100:.1f}"}),
        Phrase("note.currency.settled", {"share": f"{national_settled * 100:.1f}"})
        if settled.height
        else Phrase("note.currency.unsettled"),
    ]
    if frames.rates_are_sample:
        notes.append(Phrase("note.currency.sample_rates"))
    currencies, shares = share["currency"].to_list(), (share["share"] * 100).to_list()

    def draw(tr: charts.Translate) -> str:
        return charts.bars(tr("chart.currency"), currencies, shares, tr("unit.pct_of_value"))

    columns = ("currency", "value_usd", "items_or_payments", "share")
    return Panel("currency", columns, rows, draw if share.height else None, tuple(notes))


def release_panel(frames: Frames) -> Panel:
    times = kpis.release_times(frames.declarations, frames.stages)
    overall = kpis.release_kpis(times)
    detail = kpis.release_kpis(times, "port", "lane")
    fmt = (str, str, str, lambda v: money(v, 1), lambda v: money(v, 1), pct)
    every = Label("all", "row.all")
    rows = [(every, every, *(_rows(overall, fmt[2:])[0]))] if times.height else []
    rows += list(_rows(detail, fmt))
    hours = times["hours"].to_list()

    def draw(tr: charts.Translate) -> str:
        return charts.histogram(tr("chart.release"), hours, tr("unit.hours"), tr("unit.declarations"))

    columns = ("port", "lane", "released", "median_h", "p90_h", "share_on_arrival")
    notes = (Phrase("note.release.basis"),)
    return Panel("release", columns, tuple(rows), draw if times.height else None, notes)


def lanes_panel(frames: Frames) -> Panel:
    lanes = kpis.lanes(frames.declarations)
    refused = kpis.refusals(frames.declarations, frames.rejections)
    rows = list(_rows(lanes, (str, lambda v: v or Label("none", "row.no_lane"), str, pct)))
    rows += [
        (Label(f"refusal:{k}", f"row.refusal.{k}"), p or "", r, str(c)) for k, p, r, c in refused.iter_rows()
    ]
    pairs = list(zip(lanes["flow"], lanes["lane"], strict=True))
    counts = lanes["declarations"].to_list()

    def draw(tr: charts.Translate) -> str:
        labels = [f"{f} {ln or tr('row.no_lane')}" for f, ln in pairs]
        return charts.bars(tr("chart.lanes"), labels, counts, tr("unit.declarations"))

    columns = ("flow_or_refusal", "lane_or_field", "declarations_or_reason", "share_or_count")
    return Panel("lanes", columns, tuple(rows), draw if lanes.height else None)


def official_growth_basis(official: list[OfficialRow]) -> tuple[pl.DataFrame, Phrase] | None:
    """India's exports by HS chapter in the last two fiscal years published by chapter, when two
    such years share a chapter; with the phrase naming the basis."""
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
    return frame, Phrase("note.growth.official", {"first": years[0], "last": years[1]})


def growth_panel(frames: Frames, official: list[OfficialRow]) -> Panel:
    found = official_growth_basis(official)
    if found is not None:
        frame, basis = found
        growing, shrinking = kpis.chapter_growth(frame, "period", in_both=True)
    else:
        frame = frames.items.filter(pl.col("direction") == kpis.EXPORTS).select(
            pl.col("month").alias("period"), "hs_chapter", "value_usd"
        )
        basis = Phrase("note.growth.declarations")
        growing, shrinking = kpis.chapter_growth(frame, "period")
    fmt = (str, money, money, money, lambda v: money(v, 1))
    grows, shrinks = Label("growing", "row.growing"), Label("shrinking", "row.shrinking")
    rows = [(grows, *r) for r in _rows(growing, fmt)] + [(shrinks, *r) for r in _rows(shrinking, fmt)]
    both = pl.concat([growing, shrinking])
    chapters, changes = both["hs_chapter"].to_list(), both["change_usd"].to_list()

    def draw(tr: charts.Translate) -> str:
        labels = [tr("chart.chapter").format(chapter=c) for c in chapters]
        return charts.bars(tr("chart.growth"), labels, changes, tr("unit.usd"), charts.GREEN)

    columns = ("kind", "hs_chapter", "before_usd", "after_usd", "change_usd", "change_pct")
    return Panel("growth", columns, tuple(rows), draw if both.height else None, (basis,))


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
