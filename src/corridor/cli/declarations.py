"""declare / validate / schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli.common import (
    DEFAULT_DATA_DIR,
    EXIT_INVALID,
    EXIT_UNREADABLE,
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
    local_node,
    post_to_server,
    read_json,
)
from corridor.customs.domain.wco import DeclarationDocument
from corridor.customs.validation import validate_declaration
from corridor.customs.views import bulk_filing_view, view_for
from corridor.refdata.codelists import code_lists
from corridor.service.batch import MAX_BULK
from corridor.service.commands import FileDeclaration
from corridor.shared.errors import CorridorError, InvalidInput

app = typer.Typer()
schema_app = typer.Typer(help="Print JSON Schemas of the documents the corridor accepts.")
app.add_typer(schema_app, name="schema")


@app.command()
def validate(file: Annotated[Path, typer.Argument(help="Declaration JSON file")]) -> None:
    """Check a declaration without filing it: exit 0 valid, 1 invalid (JSON errors), 2 unreadable."""
    document = read_json(file)
    try:
        validate_declaration(document, code_lists())
    except InvalidInput as exc:
        emit([e.to_json() for e in exc.errors])
        raise typer.Exit(EXIT_INVALID) from None
    emit({"valid": True})


@app.command()
def declare(
    file: Annotated[Path, typer.Argument(help="Export declaration JSON file")],
    node: Country = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
    url: Url = None,
    api_key: ApiKey = None,
    api_key_file: ApiKeyFile = None,
) -> None:
    """File an export declaration at the origin node; prints the registered declaration."""
    document = read_json(file)
    if url:
        post_to_server(url, "/v1/declarations", document, client_key(api_key, api_key_file))
        return
    declaration = handle_locally(data_dir, node, db, FileDeclaration(document), db_schema)
    emit(view_for("officer", declaration))


@app.command("declare-bulk")
def declare_bulk(
    files: Annotated[list[Path], typer.Argument(help=f"1 to {MAX_BULK} export declaration JSON files")],
    node: Country = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
    url: Url = None,
    api_key: ApiKey = None,
    api_key_file: ApiKeyFile = None,
) -> None:
    """File several export declarations in one transaction (one commit for all); prints each one's
    outcome in order, as POST /v1/declarations/bulk answers. Exit 1 when any is refused (the
    others are filed)."""
    if len(files) > MAX_BULK:
        raise fail(f"FILES: {len(files)} files; a bulk takes at most {MAX_BULK}", EXIT_UNREADABLE)
    documents = [read_json(file) for file in files]
    if url:
        body = post_to_server(
            url, "/v1/declarations/bulk", {"declarations": documents}, client_key(api_key, api_key_file)
        )
        refused = body.get("refused") if isinstance(body, dict) else None
    else:
        with local_node(data_dir, node, db, db_schema) as local:
            outcomes = local.handle_many([FileDeclaration(document) for document in documents])
        answer = bulk_filing_view(outcomes, "officer", _refused)
        for item, file in zip(answer["results"], files, strict=True):
            item["file"] = str(file)
        emit(answer)
        refused = answer["refused"]
    if refused:
        raise typer.Exit(EXIT_INVALID)


def _refused(error: CorridorError) -> dict[str, Any]:
    if isinstance(error, InvalidInput):
        return {"errors": [e.to_json() for e in error.errors]}
    return {"error": str(error)}


@schema_app.command("declaration")
def schema_declaration() -> None:
    """The JSON Schema of an export/import declaration (WCO Data Model 3.x names)."""
    typer.echo(json.dumps(DeclarationDocument.model_json_schema(), indent=2))
