"""WCO Time Release Study statistics, pure.

Release time = arrival -> release (hours), as in the WCO TRS Guide and India's NTRS. Per group: count,
mean, p50 / p90 / p99 (nearest-rank percentiles: the smallest value with at least q % of values at or
below it), and the shares released at or before arrival (<= 0 h), within 24 h and within 48 h.
Door-to-door per route: mean / p50 / p90 of first departure -> arrival at the final destination.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from corridor.customs.domain.vocabulary import StageName

# The stages a consignment passes at its entry port, in the order the TRS table shows them.
TRS_STAGES = (
    StageName.ARRIVAL,
    StageName.LODGEMENT,
    StageName.REGISTRATION,
    StageName.ASSESSMENT,
    StageName.EXAMINATION,
    StageName.DUTY_PAYMENT,
    StageName.RELEASE,
    StageName.EXIT,
)


@dataclass(frozen=True, slots=True)
class ReleaseRecord:
    """One consignment's TRS outcome in one scenario."""

    scenario: str  # "baseline" or "corridor"
    consignment_id: str
    route_id: str
    direction: str
    port: str  # customs entry port UN/LOCODE
    port_type: str  # seaport / air
    lane: str
    release_h: float  # arrival -> release
    door_to_door_h: float
    stages_h: tuple[float | None, ...] = ()  # hours from arrival for each of TRS_STAGES (None if skipped)


@dataclass(frozen=True, slots=True)
class TrsRow:
    scenario: str
    group: tuple[str, ...]
    n: int
    mean_h: float
    p50_h: float
    p90_h: float
    p99_h: float
    share_at_arrival: float
    share_24h: float
    share_48h: float


@dataclass(frozen=True, slots=True)
class DoorRow:
    scenario: str
    route_id: str
    n: int
    mean_h: float
    p50_h: float
    p90_h: float


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (0 < q <= 100)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < q <= 100:
        raise ValueError("q must be in (0, 100]")
    ordered = sorted(values)
    rank = math.ceil(q / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


def summarize(values: Sequence[float]) -> tuple[float, float, float, float, float, float, float]:
    """(mean, p50, p90, p99, share <= 0 h, share <= 24 h, share <= 48 h)."""
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    return (
        sum(values) / n,
        percentile(values, 50),
        percentile(values, 90),
        percentile(values, 99),
        sum(1 for v in values if v <= 1e-9) / n,
        sum(1 for v in values if v <= 24) / n,
        sum(1 for v in values if v <= 48) / n,
    )


def trs_table(
    records: Iterable[ReleaseRecord],
    key: Callable[[ReleaseRecord], tuple[str, ...]] = lambda r: (r.port, r.lane),
) -> list[TrsRow]:
    """One row per (scenario, key) group, sorted."""
    groups: dict[tuple[str, tuple[str, ...]], list[float]] = defaultdict(list)
    for r in records:
        groups[(r.scenario, key(r))].append(r.release_h)
    rows = []
    for (scenario, group), values in sorted(groups.items()):
        mean, p50, p90, p99, s0, s24, s48 = summarize(values)
        rows.append(TrsRow(scenario, group, len(values), mean, p50, p90, p99, s0, s24, s48))
    return rows


def door_to_door(records: Iterable[ReleaseRecord]) -> list[DoorRow]:
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in records:
        groups[(r.scenario, r.route_id)].append(r.door_to_door_h)
    return [
        DoorRow(s, route_id, len(v), sum(v) / len(v), percentile(v, 50), percentile(v, 90))
        for (s, route_id), v in sorted(groups.items())
    ]


def mean_release(records: Iterable[ReleaseRecord], scenario: str, port_type: str | None = None) -> float:
    values = [
        r.release_h
        for r in records
        if r.scenario == scenario and (port_type is None or r.port_type == port_type)
    ]
    if not values:
        raise ValueError(f"no records for {scenario} {port_type or ''}")
    return sum(values) / len(values)
