"""A read-only extract of a node's database into Polars frames: declarations, their goods items,
their customs stages, the refusals. Only SELECTs run, all of one refresh in one read transaction
(``one_state``); nothing goes through the customs handlers.

Rows are fetched by the database driver; everything after that (decoding the WCO declaration
JSON, converting to USD, aggregating) is done by Polars on whole columns."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import polars as pl
from sqlalchemy import Connection, DateTime, Engine, Text, bindparam, cast, func, select, text

from corridor.adapters import ledger_tables as lt
from corridor.adapters import tables as t
from corridor.adapters.database import READ_ONLY
from corridor.refdata.tariffs import exchange_rates
from corridor.settlement.domain.currency import currency as iso_currency
from corridor.settlement.domain.model import TransferKind
from corridor.settlement.domain.payments import INVOICE

ACK = pl.Struct(
    {"status": pl.String, "reasons": pl.List(pl.Struct({"path": pl.String, "reason": pl.String}))}
)
DIRECTION = pl.Enum(["IN->RU", "RU->IN"])
"""India's exports (``IN->RU``) and imports (``RU->IN``)."""
Schema = dict[str, pl.DataType | type[pl.DataType]]
DECLARATION_SCHEMA: Schema = {
    "id": pl.String,
    "node": pl.String,
    "flow": pl.String,
    "status": pl.String,
    "lane": pl.String,
    "created_at": pl.Datetime("us", "UTC"),
    "updated_at": pl.Datetime("us", "UTC"),
    "trader_id": pl.String,
    "exporter_id": pl.String,
    "importer_id": pl.String,
    "declarant_id": pl.String,
    "lrn": pl.String,
    "loading": pl.String,
    "unloading": pl.String,
    "carrier": pl.String,
    "ack": pl.String,
}
ITEM_SCHEMA: Schema = {"id": pl.String, "code": pl.String, "value": pl.String, "currency": pl.String}
CONSIGNMENT = ("Declaration", "GoodsShipment", "Consignment")
ITEMS = {
    # one row per goods item, its fields taken out by the database's own JSON functions
    "sqlite": """
        SELECT d.id,
               CAST(json_extract(i.value, '$.Commodity.Classification[0].ID') AS TEXT),
               CAST(json_extract(i.value, '$.Commodity.InvoiceLine.ItemChargeAmount.value') AS TEXT),
               CAST(json_extract(i.value, '$.Commodity.InvoiceLine.ItemChargeAmount.currencyID') AS TEXT)
        FROM declarations AS d, json_each(d.document, '$.Declaration.GoodsShipment.GovernmentAgencyGoodsItem') AS i
        WHERE d.updated_at > :since""",
    "postgresql": """
        SELECT d.id,
               i -> 'Commodity' -> 'Classification' -> 0 ->> 'ID',
               i -> 'Commodity' -> 'InvoiceLine' -> 'ItemChargeAmount' ->> 'value',
               i -> 'Commodity' -> 'InvoiceLine' -> 'ItemChargeAmount' ->> 'currencyID'
        FROM declarations AS d,
             json_array_elements((d.document::json) -> 'Declaration' -> 'GoodsShipment' -> 'GovernmentAgencyGoodsItem') AS i
        WHERE d.updated_at > :since""",
}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
REJECTION_SCHEMA: Schema = {"path": pl.String, "reason": pl.String, "count": pl.Int64}
SETTLED_SCHEMA: Schema = {"currency": pl.String, "value": pl.Float64, "payments": pl.Int64}
STAGE_SCHEMA: Schema = {
    "row": pl.Int64,
    "declaration_id": pl.String,
    "stage": pl.String,
    "at": pl.Datetime("us", "UTC"),
}


def direction(node: pl.Expr, flow: pl.Expr) -> pl.Expr:
    """``IN->RU`` (India's exports) or ``RU->IN``: an export leaves the node's country, an import
    enters it."""
    other = pl.when(node == "IN").then(pl.lit("RU")).otherwise(pl.lit("IN"))
    return (
        pl.when(flow == "export")
        .then(pl.concat_str([node, pl.lit("->"), other]))
        .otherwise(pl.concat_str([other, pl.lit("->"), node]))
    )


