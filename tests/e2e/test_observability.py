"""A node can be watched: /healthz, /readyz naming what is not ready, and Prometheus /metrics with
requests by route template and the node's figures read from its database, on SQLite and
PostgreSQL."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from corridor.api.app import create_app
from corridor.classification.domain import Classifier, HsUnavailable
from corridor.classification.service import HsService
from corridor.demo.run import Corridor
from corridor.messaging.transport import Delivery, InProcessTransport
from corridor.node.bootstrap import Node
from corridor.observability.collector import NodeCollector, refusal_reason
from corridor.observability.process import DELIVERIES, ObservedTransport, reason_of
from corridor.service.auth import create_api_key
from tests.conftest import PG_URL, fresh_schema
from tests.e2e.test_delivery_retries import cleared_export

OFFICER = "officer-secret-of-IN-0123456789abcdef"


@dataclass
class Watched:
    corridor: Corridor
    client: TestClient

    @property
    def india(self) -> Node:
        return self.corridor.nodes["IN"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def watched(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Watched]:
    """India and Russia in one process; India's API under test."""

    def make(**db: str) -> Iterator[Watched]:
        corridor = Corridor.embedded(tmp_path, **db)
        india = corridor.nodes["IN"]
        create_api_key(india.uow(), "officer", "IN-OFFICER-1", "officer", india.bus.ctx.clock(), OFFICER)
        with TestClient(create_app(india)) as client:
            yield Watched(corridor, client)
        corridor.close()

    if request.param == "sqlite":
        yield from make()
        return
    with fresh_schema(request.getfixturevalue("pg_available")) as schema:
        yield from make(db_url=PG_URL, db_schema=schema)


def sample(exposition: str, name: str, **labels: str) -> float | None:
    """The value of one sample of the Prometheus text exposition, or None if absent."""
    for line in exposition.splitlines():
        match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return None


def test_healthz_answers_without_a_key(watched: Watched) -> None:
    answer = watched.client.get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "node": "IN"}


def test_readyz_is_ready_at_the_newest_migration_and_names_what_is_not(watched: Watched) -> None:
    ready = watched.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}

    with watched.india.engine.begin() as conn:  # as if the code were newer than the schema
        conn.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    behind = watched.client.get("/readyz")
    assert behind.status_code == 503
    assert behind.json()["checks"]["migrations"].startswith("at 0006, expected ")
    assert behind.json()["checks"]["database"] == "ok"


def test_readyz_waits_for_the_classifier_the_process_warms_up(watched: Watched) -> None:
    """A node process answers as soon as it listens and loads its classifier in the background:
    not ready until it has, and a classifier that cannot load is said, not refused."""
    loaded = threading.Event()

    def slow_load() -> Classifier:
        assert loaded.wait(10)
        return cast(Classifier, object())

    watched.india.hs = HsService(slow_load)
    warming = watched.india.hs.warm_up()
    loading = watched.client.get("/readyz")
    assert loading.status_code == 503 and loading.json()["checks"]["classifier"] == "loading"
    loaded.set()
    warming.join(10)
    ready = watched.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["classifier"] == "ok"

    def missing() -> Classifier:
        raise HsUnavailable("the [hs] extra is not installed")

    watched.india.hs = HsService(missing)
    watched.india.hs.warm_up().join(10)
    without = watched.client.get("/readyz")
    assert without.status_code == 200 and "classifier" not in without.json()["checks"]
    assert without.json()["notes"]["classifier"].startswith("unavailable: the [hs] extra is not installed")


class Bus(InProcessTransport):
    up = True

    def reachable(self) -> bool:
        return self.up


def test_readyz_names_a_bus_that_is_down(watched: Watched) -> None:
    bus = Bus()
    watched.india.relay.transport = bus
    assert watched.client.get("/readyz").json()["checks"]["bus"] == "ok"
    bus.up = False
    answer = watched.client.get("/readyz")
    assert answer.status_code == 503 and answer.json()["checks"]["bus"] == "not connected"


