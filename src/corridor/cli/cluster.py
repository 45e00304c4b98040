"""cluster up: both nodes' processes on one machine, each node its API workers and its relay, started
and stopped together (Procfile-style; no containers)."""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from corridor.cli.common import EXIT_UNREADABLE, DataDir, DbUrl, fail, local_node, read_secret_file
from corridor.node.bootstrap import introduce
from corridor.service.auth import ensure_api_key
from corridor.shared.private import create_private_file, private_directory

app = typer.Typer(help="Run both nodes' processes on this machine.")

STOP_GRACE_S = 10.0  # a process not gone this long after SIGTERM is killed


def parse_nodes(value: str) -> list[str]:
    nodes = [part.strip().upper() for part in value.split(",") if part.strip()]
    if not nodes or any(n not in ("IN", "RU") for n in nodes) or len(set(nodes)) != len(nodes):
        raise fail(f"--nodes: {value!r} is not a list of distinct nodes among IN, RU (e.g. IN,RU)", 2)
    return nodes


@dataclass
class Member:
    """One node's processes and where they listen."""

    country: str
    api_port: int
    relay_metrics_port: int
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def where(self) -> dict[str, Any]:
        api = f"http://127.0.0.1:{self.api_port}"
        return {
            "node": self.country,
            "api": api,
            "healthz": f"{api}/healthz",
            "readyz": f"{api}/readyz",
            "metrics": f"{api}/metrics",
            "relay_metrics": f"http://127.0.0.1:{self.relay_metrics_port}/metrics",
            "pids": [p.pid for p in self.processes],
        }


def peer_key_file(data_dir: Path, country: str, peer: str) -> Path:
    """The file holding ``country``'s API key at ``peer`` (made once, mode 0600)."""
    path = data_dir / "cluster" / f"{country}-at-{peer}.key"
    if not path.exists():
        private_directory(path.parent)
        create_private_file(path)
        path.write_text(f"ck_{secrets.token_urlsafe(32)}\n")
    return path


def provision(data_dir: Path, nodes: list[str], db: str | None, schemas: dict[str, str | None]) -> None:
    """Each node trusts the other's keys and knows the other's key at it (idempotent)."""
    with ExitStack() as stack:
        opened = {c: stack.enter_context(local_node(data_dir, c, db, schemas[c])) for c in nodes}
        if len(nodes) == 2:
            introduce(opened["IN"], opened["RU"])
            for country in nodes:
                peer = "RU" if country == "IN" else "IN"
                secret = read_secret_file(peer_key_file(data_dir, country, peer), "peer key")
                ensure_api_key(
                    opened[peer].uow(), "peer", country, f"peer {country}", datetime.now(UTC), secret
                )


def _common(
    country: str, data_dir: Path, db: str | None, schema: str | None, nats_url: str | None
) -> list[str]:
    args = ["--node", country, "--data-dir", str(data_dir)]
    if db:
        args += ["--db", db]
    if schema:
        args += ["--db-schema", schema]
    if nats_url:
        args += ["--nats-url", nats_url]
    return args


def _exchange_args(
    member: Member, members: dict[str, Member], data_dir: Path, nats_url: str | None
) -> list[str]:
    if nats_url:
        return []
    args = []
    for peer in members.values():
        if peer.country != member.country:
            args += ["--peer", f"{peer.country}=http://127.0.0.1:{peer.api_port}"]
            args += [
                "--peer-key-file",
                f"{peer.country}={peer_key_file(data_dir, member.country, peer.country)}",
            ]
    return args


def start(member: Member, common: list[str], exchange: list[str], workers: int) -> None:
    corridor = [sys.executable, "-m", "corridor", "node"]
    commands = [
        [
            *corridor,
            "serve",
            *common,
            "--port",
            str(member.api_port),
            "--workers",
            str(workers),
            "--no-relay",
        ],
        [*corridor, "relay", *common, *exchange, "--metrics-port", str(member.relay_metrics_port)],
    ]
    for command in commands:
        member.processes.append(subprocess.Popen(command, stdout=sys.stderr.fileno()))


