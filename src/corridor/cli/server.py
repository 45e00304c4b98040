"""node serve / node apikey: run a node as an HTTP server and manage its API keys."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from corridor.cli.common import (
    DEFAULT_DATA_DIR,
    Country,
    DataDir,
    DbUrl,
    emit,
    fail,
    handle_locally,
    local_node,
    one_line,
    open_node,
)
from corridor.config import Settings
from corridor.messaging.keys import KeyringError
from corridor.node.bootstrap import bootstrap_node
from corridor.node.selection_key import SelectionKeyError
from corridor.service.auth import ROLES, create_api_key, ensure_api_key
from corridor.service.commands import GrantMandate
from corridor.shared.errors import InvalidInput
from corridor.shared.logs import configure_logging
from corridor.shared.private import read_secret

app = typer.Typer(help="Run a node as a server; manage its API keys.")


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        country, sep, rest = value.partition("=")
        if not sep or country.upper() not in ("IN", "RU") or not rest:
            raise fail(f"{option}: {value!r} is not COUNTRY=VALUE (e.g. RU=http://127.0.0.1:8002)", 2)
        pairs[country.upper()] = rest
    return pairs


def _peer_keys(files: list[str]) -> dict[str, str]:
    """This node's API key at each peer, read from the files named by ``--peer-key-file``."""
    keys = {}
    for country, path in _pairs(files, "--peer-key-file").items():
        try:
            keys[country] = read_secret(Path(path))
        except ValueError as exc:
            raise fail(f"--peer-key-file: {country}: {exc}", 2) from None
    return keys


