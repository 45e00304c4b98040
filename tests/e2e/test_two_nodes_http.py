"""Two node processes on loopback exchange signed envelopes over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from corridor.demo.samples import SampleCorridor

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def wait_healthy(url: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        assert process.poll() is None, "node process exited early"
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not become healthy")


@pytest.fixture
def two_nodes(tmp_path: Path) -> Iterator[dict[str, Any]]:
    ports = {"IN": free_port(), "RU": free_port()}
    urls = {c: f"http://127.0.0.1:{p}" for c, p in ports.items()}
    for country in ("IN", "RU"):
        (tmp_path / f"{country}.keys.json").write_text(
            json.dumps(cli("keys", "export", "--node", country, data_dir=tmp_path))
        )
    cli("keys", "import", str(tmp_path / "RU.keys.json"), "--node", "IN", data_dir=tmp_path)
    cli("keys", "import", str(tmp_path / "IN.keys.json"), "--node", "RU", data_dir=tmp_path)
    peer_secret = {c: f"peer-secret-of-{c}-0123456789abcdef" for c in ("IN", "RU")}
    officer = {}
    for country, peer in (("IN", "RU"), ("RU", "IN")):
        cli(
            "node",
            "apikey",
            "--country",
            country,
            "--role",
            "peer",
            "--party",
            peer,
            "--secret",
            peer_secret[peer],
            data_dir=tmp_path,
        )
        officer[country] = cli(
            "node",
            "apikey",
            "--country",
            country,
            "--role",
            "officer",
            "--party",
            f"{country}-OFFICER-1",
            data_dir=tmp_path,
        )["api_key"]
    processes = {}
    for country, peer in (("IN", "RU"), ("RU", "IN")):
        processes[country] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "corridor",
                "node",
                "serve",
                "--country",
                country,
                "--port",
                str(ports[country]),
                "--data-dir",
                str(tmp_path),
                "--peer",
                f"{peer}={urls[peer]}",
                "--peer-key",
                f"{peer}={peer_secret[country]}",
                "--relay-interval",
                "0.1",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "CORRIDOR_ENV": "test"},
        )
    try:
        deadline = time.monotonic() + 30
        for country in ("IN", "RU"):
            wait_healthy(urls[country], processes[country], deadline)
        yield {"urls": urls, "officer": officer}
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_two_processes_exchange_over_http(two_nodes: dict[str, Any]) -> None:
    urls, officer = two_nodes["urls"], two_nodes["officer"]
    samples = SampleCorridor(seed=31)
    filed: dict[str, list[str]] = {"IN": [], "RU": []}
    with httpx.Client(timeout=10) as client:
        for origin in ("IN", "RU", "IN", "RU"):
            headers = {"x-api-key": officer[origin]}
            response = client.post(
                f"{urls[origin]}/v1/declarations",
                json=samples.next(origin, datetime.now(UTC)),
                headers=headers,
            )
            assert response.status_code == 201, response.text
            declaration = response.json()
            if declaration["status"] == "under_control":
                cleared = client.post(
                    f"{urls[origin]}/v1/declarations/{declaration['id']}/clear",
                    json={"findings": "documents checked"},
                    headers=headers,
                )
                assert cleared.status_code == 200, cleared.text
            filed[origin].append(declaration["id"])
        deadline = time.monotonic() + 30
        pending = {(o, i) for o, ids in filed.items() for i in ids}
        while pending and time.monotonic() < deadline:
            for origin, declaration_id in list(pending):
                got = client.get(
                    f"{urls[origin]}/v1/declarations/{declaration_id}", headers={"x-api-key": officer[origin]}
                ).json()
                if got["acknowledgement"]:
                    assert got["acknowledgement"]["status"] == "accepted"
                    assert got["peer_declaration_id"]
                    pending.discard((origin, declaration_id))
            time.sleep(0.2)
        assert not pending, f"not acknowledged over HTTP: {pending}"
        for destination, origin in (("RU", "IN"), ("IN", "RU")):
            imports = client.get(
                f"{urls[destination]}/v1/declarations", headers={"x-api-key": officer[destination]}
            ).json()["items"]
            assert sorted(d["peer_declaration_id"] for d in imports if d["flow"] == "import") == sorted(
                filed[origin]
            )
