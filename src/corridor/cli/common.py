"""Shared CLI helpers: reading JSON files with clear exits, opening a local node."""

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

EXIT_INVALID = 1
EXIT_UNREADABLE = 2

DataDir = Annotated[
    Path, typer.Option("--data-dir", envvar="CORRIDOR_DATA_DIR", help="Nodes' data directory")
]
Country = Annotated[str, typer.Option("--node", "--country", help="Node country: IN or RU")]
DbUrl = Annotated[str | None, typer.Option("--db", envvar="CORRIDOR_DB_URL", help="SQLAlchemy database URL")]
DEFAULT_DATA_DIR = Path("corridor-data")


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


def handle_locally(data_dir: Path, country: str, db_url: str | None, command: Any) -> Any:
    """Run a command at a local node: invalid input prints the JSON errors, any refusal its reason;
    both exit 1."""
    with local_node(data_dir, country, db_url) as node:
        try:
            return node.handle(command)
        except InvalidInput as exc:
            emit([e.to_json() for e in exc.errors])
            raise typer.Exit(EXIT_INVALID) from None
        except CorridorError as exc:
            raise fail(str(exc)) from None


def post_to_server(url: str, path: str, document: Any, api_key: str | None) -> None:
    """POST to a running node and print its JSON answer; exit 1 on a 4xx/5xx or when it cannot be
    reached."""
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
