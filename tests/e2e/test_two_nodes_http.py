"""Two node processes on loopback exchange signed envelopes over HTTP; a node killed mid-run and
started again loses nothing and duplicates nothing."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from corridor.demo.samples import SampleCorridor

pytestmark = pytest.mark.slow
PEER = {"IN": "RU", "RU": "IN"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_processes(processes: Iterable[subprocess.Popen[Any]], timeout: float) -> None:
    """SIGTERM to each, then wait up to ``timeout`` for each; one that does not stop is killed."""
    processes = list(processes)
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()


def cli(*args: str, data_dir: Path) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "corridor", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


class TwoNodes:
    """IN and RU as separate `corridor node serve` processes, provisioned as an operator would."""

    def __init__(self, data_dir: Path, nats: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.nats = nats  # CORRIDOR_NATS_* settings: exchange over JetStream instead of HTTP
        self.ports = {"IN": free_port(), "RU": free_port()}
        self.urls = {c: f"http://127.0.0.1:{p}" for c, p in self.ports.items()}
        self.peer_secret = {c: f"peer-secret-of-{c}-0123456789abcdef" for c in ("IN", "RU")}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        for country in ("IN", "RU"):
            exported = cli("keys", "export", "--node", country, data_dir=data_dir)
            (data_dir / f"{country}.keys.json").write_text(json.dumps(exported))
        for country in ("IN", "RU"):
            cli(
                "keys",
                "import",
                str(data_dir / f"{PEER[country]}.keys.json"),
                "--node",
                country,
                data_dir=data_dir,
            )
        self.officer = {}
        for country in ("IN", "RU"):
            cli(
                "node",
                "apikey",
                "--country",
                country,
                "--role",
                "peer",
                "--party",
                PEER[country],
                "--secret",
                self.peer_secret[PEER[country]],
                data_dir=data_dir,
            )
            self.officer[country] = cli(
                "node",
                "apikey",
                "--country",
                country,
                "--role",
                "officer",
                "--party",
                f"{country}-OFFICER-1",
                data_dir=data_dir,
            )["api_key"]

    def start(self, country: str) -> None:
        """IN reads its key at RU from a file (mode 0600), RU its key at IN from the environment:
        neither appears on the command line."""
        peer = PEER[country]
        secret = self.peer_secret[country]
        key_args: list[str] = []
        key_env: dict[str, str] = {}
        if country == "IN":
            key_file = self.data_dir / f"{country}-at-{peer}.key"
            key_file.touch(mode=0o600)
            key_file.write_text(secret + "\n")
            key_args = ["--peer-key-file", f"{peer}={key_file}"]
        else:
            key_env = {"CORRIDOR_PEER_API_KEYS": json.dumps({peer: secret})}
        self.processes[country] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "corridor",
                "node",
                "serve",
                "--country",
                country,
                "--port",
                str(self.ports[country]),
                "--data-dir",
                str(self.data_dir),
                "--peer",
                f"{peer}={self.urls[peer]}",
                *key_args,
                "--relay-interval",
                "0.1",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "CORRIDOR_ENV": "test", **(self.nats or {}), **key_env},
        )
        assert secret not in " ".join(map(str, self.processes[country].args))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.processes[country].poll() is None, f"node {country} exited early"
            try:
                if httpx.get(f"{self.urls[country]}/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"node {country} did not become healthy")

    def kill(self, country: str) -> None:
        """SIGKILL: no shutdown handler runs, as when a machine loses power."""
        process = self.processes.pop(country)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        stop_processes(self.processes.values(), timeout=10)

    def call(self, method: str, country: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(
            method,
            f"{self.urls[country]}{path}",
            headers={"x-api-key": self.officer[country]},
            timeout=10,
            **kwargs,
        )

    def file(self, origin: str, document: dict[str, Any]) -> str:
        response = self.call("POST", origin, "/v1/declarations", json=document)
        assert response.status_code == 201, response.text
        declaration = response.json()
        if declaration["status"] == "under_control":
            cleared = self.call(
                "POST",
                origin,
                f"/v1/declarations/{declaration['id']}/clear",
                json={"findings": "documents checked"},
            )
            assert cleared.status_code == 200, cleared.text
        return str(declaration["id"])

    def wait_acknowledged(self, filed: dict[str, list[str]], seconds: float = 40) -> None:
        pending = {(o, i) for o, ids in filed.items() for i in ids}
        deadline = time.monotonic() + seconds
        while pending and time.monotonic() < deadline:
            for origin, declaration_id in list(pending):
                got = self.call("GET", origin, f"/v1/declarations/{declaration_id}").json()
                if got["acknowledgement"]:
                    assert got["acknowledgement"]["status"] == "accepted"
                    assert got["peer_declaration_id"]
                    pending.discard((origin, declaration_id))
            time.sleep(0.2)
        assert not pending, f"not acknowledged over HTTP: {pending}"

    def imports_at(self, destination: str) -> list[str]:
        items = self.call("GET", destination, "/v1/declarations", params={"limit": 500}).json()["items"]
        return sorted(d["peer_declaration_id"] for d in items if d["flow"] == "import")


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[TwoNodes]:
    pair = TwoNodes(tmp_path)
    try:
        pair.start("IN")
        pair.start("RU")
        yield pair
    finally:
        pair.stop_all()


def test_two_processes_exchange_over_http(nodes: TwoNodes) -> None:
    samples = SampleCorridor(seed=31)
    filed: dict[str, list[str]] = {"IN": [], "RU": []}
    for origin in ("IN", "RU", "IN", "RU"):
        filed[origin].append(nodes.file(origin, samples.next(origin, datetime.now(UTC))))
    nodes.wait_acknowledged(filed)
    assert nodes.imports_at("RU") == sorted(filed["IN"])
    assert nodes.imports_at("IN") == sorted(filed["RU"])


def test_a_killed_node_restarts_and_nothing_is_lost_or_duplicated(nodes: TwoNodes) -> None:
    samples = SampleCorridor(seed=32)
    filed: dict[str, list[str]] = {"IN": [], "RU": []}
    filed["IN"].append(nodes.file("IN", samples.next("IN", datetime.now(UTC))))
    nodes.wait_acknowledged(filed)
    nodes.kill("RU")  # the destination dies; India keeps filing, its relay keeps retrying
    for _ in range(3):
        filed["IN"].append(nodes.file("IN", samples.next("IN", datetime.now(UTC))))
    time.sleep(1.0)
    nodes.kill("IN")  # the origin dies too, with undelivered messages in its outbox
    nodes.start("RU")
    nodes.start("IN")
    filed["RU"].append(nodes.file("RU", samples.next("RU", datetime.now(UTC))))
    nodes.wait_acknowledged(filed)
    assert nodes.imports_at("RU") == sorted(filed["IN"])  # each export built into exactly one import
    assert nodes.imports_at("IN") == sorted(filed["RU"])


def refusals(nodes: TwoNodes, origin: str) -> str:
    """The peer's reasons for refusing the origin's messages, as its outbox records them (a refusal
    may be retried or final, so both kinds are read)."""
    found = [
        m["last_error"] or ""
        for status in ("pending", "dead")
        for m in cli("outbox", "list", "--status", status, "--node", origin, data_dir=nodes.data_dir)
    ]
    return "\n".join(found)


def test_keys_revoked_or_rotated_by_the_cli_count_at_once_in_running_servers(nodes: TwoNodes) -> None:
    samples = SampleCorridor(seed=34)
    first = nodes.file("IN", samples.next("IN", datetime.now(UTC)))
    nodes.wait_acknowledged({"IN": [first]})
    [old_key] = [
        k["key_id"]
        for k in cli("keys", "list", "--node", "IN", data_dir=nodes.data_dir)
        if k["node"] == "IN" and k["status"] == "active"
    ]

    # revoked at RU while RU's server runs: India's next message is refused, with the reason
    cli("keys", "revoke", old_key, "--node", "RU", data_dir=nodes.data_dir)
    refused = nodes.file("IN", samples.next("IN", datetime.now(UTC)))
    reason = f"key {old_key!r} is revoked"
    deadline = time.monotonic() + 40
    while reason not in refusals(nodes, "IN") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert reason in refusals(nodes, "IN")
    assert refused not in nodes.imports_at("RU")

    # rotated at IN while IN's server runs: its next message carries the new key, which RU takes
    rotated = cli("keys", "rotate", "--node", "IN", data_dir=nodes.data_dir)["key_id"]
    exported = cli("keys", "export", "--node", "IN", data_dir=nodes.data_dir)
    (nodes.data_dir / "IN.rotated.json").write_text(json.dumps(exported))
    cli("keys", "import", str(nodes.data_dir / "IN.rotated.json"), "--node", "RU", data_dir=nodes.data_dir)
    after = nodes.file("IN", samples.next("IN", datetime.now(UTC)))
    nodes.wait_acknowledged({"IN": [after]})
    assert signed_with(nodes, "IN", after) == rotated != old_key


def signed_with(nodes: TwoNodes, origin: str, declaration_id: str) -> str:
    """The key id on the pre-arrival message of a declaration, as its node's outbox holds it."""
    db = sqlite3.connect(nodes.data_dir / origin / "corridor.sqlite")
    try:
        rows = db.execute("SELECT envelope FROM outbox WHERE type = 'customs.prearrival.v1'").fetchall()
    finally:
        db.close()
    envelopes = [json.loads(row[0]) for row in rows]
    [key_id] = [
        e["header"]["key_id"] for e in envelopes if e["body"]["export_declaration_id"] == declaration_id
    ]
    return str(key_id)


