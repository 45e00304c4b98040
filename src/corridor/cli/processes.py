"""A node's processes: API workers (one, or several under uvicorn's supervisor) and the relay /
consumer that moves its outbox to the peer and, with NATS JetStream, its inbox stream into the node.

The API workers of ``corridor node serve --workers N`` are started by uvicorn in fresh interpreters:
each opens the node from the ``CORRIDOR_*`` environment the serving command sets from its options,
and counts its metrics in a directory of its own under ``PROMETHEUS_MULTIPROC_DIR`` so that
``/metrics`` of any worker adds all of them up."""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from pydantic import SecretStr

from corridor.cli.common import EXIT_UNREADABLE, fail, one_line, open_node
from corridor.config import Settings
from corridor.messaging.keys import KeyringError
from corridor.node.bootstrap import Node as LocalNode
from corridor.node.bootstrap import bootstrap_node, hs_check_on
from corridor.node.runtime import settle_after_startup
from corridor.node.selection_key import SelectionKeyError
from corridor.observability.process import ObservedTransport, observe_pass, observe_races_lost
from corridor.shared.errors import InvalidInput
from corridor.shared.logs import configure_logging

if TYPE_CHECKING:
    from fastapi import FastAPI

    from corridor.messaging.nats_transport import NatsJetStream


class Exchange:
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
        self.node.relay.transport = ObservedTransport(self.node.relay.transport)
        self.node.bus.on_race_lost = observe_races_lost

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
        from nats.errors import Error as NatsError

        from corridor.messaging.nats_transport import NatsJetStream

        try:
            jetstream = NatsJetStream(settings.nats_url, settings.nats_stream, settings.nats_subject_prefix)
        except (OSError, TimeoutError, NatsError) as exc:  # unreachable or refused: one line
            raise fail(f"--nats-url: cannot reach {settings.nats_url} ({type(exc).__name__})") from None
        self.jetstream = jetstream
        return bootstrap_node(
            settings.country,
            settings.data_dir / settings.country,
            jetstream,
            db_url=settings.db_url,
            db_schema=settings.db_schema,
            selection_key=settings.selection_key_bytes(),
        )

    def relay_pass(self, country: str) -> bool:
        """One relay pass over the outbox; whether anything was sent."""
        try:
            report = self.node.relay_once()
        except Exception as exc:  # the relay keeps going; the outbox keeps the messages
            typer.echo(f"relay: {type(exc).__name__}: {exc}", err=True)
            return False
        observe_pass(country, report)
        return report.sent > 0

    def inbox_pass(self, country: str) -> bool:
        """One look at the inbox stream, which waits a moment for messages to arrive (a long poll):
        whether to look again at once, which is always but after an error."""
        assert self.jetstream is not None
        try:
            self.jetstream.consume(country, self.node.receive_many)
        except Exception as exc:  # left in the stream for redelivery
            typer.echo(f"inbox: {type(exc).__name__}: {exc}", err=True)
            return False
        return True

    def start_loops(self, country: str, interval_s: float, stop: threading.Event) -> list[threading.Thread]:
        """The outbox relay and, with NATS JetStream, the inbox consumer, each in a thread of its
        own: the consumer's wait for messages never holds back the outbox, nor the relay's pause
        the inbox."""
        loops = [loop_thread(lambda: self.relay_pass(country), interval_s, stop, "outbox-relay")]
        if self.jetstream is not None:
            loops.append(loop_thread(lambda: self.inbox_pass(country), interval_s, stop, "inbox-consumer"))
        return loops

    def api(self, settings: Settings) -> FastAPI:
        """The node's API, once this process has loaded what it keeps for its lifetime: the
        analytics snapshot another process wrote (if any), the classifier (in the background);
        then the garbage collector settles."""
        from corridor.analytics.frames import warm_up
        from corridor.api.app import create_app

        warm_up(self.node.engine, self.node.data_dir)
        self.warm_up_classifier()
        token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
        app = create_app(
            self.node, settings.max_body_bytes, token, settings.api_key_cache_s, settings.group_commit_max
        )
        settle_after_startup()
        return app

    def warm_up_classifier(self) -> None:
        """With the description check on, the classifier loads in the background as the process
        starts: its first filing or received declaration does not wait for the model. Once
        loaded, what it keeps is moved out of the garbage collector's view like the rest."""
        if hs_check_on():
            self.node.hs.warm_up(then=settle_after_startup)

    def close(self) -> None:
        self.node.close()
        if self.jetstream is not None:
            self.jetstream.close()


def loop_thread(
    moved: Callable[[], bool], interval_s: float, stop: threading.Event, name: str
) -> threading.Thread:
    """A thread that runs ``moved`` until ``stop``, pausing ``interval_s`` whenever nothing moved."""

    def loop() -> None:
        while not stop.is_set():
            if not moved():
                stop.wait(interval_s)

    worker = threading.Thread(target=loop, name=name, daemon=True)
    worker.start()
    return worker


def settings_environment(settings: Settings) -> dict[str, str]:
    """The ``CORRIDOR_*`` variables from which a worker process reads the same settings."""
    found: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        found[f"CORRIDOR_{name.upper()}"] = json.dumps(value) if isinstance(value, dict) else str(value)
    return found


@contextmanager
def metrics_directory() -> Iterator[str]:
    """A private directory where the workers count their metrics, removed afterwards."""
    path = tempfile.mkdtemp(prefix="corridor-metrics-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def worker_app() -> FastAPI:
    """One API worker (uvicorn's factory): the node from the environment, no relay in it."""
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    exchange = Exchange(settings)
    app = exchange.api(settings)
    app.router.on_shutdown.append(exchange.close)
    return app


def serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Several API workers on one port under uvicorn's supervisor (it stops them on SIGINT/SIGTERM)."""
    import uvicorn

    with metrics_directory() as directory:
        os.environ.update(settings_environment(settings))
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        uvicorn.run(
            f"{__name__}:worker_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )


def run_relay(exchange: Exchange, settings: Settings, metrics: tuple[str, int] | None) -> None:
    """Relay the outbox and take the inbox stream until SIGINT or SIGTERM; then close the node."""
    stop = threading.Event()

    def stop_on(signum: int, _frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, stop_on) for sig in (signal.SIGINT, signal.SIGTERM)}
    if metrics is not None:
        from prometheus_client import start_http_server

        try:
            start_http_server(metrics[1], addr=metrics[0])
        except OSError as exc:  # taken or not ours: one line, not a traceback
            raise fail(
                f"--metrics-port: cannot listen on {metrics[0]}:{metrics[1]} ({exc.strerror})"
            ) from None
    exchange.warm_up_classifier()  # with NATS, the pre-arrival messages are applied here
    settle_after_startup()
    loops = exchange.start_loops(settings.country, settings.relay_interval_s, stop)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        stop.set()
        for loop in loops:
            loop.join(timeout=10)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        exchange.close()
