"""node serve / node apikey / node mandate: run a node as an HTTP server and manage its API keys."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError

from corridor.cli.common import (
    DEFAULT_DATA_DIR,
    EXIT_UNREADABLE,
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
    one_line,
    open_node,
    read_secret_file,
    warn_on_command_line,
)
from corridor.config import Settings
from corridor.messaging.keys import KeyringError
from corridor.node.bootstrap import Node as LocalNode
from corridor.node.bootstrap import bootstrap_node
from corridor.node.selection_key import SelectionKeyError
from corridor.service.auth import ROLES, create_api_key, ensure_api_key
from corridor.service.commands import GrantMandate
from corridor.shared.errors import InvalidInput
from corridor.shared.logs import configure_logging

if TYPE_CHECKING:
    from corridor.messaging.nats_transport import NatsJetStream

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


def _settings(given: dict[str, Any]) -> Settings:
    """The node's settings: CORRIDOR_* environment variables, overridden by the options given."""
    try:
        return Settings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        raise fail(
            "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()), 2
        ) from None


class _Exchange:
    """The node and, with NATS JetStream, the stream its peer's messages arrive by."""

    def __init__(self, settings: Settings) -> None:
        self.jetstream: NatsJetStream | None = None
        try:
            self.node = self._open(settings)
            self.node.keyring.signing_key()  # a node that could not sign refuses to start
        except SelectionKeyError as exc:
            raise fail(str(exc), EXIT_UNREADABLE) from None
        except KeyringError as exc:
            raise fail(str(exc)) from None
        except InvalidInput as exc:  # a file of an earlier version the node cannot move in
            raise fail(one_line(exc), EXIT_UNREADABLE) from None

    def _open(self, settings: Settings) -> LocalNode:
        if not settings.nats_url:
            return open_node(
                settings.data_dir,
                settings.country,
                settings.db_url,
                settings.peer_urls,
                settings.peer_api_keys,
                db_schema=settings.db_schema,
                selection_key=settings.selection_key_bytes(),
            )
        from corridor.messaging.nats_transport import NatsJetStream

        jetstream = NatsJetStream(settings.nats_url, settings.nats_stream, settings.nats_subject_prefix)
        self.jetstream = jetstream
        return bootstrap_node(
            settings.country,
            settings.data_dir / settings.country,
            jetstream,
            db_url=settings.db_url,
            db_schema=settings.db_schema,
            selection_key=settings.selection_key_bytes(),
        )

    def pass_once(self, country: str) -> bool:
        """One relay pass and one look at the inbox stream; whether anything moved."""
        try:
            report = self.node.relay_once()
        except Exception as exc:  # the relay keeps going; the outbox keeps the messages
            typer.echo(f"relay: {type(exc).__name__}: {exc}", err=True)
            report = None
        taken = 0
        if self.jetstream is not None:
            try:
                taken = self.jetstream.consume(country, self.node.receive)
            except Exception as exc:  # left in the stream for redelivery
                typer.echo(f"inbox: {type(exc).__name__}: {exc}", err=True)
        return (report is not None and report.sent > 0) or taken > 0

    def close(self) -> None:
        self.node.close()
        if self.jetstream is not None:
            self.jetstream.close()


def _relay(moved: Callable[[], bool], interval_s: float, stop: threading.Event) -> threading.Thread:
    """A thread that relays until ``stop``, pausing ``interval_s`` whenever nothing moved."""

    def loop() -> None:
        while not stop.is_set():
            if not moved():
                stop.wait(interval_s)

    worker = threading.Thread(target=loop, name="outbox-relay", daemon=True)
    worker.start()
    return worker


@app.command("serve")
def serve(
    node: MaybeCountry = None,
    db: DbUrl = None,
    db_schema: DbSchema = None,
    port: Annotated[int, typer.Option(help="TCP port")] = 8001,
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    data_dir: MaybeDataDir = None,
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
    settings = _settings(
        {
            "country": node and node.upper(),
            "db_url": db,
            "db_schema": db_schema,
            "data_dir": data_dir,
            "relay_interval_s": relay_interval,
            "peer_urls": _pairs(peer, "--peer") or None,
            "peer_api_keys": _peer_keys(peer_key_file) or None,
            "nats_url": nats_url,
            "log_format": log_format,
        }
    )
    exchange = _Exchange(settings)
    if settings.admin_api_key:
        ensure_api_key(
            exchange.node.uow(),
            "admin",
            "admin",
            "administrator (from CORRIDOR_ADMIN_API_KEY)",
            datetime.now(UTC),
            settings.admin_api_key,
        )
    _run(exchange, settings, host, port)


def _run(exchange: _Exchange, settings: Settings, host: str, port: int) -> None:
    """Serve the API and relay the outbox until the server stops; then close the node."""
    import uvicorn

    from corridor.analytics.frames import warm_up
    from corridor.api.app import create_app

    configure_logging(settings.log_format, settings.log_level)
    warm_up(exchange.node.engine)
    stop = threading.Event()
    worker = _relay(lambda: exchange.pass_once(settings.country), settings.relay_interval_s, stop)
    try:
        uvicorn.run(
            create_app(exchange.node, settings.max_body_bytes), host=host, port=port, log_level="warning"
        )
    finally:
        stop.set()
        worker.join(timeout=5)
        exchange.close()


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
