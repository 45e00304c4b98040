"""A node's data directory and everything in it are for its own user only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import bootstrap_node


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask, so that only explicit modes keep files private."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_a_new_node_keeps_its_directory_0700_and_its_files_0600(tmp_path: Path) -> None:
    data = tmp_path / "corridor-data"
    node = bootstrap_node("IN", data / "IN", InProcessTransport())
    try:
        node.keyring.rotate()
        with node.uow() as uow:  # the connection stays open: SQLite's -wal and -shm files exist
            uow.commit()
        files = {p: mode(p) for p in (data / "IN").rglob("*") if p.is_file()}
    finally:
        node.close()
    for directory in (data, data / "IN", data / "IN" / "keys"):
        assert mode(directory) == 0o700, directory
    names = {p.name for p in files}
    assert names >= {"corridor.sqlite", "corridor.sqlite-wal", "corridor.sqlite-shm", "selection.key"}, names
    assert len([p for p in files if p.suffix == ".pem"]) == 2
    assert {p.name: m for p, m in files.items() if m != 0o600} == {}


@pytest.mark.usefixtures("open_umask")
def test_an_existing_open_node_directory_is_closed(tmp_path: Path) -> None:
    node_dir = tmp_path / "IN"
    node_dir.mkdir(mode=0o755)
    bootstrap_node("IN", node_dir, InProcessTransport()).close()
    assert mode(node_dir) == 0o700
