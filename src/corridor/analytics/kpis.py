"""The dashboard's aggregates, each a Polars expression over whole columns (no Python loops).

``items``: one row per goods item (``direction``, ``month``, ``hs_chapter``, ``currency``,
``value_usd``); ``declarations``: one row per declaration (``flow``, ``lane``, ``port``,
``ack_status``, ``ack_reasons``); ``stages``: one row per customs stage (``declaration_id``,
``stage``, ``at``)."""

from __future__ import annotations

import polars as pl

EXPORTS, IMPORTS = "IN->RU", "RU->IN"
NATIONAL = ("INR", "RUB")


def by_direction(items: pl.DataFrame) -> pl.DataFrame:
    return (
        items.group_by("direction")
        .agg(value_usd=pl.col("value_usd").sum(), items=pl.len())
        .with_columns(pl.col("direction").cast(pl.String))
        .sort("direction")
    )


def by_month(items: pl.DataFrame) -> pl.DataFrame:
    """Value per month and direction, with India's balance (exports less imports) per month."""
    wide = (
        items.group_by("month", "direction")
        .agg(pl.col("value_usd").sum())
        .group_by("month")
        .agg(
            exports_usd=pl.col("value_usd").filter(pl.col("direction") == EXPORTS).sum(),
            imports_usd=pl.col("value_usd").filter(pl.col("direction") == IMPORTS).sum(),
        )
        .with_columns(pl.col("month").cast(pl.String))
        .sort("month")
    )
    return wide.with_columns(balance_usd=pl.col("exports_usd") - pl.col("imports_usd"))


def trend(frame: pl.DataFrame, column: str) -> float | None:
    """The least-squares slope of ``column`` per row (per month for ``by_month``)."""
    if frame.height < 2:
        return None
    x = pl.int_range(0, pl.len()).cast(pl.Float64)
    y = pl.col(column).cast(pl.Float64)
    slope = frame.select(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()).item()
    return float(slope)


def by_chapter(items: pl.DataFrame) -> pl.DataFrame:
    """Value per direction and HS chapter, with its share of the direction's value."""
    return (
        items.group_by("direction", "hs_chapter")
        .agg(value_usd=pl.col("value_usd").sum(), items=pl.len())
        .with_columns(share=pl.col("value_usd") / pl.col("value_usd").sum().over("direction"))
        .sort(["direction", "value_usd"], descending=[False, True])
    )


def currency_share(items: pl.DataFrame) -> pl.DataFrame:
    """Share of the invoiced value (in USD) by invoice currency: INR, RUB, and each other one."""
    total = pl.col("value_usd").sum()
    return (
        items.group_by("currency")
        .agg(value_usd=total, items=pl.len())
        .with_columns(
            share=pl.col("value_usd") / pl.col("value_usd").sum(), national=pl.col("currency").is_in(NATIONAL)
        )
        .sort("value_usd", descending=True)
    )


def release_times(declarations: pl.DataFrame, stages: pl.DataFrame) -> pl.DataFrame:
    """One row per import declaration released here: hours from arrival to release (0 when released
    at or before arrival, as the WCO Time Release Study counts it), whether it was, port and lane."""
    moments = (
        stages.filter(pl.col("stage").is_in(["arrival", "release"]))
        .group_by("declaration_id")
        .agg(
            arrival=pl.col("at").filter(pl.col("stage") == "arrival").min(),
            release=pl.col("at").filter(pl.col("stage") == "release").max(),
        )
    )
    imports = declarations.filter(pl.col("flow") == "import").select("id", "port", "lane")
    return (
        imports.join(moments, left_on="id", right_on="declaration_id")
        .filter(pl.col("arrival").is_not_null() & pl.col("release").is_not_null())
        .with_columns(
            hours=((pl.col("release") - pl.col("arrival")).dt.total_seconds() / 3600).clip(lower_bound=0),
            on_arrival=pl.col("release") <= pl.col("arrival"),
        )
    )


def release_kpis(times: pl.DataFrame, *keys: str) -> pl.DataFrame:
    """Median, 90th percentile (linear interpolation) and share released at or before arrival,
    per ``keys`` (e.g. port, lane) or overall."""
    aggregates = [
        pl.len().alias("released"),
        pl.col("hours").median().alias("median_h"),
        pl.col("hours").quantile(0.9, interpolation="linear").alias("p90_h"),
        pl.col("on_arrival").mean().alias("share_on_arrival"),
    ]
    if not keys:
        return times.select(aggregates)
    return times.group_by(*keys).agg(aggregates).sort(list(keys))


def lanes(declarations: pl.DataFrame) -> pl.DataFrame:
    return (
        declarations.group_by("flow", "lane")
        .agg(declarations=pl.len())
        .with_columns(share=pl.col("declarations") / pl.col("declarations").sum().over("flow"))
        .sort("flow", "lane")
    )


def refusals(declarations: pl.DataFrame, rejected_messages: pl.DataFrame) -> pl.DataFrame:
    """Why the peer refused this node's declarations (its acknowledgements' reasons) and why this
    node refused messages, counted by field and reason."""
    acks = (
        declarations.filter(pl.col("ack_status") == "rejected")
        .select(pl.col("ack_reasons").explode())
        .filter(pl.col("ack_reasons").is_not_null())
        .select(
            pl.lit("peer").alias("kind"),  # a declaration refused by the peer
            pl.col("ack_reasons").struct.field("path").alias("path"),
            pl.col("ack_reasons").struct.field("reason").alias("reason"),
        )
        .group_by("kind", "path", "reason")
        .agg(count=pl.len().cast(pl.Int64))
    )
    messages = rejected_messages.select(
        pl.lit("node").alias("kind"),
        "path",
        "reason",
        pl.col("count").cast(pl.Int64),  # a message refused here
    )
    return pl.concat([acks, messages]).sort("count", descending=True)


def chapter_growth(
    frame: pl.DataFrame, period: str, top: int = 5, *, in_both: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Between the last two values of ``period``, the HS chapters whose value grew most and those
    that shrank most (``frame``: ``period``, ``hs_chapter``, ``value_usd``). A chapter absent from
    one period counts as zero there, unless ``in_both``: then only the chapters with a row in both
    periods are compared (a published series that leaves a chapter out has not reported it zero)."""
    periods = frame.select(pl.col(period).unique().sort()).to_series().to_list()
    empty = pl.DataFrame(
        schema={
            "hs_chapter": pl.String,
            "before_usd": pl.Float64,
            "after_usd": pl.Float64,
            "change_usd": pl.Float64,
            "change_pct": pl.Float64,
        }
    )
    if len(periods) < 2:
        return empty, empty
    before, after = periods[-2], periods[-1]
    change = (
        frame.filter(pl.col(period).is_in([before, after]))
        .group_by("hs_chapter")
        .agg(
            before_usd=pl.col("value_usd").filter(pl.col(period) == before).sum(),
            after_usd=pl.col("value_usd").filter(pl.col(period) == after).sum(),
            periods=pl.col(period).n_unique(),
        )
        .filter(pl.col("periods") == 2 if in_both else pl.lit(True))
        .drop("periods")
        .with_columns(change_usd=pl.col("after_usd") - pl.col("before_usd"))
        .with_columns(
            change_pct=pl.when(pl.col("before_usd") > 0)
            .then(pl.col("change_usd") / pl.col("before_usd") * 100)
            .otherwise(None)
        )
    )
    growing = change.filter(pl.col("change_usd") > 0).sort("change_usd", descending=True).head(top)
    shrinking = change.filter(pl.col("change_usd") < 0).sort("change_usd").head(top)
    return growing, shrinking