@app.command("serve")
def serve(
    country: Annotated[
        str | None, typer.Option("--country", "--node", help="IN or RU [env CORRIDOR_COUNTRY]")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL [env CORRIDOR_DB_URL]")] = None,
    db_schema: Annotated[str | None, typer.Option(help="PostgreSQL schema [env CORRIDOR_DB_SCHEMA]")] = None,
    port: Annotated[int, typer.Option(help="TCP port")] = 8001,
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    data_dir: Annotated[Path | None, typer.Option(help="Data directory [env CORRIDOR_DATA_DIR]")] = None,
    peer: Annotated[list[str], typer.Option(help="Peer node URL, e.g. RU=http://127.0.0.1:8002")] = [],  # noqa: B006
    peer_key_file: Annotated[
        list[str],
        typer.Option(
            help="File holding this node's API key at a peer (mode 0600), e.g. RU=/etc/corridor/ru.key; "
            'or set CORRIDOR_PEER_API_KEYS=\'{"RU": "ck_..."}\'',
        ),
    ] = [],  # noqa: B006
    relay_interval: Annotated[float | None, typer.Option(help="Seconds between relay passes")] = None,
    nats_url: Annotated[
        str | None, typer.Option(help="Exchange over NATS JetStream [env CORRIDOR_NATS_URL]")
    ] = None,
    log_format: Annotated[str | None, typer.Option(help="text or json [env CORRIDOR_LOG_FORMAT]")] = None,
) -> None:
    """Serve the node's REST API (OpenAPI at /docs, officer's page at /) and relay its outbox.

    Settings come from CORRIDOR_* environment variables, overridden by these options; with
    CORRIDOR_ENV=production insecure defaults are refused. Keys at peers are never given on the
    command line (where any local user could read them): they come from --peer-key-file or
    CORRIDOR_PEER_API_KEYS."""
    import uvicorn

    from corridor.api.app import create_app

    given: dict[str, Any] = {
        "country": country and country.upper(),
        "db_url": db,
        "db_schema": db_schema,
        "data_dir": data_dir,
        "relay_interval_s": relay_interval,
        "peer_urls": _pairs(peer, "--peer") or None,
        "peer_api_keys": _peer_keys(peer_key_file) or None,
        "log_format": log_format,
    }
    try:
        settings = Settings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        raise fail(
            "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()), 2
        ) from None
    jetstream = None
    try:
        if settings.nats_url:
            from corridor.messaging.nats_transport import NatsJetStream

            jetstream = NatsJetStream(settings.nats_url, settings.nats_stream, settings.nats_subject_prefix)
            node = bootstrap_node(
                settings.country,
                settings.data_dir / settings.country,
                jetstream,
                db_url=settings.db_url,
                db_schema=settings.db_schema,
                selection_key=settings.selection_key_bytes(),
            )
        else:
            node = open_node(
                settings.data_dir,
                settings.country,
                settings.db_url,
                settings.peer_urls,
                settings.peer_api_keys,
                db_schema=settings.db_schema,
                selection_key=settings.selection_key_bytes(),
            )
        node.keyring.signing_key()  # a node that could not sign refuses to start
    except SelectionKeyError as exc:
        raise fail(str(exc), 2) from None
    except KeyringError as exc:
        raise fail(str(exc)) from None
    except InvalidInput as exc:  # a file of an earlier version the node cannot move in
        raise fail(one_line(exc), 2) from None
    if settings.admin_api_key:
        ensure_api_key(
            node.uow(),
            "admin",
            "admin",
            "administrator (from CORRIDOR_ADMIN_API_KEY)",
            datetime.now(UTC),
            settings.admin_api_key,
        )
    configure_logging(settings.log_format, settings.log_level)
    stop = threading.Event()

    def relay_loop() -> None:
        while not stop.is_set():
            try:
                report = node.relay_once()
            except Exception as exc:  # the relay keeps going; the outbox keeps the messages
                typer.echo(f"relay: {type(exc).__name__}: {exc}", err=True)
                report = None
            taken = 0
            if jetstream is not None:
                try:
                    taken = jetstream.consume(settings.country, node.receive)
                except Exception as exc:  # left in the stream for redelivery
                    typer.echo(f"inbox: {type(exc).__name__}: {exc}", err=True)
            if (report is None or report.sent == 0) and taken == 0:
                stop.wait(settings.relay_interval_s)

    worker = threading.Thread(target=relay_loop, name="outbox-relay", daemon=True)
    worker.start()
    try:
        uvicorn.run(create_app(node, settings.max_body_bytes), host=host, port=port, log_level="warning")
    finally:
        stop.set()
        worker.join(timeout=5)
        node.close()
        if jetstream is not None:
            jetstream.close()


@app.command("apikey")
def apikey(
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}")],
    party: Annotated[str, typer.Option(help="Party the key acts for: IEC/INN, officer id, peer country")],
    country: Country = "IN",
    db: DbUrl = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    label: Annotated[str, typer.Option(help="Note for the key")] = "",
    secret: Annotated[str | None, typer.Option(help="Use this secret (provisioning); default random")] = None,
    db_schema: Annotated[str | None, typer.Option(help="PostgreSQL schema [env CORRIDOR_DB_SCHEMA]")] = None,
) -> None:
    """Create an API key; its secret is printed once and only its hash is stored."""
    if role not in ROLES:
        raise fail(f"--role: must be one of {', '.join(ROLES)}", 2)
    if secret is not None and len(secret) < 24:
        raise fail("--secret: use at least 24 characters", 2)
    with local_node(data_dir, country, db, db_schema) as node:
        value = create_api_key(node.uow(), role, party, label or f"{role} {party}", datetime.now(UTC), secret)
    emit({"role": role, "party": party, "api_key": value})


@app.command("mandate")
def mandate(
    broker: Annotated[str, typer.Option(help="The customs broker's party id (its IEC / INN)")],
    exporter: Annotated[str, typer.Option(help="The exporter's party id")],
    country: Country = "IN",
    db: DbUrl = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Record an exporter's mandate: the broker may then file its declarations as their Declarant."""
    emit(handle_locally(data_dir, country, db, GrantMandate(broker, exporter)))
