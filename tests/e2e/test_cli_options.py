"""Options every command spells the same way, and secrets kept off the command line: an API key for
a running node comes from CORRIDOR_API_KEY or a file only its owner may read; given as an option it
still works, with a warning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from corridor.cli import common
from corridor.cli.main import app
from corridor.service.auth import authenticate
from tests.e2e.test_cli import EXAMPLES

runner = CliRunner()
KEY = "ck_trader-key-of-at-least-24-chars"


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What the command sent to the node (stands in for a running node)."""
    requests: list[dict[str, Any]] = []

    def post(url: str, *, json: Any, headers: dict[str, str], timeout: float) -> httpx.Response:
        requests.append({"url": url, "headers": headers})
        return httpx.Response(201, json={"id": "D-1"})

    monkeypatch.setattr(common.httpx, "post", post)
    return requests


def declare(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, ["declare", str(EXAMPLES[0]), "--url", "http://127.0.0.1:8001", *args], env=env)


def key_file(tmp_path: Path, mode: int) -> Path:
    path = tmp_path / "trader.key"
    path.write_text(KEY + "\n")
    path.chmod(mode)
    return path


def test_the_api_key_comes_from_a_file_only_its_owner_may_read(
    tmp_path: Path, sent: list[dict[str, Any]]
) -> None:
    result = declare("--api-key-file", str(key_file(tmp_path, 0o600)))
    assert result.exit_code == 0, result.output
    assert sent == [{"url": "http://127.0.0.1:8001/v1/declarations", "headers": {"x-api-key": KEY}}]
    assert json.loads(result.stdout) == {"id": "D-1"} and result.stderr == ""


@pytest.mark.parametrize("mode", [0o644, 0o640], ids=oct)
def test_a_key_file_others_may_read_is_refused_before_anything_is_sent(
    tmp_path: Path, sent: list[dict[str, Any]], mode: int
) -> None:
    path = key_file(tmp_path, mode)
    result = declare("--api-key-file", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: --api-key-file: {path}: other users may read it (mode {mode:04o}); chmod 600 it"
    )
    assert sent == [] and KEY not in result.output


def test_a_missing_key_file_is_one_line(tmp_path: Path, sent: list[dict[str, Any]]) -> None:
    result = runner.invoke(
        app, ["events", "post", str(EXAMPLES[0]), "--url", "http://127.0.0.1:8001", "--api-key-file", "nope"]
    )
    assert result.exit_code == 2 and sent == []
    assert result.stderr.startswith("error: --api-key-file: nope: cannot read")
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_api_key_from_the_environment_is_used_quietly(sent: list[dict[str, Any]]) -> None:
    result = declare(env={"CORRIDOR_API_KEY": KEY})
    assert result.exit_code == 0, result.output
    assert sent[0]["headers"] == {"x-api-key": KEY} and result.stderr == ""


def test_an_api_key_on_the_command_line_still_works_with_a_warning(sent: list[dict[str, Any]]) -> None:
    result = declare("--api-key", KEY)
    assert result.exit_code == 0, result.output
    assert sent[0]["headers"] == {"x-api-key": KEY}
    assert result.stderr.strip() == (
        "warning: --api-key shows the secret to other users of this machine; "
        "set CORRIDOR_API_KEY or use --api-key-file (mode 0600) instead"
    )
    assert KEY not in result.stderr


def apikey(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(
        app,
        [
            "node",
            "apikey",
            "--node",
            "IN",
            "--role",
            "trader",
            "--party",
            "EXP-1",
            "--data-dir",
            str(tmp_path),
            *args,
        ],
        env=env,
    )


def trader_of(tmp_path: Path, secret: str) -> str:
    node = common.open_node(tmp_path, "IN")
    try:
        return authenticate(node.uow(), secret).party_id
    finally:
        node.close()


def test_a_provisioned_secret_comes_from_a_file(tmp_path: Path) -> None:
    result = apikey(tmp_path, "--secret-file", str(key_file(tmp_path, 0o600)))
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and json.loads(result.stdout)["api_key"] == KEY
    assert trader_of(tmp_path, KEY) == "EXP-1"


def test_a_provisioned_secret_file_others_may_read_is_refused(tmp_path: Path) -> None:
    path = key_file(tmp_path, 0o644)
    result = apikey(tmp_path, "--secret-file", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: --secret-file: {path}: other users may read it (mode 0644); chmod 600 it"
    )
    assert not (tmp_path / "IN").exists()


def test_a_provisioned_secret_from_the_environment_is_used_quietly(tmp_path: Path) -> None:
    result = apikey(tmp_path, env={"CORRIDOR_API_KEY_SECRET": KEY})
    assert result.exit_code == 0 and result.stderr == ""
    assert trader_of(tmp_path, KEY) == "EXP-1"


def test_a_secret_on_the_command_line_still_works_with_a_warning(tmp_path: Path) -> None:
    result = apikey(tmp_path, "--secret", KEY)
    assert result.exit_code == 0, result.output
    assert "warning: --secret shows the secret to other users of this machine" in result.stderr
    assert "CORRIDOR_API_KEY_SECRET or use --secret-file" in result.stderr
    assert trader_of(tmp_path, KEY) == "EXP-1"


@pytest.mark.parametrize(
    "command",
    [
        ["declare"],
        ["events", "post"],
        ["track"],
        ["pay"],
        ["keys", "export"],
        ["outbox", "list"],
        ["node", "apikey"],
        ["node", "mandate"],
        ["node", "serve"],
        ["doc", "verify"],
    ],
    ids=" ".join,
)
def test_every_command_spells_the_node_and_its_database_the_same_way(command: list[str]) -> None:
    shown = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"}).stdout
    assert "--node" in shown and "--country" not in shown
    assert "--data-dir" in shown
    if command[0] != "doc":
        assert "--db " in shown and "--db-schema" in shown


def test_the_old_spelling_of_node_is_still_understood(tmp_path: Path) -> None:
    result = runner.invoke(app, ["keys", "export", "--country", "RU", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "RU").is_dir() and not (tmp_path / "IN").exists()


def test_serve_takes_the_nats_url_it_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from corridor.messaging import nats_transport

    class Reached(Exception):
        pass

    def jetstream(url: str, stream: str, prefix: str) -> None:
        raise Reached(url)

    def served(*args: Any, **kwargs: Any) -> None:
        raise Reached("served without NATS")

    monkeypatch.setattr(nats_transport, "NatsJetStream", jetstream)
    monkeypatch.setattr(uvicorn, "run", served)
    result = runner.invoke(
        app,
        ["node", "serve", "--node", "IN", "--data-dir", str(tmp_path), "--nats-url", "nats://127.0.0.1:4"],
    )
    assert isinstance(result.exception, Reached) and str(result.exception) == "nats://127.0.0.1:4"


def test_a_short_provisioned_secret_names_the_file_option(tmp_path: Path) -> None:
    path = tmp_path / "short.key"
    path.write_text("short\n")
    path.chmod(0o600)
    result = apikey(tmp_path, "--secret-file", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: --secret-file: use at least 24 characters"
