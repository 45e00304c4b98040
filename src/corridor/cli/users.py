"""node user add / unlock: people who log in to the node's pages (passwords hashed with argon2)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from corridor.accounts.store import ROLES, add_user, unlock
from corridor.cli.common import (
    DEFAULT_DATA_DIR,
    Country,
    DataDir,
    DbSchema,
    DbUrl,
    emit,
    fail,
    local_node,
    one_line,
    read_secret_file,
)
from corridor.shared.errors import Conflict, InvalidInput

app = typer.Typer(help="Users of the node's web pages.")


@app.command("add")
def add(
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}")],
    party: Annotated[str, typer.Option(help="Party the user acts for: IEC/INN, officer id, carrier id")],
    username: Annotated[str, typer.Option(help="Login name")],
    password_file: Annotated[
        Path | None, typer.Option(help="File holding the password (mode 0600); or CORRIDOR_USER_PASSWORD")
    ] = None,
    node: Country = "IN",
    db: DbUrl = None,
    db_schema: DbSchema = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Create a user; the password comes from --password-file, CORRIDOR_USER_PASSWORD or a prompt."""
    if password_file is not None:
        password = read_secret_file(password_file, "--password-file")
    else:
        password = os.environ.get("CORRIDOR_USER_PASSWORD") or typer.prompt(
            "password", hide_input=True, confirmation_prompt=True
        )
    with local_node(data_dir, node, db, db_schema) as local:
        try:
            user = add_user(local.engine, username, password, role, party, datetime.now(UTC))
        except InvalidInput as exc:
            raise fail(one_line(exc)) from None
        except Conflict as exc:
            raise fail(str(exc)) from None
    emit({"username": user.username, "role": user.role, "party": user.party_id})


@app.command("unlock")
def unlock_user(
    username: Annotated[str, typer.Argument(help="Login name")],
    node: Country = "IN",
    db: DbUrl = None,
    db_schema: DbSchema = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Unlock a user locked after repeated wrong passwords."""
    with local_node(data_dir, node, db, db_schema) as local:
        if not unlock(local.engine, username):
            raise fail(f"no user {username}")
    emit({"username": username, "unlocked": True})
