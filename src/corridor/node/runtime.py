"""Tuning of a long-running node process: Python's cyclic garbage collector.

A node process loads its code, reference data and code lists once and keeps them until it ends,
while each filing or received batch allocates tens of thousands of short-lived objects (parsed
JSON, validated models, SQL parameters). CPython's defaults (a young collection every 700 net
allocations, the oldest generation rescanned as it grows) spend a measurable part of a filing
re-scanning the long-lived objects. Once started, a node process therefore moves what it has
loaded out of the collector's view (``gc.freeze``) and collects the young generation less often.
Reference cycles are still collected; only their cadence changes.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000  # net allocations between young collections (CPython's default: 700)
OLDER_THRESHOLDS = (50, 100)  # young collections per middle one, middle per full (default 10, 10)


def settle_after_startup() -> None:
    """Call once the process has loaded what it keeps for its lifetime."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
