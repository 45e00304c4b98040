"""A network partition between the two nodes: each node a `corridor node serve` process in a network
namespace of the test's own, joined by a veth pair; the link is set down during a run (no netem
here: a partition is the link down, then up), consignments keep being filed on both sides, the
link heals, and every consignment converges on both nodes, none lost, none applied twice."""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from corridor.demo.samples import SampleCorridor
from tests.e2e.test_two_nodes_http import PEER, cli, stop_processes
from tests.faults.convergence import anomalies

pytestmark = pytest.mark.slow
PORT = 8001  # the same port in each namespace: they do not share one
CONSIGNMENTS = int(os.environ.get("PARTITION_CONSIGNMENTS", "1000"))  # both ways, half each


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


class Namespaces:
    """Namespaces ``IN`` and ``RU``: a link between them (``10.N.M.1`` / ``.2``), and from this
    namespace a management link to each (to file and to watch), which the partition leaves up."""

    def __init__(self) -> None:
        self.tag = secrets.token_hex(3)
        self.ns = {c: f"corr-{c.lower()}-{self.tag}" for c in ("IN", "RU")}
        octet = random.randrange(1, 250)
        self.link = {"IN": f"10.251.{octet}.1", "RU": f"10.251.{octet}.2"}
        self.manage = {
            "IN": (f"10.252.{octet}.1", f"10.252.{octet}.2"),
            "RU": (f"10.253.{octet}.1", f"10.253.{octet}.2"),
        }
        self.link_if = {c: f"cl{c.lower()}{self.tag}" for c in ("IN", "RU")}

    def make(self) -> None:
        for ns in self.ns.values():
            ip("netns", "add", ns)
            ip("-n", ns, "link", "set", "lo", "up")
        ip("link", "add", self.link_if["IN"], "type", "veth", "peer", "name", self.link_if["RU"])
        for country, ns in self.ns.items():
            ip("link", "set", self.link_if[country], "netns", ns)
            ip("-n", ns, "addr", "add", f"{self.link[country]}/24", "dev", self.link_if[country])
            ip("-n", ns, "link", "set", self.link_if[country], "up")
            host, inside = self.manage[country]
            outer, inner = f"cm{country.lower()}{self.tag}", f"cn{country.lower()}{self.tag}"
            ip("link", "add", outer, "type", "veth", "peer", "name", inner)
            ip("link", "set", inner, "netns", ns)
            ip("addr", "add", f"{host}/24", "dev", outer)
            ip("link", "set", outer, "up")
            ip("-n", ns, "addr", "add", f"{inside}/24", "dev", inner)
            ip("-n", ns, "link", "set", inner, "up")

    def cut(self, up: bool) -> None:
        for country, ns in self.ns.items():
            ip("-n", ns, "link", "set", self.link_if[country], "up" if up else "down")

    def remove(self) -> None:
        for ns in self.ns.values():
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=10, check=False)


@pytest.fixture
def namespaces() -> Iterator[Namespaces]:
    if shutil.which("ip") is None:
        pytest.skip("no `ip` command (iproute2) on this machine")
    made = Namespaces()
    try:
        made.make()
    except (subprocess.CalledProcessError, PermissionError) as exc:
        made.remove()
        reason = (
            exc.stderr.decode(errors="replace").strip()
            if isinstance(exc, subprocess.CalledProcessError)
            else exc
        )
        pytest.skip(f"network namespaces cannot be made here: {reason}")
    yield made
    made.remove()


