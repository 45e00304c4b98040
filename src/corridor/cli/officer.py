"""officer clear / hold / release: an officer's decision on a declaration, with its reason, at a
local node or (``--url``) at a running node under the officer's API key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli.common import (
    DEFAULT_DATA_DIR,
    ApiKey,
    ApiKeyFile,
    Country,
    DataDir,
    DbSchema,
    DbUrl,
    Url,
    client_key,
    emit,
    fail,
    handle_locally,
    post_to_server,
)
from corridor.customs.views import view_for
from corridor.service import commands

app = typer.Typer(help="An officer's decisions on a declaration, each with its reason.")

DeclarationId = Annotated[str, typer.Argument(help="The declaration's id")]
Reason = Annotated[str, typer.Option("--reason", help="Why (kept with the decision, shown on the timeline)")]
OfficerId = Annotated[
    str | None,
    typer.Option("--officer", help="The deciding officer's id (at a local node; --url: the key's)"),
]


def _decide(
    path: str, body: dict[str, str], command: Any, where: tuple[Path, str, str | None, str | None],
    remote: tuple[str | None, str | None, Path | None],
) -> None:  # fmt: skip
    url, api_key, api_key_file = remote
    if url:
        post_to_server(url, path, body, client_key(api_key, api_key_file))
        return
    data_dir, node, db, db_schema = where
    emit(view_for("officer", handle_locally(data_dir, node, db, command, db_schema)))


def _officer(officer: str | None, url: str | None) -> str:
    if url:
        return ""
    if not officer or not officer.strip():
        raise fail("--officer: the deciding officer's id is needed at a local node")
    return officer.strip()


@app.command()
def clear(
    declaration_id: DeclarationId, findings: Annotated[str, typer.Option(help="What the check found")] = "",
    officer: OfficerId = None, node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None,
    db_schema: DbSchema = None, url: Url = None, api_key: ApiKey = None, api_key_file: ApiKeyFile = None,
) -> None:  # fmt: skip
    """The check found the goods conform: an export is cleared, an arrived and paid import released."""
    command = commands.ClearDeclaration(declaration_id, _officer(officer, url), findings)
    _decide(f"/v1/declarations/{declaration_id}/clear", {"findings": findings}, command,
            (data_dir, node, db, db_schema), (url, api_key, api_key_file))  # fmt: skip


@app.command()
def hold(
    declaration_id: DeclarationId, reason: Reason, officer: OfficerId = None, node: Country = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None, db_schema: DbSchema = None, url: Url = None,
    api_key: ApiKey = None, api_key_file: ApiKeyFile = None,
) -> None:  # fmt: skip
    """Hold the goods, saying why."""
    command = commands.HoldDeclaration(declaration_id, _officer(officer, url), reason)
    _decide(f"/v1/declarations/{declaration_id}/hold", {"reason": reason}, command,
            (data_dir, node, db, db_schema), (url, api_key, api_key_file))  # fmt: skip


@app.command()
def release(
    declaration_id: DeclarationId, reason: Reason, officer: OfficerId = None, node: Country = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None, db_schema: DbSchema = None, url: Url = None,
    api_key: ApiKey = None, api_key_file: ApiKeyFile = None,
) -> None:  # fmt: skip
    """Release an arrived, examined and paid import, saying why."""
    command = commands.ReleaseDeclaration(declaration_id, _officer(officer, url), reason)
    _decide(f"/v1/declarations/{declaration_id}/release", {"reason": reason}, command,
            (data_dir, node, db, db_schema), (url, api_key, api_key_file))  # fmt: skip
