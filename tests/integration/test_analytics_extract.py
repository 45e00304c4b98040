"""The analytics extract reads a node's own tables on SQLite and PostgreSQL alike: the goods
items of filed declarations with their values, the stages, and only what changed on a refresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from corridor.analytics.frames import FrameCache
from corridor.customs.assessment import ReferenceAssessor
from corridor.customs.domain.risk import RiskDecision
from corridor.customs.domain.vocabulary import Lane
from corridor.demo.run import Corridor
from corridor.demo.samples import SampleCorridor
from corridor.service.commands import ClearDeclaration, FileDeclaration


class YellowLane(ReferenceAssessor):
    def risk(self, *args: Any, **kwargs: Any) -> RiskDecision:
        return super().risk(*args, **kwargs).forced(Lane.YELLOW)


ASSESSORS: dict[str, Any] = {"IN": YellowLane.for_country("IN", b"k" * 32)}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def corridor(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Corridor]:
    if request.param == "postgres":
        url, schema = request.getfixturevalue("pg_available"), request.getfixturevalue("pg_schema")
        made = Corridor.embedded(tmp_path, db_url=url, db_schema=schema, assessors=ASSESSORS)
    else:
        made = Corridor.embedded(tmp_path, assessors=ASSESSORS)
    yield made
    made.close()


def test_items_values_stages_and_refresh(corridor: Corridor) -> None:
    india = corridor.nodes["IN"]
    samples = SampleCorridor(21)
    filed = [india.handle(FileDeclaration(samples.next("IN", datetime.now(UTC)))) for _ in range(3)]
    corridor.pump()
    cache = FrameCache(india.engine)
    frames = cache.current()
    assert sorted(frames.declarations["id"].to_list()) == sorted(d.id for d in filed)
    assert set(frames.declarations["direction"].to_list()) == {"IN->RU"}
    for declaration in filed:
        goods = declaration.document_json()["Declaration"]["GoodsShipment"]["GovernmentAgencyGoodsItem"]
        mine = frames.items.filter(pl.col("id") == declaration.id)
        assert mine.height == len(goods)
        expected = sum(Decimal(g["Commodity"]["InvoiceLine"]["ItemChargeAmount"]["value"]) for g in goods)
        assert mine["value"].sum() == pytest.approx(float(expected))
        chapters = {g["Commodity"]["Classification"][0]["ID"][:2] for g in goods}
        assert set(mine["hs_chapter"].cast(pl.String).to_list()) == chapters
        port = declaration.document_json()["Declaration"]["GoodsShipment"]["Consignment"]["LoadingLocation"][
            "ID"
        ]
        assert frames.declarations.filter(pl.col("id") == declaration.id)["port"].item() == port
    assert frames.stages.filter(pl.col("stage") == "registration").height == 3
    assert cache.current() is frames  # nothing changed: the same extract
    queued = [d for d in filed if d.status == "under_control"]
    assert queued, "the yellow lane queues every declaration"
    india.handle(ClearDeclaration(queued[0].id, "IN-OFFICER-1", "conform"))
    refreshed = cache.current()
    assert refreshed is not frames
    row = refreshed.declarations.filter(pl.col("id") == queued[0].id)
    assert row["status"].item() == "cleared"
    assert refreshed.declarations.height == 3 and refreshed.items.height == frames.items.height


def test_one_refresh_reads_one_state_of_the_database_while_filings_go_on(corridor: Corridor) -> None:
    """A declaration filed while the extract reads (between its queries) is in none of them, not
    in the items without its declaration; and on SQLite the reading does not hold filings back."""
    from corridor.analytics import extract

    india = corridor.nodes["IN"]
    samples = SampleCorridor(23)
    first = india.handle(FileDeclaration(samples.next("IN", datetime.now(UTC))))
    with extract.one_state(india.engine) as conn:
        version = extract.data_version(conn)
        assert version.declarations == 1
        meanwhile = india.handle(FileDeclaration(samples.next("IN", datetime.now(UTC))))
        declarations = extract.read_declarations(conn)
        items = extract.read_items(conn)
        stages = extract.read_stages(conn)
        assert extract.data_version(conn) == version
    assert declarations["id"].to_list() == [first.id]
    assert set(items["id"].to_list()) == {first.id}
    assert set(stages["declaration_id"].to_list()) == {first.id}
    with extract.one_state(india.engine) as conn:
        assert set(extract.read_items(conn)["id"].to_list()) == {first.id, meanwhile.id}


def test_settled_invoice_payments_by_currency(tmp_path: Path) -> None:
    from sqlalchemy import insert

    from corridor.adapters.ledger_tables import ledger_transfers
    from corridor.analytics.extract import one_state, read_settled

    corridor = Corridor.embedded(tmp_path, assessors=ASSESSORS)
    engine = corridor.nodes["IN"].engine
    now = datetime.now(UTC)
    rows = [  # (id, ledger, code, kind, amount in minor units)
        ("t1", "INR", "invoice", "single", 150_000),
        ("t2", "INR", "invoice", "pending", 999_999),  # not posted yet
        ("t3", "INR", "invoice", "post", 50_000),
        ("t4", "RUB", "invoice", "single", 1_234),
        ("t5", "RUB", "duty", "single", 777_777),  # duties are not invoice settlement
    ]
    common = {
        "linked": False,
        "pending_id": None,
        "timeout_s": 0,
        "reference": "INV-1",
        "fx": None,
        "state": None,
    }
    with engine.begin() as conn:
        conn.execute(
            insert(ledger_transfers),
            [
                {"id": i, "debit_account_id": "a", "credit_account_id": "b", "amount": amount, "ledger": ledger,
                 "code": code, "kind": kind, "timestamp": now, **common}
                for i, ledger, code, kind, amount in rows
            ],
        )  # fmt: skip
    with one_state(engine) as conn:
        settled = {c: (v, n) for c, v, n in read_settled(conn).rows()}
    assert settled == {"INR": (2_000.0, 2), "RUB": (12.34, 1)}  # 1,500.00 + 500.00 rupees; 12.34 roubles
    cache = FrameCache(engine)
    assert cache.current().settled.height == 2
    corridor.close()


def _same(a: Any, b: Any) -> None:
    """Two extracts hold the same rows (in any order)."""
    assert a.declarations.sort("id").equals(b.declarations.sort("id"))
    keys = ["id", "hs_chapter", "value", "currency"]
    assert (
        a.items.with_columns(pl.col(pl.Categorical).cast(pl.String))
        .sort(keys)
        .equals(b.items.with_columns(pl.col(pl.Categorical).cast(pl.String)).sort(keys))
    )
    assert a.stages.sort("row").equals(b.stages.sort("row"))
    assert a.version == b.version


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The ``since`` of every read of declarations from now on (None: all of them)."""
    from corridor.analytics import extract

    seen: list[object] = []
    original = extract.read_declarations

    def recorded(conn: Any, since: object | None = None) -> pl.DataFrame:
        seen.append(since)
        return original(conn, since)

    monkeypatch.setattr(extract, "read_declarations", recorded)
    return seen


