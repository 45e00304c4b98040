"""Signing keys and the trust list: export, import, rotate, revoke, list.

Every command acts on the node's database, so a server of the node running meanwhile signs and
verifies by the changed list from its next message on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import (
    DEFAULT_DATA_DIR,
    Country,
    DataDir,
    DbSchema,
    DbUrl,
    emit,
    fail,
    local_node,
    old_spellings,
    read_json,
)
from corridor.messaging.keys import KeyringError, NodeKeys

app = typer.Typer(
    help="A node's Ed25519 signing keys and its trust list of peers' keys.",
    context_settings={"token_normalize_func": old_spellings},
)


@contextmanager
def _keys(data_dir: Path, country: str, db: str | None, db_schema: str | None) -> Iterator[NodeKeys]:
    """The node's keys for one command; a key or trust-list problem exits 1 with one line."""
    try:
        with local_node(data_dir, country, db, db_schema) as node:
            yield node.keyring
    except KeyringError as exc:
        raise fail(str(exc)) from None


@app.command("export")
def export(
    node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None, db_schema: DbSchema = None
) -> None:
    """Print this node's public keys as JSON, for the peer to import."""
    with _keys(data_dir, node, db, db_schema) as keys:
        emit(keys.export_public())


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A peer's exported keys")],
    node: Country = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
) -> None:
    """Add a peer's public keys to this node's trust list."""
    document = read_json(file)  # an unreadable file exits 2 before the node is opened
    with _keys(data_dir, node, db, db_schema) as keys:
        imported = keys.import_public(document)
    emit({"imported": [k.key_id for k in imported]})


@app.command("rotate")
def rotate(
    node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None, db_schema: DbSchema = None
) -> None:
    """Make a new signing key; the old one is retired (verifies, no longer signs). Export it to peers."""
    with _keys(data_dir, node, db, db_schema) as keys:
        emit(keys.rotate().to_json())


@app.command("revoke")
def revoke(
    key_id: str,
    node: Country = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
) -> None:
    """Stop trusting a key: messages signed with it are rejected from now on."""
    with _keys(data_dir, node, db, db_schema) as keys:
        emit(keys.revoke(key_id).to_json())


@app.command("list")
def list_(
    node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None, db_schema: DbSchema = None
) -> None:
    """Show the trust list."""
    with _keys(data_dir, node, db, db_schema) as keys:
        emit([k.to_json() for k in keys.trusted()])
