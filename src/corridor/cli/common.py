"""Shared CLI helpers: the options every capability's commands spell the same way, reading JSON
files and secrets with clear exits, opening a local node, talking to a running node."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from corridor.messaging.transport import HttpTransport, InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node
from corridor.node.selection_key import SelectionKeyError
from corridor.shared.errors import CorridorError, InvalidInput
from corridor.shared.jsondata import BadJson, read_json_file
from corridor.shared.private import read_secret

EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def warn_on_command_line(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> str | None:
    """A secret given on the command line shows in every local user's ``ps``: say where it belongs."""
    source = ctx.get_parameter_source(param.name or "")
    if value is not None and source is not None and source.name == "COMMANDLINE":
        option = f"--{(param.name or '').replace('_', '-')}"
        typer.echo(
            f"warning: {option} shows the secret to other users of this machine; "
            f"set {param.envvar} or use {option}-file (mode 0600) instead",
            err=True,
        )
    return value


_DATA_DIR = typer.Option("--data-dir", envvar="CORRIDOR_DATA_DIR", help="Nodes' data directory")
DataDir = Annotated[Path, _DATA_DIR]
MaybeDataDir = Annotated[Path | None, _DATA_DIR]
"""``--data-dir`` where the default comes from the node's settings."""
_NODE = typer.Option("--node", help="Node country: IN or RU")
Country = Annotated[str, _NODE]
MaybeCountry = Annotated[str | None, _NODE]
"""``--node`` where the default comes from the node's settings."""
DbUrl = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="CORRIDOR_DB_URL",
        help="SQLAlchemy database URL (default: SQLite in the data directory)",
    ),
]
DbSchema = Annotated[
    str | None, typer.Option("--db-schema", envvar="CORRIDOR_DB_SCHEMA", help="PostgreSQL schema of the node")
]
Url = Annotated[str | None, typer.Option("--url", help="Send to a running node server instead")]
ApiKey = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        envvar="CORRIDOR_API_KEY",
        callback=warn_on_command_line,
        help="API key for --url (prefer the environment variable or --api-key-file)",
    ),
]
ApiKeyFile = Annotated[
    Path | None, typer.Option("--api-key-file", help="File holding the API key for --url (mode 0600)")
]
Json = Annotated[bool, typer.Option("--json", help="Print the result as one JSON object")]
DEFAULT_DATA_DIR = Path("corridor-data")
OLD_SPELLINGS = {"country": "node"}
"""Old spellings of options, still understood but no longer shown: ``--country`` is ``--node``."""


def fail(message: str, code: int = EXIT_INVALID) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def read_json(path: Path) -> Any:
    """A JSON file given on the command line; unreadable, oversized, not UTF-8, not JSON, too deep
    or holding text the node refuses: one line saying why, exit 2."""
    try:
        return read_json_file(path)
    except BadJson as exc:
        raise fail(f"{path}: {exc}", EXIT_UNREADABLE) from None


def old_spellings(name: str) -> str:
    """An option's one spelling for an old one (``token_normalize_func`` of the command groups whose
    commands used to take it)."""
    return OLD_SPELLINGS.get(name, name)


def read_secret_file(path: Path, option: str) -> str:
    """A secret from a file only its owner may read; anything else is one line and exit 2."""
    try:
        return read_secret(path)
    except ValueError as exc:
        raise fail(f"{option}: {exc}", EXIT_UNREADABLE) from None


def client_key(api_key: str | None, api_key_file: Path | None) -> str | None:
    """The API key for a running node: from --api-key-file, else CORRIDOR_API_KEY (or --api-key)."""
    if api_key_file is not None:
        return read_secret_file(api_key_file, "--api-key-file")
    return api_key


def check_country(country: str) -> str:
    country = country.upper()
    if country not in ("IN", "RU"):
        raise fail(f"--node: {country!r} is not a corridor node (IN or RU)", EXIT_UNREADABLE)
    return country


def open_node(
    data_dir: Path,
    country: str,
    db_url: str | None = None,
    peers: dict[str, str] | None = None,
    peer_keys: dict[str, str] | None = None,
    db_schema: str | None = None,
    selection_key: bytes | None = None,
) -> Node:
    country = check_country(country)
    db_schema = db_schema or os.environ.get("CORRIDOR_DB_SCHEMA") or None
    transport = HttpTransport(peers, peer_keys or {}) if peers else InProcessTransport()
    try:
        return bootstrap_node(
            country,
            data_dir / country,
            transport,
            db_url=db_url,
            db_schema=db_schema,
            selection_key=selection_key,
        )
    except SelectionKeyError as exc:
        raise fail(str(exc), EXIT_UNREADABLE) from None
    except InvalidInput as exc:  # a file of an earlier version the node cannot move in
        raise fail(one_line(exc), EXIT_UNREADABLE) from None


def one_line(exc: InvalidInput) -> str:
    return "; ".join(f"{e.path}: {e.reason}" for e in exc.errors)


def emit(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


@contextmanager
def local_node(
    data_dir: Path, country: str, db_url: str | None = None, db_schema: str | None = None
) -> Iterator[Node]:
    """A node opened on this machine for one command, closed afterwards (PostgreSQL schema from
    ``db_schema`` or CORRIDOR_DB_SCHEMA)."""
    node = open_node(data_dir, country, db_url, db_schema=db_schema)
    try:
        yield node
    finally:
        node.close()


def handle_locally(
    data_dir: Path, country: str, db_url: str | None, command: Any, db_schema: str | None = None
) -> Any:
    """Run a command at a local node: invalid input prints the JSON errors, any refusal its reason;
    both exit 1."""
    with local_node(data_dir, country, db_url, db_schema) as node:
        try:
            return node.handle(command)
        except InvalidInput as exc:
            emit([e.to_json() for e in exc.errors])
            raise typer.Exit(EXIT_INVALID) from None
        except CorridorError as exc:
            raise fail(str(exc)) from None


def post_to_server(url: str, path: str, document: Any, api_key: str | None) -> Any:
    """POST to a running node, print its JSON answer and return it; exit 1 on a 4xx/5xx or when it
    cannot be reached."""
    try:
        response = httpx.post(
            f"{url.rstrip('/')}{path}", json=document, headers={"x-api-key": api_key or ""}, timeout=30
        )
        body = response.json()
    except httpx.HTTPError as exc:
        raise fail(f"--url: cannot reach {url} ({type(exc).__name__}: {exc})") from None
    except ValueError:
        raise fail(f"--url: {url} answered HTTP {response.status_code} without JSON") from None
    emit(body)
    if response.status_code >= 400:
        raise typer.Exit(EXIT_INVALID)
    return body