def test_a_new_process_starts_from_the_snapshot_and_reads_only_what_changed(
    corridor: Corridor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    india = corridor.nodes["IN"]
    samples = SampleCorridor(22)
    filed = [india.handle(FileDeclaration(samples.next("IN", datetime.now(UTC)))) for _ in range(3)]
    folder = tmp_path / "snapshot"
    first = FrameCache(india.engine, folder, save_delay_s=0)
    first.current()
    first.flush()
    files = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert files[-1] == "extract.json" and len(files) == 6  # five frames and their description
    assert all(p.stat().st_mode & 0o077 == 0 for p in folder.iterdir())  # the node's data: 0600

    reads = _reads(monkeypatch)
    again = FrameCache(india.engine, folder, save_delay_s=0).current()  # nothing changed: no declaration read
    assert reads == []
    _same(again, FrameCache(india.engine).current())

    india.handle(FileDeclaration(samples.next("IN", datetime.now(UTC))))
    india.handle(ClearDeclaration(filed[0].id, "IN-OFFICER-1", "conform"))
    reads.clear()
    later = FrameCache(india.engine, folder, save_delay_s=0)
    frames = later.current()
    assert len(reads) == 1 and reads[0] is not None  # only the declarations changed since the snapshot
    _same(frames, FrameCache(india.engine).current())
    assert frames.declarations.filter(pl.col("id") == filed[0].id)["status"].item() == "cleared"
    assert frames.declarations.height == 4


def _spoil(folder: Path, how: str) -> None:
    import json

    meta = folder / "extract.json"
    described = json.loads(meta.read_text())
    frame = folder / f"extract-{described['token']}-items.parquet"
    if how == "missing":
        meta.unlink()
    elif how == "truncated description":
        meta.write_text(meta.read_text()[:20])
    elif how == "corrupt frame":
        frame.write_bytes(b"PAR1 not a parquet file PAR1")
    elif how == "frame gone":
        frame.unlink()
    elif how == "older format":
        meta.write_text(json.dumps({**described, "format": 0}))
    elif how == "other columns":
        pl.read_parquet(frame).drop("value_usd").write_parquet(frame)
    elif how == "other database":
        meta.write_text(json.dumps({**described, "identity": "sqlite:/elsewhere.sqlite:1:2 rates:x"}))
    elif how == "rows missing":  # a snapshot that lost a declaration the database still has
        described["token"] = token = "0" * 16
        for name in ("declarations", "items", "stages", "rejections", "settled"):
            old = pl.read_parquet(folder / frame.name.replace("-items.", f"-{name}."))
            (old.tail(old.height - 1) if name == "declarations" else old).write_parquet(
                folder / f"extract-{token}-{name}.parquet"
            )
        meta.write_text(json.dumps(described))


@pytest.mark.parametrize(
    "how",
    ["missing", "truncated description", "corrupt frame", "frame gone", "older format", "other columns",
     "other database", "rows missing"],
)  # fmt: skip
def test_an_unusable_snapshot_is_ignored_and_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    corridor = Corridor.embedded(tmp_path, assessors=ASSESSORS)
    try:
        india = corridor.nodes["IN"]
        samples = SampleCorridor(23)
        for _ in range(2):
            india.handle(FileDeclaration(samples.next("IN", datetime.now(UTC))))
        folder = tmp_path / "snapshot"
        made = FrameCache(india.engine, folder, save_delay_s=0)
        made.current()
        made.flush()
        _spoil(folder, how)
        reads = _reads(monkeypatch)
        cache = FrameCache(india.engine, folder, save_delay_s=0)
        frames = cache.current()
        assert None in reads  # the whole extract read again
        _same(frames, FrameCache(india.engine).current())
        cache.flush()
        reads.clear()
        assert FrameCache(india.engine, folder, save_delay_s=0).current().declarations.height == 2
        assert reads == []  # the snapshot written again is used
    finally:
        corridor.close()
