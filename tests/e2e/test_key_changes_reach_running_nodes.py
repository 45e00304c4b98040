"""Key revocation and rotation by the command line reach nodes that are already running: the
nodes below stay open (as servers would) while `corridor keys` acts on their database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.demo.samples import SampleCorridor
from corridor.messaging.envelope import parse
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import bootstrap_node, introduce
from corridor.service.commands import ClearDeclaration, FileDeclaration
from tests.conftest import PG_URL

runner = CliRunner()


class Running:
    """IN and RU nodes open in this process, as two servers; ``keys`` runs the CLI on their data."""

    def __init__(self, data_dir: Path, db: list[str], schema: str | None) -> None:
        self.data_dir, self.db = data_dir, db
        self.transport = InProcessTransport()
        self.samples = SampleCorridor(seed=41)
        self.nodes = {
            c: bootstrap_node(
                c,
                data_dir / c,
                self.transport,
                db_url=PG_URL if db else None,
                db_schema=f"{schema}_{c.lower()}" if schema else None,
            )
            for c in ("IN", "RU")
        }
        self.schema = schema
        for country, node in self.nodes.items():
            self.transport.register(country, node.receive, node.receive_many)
        introduce(self.nodes["IN"], self.nodes["RU"])

    def keys(self, *args: str, node: str) -> Any:
        schema = ["--db-schema", f"{self.schema}_{node.lower()}"] if self.schema else []
        done = runner.invoke(
            app, ["keys", *args, "--node", node, "--data-dir", str(self.data_dir), *self.db, *schema]
        )
        assert done.exit_code == 0, done.output
        return json.loads(done.stdout)

    def file_at_india(self) -> str:
        """File and clear an export at IN and relay it; the id of the pre-arrival message sent."""
        india = self.nodes["IN"]
        declaration = india.handle(FileDeclaration(self.samples.next("IN", datetime.now(UTC))))
        if declaration.status == "under_control":
            india.handle(ClearDeclaration(declaration.id, officer_id="IN-OFFICER-1", findings="ok"))
        with india.uow() as uow:
            [message] = [
                m
                for m in uow.outbox.with_status(status="pending", limit=1000)
                if m.type == "customs.prearrival.v1" and m.attempts == 0
            ]
        india.relay_once()
        return message.message_id

    def sent_key_id(self, message_id: str) -> str:
        with self.nodes["IN"].uow() as uow:
            [message] = [
                m for m in uow.outbox.with_status(status="sent", limit=1000) if m.message_id == message_id
            ]
        return parse(json.loads(message.envelope)).header.key_id

    def outcome_at_russia(self, message_id: str) -> dict[str, Any] | None:
        with self.nodes["RU"].uow() as uow:
            return uow.inbox.outcome(message_id)

    def last_rejection_at_russia(self) -> dict[str, Any]:
        with self.nodes["RU"].uow() as uow:
            return uow.rejections.recent(1)[0]

    def close(self) -> None:
        for node in self.nodes.values():
            node.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def running(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Running]:
    if request.param == "postgresql":
        schema = request.getfixturevalue("pg_schema")
        pair = Running(tmp_path, ["--db", PG_URL], schema)
    else:
        pair = Running(tmp_path, [], None)
    try:
        yield pair
    finally:
        pair.close()


def test_a_key_revoked_by_the_cli_is_refused_by_the_running_node_at_once(running: Running) -> None:
    first = running.file_at_india()
    assert running.outcome_at_russia(first) is not None
    india_key = running.sent_key_id(first)

    revoked = running.keys("revoke", india_key, node="RU")
    second = running.file_at_india()

    assert revoked["status"] == "revoked"
    assert running.outcome_at_russia(second) is None
    rejection = running.last_rejection_at_russia()
    assert (rejection["message_id"], rejection["field"]) == (second, "header.key_id")
    assert rejection["reason"] == f"key {india_key!r} is revoked"


def test_a_key_rotated_by_the_cli_signs_the_next_message_of_the_running_node(running: Running) -> None:
    first = running.file_at_india()
    old_key = running.sent_key_id(first)

    rotated = running.keys("rotate", node="IN")
    exported = running.data_dir / "in.keys.json"
    exported.write_text(json.dumps(running.keys("export", node="IN")))
    running.keys("import", str(exported), node="RU")
    running.keys("revoke", old_key, node="RU")  # the peer need not trust the old key any more
    second = running.file_at_india()

    assert rotated["key_id"] != old_key
    assert running.sent_key_id(second) == rotated["key_id"]
    outcome = running.outcome_at_russia(second)
    assert outcome is not None and outcome["status"] in ("accepted", "processed")
