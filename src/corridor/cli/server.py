"""node serve / node apikey / node apikeys / node revoke-apikey / node mandate: run a node as an HTTP
server and manage its API keys."""

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
    DbSchema,
    DbUrl,
    MaybeCountry,
    MaybeDataDir,
    emit,
    fail,
    handle_locally,
    local_node,
    old_spellings,
    read_secret_file,
    warn_on_command_line,
)
from corridor.cli.processes import Exchange, run_relay, serve_workers
from corridor.config import Settings
from corridor.service.auth import ROLES, api_keys, create_api_key, ensure_api_key, revoke_api_key
from corridor.service.commands import GrantMandate
from corridor.shared.errors import NotFound
from corridor.shared.logs import configure_logging
from corridor.shared.text import text_reason

app = typer.Typer(
    help="Run a node as a server; manage its API keys.",
    context_settings={"token_normalize_func": old_spellings},
)


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
    return {
        country: read_secret_file(Path(path), f"--peer-key-file: {country}")
        for country, path in _pairs(files, "--peer-key-file").items()
    }


Peers = Annotated[list[str], typer.Option("--peer", help="Peer node URL, e.g. RU=http://127.0.0.1:8002")]
PeerKeyFiles = Annotated[
    list[str],
    typer.Option(
        "--peer-key-file",
        help="File holding this node's API key at a peer (mode 0600), e.g. RU=/etc/corridor/ru.key; "
        'or set CORRIDOR_PEER_API_KEYS=\'{"RU": "ck_..."}\'',
    ),
]
RelayInterval = Annotated[float | None, typer.Option(help="Seconds between relay passes")]
NatsUrl = Annotated[str | None, typer.Option(help="Exchange over NATS JetStream [env CORRIDOR_NATS_URL]")]
LogFormat = Annotated[str | None, typer.Option(help="text or json [env CORRIDOR_LOG_FORMAT]")]


def _settings(
    given: dict[str, Any],
    relay_interval: float | None,
    exchange: tuple[list[str], list[str], str | None],
    log_format: str | None,
) -> Settings:
    """The node's settings: CORRIDOR_* environment variables, overridden by the options given."""
    peer, peer_key_file, nats_url = exchange
    given = {
        **given,
        "relay_interval_s": relay_interval,
        "peer_urls": _pairs(peer, "--peer") or None,
        "peer_api_keys": _peer_keys(peer_key_file) or None,
        "nats_url": nats_url,
        "log_format": log_format,
    }
    try:
        return Settings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        raise fail(
            "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()), 2
        ) from None


@app.command("serve")
def serve(
    node: MaybeCountry = None,
    db: DbUrl = None,
    db_schema: DbSchema = None,
    port: Annotated[int, typer.Option(help="TCP port")] = 8001,
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    data_dir: MaybeDataDir = None,
    peer: Peers = [],  # noqa: B006
    peer_key_file: PeerKeyFiles = [],  # noqa: B006
    relay_interval: RelayInterval = None,
    nats_url: NatsUrl = None,
    log_format: LogFormat = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="API worker processes on the one port")] = 1,
    relay: Annotated[
        bool | None,
        typer.Option(
            "--relay/--no-relay",
            help="Relay the outbox in this process (default: with one worker; with several, run "
            "`corridor node relay` beside them)",
        ),
    ] = None,
) -> None:
    """Serve the node's REST API (OpenAPI at /docs, officer's page at /, probes at /healthz and
    /readyz, Prometheus metrics at /metrics) and relay its outbox.

    Settings come from CORRIDOR_* environment variables, overridden by these options; with
    CORRIDOR_ENV=production insecure defaults are refused. Keys at peers are never given on the
    command line (where any local user could read them): they come from --peer-key-file or
    CORRIDOR_PEER_API_KEYS."""
    settings = _settings(
        {"country": node and node.upper(), "db_url": db, "db_schema": db_schema, "data_dir": data_dir},
        relay_interval,
        (peer, peer_key_file, nats_url),
        log_format,
    )
    if relay and workers > 1:
        raise fail("--relay: several workers do not relay; run `corridor node relay` beside them", 2)
    exchange = Exchange(settings)
    if settings.admin_api_key:
        label = "administrator (from CORRIDOR_ADMIN_API_KEY)"
        ensure_api_key(
            exchange.node.uow(), "admin", "admin", label, datetime.now(UTC), settings.admin_api_key
        )
    if workers > 1:
        exchange.close()  # checked and provisioned: each worker opens the node itself
        serve_workers(settings, host, port, workers)
        return
    _run(exchange, settings, host, port, relay is not False)