def _role(process: subprocess.Popen[bytes]) -> str:
    args = list(process.args) if isinstance(process.args, list) else []
    return f"node {args[4]}" if len(args) > 4 else "process"


def wait_ready(members: list[Member], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    for member in members:
        while True:
            for process in member.processes:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"node {member.country}: {_role(process)} exited with {process.returncode}"
                    )
            try:
                if httpx.get(f"http://127.0.0.1:{member.api_port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"node {member.country}: no answer at /healthz after {timeout_s:.0f} s")
            time.sleep(0.2)


def stop_all(members: list[Member]) -> None:
    """SIGTERM to every process, then SIGKILL to any still running after the grace period."""
    running = [p for m in members for p in m.processes if p.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@app.command("up")
def up(
    nodes: Annotated[str, typer.Option(help="Nodes to run, e.g. IN,RU")] = "IN,RU",
    data_dir: DataDir = Path("corridor-data"),
    db: DbUrl = None,
    db_schema: Annotated[
        str | None, typer.Option(help="PostgreSQL schema prefix: node IN uses PREFIX_in, RU PREFIX_ru")
    ] = None,
    nats_url: Annotated[str | None, typer.Option(help="Exchange over NATS JetStream instead of HTTP")] = None,
    port: Annotated[
        int, typer.Option(min=1, max=65000, help="API port of the first node; the next gets +1")
    ] = 8001,
    metrics_port: Annotated[
        int, typer.Option(min=1, max=65000, help="Relay metrics port of the first node")
    ] = 9101,
    workers: Annotated[int, typer.Option(min=1, max=64, help="API worker processes per node")] = 2,
    run_for: Annotated[
        float | None, typer.Option("--for", min=0.1, help="Stop by itself after this many seconds")
    ] = None,
    start_timeout: Annotated[
        float, typer.Option(min=1, help="Seconds to wait for every node to answer /healthz")
    ] = 180.0,
) -> None:
    """Start each node's API workers and relay, print where they listen (one JSON object per node),
    and stop them all on Ctrl-C or SIGTERM (or after --for seconds)."""
    countries = parse_nodes(nodes)
    prefix = db_schema or ("corridor" if db and db.startswith("postgresql") else None)
    schemas = {c: f"{prefix}_{c.lower()}" if prefix else None for c in countries}
    try:
        provision(data_dir, countries, db, schemas)
    except (OSError, ValueError) as exc:
        raise fail(f"cluster: cannot provision the nodes: {exc}", EXIT_UNREADABLE) from None
    members = {c: Member(c, port + i, metrics_port + i) for i, c in enumerate(countries)}
    stopping: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    failed = None
    try:
        for member in members.values():
            common = _common(member.country, data_dir, db, schemas[member.country], nats_url)
            start(member, common, _exchange_args(member, members, data_dir, nats_url), workers)
        wait_ready(list(members.values()), start_timeout)
        for member in members.values():
            typer.echo(json.dumps(member.where()))
        failed = _supervise(list(members.values()), stopping, run_for)
    except RuntimeError as exc:
        failed = str(exc)
    finally:
        stop_all(list(members.values()))
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if failed:
        raise fail(f"cluster: {failed}")
    typer.echo(json.dumps({"stopped": [m.country for m in members.values()]}))


def _supervise(members: list[Member], stopping: list[int], run_for: float | None) -> str | None:
    """Wait for a signal, the end of ``run_for``, or a process that exits (which stops them all)."""
    deadline = None if run_for is None else time.monotonic() + run_for
    while not stopping and (deadline is None or time.monotonic() < deadline):
        for member in members:
            for process in member.processes:
                if process.poll() is not None:
                    return f"node {member.country}: {_role(process)} exited with {process.returncode}"
        time.sleep(0.2)
    return None