class Pair:
    def __init__(self, data_dir: Path, namespaces: Namespaces) -> None:
        self.data_dir, self.namespaces = data_dir, namespaces
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.officer: dict[str, str] = {}
        for country in ("IN", "RU"):
            (data_dir / f"{country}.keys.json").write_text(
                json.dumps(cli("keys", "export", "--node", country, data_dir=data_dir))
            )
        for country in ("IN", "RU"):
            cli(
                "keys",
                "import",
                str(data_dir / f"{PEER[country]}.keys.json"),
                "--node",
                country,
                data_dir=data_dir,
            )
            key = data_dir / f"{country}-at-{PEER[country]}.key"
            key.touch(mode=0o600)
            key.write_text(f"peer-secret-of-{country}-{secrets.token_hex(12)}")
            cli("node", "apikey", "--node", PEER[country], "--role", "peer", "--party", country,
                "--secret-file", str(key), data_dir=data_dir)  # fmt: skip
            self.officer[country] = cli(
                "node", "apikey", "--node", country, "--role", "officer", "--party", f"{country}-OFFICER-1", data_dir=data_dir
            )["api_key"]  # fmt: skip

    def url(self, country: str) -> str:
        return f"http://{self.namespaces.manage[country][1]}:{PORT}"

    def start(self, country: str) -> None:
        peer = PEER[country]
        command = [
            "ip", "netns", "exec", self.namespaces.ns[country], sys.executable, "-m", "corridor", "node", "serve",
            "--node", country, "--host", "0.0.0.0", "--port", str(PORT), "--data-dir", str(self.data_dir),
            "--peer", f"{peer}=http://{self.namespaces.link[peer]}:{PORT}",
            "--peer-key-file", f"{peer}={self.data_dir / f'{country}-at-{peer}.key'}", "--relay-interval", "0.1",
        ]  # fmt: skip
        self.processes[country] = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "CORRIDOR_ENV": "test"},
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.processes[country].poll() is None, f"node {country} exited early"
            try:
                if httpx.get(f"{self.url(country)}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError(f"node {country} did not start")

    def stop(self) -> None:
        stop_processes(self.processes.values(), timeout=15)

    def call(self, method: str, country: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"x-api-key": self.officer[country]}
        return httpx.request(method, f"{self.url(country)}{path}", headers=headers, timeout=15, **kwargs)

    def file(self, samples: SampleCorridor, filed: dict[str, list[str]], n: int) -> None:
        for i in range(n):
            origin = ("IN", "RU")[i % 2]
            answer = self.call(
                "POST", origin, "/v1/declarations", json=samples.next(origin, datetime.now(UTC))
            )
            assert answer.status_code == 201, answer.text
            declaration = answer.json()
            if declaration["status"] == "under_control":
                path = f"/v1/declarations/{declaration['id']}/clear"
                assert self.call("POST", origin, path, json={"findings": "ok"}).status_code == 200
            filed[origin].append(declaration["id"])

    def waiting(self, filed: dict[str, list[str]]) -> list[str]:
        """The filed declarations whose origin has no acknowledgement from the peer yet (read from
        the nodes' databases: a thousand GETs a second would slow the nodes down)."""
        left = []
        for origin, ids in filed.items():
            engine = create_engine(f"sqlite:///{self.data_dir / origin / 'corridor.sqlite'}")
            try:
                with engine.connect() as conn:
                    acked = {
                        row[0]
                        for row in conn.execute(
                            text("SELECT id FROM declarations WHERE ack IS NOT NULL AND ack != 'null'")
                        )
                    }
            finally:
                engine.dispose()
            left += [d for d in ids if d not in acked]
        return left


def test_a_partition_heals_and_every_consignment_converges(tmp_path: Path, namespaces: Namespaces) -> None:
    pair = Pair(tmp_path, namespaces)
    samples = SampleCorridor(seed=1301)
    filed: dict[str, list[str]] = {"IN": [], "RU": []}
    try:
        pair.start("IN")
        pair.start("RU")
        pair.file(samples, filed, CONSIGNMENTS // 2)
        namespaces.cut(up=False)  # the partition: whatever is in flight now is cut off
        cut_at = time.monotonic()
        pair.file(
            samples, filed, CONSIGNMENTS - CONSIGNMENTS // 2
        )  # both sides keep filing; their relays retry
        stuck_during_cut = len(pair.waiting(filed))
        time.sleep(max(0.0, 4 - (time.monotonic() - cut_at)))
        namespaces.cut(up=True)
        deadline = time.monotonic() + 120
        while (left := pair.waiting(filed)) and time.monotonic() < deadline:
            time.sleep(1)
        assert not left, f"not acknowledged after the partition healed: {left}"
    finally:
        pair.stop()
    engines = {c: create_engine(f"sqlite:///{tmp_path / c / 'corridor.sqlite'}") for c in ("IN", "RU")}
    found = anomalies(engines, filed)
    print(
        {"consignments": CONSIGNMENTS, "waiting_during_partition": stuck_during_cut, "anomalies": len(found)}
    )
    assert stuck_during_cut >= 1
    assert found == [], found[:10]
