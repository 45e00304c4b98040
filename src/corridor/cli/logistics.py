"""events post / track / pay / simulate: logistics events, consignment timelines and duty payment
at a local node, and the Time Release Study simulation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    local_node,
    post_to_server,
    read_json,
)
from corridor.cli.simulate import simulate_command
from corridor.customs.queries import consignment_timeline, duties_due
from corridor.customs.views import view_for
from corridor.service.commands import PayDuties, PostEvents
from corridor.shared.errors import NotFound

app = typer.Typer()
events_app = typer.Typer(help="GS1 EPCIS 2.0 logistics events.")
app.add_typer(events_app, name="events")
app.command("simulate")(simulate_command)


@events_app.command("post")
def post(
    file: Annotated[Path, typer.Argument(help="EPCIS 2.0 JSON-LD document (EPCISDocument)")],
    node: Country = "IN",
    carrier: Annotated[
        str | None,
        typer.Option(
            help="Posting at a local node: the consignments' declared carrier (Consignment.Carrier.ID)"
        ),
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
    url: Url = None,
    api_key: ApiKey = None,
    api_key_file: ApiKeyFile = None,
) -> None:
    """Validate and record the events; they reach the peer node as a signed message. A carrier posts
    only for the consignments it is declared to carry (the API key's party, or --carrier locally)."""
    document = read_json(file)
    if url:
        post_to_server(url, "/v1/events", document, client_key(api_key, api_key_file))
        return
    if not carrier:
        raise fail("--carrier: required at a local node, the declared carrier (Consignment.Carrier.ID)")
    emit(handle_locally(data_dir, node, db, PostEvents(document, carrier), db_schema))


@app.command()
def track(
    consignment: Annotated[str, typer.Argument(help="Consignment reference (the export declaration id)")],
    node: Country = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
) -> None:
    """Show a consignment's timeline at a node: customs stages and logistics events."""
    with local_node(data_dir, node, db, db_schema) as local:
        try:
            emit(consignment_timeline(local.uow(), None, consignment))
        except NotFound as exc:
            raise fail(f"{exc} at node {node}") from None


@app.command()
def pay(
    declaration_id: Annotated[str, typer.Argument(help="Import declaration id")],
    node: Country = "RU",
    payer: Annotated[str | None, typer.Option(help="Payer party id (default: the importer)")] = None,
    reference: Annotated[str, typer.Option(help="Payment reference")] = "",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
) -> None:
    """Pay exactly the assessed duties and taxes of an import declaration."""
    with local_node(data_dir, node, db, db_schema) as local:
        try:
            due = duties_due(local.uow(), declaration_id)
        except NotFound as exc:
            raise fail(f"{exc} at node {node}") from None
    command = PayDuties(declaration_id, payer or due.importer_id, due.totals, reference)
    emit(view_for("officer", handle_locally(data_dir, node, db, command, db_schema)))