@pytest.mark.nats
def test_two_processes_exchange_over_nats_jetstream(tmp_path: Path) -> None:
    from corridor.messaging.nats_transport import NatsJetStream
    from tests.conftest import service_missing

    suffix = os.urandom(4).hex()
    settings = {
        "CORRIDOR_NATS_URL": "nats://127.0.0.1:4222",
        "CORRIDOR_NATS_STREAM": f"CORRIDOR_E2E_{suffix}",
        "CORRIDOR_NATS_SUBJECT_PREFIX": f"corridor-e2e-{suffix}",
    }
    try:
        admin = NatsJetStream(
            settings["CORRIDOR_NATS_URL"],
            settings["CORRIDOR_NATS_STREAM"],
            settings["CORRIDOR_NATS_SUBJECT_PREFIX"],
            timeout=3,
        )
    except Exception as exc:  # not reachable here
        service_missing(f"NATS JetStream not reachable: {type(exc).__name__}")
    pair = TwoNodes(tmp_path, nats=settings)
    try:
        pair.start("IN")
        pair.start("RU")
        samples = SampleCorridor(seed=33)
        filed = {
            "IN": [pair.file("IN", samples.next("IN", datetime.now(UTC)))],
            "RU": [pair.file("RU", samples.next("RU", datetime.now(UTC)))],
        }
        pair.wait_acknowledged(filed)
        assert pair.imports_at("RU") == filed["IN"] and pair.imports_at("IN") == filed["RU"]
    finally:
        pair.stop_all()
        admin.delete_stream()
        admin.close()
