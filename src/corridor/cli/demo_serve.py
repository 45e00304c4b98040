"""demo --serve: after the demo's flow, keep its two nodes running as HTTP servers (one port each),
relaying between them in process, with one sample user per role at each node."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import typer
import uvicorn
from sqlalchemy import select

from corridor.accounts.store import add_user
from corridor.adapters import tables
from corridor.analytics.frames import warm_up
from corridor.api.app import create_app
from corridor.demo.run import DEMO_SELECTION_KEY, Corridor
from corridor.node.bootstrap import Node


def _sample_party(node: Node, column: str) -> str:
    """A party of the node's own declarations (sample data): an exporter or a carrier."""
    d = tables.declarations.c
    with node.engine.connect() as conn:
        row = conn.execute(select(d.exporter_id, d.document).where(d.flow == "export").limit(1)).first()
    if row is None:
        return "SAMPLE"
    if column == "exporter":
        return str(row[0])
    carrier = row[1].get("Declaration", {}).get("GoodsShipment", {}).get("Consignment", {}).get("Carrier", {})
    return str(carrier.get("ID", "SAMPLE"))


def demo_users(node: Node) -> list[tuple[str, str, str, str]]:
    """One sample user per role at ``node``, each with a fresh random password (printed once)."""
    now = datetime.now(UTC)
    parties = {
        "analyst": f"{node.country}-ANALYST-1",
        "officer": f"{node.country}-OFFICER-1",
        "trader": _sample_party(node, "exporter"),
        "carrier": _sample_party(node, "carrier"),
    }
    made = []
    for role, party in parties.items():
        username, password = f"{role}-{node.country.lower()}", secrets.token_urlsafe(12)
        add_user(node.engine, username, password, role, party, now)
        made.append((username, password, role, party))
    return made


def serve_demo(data_dir: Path, host: str, port: int) -> None:
    """Serve IN on ``port`` and RU on ``port + 1`` until interrupted; relay every second."""
    corridor = Corridor.embedded(data_dir, selection_key=DEMO_SELECTION_KEY)
    servers = []
    try:
        for offset, (country, node) in enumerate(corridor.nodes.items()):
            url = f"http://{host}:{port + offset}"
            typer.echo(
                f"node {country}: dashboard {url}/ui/dashboard  (login {url}/ui/login, API {url}/docs)"
            )
            for username, password, role, party in demo_users(node):
                typer.echo(f"  {role:8} user {username:12} password {password}  (party {party}, sample)")
            warm_up(node.engine, node.data_dir)
            server = uvicorn.Server(
                uvicorn.Config(create_app(node), host=host, port=port + offset, log_level="warning")
            )
            threading.Thread(target=server.run, name=f"serve-{country}", daemon=True).start()
            servers.append(server)
        typer.echo("serving until Ctrl-C")
        while True:
            corridor.pump()
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.should_exit = True
        time.sleep(0.5)
        corridor.close()
