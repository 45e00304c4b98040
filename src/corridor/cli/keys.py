"""Signing keys and the trust list: export, import, rotate, revoke, list."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import DEFAULT_DATA_DIR, Country, DataDir, check_country, emit, fail, read_json
from corridor.messaging.keys import KeyRing, KeyringError

app = typer.Typer(help="A node's Ed25519 signing keys and its trust list of peers' keys.")


def _ring(data_dir: Path, country: str) -> KeyRing:
    country = check_country(country)
    try:
        return KeyRing(data_dir / country, country)
    except KeyringError as exc:
        raise fail(str(exc)) from None


@app.command("export")
def export(node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Print this node's public keys as JSON, for the peer to import."""
    emit(_ring(data_dir, node).export_public())


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A peer's exported keys")],
    node: Country = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Add a peer's public keys to this node's trust list."""
    ring = _ring(data_dir, node)
    try:
        imported = ring.import_public(read_json(file))
    except KeyringError as exc:
        raise fail(str(exc)) from None
    emit({"imported": [k.key_id for k in imported]})


@app.command("rotate")
def rotate(node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Make a new signing key; the old one is retired (verifies, no longer signs). Export it to peers."""
    emit(_ring(data_dir, node).rotate().to_json())


@app.command("revoke")
def revoke(key_id: str, node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Stop trusting a key: messages signed with it are rejected from now on."""
    try:
        emit(_ring(data_dir, node).revoke(key_id).to_json())
    except KeyringError as exc:
        raise fail(str(exc)) from None


@app.command("list")
def list_(node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Show the trust list."""
    emit([k.to_json() for k in _ring(data_dir, node).trusted()])
