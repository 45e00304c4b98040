"""Charts drawn on the server as SVG text with matplotlib (no script in the page). Their words
come from the caller (``Translate``: a text's key to the text in the reader's language)."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Mapping, Sequence

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

INK, BLUE, ORANGE, GREEN, GREY = "#1d2530", "#1f5fa8", "#b35900", "#1e7a34", "#5b6675"
Translate = Callable[[str], str]
_lock = threading.Lock()  # one figure at a time: matplotlib's text caches are shared


def _svg(figure: Figure, title: str) -> str:
    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text: smaller, faster, searchable
        figure.savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    start = svg.index("<svg")
    head = f'<svg role="img" aria-label="{_escape(title)}"'
    return head + svg[start + 4 :]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _axes(title: str, height: float = 3.2) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(6.4, height), dpi=100)
    figure.subplots_adjust(left=0.2, right=0.97, top=0.88, bottom=0.2)
    axes = figure.subplots()
    axes.set_title(title, fontsize=10, color=INK, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8, colors=INK)
    return figure, axes


def target_chart(
    tr: Translate, years: Sequence[str], exports: Sequence[float], imports: Sequence[float],
    path: Sequence[tuple[str, float]], projection: Sequence[tuple[str, float]],
) -> str:  # fmt: skip
    title = tr("chart.target")
    with _lock:
        figure, axes = _axes(title)
        axes.bar(years, exports, color=GREEN, label=tr("series.exports"))
        axes.bar(years, imports, bottom=exports, color=BLUE, label=tr("series.imports"))
        if path:
            axes.plot(
                [p[0] for p in path],
                [p[1] for p in path],
                color=INK,
                marker="o",
                ms=3,
                label=tr("series.path"),
            )
        if projection:
            axes.plot(
                [p[0] for p in projection],
                [p[1] for p in projection],
                color=ORANGE,
                ls="--",
                marker="o",
                ms=3,
                label=tr("series.projection"),
            )
        axes.axhline(100, color=GREY, lw=0.8, ls=":")
        axes.tick_params(axis="x", labelrotation=45)
        axes.legend(fontsize=7, frameon=False)
        return _svg(figure, title)


def bars(title: str, labels: Sequence[str], values: Sequence[float], unit: str, color: str = BLUE) -> str:
    with _lock:
        figure, axes = _axes(title, 0.9 + 0.28 * max(len(labels), 3))
        axes.barh(list(labels)[::-1], list(values)[::-1], color=color)
        axes.set_xlabel(unit, fontsize=8)
        return _svg(figure, title)


def grouped_months(
    title: str, months: Sequence[str], series: Mapping[str, Sequence[float]], unit: str
) -> str:
    with _lock:
        figure, axes = _axes(title)
        colors = [GREEN, BLUE, ORANGE]
        for (name, values), color in zip(series.items(), colors, strict=False):
            axes.plot(list(months), list(values), marker="o", ms=3, color=color, label=name)
        axes.axhline(0, color=GREY, lw=0.8)
        axes.set_ylabel(unit, fontsize=8)
        axes.tick_params(axis="x", labelrotation=45)
        axes.legend(fontsize=7, frameon=False)
        return _svg(figure, title)


def histogram(title: str, values: Sequence[float], unit: str, counted: str) -> str:
    with _lock:
        figure, axes = _axes(title)
        axes.hist(list(values), bins=min(30, max(5, len(values) // 5)), color=BLUE)
        axes.set_xlabel(unit, fontsize=8)
        axes.set_ylabel(counted, fontsize=8)
        return _svg(figure, title)