def _run(exchange: Exchange, settings: Settings, host: str, port: int, relay: bool) -> None:
    """Serve the API (and relay the outbox) until the server stops; then close the node."""
    import uvicorn

    configure_logging(settings.log_format, settings.log_level)
    api = exchange.api(settings)
    stop = threading.Event()
    loops = exchange.start_loops(settings.country, settings.relay_interval_s, stop) if relay else []
    try:
        uvicorn.run(
            api,
            host=host,
            port=port,
            log_level="warning",
        )
    finally:
        stop.set()
        for loop in loops:
            loop.join(timeout=5)
        exchange.close()


@app.command("relay")
def relay_process(
    node: MaybeCountry = None,
    db: DbUrl = None,
    db_schema: DbSchema = None,
    data_dir: MaybeDataDir = None,
    peer: Peers = [],  # noqa: B006
    peer_key_file: PeerKeyFiles = [],  # noqa: B006
    relay_interval: RelayInterval = None,
    nats_url: NatsUrl = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Serve this process's Prometheus metrics on this port"),
    ] = None,
    metrics_host: Annotated[str, typer.Option(help="Address of the metrics port")] = "127.0.0.1",
    log_format: LogFormat = None,
) -> None:
    """Relay the node's outbox to its peer and, with NATS JetStream, apply its inbox stream: the
    process beside `node serve --workers N`. Stops cleanly on SIGINT or SIGTERM."""
    settings = _settings(
        {"country": node and node.upper(), "db_url": db, "db_schema": db_schema, "data_dir": data_dir},
        relay_interval,
        (peer, peer_key_file, nats_url),
        log_format,
    )
    configure_logging(settings.log_format, settings.log_level)
    exchange = Exchange(settings)
    run_relay(exchange, settings, None if metrics_port is None else (metrics_host, metrics_port))


@app.command("apikey")
def apikey(
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}")],
    party: Annotated[str, typer.Option(help="Party the key acts for: IEC/INN, officer id, peer country")],
    node: Country = "IN",
    db: DbUrl = None,
    db_schema: DbSchema = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    label: Annotated[str, typer.Option(help="Note for the key")] = "",
    secret: Annotated[
        str | None,
        typer.Option(
            envvar="CORRIDOR_API_KEY_SECRET",
            callback=warn_on_command_line,
            help="Use this secret (provisioning; prefer the environment variable or --secret-file); "
            "default random",
        ),
    ] = None,
    secret_file: Annotated[
        Path | None, typer.Option(help="Use the secret in this file (mode 0600) (provisioning)")
    ] = None,
) -> None:
    """Create an API key; its secret is printed once and only its hash is stored."""
    if role not in ROLES:
        raise fail(f"--role: must be one of {', '.join(ROLES)}", 2)
    option = "--secret"
    if secret_file is not None:
        option, secret = "--secret-file", read_secret_file(secret_file, "--secret-file")
    if secret is not None and len(secret) < 24:
        raise fail(f"{option}: use at least 24 characters", 2)
    with local_node(data_dir, node, db, db_schema) as local:
        value = create_api_key(
            local.uow(), role, party, label or f"{role} {party}", datetime.now(UTC), secret
        )
    emit({"role": role, "party": party, "api_key": value})


@app.command("mandate")
def mandate(
    broker: Annotated[str, typer.Option(help="The customs broker's party id (its IEC / INN)")],
    exporter: Annotated[str, typer.Option(help="The exporter's party id")],
    node: Country = "IN",
    db: DbUrl = None,
    db_schema: DbSchema = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Record an exporter's mandate: the broker may then file its declarations as their Declarant."""
    emit(handle_locally(data_dir, node, db, GrantMandate(broker, exporter), db_schema))


@app.command("apikeys")
def list_apikeys(
    node: Country = "IN", db: DbUrl = None, db_schema: DbSchema = None, data_dir: DataDir = DEFAULT_DATA_DIR
) -> None:
    """List the node's API keys, oldest first: id, role, party, label, created, revoked (never the
    secrets, which the node does not keep)."""
    with local_node(data_dir, node, db, db_schema) as local:
        keys = api_keys(local.reading())
    emit([k.described() for k in keys])


@app.command("revoke-apikey")
def revoke_apikey(
    key_id: Annotated[str, typer.Argument(help="The key's id, as `corridor node apikeys` lists it")],
    node: Country = "IN",
    db: DbUrl = None,
    db_schema: DbSchema = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Revoke an API key: a serving node refuses it within CORRIDOR_API_KEY_CACHE_S seconds."""
    reason = text_reason(key_id) or ("must be at most 40 characters" if len(key_id) > 40 else None)
    if reason:
        raise fail(f"KEY_ID: {reason}", 2)
    with local_node(data_dir, node, db, db_schema) as local:
        try:
            key = revoke_api_key(local.uow(), key_id)
        except NotFound as exc:
            raise fail(str(exc), 1) from None
    emit(key.described())