def _frame(
    rows: list[tuple[object, ...]], schema: dict[str, pl.DataType | type[pl.DataType]]
) -> pl.DataFrame:
    """Rows in ``schema``; date-times in UTC whether the driver gave them naive (SQLite, stored in
    UTC) or with a zone (PostgreSQL)."""
    if not rows:
        return pl.DataFrame(schema=schema)
    frame = pl.DataFrame(rows, schema=list(schema), orient="row", infer_schema_length=None)
    fixed = []
    for name, dtype in schema.items():
        column = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            found = frame.schema[name]
            if isinstance(found, pl.Datetime) and found.time_zone is not None:
                column = column.dt.convert_time_zone("UTC")
            elif isinstance(found, pl.Datetime):
                column = column.dt.replace_time_zone("UTC")
            else:
                column = column.str.to_datetime(time_zone="UTC")
        fixed.append(column.cast(dtype))
    return frame.select(fixed)


@contextmanager
def one_state(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see the database as it was at the first of them, so that a
    declaration and its goods items, its stages and the counts that version the extract agree:
    a deferred read transaction on SQLite (which takes no write lock, so filings go on meanwhile),
    a read-only REPEATABLE READ transaction on PostgreSQL."""
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect() as conn:
        conn.execution_options(**options)
        with conn.begin():
            yield conn


def read_declarations(conn: Connection, since: object | None = None) -> pl.DataFrame:
    """Declaration rows (changed after ``since``, an ``updated_at``, when given)."""
    d = t.declarations.c
    place = [
        d.document[(*CONSIGNMENT, name, "ID")].as_string()
        for name in ("LoadingLocation", "UnloadingLocation", "Carrier")
    ]
    query = select(
        d.id, d.node, d.flow, d.status, d.lane, d.created_at, d.updated_at, d.trader_id, d.exporter_id,
        d.importer_id, d.declarant_id, d.lrn, *place, cast(d.ack, Text),
    )  # fmt: skip
    if since is not None:
        query = query.where(d.updated_at > since)
    return _frame([tuple(r) for r in conn.execute(query)], DECLARATION_SCHEMA)


def read_items(conn: Connection, since: object | None = None) -> pl.DataFrame:
    """One row per goods item of the declarations changed after ``since``: the first
    classification code, the item's invoice value and currency (as text)."""
    dialect = conn.dialect.name
    if dialect not in ITEMS:
        raise ValueError(f"no item extract for the {dialect} database")
    query = text(ITEMS[dialect]).bindparams(bindparam("since", type_=DateTime(timezone=True)))
    return _frame([tuple(r) for r in conn.execute(query, {"since": since or EPOCH})], ITEM_SCHEMA)


def read_stages(conn: Connection, after_row: int = 0) -> pl.DataFrame:
    s = t.stages.c
    query = select(s.id, s.declaration_id, s.stage, s.at).where(s.id > after_row).order_by(s.id)
    return _frame([tuple(r) for r in conn.execute(query)], STAGE_SCHEMA)


def read_rejections(conn: Connection) -> pl.DataFrame:
    r = t.rejections.c
    query = select(r.field, r.reason, func.count()).group_by(r.field, r.reason)
    return _frame([tuple(x) for x in conn.execute(query)], REJECTION_SCHEMA)


def read_settled(conn: Connection) -> pl.DataFrame:
    """Invoice payments posted on the node's ledger, per currency: the amount (in major units) and
    the number of payments."""
    x = lt.ledger_transfers.c
    query = (
        select(x.ledger, func.sum(x.amount), func.count())
        .where(x.code == INVOICE, x.kind.in_((TransferKind.SINGLE.value, TransferKind.POST.value)))
        .group_by(x.ledger)
    )
    rows: list[tuple[object, ...]] = [
        (ccy, int(minor) / 10 ** iso_currency(ccy).minor_units, int(n))
        for ccy, minor, n in conn.execute(query)
    ]
    return _frame(rows, SETTLED_SCHEMA)


class DataVersion(NamedTuple):
    """What changes whenever the extract would (compared as a plain tuple)."""

    declarations: int
    updated: str  # the latest change of a declaration
    last_stage: int
    stages: int
    refusals: int
    last_transfer: int  # on the ledger


def data_version(conn: Connection) -> DataVersion:
    """The declarations' count and latest change, the last stage row and the stages' count, the
    refusals' count, the last ledger transfer."""
    d, s = t.declarations.c, t.stages.c
    decl = conn.execute(select(func.count(), func.max(d.updated_at))).one()
    stage = conn.execute(select(func.max(s.id), func.count())).one()
    refused = conn.execute(select(func.count()).select_from(t.rejections)).scalar()
    ledger = conn.execute(select(func.max(lt.ledger_transfers.c.seq))).scalar()
    return DataVersion(decl[0], str(decl[1]), stage[0] or 0, stage[1] or 0, refused or 0, ledger or 0)


def database_identity(engine: Engine) -> str | None:
    """What tells this database from another one at the same address (a SQLite file replaced by a
    new one, a PostgreSQL table dropped and made again); None for an in-memory database."""
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        found = os.stat(path)
        return f"sqlite:{os.path.realpath(path)}:{found.st_dev}:{found.st_ino}"
    query = text(
        "SELECT current_database(), current_schema(), CAST(to_regclass('declarations') AS oid), "
        "(SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with engine.connect() as conn:
        row = conn.execute(query).one()
    return f"{engine.dialect.name}:{engine.url.host}:{engine.url.port}:" + ":".join(map(str, row))


def decode(declarations: pl.DataFrame, raw_items: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per declaration (with its direction, port and acknowledgement) and one row per goods
    item (direction, month, HS chapter, value, currency)."""
    ack = pl.col("ack").str.json_decode(ACK)
    base = declarations.with_columns(
        direction=direction(pl.col("node"), pl.col("flow")),
        month=pl.col("created_at").dt.strftime("%Y-%m"),
        port=pl.when(pl.col("flow") == "import").then(pl.col("unloading")).otherwise(pl.col("loading")),
        ack_status=ack.struct.field("status"),
        ack_reasons=ack.struct.field("reasons"),
    ).drop("ack")
    items = raw_items.join(
        base.select("id", "direction", "flow", "month", "created_at", "lane", "status"), on="id", how="inner"
    ).select(
        "id",
        pl.col("direction").cast(DIRECTION),
        "flow",
        pl.col("month").cast(pl.Categorical),
        "created_at",
        "lane",
        "status",
        hs_chapter=pl.col("code").str.slice(0, 2).cast(pl.Categorical),
        value=pl.col("value").cast(pl.Float64, strict=False),
        currency=pl.col("currency").cast(pl.Categorical),
    )
    return base, items


@dataclass(frozen=True, slots=True)
class UsdRates:
    """USD per unit of each currency from each date on (cross rates of the shipped RUB table)."""

    frame: pl.DataFrame
    sample: bool


def usd_rates() -> UsdRates:
    table = exchange_rates()
    per_rub: dict[date, dict[str, float]] = {}
    sample = False
    for row in table.rates:
        if row.quote == "RUB":
            per_rub.setdefault(row.valid_from, {})[row.base] = float(row.rate)
            sample = sample or row.sample
    rows = []
    for start, rates in sorted(per_rub.items()):
        usd = rates.get("USD")
        if not usd:
            continue
        rows += [(start, "RUB", 1 / usd), *((start, c, r / usd) for c, r in rates.items())]
    frame = pl.DataFrame(
        rows, schema={"from": pl.Date, "currency": pl.String, "usd_per_unit": pl.Float64}, orient="row"
    )
    return UsdRates(frame.sort("from"), sample)


def in_usd(items: pl.DataFrame, rates: UsdRates) -> pl.DataFrame:
    """``value_usd``: each item's value at the rate in force on its filing date (the earliest
    rate before the table starts)."""
    dtype = items.schema["currency"]
    keyed = items.with_columns(
        day=pl.col("created_at").dt.date(), currency=pl.col("currency").cast(pl.String)
    )
    keyed = keyed.sort("day")
    joined = keyed.join_asof(
        rates.frame,
        left_on="day",
        right_on="from",
        by="currency",
        strategy="backward",
        check_sortedness=False,
    )
    first = rates.frame.group_by("currency").agg(pl.col("usd_per_unit").first().alias("first_rate"))
    return (
        joined.join(first, on="currency", how="left")
        .with_columns(value_usd=pl.col("value") * pl.coalesce("usd_per_unit", "first_rate"))
        .drop("day", "from", "usd_per_unit", "first_rate")
        .with_columns(pl.col("currency").cast(dtype))
    )


def settled_in_usd(settled: pl.DataFrame, rates: UsdRates) -> pl.DataFrame:
    """``value_usd`` of each currency's settled amount at the latest shipped rate."""
    latest = rates.frame.sort("from").group_by("currency").agg(pl.col("usd_per_unit").last())
    return (
        settled.join(latest, on="currency", how="left")
        .with_columns(value_usd=pl.col("value") * pl.col("usd_per_unit"))
        .drop("usd_per_unit")
    )
