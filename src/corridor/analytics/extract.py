"""A read-only extract of a node's database into Polars frames: declarations, their goods items,
their customs stages, the refusals. Only SELECTs run; nothing goes through the customs handlers.

Rows are fetched by the database driver; everything after that (decoding the WCO declaration
JSON, converting to USD, aggregating) is done by Polars on whole columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
from sqlalchemy import Engine, Text, cast, func, select

from corridor.adapters import tables as t
from corridor.refdata.tariffs import exchange_rates

AMOUNT = pl.Struct({"value": pl.String, "currencyID": pl.String})
_ID = pl.Struct({"ID": pl.String})
DOCUMENT = pl.Struct(
    {
        "Declaration": pl.Struct(
            {
                "InvoiceAmount": AMOUNT,
                "GoodsShipment": pl.Struct(
                    {
                        "Consignment": pl.Struct(
                            {"LoadingLocation": _ID, "UnloadingLocation": _ID, "Carrier": _ID}
                        ),
                        "GovernmentAgencyGoodsItem": pl.List(
                            pl.Struct(
                                {
                                    "Commodity": pl.Struct(
                                        {
                                            "Classification": pl.List(_ID),
                                            "InvoiceLine": pl.Struct({"ItemChargeAmount": AMOUNT}),
                                        }
                                    )
                                }
                            )
                        ),
                    }
                ),
            }
        )
    }
)
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
    "document": pl.String,
    "ack": pl.String,
}
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


def read_declarations(engine: Engine, since: object | None = None) -> pl.DataFrame:
    """Declaration rows (changed after ``since``, an ``updated_at``, when given)."""
    d = t.declarations.c
    query = select(
        d.id, d.node, d.flow, d.status, d.lane, d.created_at, d.updated_at, d.trader_id, d.exporter_id,
        d.importer_id, d.declarant_id, cast(d.document, Text), cast(d.ack, Text),
    )  # fmt: skip
    if since is not None:
        query = query.where(d.updated_at > since)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(query)]
    return _frame(rows, DECLARATION_SCHEMA)


def read_stages(engine: Engine, after_row: int = 0) -> pl.DataFrame:
    s = t.stages.c
    query = select(s.id, s.declaration_id, s.stage, s.at).where(s.id > after_row).order_by(s.id)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(query)]
    return _frame(rows, STAGE_SCHEMA)


def read_rejections(engine: Engine) -> pl.DataFrame:
    r = t.rejections.c
    query = select(r.field, r.reason, func.count()).group_by(r.field, r.reason)
    with engine.connect() as conn:
        rows = [tuple(x) for x in conn.execute(query)]
    schema: Schema = {"path": pl.String, "reason": pl.String, "count": pl.Int64}
    return _frame(rows, schema)


def data_version(engine: Engine) -> tuple[object, ...]:
    """What changes whenever the extract would: the declarations' count and latest change, the
    last stage row, the refusals' count."""
    d, s = t.declarations.c, t.stages.c
    with engine.connect() as conn:
        decl = conn.execute(select(func.count(), func.max(d.updated_at))).one()
        stage = conn.execute(select(func.max(s.id))).scalar()
        refused = conn.execute(select(func.count()).select_from(t.rejections)).scalar()
    return (decl[0], str(decl[1]), stage or 0, refused or 0)


def decode(declarations: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split declaration rows into one row per declaration (with its direction, port and
    acknowledgement) and one row per goods item (HS chapter, value, currency)."""
    doc = pl.col("document").str.json_decode(DOCUMENT).struct.field("Declaration")
    shipment = doc.struct.field("GoodsShipment")
    consignment = shipment.struct.field("Consignment")
    port = (
        pl.when(pl.col("flow") == "import")
        .then(consignment.struct.field("UnloadingLocation").struct.field("ID"))
        .otherwise(consignment.struct.field("LoadingLocation").struct.field("ID"))
    )
    ack = pl.col("ack").str.json_decode(ACK)
    base = declarations.with_columns(
        direction=direction(pl.col("node"), pl.col("flow")),
        month=pl.col("created_at").dt.strftime("%Y-%m"),
        port=port,
        loading=consignment.struct.field("LoadingLocation").struct.field("ID"),
        unloading=consignment.struct.field("UnloadingLocation").struct.field("ID"),
        carrier=consignment.struct.field("Carrier").struct.field("ID"),
        ack_status=ack.struct.field("status"),
        ack_reasons=ack.struct.field("reasons"),
        goods=shipment.struct.field("GovernmentAgencyGoodsItem"),
    )
    items = (
        base.select("id", "direction", "flow", "month", "created_at", "lane", "status", "goods")
        .explode("goods")
        .filter(pl.col("goods").is_not_null())
        .with_columns(
            code=pl.col("goods")
            .struct.field("Commodity")
            .struct.field("Classification")
            .list.first()
            .struct.field("ID"),
            amount=pl.col("goods")
            .struct.field("Commodity")
            .struct.field("InvoiceLine")
            .struct.field("ItemChargeAmount"),
        )
        .with_columns(
            direction=pl.col("direction").cast(DIRECTION),
            month=pl.col("month").cast(pl.Categorical),
            hs_chapter=pl.col("code").str.slice(0, 2).cast(pl.Categorical),
            value=pl.col("amount").struct.field("value").cast(pl.Float64, strict=False),
            currency=pl.col("amount").struct.field("currencyID").cast(pl.Categorical),
        )
        .drop("goods", "amount", "code")
    )
    return base.drop("document", "ack", "goods"), items


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
