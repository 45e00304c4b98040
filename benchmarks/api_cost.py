"""What one filing costs a node's API process, against an earlier revision measured in the same run.

    python benchmarks/api_cost.py [--filings N] [--against REV]

Starts two single-process nodes on SQLite (`corridor node serve --no-relay`): one runs this
checkout's code, the other the code of git revision REV (default HEAD~1, checked out in a
temporary git worktree). One client files the same sample export declarations at both, one
request to each in turn, so that whatever else the machine does slows both alike; each node's
CPU time (user and system, read from Linux's /proc) is divided by the filings. Prints the CPU a
filing of each, the ratio this checkout / REV, and the mean request time. HS check off.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from corridor.cli.common import local_node
from corridor.demo.samples import SampleCorridor
from corridor.service.auth import create_api_key

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
WARM_UP = 30


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@contextmanager
def worktree(revision: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(path), revision], check=True
        )
        try:
            yield path
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False)


class Server:
    def __init__(self, source: Path | None, data_dir: Path) -> None:
        with local_node(data_dir, "IN") as node:
            self.key = create_api_key(node.uow(), "officer", "IN-OFFICER-1", "bench", datetime.now(UTC))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {
            **os.environ,
            "CORRIDOR_ENV": "test",
            "CORRIDOR_LOG_LEVEL": "WARNING",
            "CORRIDOR_HS_CHECK": "off",
        }
        if source is not None:
            env["PYTHONPATH"] = str(source / "src")  # ahead of this checkout's installed package
        self.url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable,
            "-m",
            "corridor",
            "node",
            "serve",
            "--node",
            "IN",
            "--data-dir",
            str(data_dir),
        ]
        self.process = subprocess.Popen([*command, "--port", str(port), "--no-relay"], env=env)

    def wait_ready(self, http: httpx.Client) -> None:
        for _ in range(300):
            try:
                if http.get(f"{self.url}/readyz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the node at {self.url} did not start")

    def file(self, http: httpx.Client, document: dict[str, object]) -> float:
        started = time.perf_counter()
        answer = http.post(f"{self.url}/v1/declarations", json=document, headers={"x-api-key": self.key})
        if answer.status_code != 201:
            raise SystemExit(f"filing at {self.url}: HTTP {answer.status_code} {answer.text[:200]}")
        return time.perf_counter() - started

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--filings", type=int, default=500)
    parser.add_argument("--against", default="HEAD~1", help="git revision to compare with")
    args = parser.parse_args()
    samples = SampleCorridor(1)
    now = datetime.now(UTC)
    documents = [samples.next("IN", now) for _ in range(args.filings + WARM_UP)]
    with worktree(args.against) as source, tempfile.TemporaryDirectory() as tmp:
        servers = {
            "this checkout": Server(None, Path(tmp) / "new"),
            args.against: Server(source, Path(tmp) / "old"),
        }
        try:
            with httpx.Client(timeout=30) as http:
                for server in servers.values():
                    server.wait_ready(http)
                    for document in documents[:WARM_UP]:
                        server.file(http, document)
                before = {name: cpu_seconds(s.process.pid) for name, s in servers.items()}
                took = dict.fromkeys(servers, 0.0)
                for document in documents[WARM_UP:]:
                    for name, server in servers.items():
                        took[name] += server.file(http, document)
                after = {name: cpu_seconds(s.process.pid) for name, s in servers.items()}
        finally:
            for server in servers.values():
                server.stop()
    per = {name: (after[name] - before[name]) / args.filings * 1000 for name in servers}
    for name in servers:
        print(
            f"{name:>16}: {per[name]:.2f} ms of the node's CPU a filing, "
            f"request {took[name] / args.filings * 1000:.2f} ms on average"
        )
    new, old = per.values()
    print(f"ratio this checkout / {args.against}: {new / old:.3f} ({args.filings} filings each, interleaved)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
