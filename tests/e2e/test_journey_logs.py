"""The log of a journey through two embedded nodes: JSON lines, each consignment followed across
both nodes by one correlation id (its export declaration's id), with the declaration and message
ids where they are known, and no declaration content."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from corridor.customs.domain.vocabulary import Flow, Status
from corridor.demo.run import Corridor
from corridor.demo.samples import SampleCorridor
from corridor.service.commands import ClearDeclaration, FileDeclaration
from corridor.shared.logs import NodeLogHandler


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = NodeLogHandler("json", stream)
    logger = logging.getLogger("corridor")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def one(lines: list[dict[str, Any]], node: str, starts: str) -> dict[str, Any]:
    [found] = [r for r in lines if r.get("node") == node and r["message"].startswith(starts)]
    return found


def test_one_correlation_id_follows_a_consignment_across_both_nodes(
    tmp_path: Path, log_lines: io.StringIO
) -> None:
    corridor = Corridor.embedded(tmp_path)
    document = SampleCorridor(seed=3).next("IN", datetime.now(UTC))
    export = corridor.nodes["IN"].handle(FileDeclaration(document))
    if export.status == Status.UNDER_CONTROL:
        corridor.nodes["IN"].handle(ClearDeclaration(export.id, "OFFICER-1", "documents checked"))
    corridor.pump()
    with corridor.nodes["RU"].uow() as uow:
        [imported] = [d for d in uow.declarations.query(limit=10) if d.flow == Flow.IMPORT]
    corridor.close()
    lines = records(log_lines)

    filed = one(lines, "IN", "declaration filed")
    assert filed["declaration_id"] == export.id and filed["correlation_id"] == export.id
    assert filed["level"] == "INFO" and f"lane {export.lane}" in filed["message"]

    sealed = one(lines, "IN", "envelope sealed: customs.prearrival")
    sent = [
        r
        for r in lines
        if r.get("message_id") == sealed["message_id"] and r["message"].startswith("envelope sent")
    ]
    assert sent and sent[0]["node"] == "IN"
    received = one(lines, "RU", "envelope received: customs.prearrival")
    assert received["message_id"] == sealed["message_id"]
    assert received["declaration_id"] == imported.id

    answer = one(lines, "RU", "envelope sealed: customs.acknowledgement")
    acknowledged = one(lines, "IN", "envelope received: customs.acknowledgement")
    assert acknowledged["message_id"] == answer["message_id"] != sealed["message_id"]

    for record in (sealed, received, answer, acknowledged):
        assert record["correlation_id"] == export.id, record
    nodes = {r["node"] for r in lines if r.get("correlation_id") == export.id}
    assert nodes == {"IN", "RU"}

    text = log_lines.getvalue()
    assert "GoodsShipment" not in text and document["Declaration"]["Exporter"]["Name"] not in text
    assert "PRIVATE KEY" not in text


def test_a_retry_and_a_refused_envelope_are_warnings_naming_the_message(
    tmp_path: Path, log_lines: io.StringIO
) -> None:
    corridor = Corridor.embedded(tmp_path)
    document = SampleCorridor(seed=4).next("IN", datetime.now(UTC))
    export = corridor.nodes["IN"].handle(FileDeclaration(document))
    if export.status == Status.UNDER_CONTROL:
        corridor.nodes["IN"].handle(ClearDeclaration(export.id, "OFFICER-1", "documents checked"))
    corridor.transport.offline.add("RU")
    assert corridor.nodes["IN"].relay_once().retried == 1
    with corridor.nodes["IN"].uow() as uow:
        [pending] = uow.outbox.with_status(status="pending")
    tampered = json.loads(pending.envelope)
    tampered["body"]["note"] = "added on the way"
    outcome = corridor.nodes["RU"].receive(tampered)
    corridor.close()
    lines = records(log_lines)

    retry = one(lines, "IN", "envelope delivery failed, retry 1")
    assert retry["level"] == "WARNING" and retry["message_id"] == pending.message_id
    assert "node RU is not reachable" in retry["message"]
    refused = one(lines, "RU", "envelope refused (for good)")
    assert outcome["status"] == "rejected" and outcome["field"] in refused["message"]
    assert refused["level"] == "WARNING" and refused["message_id"] == pending.message_id
    # the body did not verify: what it claims to be about is not trusted with a correlation id
    assert "correlation_id" not in refused
