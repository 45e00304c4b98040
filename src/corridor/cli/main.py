"""The ``corridor`` command line: it only assembles each capability's commands (thin: they
translate arguments and call the service layer)."""

from __future__ import annotations

import typer

from corridor.cli import (
    cluster,
    declarations,
    demo,
    hs,
    keys,
    logistics,
    officer,
    outbox,
    report,
    server,
    settlement,
    stats,
    users,
)
from corridor.cli import documents as documents_cli

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Trade Corridor: India-Russia customs nodes and tools.",
)
app.add_typer(declarations.app)
app.add_typer(logistics.app)
app.add_typer(demo.app)
app.add_typer(keys.app, name="keys")
app.add_typer(server.app, name="node")
app.add_typer(officer.app, name="officer")
app.add_typer(outbox.app, name="outbox")
app.add_typer(cluster.app, name="cluster")
app.add_typer(documents_cli.app, name="doc")
app.add_typer(settlement.ledger_app, name="ledger")
app.add_typer(settlement.settle_app, name="settle")
app.add_typer(stats.app, name="stats")
app.add_typer(report.app)
server.app.add_typer(users.app, name="user")
app.add_typer(hs.app, name="hs")


@app.callback()
def main() -> None:
    """Trade Corridor: India-Russia customs nodes and tools."""
