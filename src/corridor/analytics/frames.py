"""The node's extract kept in memory between page views and brought up to date incrementally: only
declarations changed and stages added since the last look are read again."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import polars as pl
from sqlalchemy import Connection, Engine

from corridor.analytics import extract, snapshot

log = logging.getLogger(__name__)
SNAPSHOT_FOLDER = "analytics"
SAVE_INTERVAL_S = 30.0
SAVE_DELAY_S = 2.0
"""The snapshot is written this long after the refresh that asked for it, not while the page that
caused the refresh is still being built."""
OVERLAP = timedelta(minutes=2)
"""Declarations changed this long before the latest change already read are read again: a
transaction that committed after a later one is not missed."""


@dataclass(frozen=True, slots=True)
class Frames:
    version: tuple[object, ...]
    declarations: pl.DataFrame
    items: pl.DataFrame
    stages: pl.DataFrame
    rejections: pl.DataFrame
    rates_are_sample: bool
    settled: pl.DataFrame  # invoice payments posted on the ledger, per currency


class FrameCache:
    """The latest ``Frames`` of one database (thread-safe). With a ``folder`` (in the node's data
    directory) the frames are also kept on disk: a new process starts from that snapshot and reads
    only what changed since; each refresh writes it again in the background, at most once every
    ``SAVE_INTERVAL_S``, ``save_delay_s`` after the refresh."""

    def __init__(
        self, engine: Engine, folder: Path | None = None, save_delay_s: float = SAVE_DELAY_S
    ) -> None:
        self.engine = engine
        self.save_delay_s = save_delay_s
        self.rates = extract.usd_rates()
        self.folder = folder
        self._lock = threading.Lock()
        self._frames: Frames | None = None
        self._identity: str | None = None
        self._saved_at: float | None = None
        self._writer: threading.Thread | None = None

    def current(self) -> Frames:
        with self._lock, extract.one_state(self.engine) as conn:
            version = extract.data_version(conn)
            if self._frames is None and self.folder is not None:
                self._frames = self._from_snapshot(self.folder)
            if self._frames is None or self._frames.version != version:
                self._frames = self._refresh(conn, version, self._frames)
                self._save_later(self._frames)
            return self._frames

    def flush(self, timeout: float = 30.0) -> None:
        """Wait for the snapshot to be written, if one is due."""
        writer = self._writer
        if writer is not None:
            writer.join(timeout)

    def _refresh(self, conn: Connection, version: extract.DataVersion, old: Frames | None) -> Frames:
        """``old`` brought up to ``version``: declarations changed since its latest change (less a
        margin, for transactions that committed late) and stages added after its last row; the
        whole extract again when ``old`` lacks rows the database has."""
        since = (
            old.declarations.select(pl.col("updated_at").max()).item() - OVERLAP
            if old and old.declarations.height
            else None
        )
        last_stage = old.stages.select(pl.col("row").max()).item() if old and old.stages.height else 0
        changed, items = extract.decode(
            extract.read_declarations(conn, since), extract.read_items(conn, since)
        )
        items = extract.in_usd(items, self.rates)
        stages = extract.read_stages(conn, last_stage or 0)
        if old is not None:
            ids = changed.select("id")
            changed = pl.concat(
                [old.declarations.join(ids, on="id", how="anti"), changed], how="vertical_relaxed"
            )
            items = pl.concat([old.items.join(ids, on="id", how="anti"), items], how="vertical_relaxed")
            stages = pl.concat([old.stages, stages])
            if changed.height < version.declarations or stages.height < version.stages:
                return self._refresh(conn, version, None)
        settled = extract.settled_in_usd(extract.read_settled(conn), self.rates)
        rejections = extract.read_rejections(conn)
        return Frames(version, changed, items, stages, rejections, self.rates.sample, settled)

    def _snapshot_identity(self) -> str | None:
        """The database and exchange rates a snapshot must have been made from (None: no snapshot,
        as for an in-memory database or one whose identity cannot be read)."""
        if self._identity is None:
            try:
                database = extract.database_identity(self.engine)
            except Exception:  # the snapshot is an optimisation: without it the extract is read
                log.warning(
                    "analytics snapshot not used: the database's identity cannot be read", exc_info=True
                )
                self.folder = None
                return None
            if database is None:
                return None
            rates = hashlib.sha256(self.rates.frame.write_csv().encode("utf-8")).hexdigest()[:16]
            self._identity = f"{database} rates:{rates}"
        return self._identity

    def _from_snapshot(self, folder: Path) -> Frames | None:
        identity = self._snapshot_identity()
        if identity is None:
            return None
        found = snapshot.load(folder, identity, frame_schemas(self.rates))
        if found is None:
            return None
        f = found.frames
        counts = _counts(found.version)
        if counts is None or f["declarations"].height < counts[0] or f["stages"].height < counts[1]:
            log.warning("analytics snapshot in %s ignored: fewer rows than its version counts", folder)
            return None
        return Frames(
            found.version, f["declarations"], f["items"], f["stages"], f["rejections"], self.rates.sample,
            f["settled"],
        )  # fmt: skip

    def _save_later(self, frames: Frames) -> None:
        folder, identity = self.folder, self._snapshot_identity() if self.folder else None
        if folder is None or identity is None or (self._writer is not None and self._writer.is_alive()):
            return
        if self._saved_at is not None and time.monotonic() - self._saved_at < SAVE_INTERVAL_S:
            return
        self._saved_at = time.monotonic()
        taken = snapshot.Snapshot(
            frames.version,
            {name: getattr(frames, name) for name in snapshot.FRAMES},
        )

        def write() -> None:
            try:
                snapshot.save(folder, identity, taken)
            except Exception:  # the next process reads the extract from the database instead
                log.warning("analytics snapshot not written", exc_info=True)

        self._writer = threading.Timer(self.save_delay_s, write)
        self._writer.name, self._writer.daemon = "analytics-snapshot", True
        self._writer.start()


def _counts(version: tuple[object, ...]) -> tuple[int, int] | None:
    """The declarations and stages a data version counts (None: not a version)."""
    if len(version) != len(extract.DataVersion._fields):
        return None
    declarations, stages = version[0], version[3]
    return (declarations, stages) if isinstance(declarations, int) and isinstance(stages, int) else None


def frame_schemas(rates: extract.UsdRates) -> dict[str, pl.Schema]:
    """The columns of each frame, as the extract makes them."""
    declarations, items = extract.decode(
        pl.DataFrame(schema=extract.DECLARATION_SCHEMA), pl.DataFrame(schema=extract.ITEM_SCHEMA)
    )
    settled = extract.settled_in_usd(pl.DataFrame(schema=extract.SETTLED_SCHEMA), rates)
    return {
        "declarations": declarations.schema,
        "items": extract.in_usd(items, rates).schema,
        "stages": pl.Schema(extract.STAGE_SCHEMA),
        "rejections": pl.Schema(extract.REJECTION_SCHEMA),
        "settled": settled.schema,
    }


_caches: weakref.WeakKeyDictionary[Engine, FrameCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_of(engine: Engine, data_dir: Path | None = None) -> FrameCache:
    """The cache of ``engine``'s database (one per engine); with ``data_dir``, the first call keeps
    its snapshot in ``data_dir/analytics``."""
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            folder = data_dir / SNAPSHOT_FOLDER if data_dir is not None else None
            cache = _caches[engine] = FrameCache(engine, folder)
    return cache


def frames_of(engine: Engine, data_dir: Path | None = None) -> Frames:
    """The up-to-date frames of ``engine``'s database (see ``cache_of``)."""
    return cache_of(engine, data_dir).current()


def warm_up(engine: Engine, data_dir: Path | None = None) -> threading.Thread:
    """Read the extract in the background (a server calls this on start, so that the first view
    of the dashboard does not wait for a large database's first read)."""

    def read() -> None:
        try:
            frames_of(engine, data_dir)
        except Exception:  # the first page view reads it again and shows the error
            log.warning("analytics extract could not be read at start", exc_info=True)

    worker = threading.Thread(target=read, name="analytics-warm-up", daemon=True)
    worker.start()
    return worker
