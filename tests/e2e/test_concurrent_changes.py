"""Officers and traders acting on the same declarations at once, on PostgreSQL: no 5xx, and each
change takes effect once (one clearance, one pre-arrival message, one payment, one release)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corridor.api.app import create_app
from corridor.demo.run import Corridor
from corridor.demo.samples import SampleCorridor
from corridor.node.bootstrap import Node
from corridor.service.auth import create_api_key
from corridor.service.commands import FileDeclaration
from tests.e2e.test_release_on_arrival import Clock, FixedLane, sail, ship

pytestmark = pytest.mark.postgres
PER_KIND = {"export clear": 5, "export hold": 5, "import pay": 4, "import clear": 3, "import release": 3}


def key(node: Node, role: str, party: str) -> dict[str, str]:
    secret = create_api_key(node.uow(), role, party, f"{role} {party}", node.bus.ctx.clock())
    return {"x-api-key": secret}


def stage_count(node: Node, declaration_id: str) -> Counter[str]:
    with node.uow() as uow:
        return Counter(s.name for s in uow.declarations.stages(declaration_id))


def test_twenty_concurrent_changes_answer_no_5xx_and_take_effect_once(
    tmp_path: Path, pg_available: str, pg_schema: str
) -> None:
    clock = Clock()
    assessors = {}
    for country in ("IN", "RU"):
        assessors[country] = FixedLane.for_country(country, b"test-node-selection-key-0000000000")
        assessors[country].lane = "yellow"  # every declaration waits for an officer
    corridor = Corridor.embedded(
        tmp_path, db_url=pg_available, db_schema=pg_schema, assessors=assessors, clock=clock
    )
    india, russia = corridor.nodes["IN"], corridor.nodes["RU"]
    export_shipped, import_id, document = ship(corridor)
    sail(corridor, clock, export_shipped, document, steps=3)  # arrived at the entry port, unpaid
    with russia.uow() as uow:
        imported = uow.declarations.get(import_id)
    assert imported is not None and imported.assessment is not None
    samples = SampleCorridor(7)
    export_id, held_id = (india.handle(FileDeclaration(samples.next("IN", clock()))).id for _ in range(2))
    with india.uow() as uow:
        messages_before = uow.outbox.count()

    clients = {"IN": TestClient(create_app(india), raise_server_exceptions=False)}
    clients["RU"] = TestClient(create_app(russia), raise_server_exceptions=False)
    officer = {"IN": key(india, "officer", "IN-OFFICER-1"), "RU": key(russia, "officer", "RU-OFFICER-1")}
    importer = key(russia, "trader", imported.importer_id)
    requests: dict[str, tuple[str, str, dict[str, Any], dict[str, str]]] = {
        "export clear": ("IN", f"/v1/declarations/{export_id}/clear", {"findings": "ok"}, officer["IN"]),
        "export hold": ("IN", f"/v1/declarations/{held_id}/hold", {"reason": "seal check"}, officer["IN"]),
        "import pay": (
            "RU",
            f"/v1/declarations/{import_id}/payments",
            {"amounts": imported.assessment.to_json()["totals"], "reference": "PAY-1"},
            importer,
        ),
        "import clear": ("RU", f"/v1/declarations/{import_id}/clear", {"findings": "ok"}, officer["RU"]),
        "import release": ("RU", f"/v1/declarations/{import_id}/release", {"reason": "paid"}, officer["RU"]),
    }
    kinds = [kind for kind, n in PER_KIND.items() for _ in range(n)]
    start = threading.Barrier(len(kinds), timeout=30)

    def send(kind: str) -> tuple[str, int, str]:
        node, path, body, headers = requests[kind]
        start.wait()
        response = clients[node].post(path, json=body, headers=headers)
        return kind, response.status_code, response.text

    with ThreadPoolExecutor(len(kinds)) as pool:
        answers = list(pool.map(send, kinds, timeout=120))

    assert [a for a in answers if a[1] >= 500] == []
    assert all(status in (200, 409) for _, status, _ in answers), answers
    ok = Counter(kind for kind, status, _ in answers if status == 200)
    exported, arrived = stage_count(india, export_id), stage_count(russia, import_id)
    assert ok["export clear"] == exported["export_clearance"] == 1
    assert ok["export hold"] == stage_count(india, held_id)["hold"] >= 1  # each hold is a change of its own
    assert ok["import pay"] == arrived["duty_payment"] == 1
    assert ok["import clear"] == 1
    assert ok["import release"] <= arrived["release"] <= 1
    # released by an officer, or by the clearance that found it paid; else paid after the race
    node, path, body, headers = requests["import release"]
    again = clients[node].post(path, json=body, headers=headers).status_code
    assert (again, stage_count(russia, import_id)["release"]) == (
        (409, 1) if arrived["release"] else (200, 1)
    )
    with india.uow() as uow:
        assert uow.outbox.count() == messages_before + 1  # one pre-arrival message
        prearrivals = [m for m in uow.outbox.with_status(status="pending") if export_id in m.envelope]
    assert len(prearrivals) == 1
    for client in clients.values():
        client.close()
    corridor.close()
