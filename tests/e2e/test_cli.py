"""The command line as a user runs it: exit codes, JSON output, nothing else on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corridor.cli.main import app

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "declarations").glob("*.json"))
runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args))


def test_examples_exist_both_ways() -> None:
    names = [p.name for p in EXAMPLES]
    assert any(n.startswith("in-ru-") for n in names) and any(n.startswith("ru-in-") for n in names)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_validates(example: Path) -> None:
    result = run("validate", str(example))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"valid": True}


def test_invalid_declaration_exits_1_with_paths(tmp_path: Path) -> None:
    document = json.loads(EXAMPLES[0].read_text())
    document["Declaration"]["GoodsShipment"]["Consignment"]["LoadingLocation"]["ID"] = "XXYYZ"
    document["Declaration"]["Exporter"]["Address"]["CountryCode"] = "QQ"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    result = run("validate", str(bad))
    assert result.exit_code == 1
    errors = json.loads(result.stdout)
    paths = {e["path"] for e in errors}
    assert "Declaration.GoodsShipment.Consignment.LoadingLocation.ID" in paths
    assert "Declaration.Exporter.Address.CountryCode" in paths
    assert all(e["reason"] for e in errors)


@pytest.mark.parametrize("content", ["{not json", "", "\x00\x01"])
def test_unreadable_file_exits_2(tmp_path: Path, content: str) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(content)
    result = run("validate", str(broken))
    assert result.exit_code == 2
    assert "not JSON" in result.output
    assert run("validate", str(tmp_path / "missing.json")).exit_code == 2


def test_schema_declaration_prints_json_schema() -> None:
    result = run("schema", "declaration")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["properties"]["Declaration"]["$ref"].endswith("DeclarationType")
    assert "GovernmentAgencyGoodsItemType" in schema["$defs"]


def test_declare_at_a_local_node_then_duplicate_is_refused(tmp_path: Path) -> None:
    example = next(p for p in EXAMPLES if p.name.startswith("in-ru-"))
    first = run("declare", str(example), "--node", "IN", "--data-dir", str(tmp_path))
    assert first.exit_code == 0, first.output
    filed = json.loads(first.stdout)
    assert filed["flow"] == "export" and filed["lane"] in ("green", "yellow", "red")
    again = run("declare", str(example), "--node", "IN", "--data-dir", str(tmp_path))
    assert again.exit_code == 1 and "already filed" in again.output
    wrong_node = run("declare", str(example), "--node", "RU", "--data-dir", str(tmp_path))
    assert wrong_node.exit_code == 1 and "ExportCountry" in wrong_node.output


def test_keys_export_import_rotate(tmp_path: Path) -> None:
    exported = run("keys", "export", "--node", "RU", "--data-dir", str(tmp_path))
    assert exported.exit_code == 0
    (tmp_path / "ru.json").write_text(exported.stdout)
    imported = run("keys", "import", str(tmp_path / "ru.json"), "--node", "IN", "--data-dir", str(tmp_path))
    assert imported.exit_code == 0 and len(json.loads(imported.stdout)["imported"]) == 1
    rotated = json.loads(run("keys", "rotate", "--node", "IN", "--data-dir", str(tmp_path)).stdout)
    listed = json.loads(run("keys", "list", "--node", "IN", "--data-dir", str(tmp_path)).stdout)
    statuses = {k["key_id"]: k["status"] for k in listed if k["node"] == "IN"}
    assert statuses[rotated["key_id"]] == "active" and sorted(statuses.values()) == ["active", "retired"]
    (tmp_path / "own.json").write_text(
        run("keys", "export", "--node", "IN", "--data-dir", str(tmp_path)).stdout
    )
    refused = run("keys", "import", str(tmp_path / "own.json"), "--node", "IN", "--data-dir", str(tmp_path))
    assert refused.exit_code == 1


@pytest.mark.parametrize(
    ("content", "code", "says"),
    [
        (None, 2, "cannot read"),
        (b"{not json", 2, "not JSON"),
        (b"\xff\xfe", 2, "cannot read"),
        (b"[]", 1, "keys: the document must be an object with a list 'keys'"),
        (b'{"keys": [{"key_id": "RU-1"}]}', 1, "keys[0].node: missing or not a string"),
    ],
)
def test_keys_import_of_a_bad_file_is_one_line_and_changes_nothing(
    tmp_path: Path, content: bytes | None, code: int, says: str
) -> None:
    before = run("keys", "list", "--node", "IN", "--data-dir", str(tmp_path)).stdout
    path = tmp_path / "peer.json"
    if content is not None:
        path.write_bytes(content)

    result = run("keys", "import", str(path), "--node", "IN", "--data-dir", str(tmp_path))

    assert result.exit_code == code
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert run("keys", "list", "--node", "IN", "--data-dir", str(tmp_path)).stdout == before


def test_keys_revoke_of_an_unknown_key_and_a_corrupt_old_trust_list_are_one_line(tmp_path: Path) -> None:
    unknown = run("keys", "revoke", "RU-nope", "--node", "IN", "--data-dir", str(tmp_path))
    (tmp_path / "RU").mkdir()
    (tmp_path / "RU" / "trust.json").write_text('{"keys": [{"key_id": 5}]}')
    corrupt = run("keys", "list", "--node", "RU", "--data-dir", str(tmp_path))

    assert (
        unknown.exit_code == 1 and unknown.stderr.strip() == "error: key_id 'RU-nope': not in the trust list"
    )
    assert corrupt.exit_code == 1
    assert corrupt.stderr.strip() == "error: trust.json: keys[0].key_id: missing or not a string"


def test_a_server_whose_active_private_key_is_missing_refuses_to_start(tmp_path: Path) -> None:
    [own] = json.loads(run("keys", "list", "--node", "IN", "--data-dir", str(tmp_path)).stdout)
    (tmp_path / "IN" / "keys" / f"{own['key_id']}.pem").unlink()

    served = run("node", "serve", "--country", "IN", "--data-dir", str(tmp_path), "--port", "9")

    assert served.exit_code == 1
    [line] = served.stderr.strip().splitlines()
    assert f"private key of the active signing key {own['key_id']} is missing" in line


def test_keys_act_on_a_postgresql_node(tmp_path: Path, pg_available: str, pg_schema: str) -> None:
    options = ["--node", "IN", "--data-dir", str(tmp_path), "--db", pg_available, "--db-schema", pg_schema]
    from sqlalchemy import create_engine, text

    rotated = run("keys", "rotate", *options)
    assert rotated.exit_code == 0, rotated.output
    engine = create_engine(pg_available)
    with engine.connect() as conn:
        stored = conn.execute(text(f'SELECT key_id, status FROM "{pg_schema}".trusted_keys')).all()
    engine.dispose()
    assert dict(map(tuple, stored))[json.loads(rotated.stdout)["key_id"]] == "active"
    assert sorted(status for _, status in stored) == ["active", "retired"]


def test_demo_json_prints_exactly_one_json_object(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridor",
            "demo",
            "--consignments",
            "10",
            "--json",
            "--data-dir",
            str(tmp_path / "d"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)  # fails if anything else is printed on stdout
    for key in (
        "consignments",
        "by_direction",
        "lanes",
        "duties",
        "messages_signed",
        "messages_verified",
        "messages_rejected",
        "elapsed_s",
    ):
        assert key in summary
    assert summary["consignments"] == 10


def test_events_track_and_pay_at_local_nodes(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from corridor.demo.carrier import milestones
    from corridor.demo.run import Corridor
    from corridor.demo.samples import SampleCorridor
    from corridor.service.commands import ClearDeclaration, FileDeclaration

    corridor = Corridor.embedded(tmp_path)  # the same data-dir layout the CLI uses
    document = SampleCorridor(17).next("IN", datetime.now(UTC))
    export = corridor.nodes["IN"].handle(FileDeclaration(document))
    if export.status == "under_control":
        corridor.nodes["IN"].handle(ClearDeclaration(export.id, "OFFICER", "ok"))
    corridor.pump()
    with corridor.nodes["RU"].uow() as uow:
        imported = uow.declarations.find_by_consignment(export.id)
    corridor.close()
    assert imported is not None

    departed = datetime.now(UTC) - timedelta(days=2)
    events = milestones(document, export.id, departed, departed + timedelta(hours=30), steps=3)
    (tmp_path / "events.json").write_text(json.dumps(events))
    posted = run("events", "post", str(tmp_path / "events.json"), "--node", "IN", "--data-dir", str(tmp_path))
    assert posted.exit_code == 0, posted.output
    assert json.loads(posted.stdout)["accepted"] == 3
    tracked = json.loads(run("track", export.id, "--node", "IN", "--data-dir", str(tmp_path)).stdout)
    assert [e["what"] for e in tracked["timeline"] if e["source"] == "logistics"] == [
        "loading",
        "departing",
        "arriving",
    ]
    paid = run("pay", imported.id, "--node", "RU", "--data-dir", str(tmp_path))
    assert paid.exit_code == 0, paid.output
    assert json.loads(paid.stdout)["status"] in ("pre_assessed", "under_control", "released")
    again = run("pay", imported.id, "--node", "RU", "--data-dir", str(tmp_path))
    assert again.exit_code == 1 and "already paid" in again.output
    bad = run("events", "post", str(tmp_path / "events.json"), "--node", "XX", "--data-dir", str(tmp_path))
    assert bad.exit_code == 2


def test_outbox_list_and_requeue_dead_messages(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from corridor.demo.run import Corridor
    from corridor.demo.samples import SampleCorridor
    from corridor.service.commands import ClearDeclaration, FileDeclaration

    corridor = Corridor.embedded(tmp_path)
    export = corridor.nodes["IN"].handle(FileDeclaration(SampleCorridor(19).next("IN", datetime.now(UTC))))
    if export.status == "under_control":
        corridor.nodes["IN"].handle(ClearDeclaration(export.id, "OFFICER", "ok"))
    with corridor.nodes["IN"].uow() as uow:
        pending = uow.outbox.with_status(status="pending")
        uow.outbox.mark_dead(pending[0].message_id, "peer refused: test")
        uow.commit()
    corridor.close()
    listed = json.loads(run("outbox", "list", "--node", "IN", "--data-dir", str(tmp_path)).stdout)
    assert [(m["message_id"], m["last_error"]) for m in listed] == [
        (pending[0].message_id, "peer refused: test")
    ]
    requeued = run("outbox", "requeue", "--node", "IN", "--data-dir", str(tmp_path))
    assert json.loads(requeued.stdout) == {"requeued": 1}
    assert json.loads(run("outbox", "list", "--node", "IN", "--data-dir", str(tmp_path)).stdout) == []


@pytest.mark.postgres
def test_node_commands_use_the_postgresql_schema_they_are_given(
    tmp_path: Path, pg_available: str, pg_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import create_engine, text

    created = run(
        "node",
        "apikey",
        "--country",
        "IN",
        "--role",
        "officer",
        "--party",
        "O-1",
        "--db",
        pg_available,
        "--db-schema",
        pg_schema,
        "--data-dir",
        str(tmp_path),
    )
    assert created.exit_code == 0, created.output
    monkeypatch.setenv("CORRIDOR_DB_SCHEMA", pg_schema)
    listed = run("outbox", "list", "--node", "IN", "--db", pg_available, "--data-dir", str(tmp_path))
    assert listed.exit_code == 0 and json.loads(listed.stdout) == []
    engine = create_engine(pg_available)
    with engine.connect() as conn:
        keys = conn.execute(text(f'SELECT role, party_id FROM "{pg_schema}".api_keys')).all()
    engine.dispose()
    assert [tuple(k) for k in keys] == [("officer", "O-1")]


def test_an_unreachable_server_is_a_message_not_a_traceback() -> None:
    example = EXAMPLES[0]
    result = run("declare", str(example), "--url", "http://127.0.0.1:9", "--api-key", "x")
    assert result.exit_code == 1
    assert "cannot reach" in result.output and "Traceback" not in result.output
