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
        port = declaration.document_json()["Declaration"]["GoodsShipment"]["Consignment"]["LoadingLocation"]["ID"]
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


def test_settled_invoice_payments_by_currency(tmp_path: Path) -> None:
    from sqlalchemy import insert

    from corridor.adapters.ledger_tables import ledger_transfers
    from corridor.analytics.extract import read_settled

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
    settled = {c: (v, n) for c, v, n in read_settled(engine).rows()}
    assert settled == {"INR": (2_000.0, 2), "RUB": (12.34, 1)}  # 1,500.00 + 500.00 rupees; 12.34 roubles
    cache = FrameCache(engine)
    assert cache.current().settled.height == 2
    corridor.close()
