"""The HS description check for the benchmarks: a lasting index, built before any timed run."""

from __future__ import annotations

import os
import time
from pathlib import Path


def prepare_hs_index(directory: Path) -> None:
    """Point the nodes (and the processes they start) at a lasting HS index and build it now,
    outside the timed run: a node that had to build it on its first filing would spend minutes
    of one core on it while the clock runs."""
    from corridor.classification.adapters.loader import CACHE_ENV, missing_modules
    from corridor.node.bootstrap import HS_CHECK_SWITCH

    if os.environ.get(HS_CHECK_SWITCH, "on").strip().lower() == "off":
        print(f"HS description check: off ({HS_CHECK_SWITCH}=off)")
        return
    if missing_modules():
        print("HS description check: not run (the [hs] extra is not installed)")
        return
    from corridor.classification.adapters.index import load_ranker

    os.environ.setdefault(CACHE_ENV, str(directory.resolve()))
    started = time.perf_counter()
    load_ranker(Path(os.environ[CACHE_ENV]))
    print(
        f"HS description check: on, index in {os.environ[CACHE_ENV]} ready in {time.perf_counter() - started:.1f} s"
    )