def test_metrics_count_filings_outbox_inbox_and_requests_by_route(watched: Watched) -> None:
    india, russia = watched.india, watched.corridor.nodes["RU"]
    filed = [cleared_export(india, seed) for seed in (71, 72, 73)]
    before = watched.client.get("/metrics").text
    assert sample(before, "corridor_node_database_up", node="IN") == 1
    assert sample(before, "corridor_outbox_messages", node="IN", recipient="RU", status="pending") == 3
    assert (sample(before, "corridor_outbox_oldest_pending_age_seconds", node="IN", recipient="RU") or 0) >= 0
    lanes = sum(
        sample(before, "corridor_filings_total", node="IN", flow="export", lane=lane) or 0
        for lane in ("green", "yellow", "red")
    )
    assert lanes == 3

    watched.corridor.pump()
    for declaration_id in filed:
        got = watched.client.get(f"/v1/declarations/{declaration_id}", headers={"x-api-key": OFFICER})
        assert got.status_code == 200
    after = watched.client.get("/metrics").text
    assert sample(after, "corridor_outbox_messages", node="IN", recipient="RU", status="sent") == 3
    assert sample(after, "corridor_outbox_oldest_pending_age_seconds", node="IN", recipient="RU") == 0
    acks = sample(
        after, "corridor_inbox_messages_total", node="IN", sender="RU", type="customs.acknowledgement.v1"
    )
    assert acks == 3
    assert sample(after, "corridor_declarations", node="IN", flow="export", status="cleared") == 3
    template = "/v1/declarations/{declaration_id}"
    assert (
        sample(after, "corridor_http_requests_total", method="GET", route=template, status="200") or 0
    ) >= 3
    assert sample(after, "corridor_http_request_duration_seconds_count", method="GET", route=template)
    assert declaration_id_not_in_labels(after, filed)
    with russia.uow() as uow:
        assert uow.inbox.count() == 3


def declaration_id_not_in_labels(exposition: str, ids: list[str]) -> bool:
    return not any(i in exposition for i in ids)


def test_a_stray_path_is_counted_under_one_label(watched: Watched) -> None:
    for n in range(3):
        watched.client.get(f"/no/such/path/{n}", headers={"x-api-key": OFFICER})
    text_ = watched.client.get("/metrics").text
    assert "/no/such/path" not in text_
    assert (sample(text_, "corridor_http_requests_total", route="unmatched", status="404") or 0) >= 3


def test_metrics_with_a_token_need_it(tmp_path: Path) -> None:
    corridor = Corridor.embedded(tmp_path)
    try:
        with TestClient(create_app(corridor.nodes["IN"], metrics_token="s3cret-token")) as client:
            assert client.get("/metrics").status_code == 401
            assert client.get("/metrics", headers={"authorization": "Bearer wrong"}).status_code == 401
            ok = client.get("/metrics", headers={"authorization": "Bearer s3cret-token"})
            assert ok.status_code == 200 and "corridor_node_database_up" in ok.text
            assert client.get("/healthz").status_code == 200  # the probes stay open
    finally:
        corridor.close()


def test_an_unreadable_database_is_a_figure_not_an_error() -> None:
    engine = create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    families = {f.name: f for f in NodeCollector("IN", engine).collect()}
    assert families["corridor_node_database_up"].samples[0].value == 0
    assert "corridor_filings" not in families


@pytest.mark.postgres
def test_the_pool_of_a_postgres_node_is_reported(pg_available: str, tmp_path: Path) -> None:
    with fresh_schema(pg_available) as schema:
        corridor = Corridor.embedded(tmp_path, db_url=pg_available, db_schema=schema)
        try:
            families = {f.name: f for f in NodeCollector("IN", corridor.nodes["IN"].engine).collect()}
            assert families["corridor_db_pool_size"].samples[0].value == 10
            assert families["corridor_db_pool_checked_out"].samples[0].value == 0
        finally:
            corridor.close()


def test_deliveries_are_counted_by_outcome_and_reason() -> None:
    refused = Delivery(False, permanent=True, detail="signature: bad", outcome={"field": "signature"})
    assert reason_of(refused) == "signature"
    assert reason_of(Delivery(False, detail="HTTP 503: busy")) == "http_503"
    assert reason_of(Delivery(False, detail="ConnectError: [Errno 111] refused")) == "ConnectError"
    assert reason_of(Delivery(False, detail="node RU is not reachable")) == "unreachable"

    class Fixed:
        def deliver(self, recipient: str, envelope: str) -> Delivery:
            return refused

    before = DELIVERIES.labels("RU", "dead", "signature")._value.get()
    observed = ObservedTransport(Fixed())
    assert observed.deliver_many("RU", ["a", "b"]) == [refused, refused]
    assert DELIVERIES.labels("RU", "dead", "signature")._value.get() == before + 2


def test_refusal_labels_come_from_a_bounded_set() -> None:
    """The field of a refusal is read from the refused envelope: a garbled key must not become a label."""
    assert refusal_reason("signature") == "signature"
    assert refusal_reason("header.key_id") == "header.key_id"
    assert refusal_reason("header.k3y_id") == "header.other"
    assert refusal_reason("body.Declaration.GoodsShipment") == "body"
    assert refusal_reason("signaturt") == "other"
    assert refusal_reason(None) == "other"
