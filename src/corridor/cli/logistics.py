"""events post / track / pay: logistics events, consignment timelines and duty payment at a local node."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import (
    DEFAULT_DATA_DIR,
    DataDir,
    DbUrl,
    emit,
    fail,
    handle_locally,
    local_node,
    post_to_server,
    read_json,
)
from corridor.customs.views import view_for
from corridor.logistics.timeline import consignment_view
from corridor.service.commands import PayDuties, PostEvents

events_app = typer.Typer(help="GS1 EPCIS 2.0 logistics events.")
Node = Annotated[str, typer.Option("--node", help="Node country: IN or RU")]


@events_app.command("post")
def post(
    file: Annotated[Path, typer.Argument(help="EPCIS 2.0 JSON-LD document (EPCISDocument)")],
    node: Node = "IN",
    carrier: Annotated[
        str | None,
        typer.Option(
            help="Posting at a local node: the consignments' declared carrier (Consignment.Carrier.ID)"
        ),
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    url: Annotated[str | None, typer.Option(help="Post to a running node server instead")] = None,
    api_key: Annotated[
        str | None, typer.Option(envvar="CORRIDOR_API_KEY", help="Carrier API key for --url")
    ] = None,
) -> None:
    """Validate and record the events; they reach the peer node as a signed message. A carrier posts
    only for the consignments it is declared to carry (the API key's party, or --carrier locally)."""
    document = read_json(file)
    if url:
        post_to_server(url, "/v1/events", document, api_key)
        return
    if not carrier:
        raise fail("--carrier: required at a local node, the declared carrier (Consignment.Carrier.ID)")
    emit(handle_locally(data_dir, node, db, PostEvents(document, carrier)))


def track(
    consignment: Annotated[str, typer.Argument(help="Consignment reference (the export declaration id)")],
    node: Node = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
) -> None:
    """Show a consignment's timeline at a node: customs stages and logistics events."""
    with local_node(data_dir, node, db) as local, local.uow() as uow:
        declaration = uow.declarations.find_by_consignment(consignment)
        if declaration is None:
            raise fail(f"consignment {consignment} not found at node {node}")
        view = consignment_view(
            declaration, uow.declarations.stages(declaration.id), uow.events.for_consignment(consignment)
        )
    emit(view)


def pay(
    declaration_id: Annotated[str, typer.Argument(help="Import declaration id")],
    node: Node = "RU",
    payer: Annotated[str | None, typer.Option(help="Payer party id (default: the importer)")] = None,
    reference: Annotated[str, typer.Option(help="Payment reference")] = "",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
) -> None:
    """Pay exactly the assessed duties and taxes of an import declaration."""
    with local_node(data_dir, node, db) as local, local.uow() as uow:
        declaration = uow.declarations.get(declaration_id)
    if declaration is None or not declaration.assessment:
        raise fail(f"declaration {declaration_id} has no assessed duties at node {node}")
    command = PayDuties(
        declaration_id, payer or declaration.importer_id, declaration.assessment["totals"], reference
    )
    emit(view_for("officer", handle_locally(data_dir, node, db, command)))
