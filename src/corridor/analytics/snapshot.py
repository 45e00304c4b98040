"""The extract kept on disk in the node's data directory, so that a new process (a restarted
server, a second worker) starts from it and reads from the database only what changed since.

Layout, under ``<data dir>/analytics/``: one Parquet file per frame, named by the snapshot's
token, and ``extract.json`` naming the token, the snapshot's format, the database it was read
from, the exchange rates its USD values were converted at and the data version it covers. The
frames are written first and ``extract.json`` last (each written whole and renamed into place),
so a reader finds a complete snapshot or the previous one. A snapshot of another format, another
database, other rates, with a frame missing, unreadable or of another schema is ignored (the
caller reads the extract again and writes a new one)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

FORMAT = 1
"""Raised whenever the frames' columns or their meaning change: older snapshots are then ignored."""
META = "extract.json"
FRAMES = ("declarations", "items", "stages", "rejections", "settled")
GRACE_S = 60
"""A previous snapshot's files are removed once this old (a reader may still be reading them)."""
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Snapshot:
    version: tuple[object, ...]
    frames: dict[str, pl.DataFrame]


def load(folder: Path, identity: str, schemas: dict[str, pl.Schema]) -> Snapshot | None:
    """The snapshot in ``folder`` when it was read from the database ``identity`` names and its
    frames have ``schemas``; None when there is none or it cannot be used (the reason is logged)."""
    try:
        meta = json.loads((folder / META).read_text("utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            return _ignored(folder, "of another format")
        if meta.get("identity") != identity:
            return _ignored(folder, "of another database or other exchange rates")
        token, version = meta["token"], meta["version"]
        if not isinstance(token, str) or not token.isalnum() or not isinstance(version, list):
            return _ignored(folder, "with an unreadable description")
        frames = {name: pl.read_parquet(folder / _file(token, name)) for name in FRAMES}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, pl.exceptions.PolarsError) as exc:
        return _ignored(folder, f"that cannot be read ({type(exc).__name__}: {str(exc)[:200]})")
    for name, frame in frames.items():
        if frame.schema != schemas[name]:
            return _ignored(folder, f"whose {name} frame has other columns")
    return Snapshot(tuple(version), frames)


def _ignored(folder: Path, why: str) -> Snapshot | None:
    log.warning("analytics snapshot in %s ignored: a snapshot %s; the extract is read again", folder, why)
    return None


def save(folder: Path, identity: str, snapshot: Snapshot) -> bool:
    """Write ``snapshot`` as the current one in ``folder``; False when another process is writing
    one at this moment (this one is then skipped)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _writer_lock(folder) as locked:
        if not locked:
            return False
        token = secrets.token_hex(8)
        for name in FRAMES:
            _write(folder, _file(token, name), lambda f, n=name: snapshot.frames[n].write_parquet(f))
        meta = {"format": FORMAT, "identity": identity, "token": token, "version": list(snapshot.version)}
        body = json.dumps(meta, default=str).encode("utf-8")
        _write(folder, META, lambda f: f.write(body))
        _remove_others(folder, token)
    return True


def _file(token: str, name: str) -> str:
    return f"extract-{token}-{name}.parquet"


def _write(folder: Path, name: str, write: Any) -> None:
    """``name`` written whole (0600) under a draft name, synced, then renamed into place."""
    draft = folder / f".{name}.{secrets.token_hex(4)}.draft"
    try:
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(draft, folder / name)
    finally:
        draft.unlink(missing_ok=True)


def _remove_others(folder: Path, token: str) -> None:
    """Files of previous snapshots and drafts left by a process that stopped while writing."""
    now = time.time()
    for path in folder.iterdir():
        other = path.name.startswith("extract-") and f"-{token}-" not in path.name
        if (other or path.name.endswith(".draft")) and now - path.stat().st_mtime > GRACE_S:
            path.unlink(missing_ok=True)


@contextlib.contextmanager
def _writer_lock(folder: Path) -> Iterator[bool]:
    """One writer at a time across the node's processes (an advisory lock on ``.lock``)."""
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
