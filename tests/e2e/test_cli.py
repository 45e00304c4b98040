"""The command line as a user runs it: exit codes, JSON output, nothing else on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
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


def _file(content: str | bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / "input.json"
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return make


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "deep-array": (_file("[" * 10_000 + "]" * 10_000), "nested deeper than"),
    "deep-object": (_file('{"a":' * 100 + "1" + "}" * 100), "nested deeper than"),
    "zero-device": (lambda tmp: Path("/dev/zero"), "larger than"),
    "oversized": (_file(" " * (9 * 1024 * 1024)), "larger than"),
    "latin-1": (_file(b'{"a": "caf\xe9"}'), "not UTF-8"),
    "directory": (lambda tmp: tmp, "cannot read"),
    "missing": (lambda tmp: tmp / "missing.json", "cannot read"),
    "surrogate": (_file('{"a": "\\ud800"}'), "a: contains a lone surrogate (U+D800) at position 0"),
    "nul": (_file('{"a": ["x\\u0000"]}'), "a[0]: contains a NUL character (U+0000) at position 1"),
    "nan": (_file('{"a": NaN}'), "a: must be a finite number"),
}


@pytest.mark.parametrize("command", [["validate"], ["declare"], ["keys", "import"], ["events", "post"]])
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_exits_2_with_one_line(tmp_path: Path, command: list[str], case: str) -> None:
    make, reason = BAD_FILES[case]
    file = make(tmp_path)
    options = [] if command == ["validate"] else ["--data-dir", str(tmp_path / "data")]
    result = run(*command, str(file), *options)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {file}: ") and reason in lines[0], result.output


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


def test_declare_bulk_files_each_and_exits_1_naming_the_refused_file(tmp_path: Path) -> None:
    examples = [p for p in EXAMPLES if p.name.startswith("in-ru-")][:2]
    broken = tmp_path / "broken.json"
    document = json.loads(examples[0].read_text())
    document["Declaration"]["FunctionalReferenceID"] = "BULK-2"
    document["Declaration"]["InvoiceAmount"]["currencyID"] = "XYZ"
    broken.write_text(json.dumps(document))
    files = [str(p) for p in examples] + [str(broken), str(examples[0])]
    result = run("declare-bulk", *files, "--node", "IN", "--data-dir", str(tmp_path / "node"))
    assert result.exit_code == 1, result.output
    answer = json.loads(result.stdout)
    assert (answer["filed"], answer["refused"]) == (len(examples), 2)
    assert [r["file"] for r in answer["results"]] == files
    assert "Declaration.InvoiceAmount.currencyID" in {e["path"] for e in answer["results"][-2]["errors"]}
    assert "already filed" in answer["results"][-1]["error"]
    listed = run("declare-bulk", *files[:1], "--node", "IN", "--data-dir", str(tmp_path / "node"))
    assert listed.exit_code == 1 and json.loads(listed.stdout)["refused"] == 1
    too_many = run("declare-bulk", *([files[0]] * 101), "--node", "IN", "--data-dir", str(tmp_path / "node"))
    assert too_many.exit_code == 2 and "at most 100" in too_many.output
    missing = run("declare-bulk", str(tmp_path / "nowhere.json"), "--data-dir", str(tmp_path / "node"))
    assert missing.exit_code == 2 and "nowhere.json" in missing.output


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
        (b"\xff\xfe", 2, "not UTF-8"),
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
        "settlement",
        "elapsed_s",
    ):
        assert key in summary
    assert summary["consignments"] == 10
    assert summary["settlement"]["all_ledgers_balance"] is True


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
    carrier = document["Declaration"]["GoodsShipment"]["Consignment"]["Carrier"]["ID"]
    posted = run(
        "events",
        "post",
        str(tmp_path / "events.json"),
        "--node",
        "IN",
        "--data-dir",
        str(tmp_path),
        "--carrier",
        carrier,
    )
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
    without = run(
        "events", "post", str(tmp_path / "events.json"), "--node", "IN", "--data-dir", str(tmp_path)
    )
    assert without.exit_code == 1 and "--carrier: required" in without.output
    other = run(
        "events",
        "post",
        str(tmp_path / "events.json"),
        "--data-dir",
        str(tmp_path),
        "--carrier",
        "OTHER-LINE",
    )
    assert other.exit_code == 1 and "declared with carrier OTHER-LINE" in other.stdout
    bad = run(
        "events",
        "post",
        str(tmp_path / "events.json"),
        "--node",
        "XX",
        "--data-dir",
        str(tmp_path),
        "--carrier",
        carrier,
    )
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


def test_a_key_at_a_peer_is_not_taken_on_the_command_line() -> None:
    # (the database URL is unusable, so that a node that took the option would fail, not serve)
    result = run("node", "serve", "--country", "IN", "--db", "nosuchdb://", "--peer-key", "RU=ck_secret")
    assert result.exit_code == 2
    assert "No such option" in result.output


@pytest.mark.parametrize(
    ("content", "mode", "reason"),
    [
        ("ck_secret-at-ru\n", 0o644, "other users may read it (mode 0644); chmod 600 it"),
        ("ck_secret-at-ru\n", 0o640, "other users may read it (mode 0640)"),
        ("", 0o600, "expected one line with the key"),
        ("ck_secret-at-ru\nck_another\n", 0o600, "expected one line with the key"),
        ("x" * 5000, 0o600, "more than 4096 bytes"),
        (None, 0o600, "cannot read"),
    ],
)
def test_a_peer_key_file_others_may_read_or_that_holds_no_single_key_is_refused(
    tmp_path: Path, content: str | None, mode: int, reason: str
) -> None:
    key_file = tmp_path / "ru.key"
    if content is not None:
        key_file.write_text(content)
        key_file.chmod(mode)
    result = run(
        "node", "serve", "--country", "IN", "--data-dir", str(tmp_path), "--peer-key-file", f"RU={key_file}"
    )
    assert result.exit_code == 2
    assert f"--peer-key-file: RU: {key_file}: {reason}" in result.output
    assert "ck_secret" not in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "IN").exists()  # refused before the node was opened


def test_officer_decisions_from_the_command_line_need_a_reason(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from corridor.customs.assessment import ReferenceAssessor
    from corridor.customs.domain.risk import RiskDecision
    from corridor.customs.domain.vocabulary import Lane
    from corridor.demo.samples import SampleCorridor
    from corridor.messaging.transport import InProcessTransport
    from corridor.node.bootstrap import bootstrap_node
    from corridor.service.commands import FileDeclaration

    class RedLane(ReferenceAssessor):
        def risk(self, *args: Any, **kwargs: Any) -> RiskDecision:
            return super().risk(*args, **kwargs).forced(Lane.RED)

    assessor = RedLane.for_country("IN", b"test-node-selection-key-0000000000")
    node = bootstrap_node("IN", tmp_path / "IN", InProcessTransport(), assessor=assessor)
    declaration_id = node.handle(FileDeclaration(SampleCorridor(4).next("IN", datetime.now(UTC)))).id
    node.close()
    at = ("--data-dir", str(tmp_path), "--officer", "IN-OFFICER-2")
    for reason, why in (("", "must not be blank"), ("  ", "must not be blank"), ("r" * 2001, "at most 2000")):
        result = run("officer", "release", declaration_id, "--reason", reason, *at)
        assert result.exit_code == 1, result.output
        assert json.loads(result.output)[0]["path"] == "reason" and why in result.output
    assert run("officer", "release", declaration_id, *at).exit_code == 2  # --reason is required
    missing = run("officer", "hold", declaration_id, "--reason", "seal", "--data-dir", str(tmp_path))
    assert missing.exit_code == 1 and "--officer" in missing.output
    export = run("officer", "release", declaration_id, "--reason", "paid", *at)
    assert export.exit_code == 1 and "cleared, not released" in export.output
    held = run("officer", "hold", declaration_id, "--reason", "seal number differs", *at)
    assert held.exit_code == 0, held.output
    assert json.loads(held.output)["status"] == "held"


def test_an_administrator_lists_and_revokes_api_keys(tmp_path: Path) -> None:
    where = ("--node", "IN", "--data-dir", str(tmp_path))
    created = run("node", "apikey", "--role", "trader", "--party", "AAACS1234F", *where)
    assert created.exit_code == 0, created.output
    secret = json.loads(created.stdout)["api_key"]
    listed = json.loads(run("node", "apikeys", *where).stdout)
    assert [(k["role"], k["party_id"], k["revoked"]) for k in listed] == [("trader", "AAACS1234F", False)]
    assert secret not in json.dumps(listed)
    revoked = run("node", "revoke-apikey", listed[0]["id"], *where)
    assert revoked.exit_code == 0 and json.loads(revoked.stdout)["revoked"] is True
    assert json.loads(run("node", "apikeys", *where).stdout)[0]["revoked"] is True
    unknown = run("node", "revoke-apikey", "key-none", *where)
    assert unknown.exit_code == 1 and "no API key 'key-none'" in unknown.output
    for bad, reason in (("x" * 41, "at most 40 characters"), (" ", "must not be blank"), ("a\x00b", "NUL")):
        refused = run("node", "revoke-apikey", bad, *where)
        assert refused.exit_code == 2 and reason in refused.output, refused.output
