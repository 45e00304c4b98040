"""India <-> Russia routes as data (``data/routes.yaml``): legs with mode, UN/LOCODEs, typical duration
(triangular min / mode / max hours) and the source of each figure."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml

MODES = frozenset({"sea", "canal", "rail", "road", "air"})


@dataclass(frozen=True, slots=True)
class Leg:
    mode: str
    origin: str
    destination: str
    min_h: float
    mode_h: float
    max_h: float
    source: str

    def reversed(self) -> Leg:
        return Leg(self.mode, self.destination, self.origin, self.min_h, self.mode_h, self.max_h, self.source)


@dataclass(frozen=True, slots=True)
class Route:
    id: str
    name: str
    corridor: str
    entry: str  # customs entry port (UN/LOCODE) in the direction of the legs
    port_type: str  # "seaport" or "air" (TRS reporting category)
    legs: tuple[Leg, ...]
    direction: str = "IN-RU"

    @property
    def origin(self) -> str:
        return self.legs[0].origin

    @property
    def destination(self) -> str:
        return self.legs[-1].destination

    @property
    def entry_leg_index(self) -> int:
        """Index of the leg that arrives at the customs entry port."""
        return next(i for i, leg in enumerate(self.legs) if leg.destination == self.entry)

    @property
    def typical_hours(self) -> float:
        return sum(leg.mode_h for leg in self.legs)

    def locodes(self) -> list[str]:
        return [self.legs[0].origin] + [leg.destination for leg in self.legs]


def _parse(doc: dict[str, Any]) -> tuple[dict[str, str], list[Route]]:
    sources: dict[str, str] = {k: " ".join(str(v).split()) for k, v in doc["sources"].items()}
    routes: list[Route] = []
    for r in doc["routes"]:
        legs = []
        for leg in r["legs"]:
            if leg["mode"] not in MODES:
                raise ValueError(f"route {r['id']}: unknown mode {leg['mode']!r}")
            if leg["source"] not in sources:
                raise ValueError(f"route {r['id']}: leg source {leg['source']!r} is not in sources")
            lo, mo, hi = float(leg["min_h"]), float(leg["mode_h"]), float(leg["max_h"])
            if not 0 < lo <= mo <= hi:
                raise ValueError(f"route {r['id']}: durations need 0 < min <= mode <= max")
            legs.append(Leg(leg["mode"], leg["from"], leg["to"], lo, mo, hi, leg["source"]))
        for a, b in pairwise(legs):
            if a.destination != b.origin:
                raise ValueError(f"route {r['id']}: leg {a.destination} does not connect to {b.origin}")
        fwd = Route(r["id"], r["name"], r["corridor"], r["entry"], r["port_type"], tuple(legs), "IN-RU")
        back_legs = tuple(leg.reversed() for leg in reversed(legs))
        back = Route(
            r["id"] + "-rev", r["name"] + " (reverse)", r["corridor"], r["reverse_entry"], r["port_type"],
            back_legs, "RU-IN",
        )  # fmt: skip
        for route in (fwd, back):
            if route.entry not in route.locodes()[1:]:
                raise ValueError(f"route {route.id}: entry {route.entry} is not on the route")
            routes.append(route)
    return sources, routes


@cache
def load_routes() -> tuple[dict[str, str], tuple[Route, ...]]:
    """(sources by key, routes in both directions) from the packaged routes.yaml."""
    text = resources.files("corridor.logistics").joinpath("data/routes.yaml").read_text(encoding="utf-8")
    sources, routes = _parse(yaml.safe_load(text))
    return sources, tuple(routes)


def routes() -> tuple[Route, ...]:
    return load_routes()[1]


def route(route_id: str) -> Route:
    for r in routes():
        if r.id == route_id:
            return r
    raise KeyError(route_id)
