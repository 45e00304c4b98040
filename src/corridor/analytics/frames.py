"""The node's extract kept in memory between page views and brought up to date incrementally: only
declarations changed and stages added since the last look are read again."""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine

from corridor.analytics import extract


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
    """The latest ``Frames`` of one database (thread-safe)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rates = extract.usd_rates()
        self._lock = threading.Lock()
        self._frames: Frames | None = None

    def current(self) -> Frames:
        with self._lock:
            version = extract.data_version(self.engine)
            if self._frames is None or self._frames.version != version:
                self._frames = self._refresh(version, self._frames)
            return self._frames

    def _refresh(self, version: tuple[object, ...], old: Frames | None) -> Frames:
        since = (
            old.declarations.select(pl.col("updated_at").max()).item()
            if old and old.declarations.height
            else None
        )
        last_stage = old.stages.select(pl.col("row").max()).item() if old and old.stages.height else 0
        changed, items = extract.decode(
            extract.read_declarations(self.engine, since), extract.read_items(self.engine, since)
        )
        items = extract.in_usd(items, self.rates)
        stages = extract.read_stages(self.engine, last_stage or 0)
        if old is not None:
            ids = changed.select("id")
            changed = pl.concat(
                [old.declarations.join(ids, on="id", how="anti"), changed], how="vertical_relaxed"
            )
            items = pl.concat([old.items.join(ids, on="id", how="anti"), items], how="vertical_relaxed")
            stages = pl.concat([old.stages, stages])
        settled = extract.settled_in_usd(extract.read_settled(self.engine), self.rates)
        rejections = extract.read_rejections(self.engine)
        return Frames(version, changed, items, stages, rejections, self.rates.sample, settled)


_caches: weakref.WeakKeyDictionary[Engine, FrameCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def frames_of(engine: Engine) -> Frames:
    """The up-to-date frames of ``engine``'s database (one cache per engine)."""
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = FrameCache(engine)
    return cache.current()


def warm_up(engine: Engine) -> threading.Thread:
    """Read the extract in the background (a server calls this on start, so that the first view
    of the dashboard does not wait for a large database's first read)."""

    def read() -> None:
        try:
            frames_of(engine)
        except Exception:  # the first page view reads it again and shows the error
            logging.getLogger(__name__).warning("analytics extract could not be read at start", exc_info=True)

    worker = threading.Thread(target=read, name="analytics-warm-up", daemon=True)
    worker.start()
    return worker
