"""The issuer registry and revocations live in the node's database: one registry for every
process of a node, a received revocation recorded with its inbox entry or not at all, and the
files of earlier versions moved in on start."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corridor.adapters.repositories import SqlInbox
from corridor.adapters.unit_of_work import SqlUnitOfWork
from corridor.cli.main import app
from corridor.demo.run import Corridor
from corridor.documents.issuers import Issuer
from corridor.documents.registry import NodeDocuments
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node
from corridor.service.commands import RevokeDocument
from corridor.shared.errors import InvalidInput

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "documents"
NOW = datetime.now(UTC)


def documents(node: Node) -> NodeDocuments:
    assert node.bus.ctx.documents is not None
    return node.bus.ctx.documents


def certificate() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / "certificate-of-origin.json").read_text("utf-8"))
    return loaded


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def corridor(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Corridor]:
    if request.param == "postgres":
        url, schema = request.getfixturevalue("pg_available"), request.getfixturevalue("pg_schema")
        c = Corridor.embedded(tmp_path, db_url=url, db_schema=schema)
    else:
        c = Corridor.embedded(tmp_path)
    yield c
    c.close()


def test_a_revocation_from_the_peer_is_recorded_only_with_its_inbox_entry(
    corridor: Corridor, monkeypatch: pytest.MonkeyPatch
) -> None:
    india, russia = corridor.nodes["IN"], corridor.nodes["RU"]
    chamber = documents(russia).register(name="Sample Chamber", country="RU", role="chamber of commerce")
    documents(india).add(chamber)
    wrapped = documents(russia).issue([certificate()], chamber.id)[0]
    russia.handle(RevokeDocument(wrapped, "issued in error"))
    assert documents(russia).verify(wrapped).lane == "red"
    with russia.uow() as uow:
        (message,) = uow.outbox.due(datetime.now(UTC), 10)

    def fail_to_record(*args: object) -> None:  # after the revocation's effect, before the commit
        raise RuntimeError("the database went away")

    monkeypatch.setattr(SqlInbox, "add", fail_to_record)
    with pytest.raises(RuntimeError):
        india.receive(message.envelope, from_party="RU")
    monkeypatch.undo()
    assert documents(india).revocations() == []  # rolled back with the inbox entry
    assert documents(india).verify(wrapped).valid

    first = india.receive(message.envelope, from_party="RU")  # the peer sends it again
    assert first["status"] == "accepted", first
    assert india.receive(message.envelope, from_party="RU")["status"] == "duplicate"
    assert len(documents(india).revocations()) == 1
    assert documents(india).verify(wrapped).lane == "red"


def test_a_revocation_made_here_is_not_recorded_without_its_message_to_the_peer(
    corridor: Corridor, monkeypatch: pytest.MonkeyPatch
) -> None:
    india = corridor.nodes["IN"]
    chamber = documents(india).register(name="Sample Chamber", country="IN", role="chamber of commerce")
    wrapped = documents(india).issue([certificate()], chamber.id)[0]
    monkeypatch.setattr(SqlUnitOfWork, "commit", lambda self: (_ for _ in ()).throw(RuntimeError("gone")))
    with pytest.raises(RuntimeError):
        india.handle(RevokeDocument(wrapped, "issued in error"))
    monkeypatch.undo()
    assert documents(india).revocations() == []
    with india.uow() as uow:
        assert uow.outbox.count() == 0


@pytest.mark.postgres
def test_two_processes_of_a_node_on_one_database_see_one_registry(
    tmp_path: Path, pg_available: str, pg_schema: str
) -> None:
    one = bootstrap_node(
        "IN", tmp_path / "one", InProcessTransport(), db_url=pg_available, db_schema=pg_schema
    )
    two = bootstrap_node(
        "IN", tmp_path / "two", InProcessTransport(), db_url=pg_available, db_schema=pg_schema
    )
    try:
        chamber = documents(one).register(name="Sample Chamber", country="IN", role="chamber of commerce")
        wrapped = documents(one).issue([certificate()], chamber.id)[0]
        assert [i.id for i in documents(two).list_issuers()] == [chamber.id]
        assert documents(two).verify(wrapped).valid
        one.handle(RevokeDocument(wrapped, "issued in error"))
        verdict = documents(two).verify(wrapped)
        assert verdict.lane == "red" and "issued in error" in verdict.checks[-1].message
    finally:
        one.close()
        two.close()


def legacy_files(node_dir: Path, issuers: list[Issuer], revocations: list[dict[str, Any]]) -> None:
    folder = node_dir / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    body = {"issuers": [i.model_dump() for i in issuers]}
    (folder / "issuers.json").write_text(json.dumps(body), encoding="utf-8")
    (folder / "revocations.json").write_text(json.dumps({"revocations": revocations}), encoding="utf-8")


def test_files_of_earlier_versions_move_into_the_database_once(tmp_path: Path) -> None:
    first = bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    chamber = documents(first).register(name="Sample Chamber", country="IN", role="chamber of commerce")
    wrapped = documents(first).issue([certificate()], chamber.id)[0]
    first.handle(RevokeDocument(wrapped, "issued in error"))
    (record,) = documents(first).revocations()
    first.close()
    (tmp_path / "IN" / "corridor.sqlite").unlink()  # an earlier version kept these in files
    peer = chamber.model_copy(update={"id": "did:corridor:ru:peer-chamber", "node": "RU"})
    legacy_files(tmp_path / "IN", [chamber, peer], [record.to_json()])

    node = bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    try:
        assert [i.id for i in documents(node).list_issuers()] == [chamber.id, peer.id]
        assert documents(node).revocations() == [record]
        assert documents(node).verify(wrapped).lane == "red"
        assert documents(node).issue([certificate()], chamber.id)  # its private key file still serves
    finally:
        node.close()
    folder = tmp_path / "IN" / "documents"
    assert sorted(p.name for p in folder.glob("*.json*")) == [
        "issuers.json.migrated",
        "revocations.json.migrated",
    ]

    legacy_files(tmp_path / "IN", [chamber, peer], [record.to_json()])  # copied back: no second effect
    again = bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    try:
        assert len(documents(again).list_issuers()) == 2 and len(documents(again).revocations()) == 1
    finally:
        again.close()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("issuers.json", "{not json", "issuers.json"),
        ("issuers.json", '{"issuers": [{"id": "did:corridor:in:x"}]}', "issuers.json"),
        ("revocations.json", '{"revocations": [{"kind": "document", "hash": "no"}]}', "revocations.json"),
    ],
)
def test_a_corrupt_file_of_an_earlier_version_stops_the_start_and_names_the_file(
    tmp_path: Path, name: str, content: str, reason: str
) -> None:
    folder = tmp_path / "IN" / "documents"
    folder.mkdir(parents=True)
    (folder / name).write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    assert caught.value.errors[0].path == reason
    assert (folder / name).exists()  # left for the operator to mend


@pytest.mark.postgres
def test_the_cli_registers_and_lists_issuers_in_the_node_database(
    tmp_path: Path, pg_available: str, pg_schema: str
) -> None:
    runner = CliRunner()
    db = ["--db", pg_available, "--db-schema", pg_schema]
    register = ["doc", "issuer", "register", "--name", "Sample Chamber", "--country", "IN"]
    register += ["--role", "chamber of commerce"]
    register = ["doc", "issuer", "register", "--name", "Sample Chamber", "--country", "IN"]
    register += ["--role", "chamber of commerce"]
    registered = runner.invoke(
        app,
        [*register, "--data-dir", str(tmp_path / "a"), *db],
    )
    assert registered.exit_code == 0, registered.output
    listed = runner.invoke(app, ["doc", "issuer", "list", "--data-dir", str(tmp_path / "b"), *db])
    assert listed.exit_code == 0, listed.output
    assert [i["id"] for i in json.loads(listed.stdout)] == ["did:corridor:in:sample-chamber"]
    again = runner.invoke(
        app,
        [*register, "--data-dir", str(tmp_path / "b"), *db],
    )
    assert again.exit_code == 2 and "already registered" in again.output


def test_the_cli_refuses_an_issuer_file_that_does_not_fit_field_by_field(tmp_path: Path) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    registered = runner.invoke(
        app, ["doc", "issuer", "register", "--name", "Chamber", "--country", "IN", "--role", "chamber", *data]
    )
    chamber = json.loads(registered.stdout)
    for field_name, value in (
        ("key_id", "k" * 500),
        ("public_key", "not a key"),
        ("id", "did:x:" + "y" * 300),
    ):
        bad = tmp_path / "issuer.json"
        bad.write_text(json.dumps({**chamber, field_name: value}), encoding="utf-8")
        refused = runner.invoke(app, ["doc", "issuer", "import", str(bad), "--node", "RU", *data])
        assert refused.exit_code == 2 and f'"path": "{field_name}"' in refused.output, refused.output
    listed = runner.invoke(app, ["doc", "issuer", "list", "--node", "RU", *data])
    assert json.loads(listed.stdout) == []  # nothing half-written


def test_a_corrupt_file_of_an_earlier_version_is_one_line_at_the_cli(tmp_path: Path) -> None:
    folder = tmp_path / "IN" / "documents"
    folder.mkdir(parents=True)
    (folder / "revocations.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["keys", "list", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and result.output.startswith("error: revocations.json: ")
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
