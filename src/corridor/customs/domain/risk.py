"""Risk assessment: rules are data with effective dates, and each decision records why.

A node assesses every declaration it registers and sends it to a lane:

* ``green``  – release without intervention,
* ``yellow`` – documentary check,
* ``red``    – physical examination.

Rules are plain frozen dataclasses (loaded from YAML by :mod:`corridor.refdata.risk_rules`).
A rule applies when its flow matches the declaration's flow and the declaration date falls within
``valid_from``..``valid_to`` (both inclusive; ``valid_to`` ``None`` means open-ended).

The decision's lane is the most severe lane among the fired rules. An Authorised Economic
Operator (``trader_is_aeo``) is facilitated: rules that fire for an AEO are still recorded, marked
``suppressed_by_aeo``, and only rules with ``overrides_aeo`` (legal controls that apply to every
consignment, such as veterinary control or a prohibition) move an AEO out of the green lane.

Value bands fail closed: an item whose unit value cannot be computed against a band (zero mass or
quantity, or a quantity declared in a unit the band does not cover) fires the band rule, because a
check that cannot be made is not a pass.

Random selection is deterministic: the draw is a keyed BLAKE2b hash of the rule id and the
declaration id, so replaying a declaration gives the same lane. The key is an argument with no
default: each node passes its own secret ``selection_key`` so that a trader cannot predict which
declaration ids are selected.

This module does no I/O and is on the hot path of every declaration: rule lookups (HS prefix sets,
selection thresholds, flow indexes, the rule-set version) are computed once per rule set.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar, Literal, Protocol, TypeAlias

Lane: TypeAlias = Literal["green", "yellow", "red"]
RuleLane: TypeAlias = Literal["yellow", "red"]
Flow: TypeAlias = Literal["export", "import"]
RuleFlow: TypeAlias = Literal["export", "import", "both"]
NodeCountry: TypeAlias = Literal["IN", "RU"]
RuleKind: TypeAlias = Literal[
    "sensitive_hs",
    "unit_value_band",
    "new_trader",
    "origin_country",
    "random_selection",
    "hs_description_mismatch",
]
Basis: TypeAlias = Literal["per_kg", "per_unit"]

LANE_RANK: dict[str, int] = {"green": 0, "yellow": 1, "red": 2}
_LANE_BY_RANK: tuple[Lane, Lane, Lane] = ("green", "yellow", "red")
RULE_LANES: frozenset[str] = frozenset({"yellow", "red"})
RULE_FLOWS: frozenset[str] = frozenset({"export", "import", "both"})
RULE_KINDS: tuple[str, ...] = (
    "sensitive_hs",
    "unit_value_band",
    "new_trader",
    "origin_country",
    "random_selection",
    "hs_description_mismatch",
)

#: BLAKE2b takes keys of 1 to 64 bytes.
MAX_SELECTION_KEY_BYTES = 64
_DRAW_SPACE = 1 << 64  # draws are 64-bit unsigned integers
_FOUR_PLACES = Decimal("0.0001")


def is_hs_prefix(text: str) -> bool:
    """True for a chapter (2 digits) up to a full national line (10 digits)."""
    return 2 <= len(text) <= 10 and text.isascii() and text.isdigit()


def _fmt(value: Decimal) -> str:
    """A Decimal for people: at most four decimal places, no exponent, no trailing zeros."""
    if value.adjusted() > 20:  # too large to quantize in the default context; still readable
        return format(value, "E")
    return format(value.quantize(_FOUR_PLACES).normalize(), "f")


# ---------------------------------------------------------------------------------------------
# What is assessed
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskItem:
    """One goods item as risk sees it (``hs_code`` is the national code: ITC-HS 8 / TN VED 10)."""

    sequence: int
    hs_code: str
    quantity: Decimal
    unit: str
    value_usd: Decimal
    net_mass_kg: Decimal
    description: str = ""

    def __post_init__(self) -> None:
        code = self.hs_code
        if not (6 <= len(code) <= 10 and code.isascii() and code.isdigit()):
            raise ValueError(f"item {self.sequence}: hs_code {code!r} must be 6 to 10 digits")


@dataclass(frozen=True, slots=True)
class RiskSubject:
    """The facts of one declaration that the rules look at."""

    declaration_id: str
    node_country: NodeCountry
    flow: Flow
    trader_id: str
    trader_is_aeo: bool
    trader_prior_declarations: int
    origin_country: str
    items: Sequence[RiskItem]
    on_date: date
    hs_check: HsCheck | None = None  # the node's description check (hs_description_mismatch)


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------


class _PrefixIndex:
    """Set membership on HS prefixes: one slice and one set lookup per distinct prefix length."""

    __slots__ = ("_lengths", "_prefixes")

    def __init__(self, prefixes: Iterable[str]) -> None:
        self._prefixes = frozenset(prefixes)
        # longest first, so the most specific prefix is the one reported
        self._lengths = tuple(sorted({len(p) for p in self._prefixes}, reverse=True))

    def match(self, code: str) -> str | None:
        prefixes = self._prefixes
        for n in self._lengths:
            head = code[:n]
            if head in prefixes:
                return head
        return None

    def __bool__(self) -> bool:
        return bool(self._prefixes)


# (detail for the officer, sequences of the items concerned)
_Hit: TypeAlias = tuple[str, tuple[int, ...]]


def _check_prefixes(rule_id: str, name: str, prefixes: frozenset[str]) -> None:
    for prefix in prefixes:
        if not is_hs_prefix(prefix):
            raise ValueError(f"rule {rule_id}: {name} entry {prefix!r} is not 2 to 10 digits")


@dataclass(frozen=True, slots=True, kw_only=True)
class _RuleBase:
    """Fields every rule has. ``valid_to`` is the last day the rule applies (inclusive)."""

    kind: ClassVar[RuleKind]

    id: str
    description: str
    lane: RuleLane
    valid_from: date
    valid_to: date | None = None
    source: str
    flow: RuleFlow = "both"
    overrides_aeo: bool = False

    def _check_common(self) -> None:
        if not self.id:
            raise ValueError("rule id must not be empty")
        if self.lane not in RULE_LANES:
            raise ValueError(f"rule {self.id}: lane {self.lane!r} must be yellow or red")
        if self.flow not in RULE_FLOWS:
            raise ValueError(f"rule {self.id}: flow {self.flow!r} must be export, import or both")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"rule {self.id}: valid_to {self.valid_to} is before valid_from")
        if not self.source.strip():
            raise ValueError(f"rule {self.id}: source must not be empty")

    def effective_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def applies_to(self, flow: str) -> bool:
        return self.flow == "both" or self.flow == flow

    def _common_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "description": self.description,
            "lane": self.lane,
            "flow": self.flow,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source": self.source,
            "overrides_aeo": self.overrides_aeo,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class SensitiveHsRule(_RuleBase):
    """Fires for any item whose HS code starts with one of ``hs_prefixes`` (chapter, heading, …)."""

    kind: ClassVar[Literal["sensitive_hs"]] = "sensitive_hs"

    hs_prefixes: frozenset[str]
    _index: _PrefixIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check_common()
        if not self.hs_prefixes:
            raise ValueError(f"rule {self.id}: hs_prefixes must not be empty")
        _check_prefixes(self.id, "hs_prefixes", self.hs_prefixes)
        object.__setattr__(self, "_index", _PrefixIndex(self.hs_prefixes))

    def evaluate(self, subject: RiskSubject, selection_key: bytes) -> _Hit | None:
        index = self._index
        parts: list[str] = []
        seqs: list[int] = []
        for item in subject.items:
            prefix = index.match(item.hs_code)
            if prefix is not None:
                parts.append(f"item {item.sequence}: HS {item.hs_code} is within {prefix}")
                seqs.append(item.sequence)
        if not seqs:
            return None
        return "; ".join(parts), tuple(seqs)

    def to_json(self) -> dict[str, Any]:
        return {**self._common_json(), "hs_prefixes": sorted(self.hs_prefixes)}


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitValueBandRule(_RuleBase):
    """Fires for an item under ``hs_prefix`` whose USD value per kg (or per unit) is outside
    [``min_usd``, ``max_usd``] (bounds inclusive; either bound may be absent).

    ``per_unit`` bands name the UN/ECE Rec 20 ``units`` they are stated in; an item in another unit,
    or with zero mass or quantity, cannot be compared and fires (fail closed)."""

    kind: ClassVar[Literal["unit_value_band"]] = "unit_value_band"

    hs_prefix: str
    basis: Basis
    min_usd: Decimal | None = None
    max_usd: Decimal | None = None
    units: frozenset[str] = frozenset()
    _band_text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check_common()
        if not is_hs_prefix(self.hs_prefix):
            raise ValueError(f"rule {self.id}: hs_prefix {self.hs_prefix!r} is not 2 to 10 digits")
        if self.basis not in ("per_kg", "per_unit"):
            raise ValueError(f"rule {self.id}: basis {self.basis!r} must be per_kg or per_unit")
        if self.min_usd is None and self.max_usd is None:
            raise ValueError(f"rule {self.id}: a band needs min_usd, max_usd or both")
        for name, bound in (("min_usd", self.min_usd), ("max_usd", self.max_usd)):
            if bound is not None and (not bound.is_finite() or bound < 0):
                raise ValueError(f"rule {self.id}: {name} must be a finite amount >= 0")
        if self.min_usd is not None and self.max_usd is not None and self.min_usd > self.max_usd:
            raise ValueError(f"rule {self.id}: min_usd {self.min_usd} is above max_usd {self.max_usd}")
        if self.basis == "per_unit" and not self.units:
            raise ValueError(f"rule {self.id}: a per_unit band must list its units")
        if self.basis == "per_kg" and self.units:
            raise ValueError(f"rule {self.id}: a per_kg band takes no units")
        low = _fmt(self.min_usd) if self.min_usd is not None else "no minimum"
        high = _fmt(self.max_usd) if self.max_usd is not None else "no maximum"
        per = "kg" if self.basis == "per_kg" else "/".join(sorted(self.units))
        object.__setattr__(self, "_band_text", f"band {low}–{high} USD per {per}")

    def _check_item(self, item: RiskItem) -> str | None:
        if self.basis == "per_kg":
            per, denominator, what = "kg", item.net_mass_kg, "net mass"
        elif item.unit in self.units:
            per, denominator, what = item.unit, item.quantity, "quantity"
        else:
            return f"quantity declared in {item.unit!r}, not comparable with {self._band_text}"
        if denominator <= 0:
            return f"{what} {denominator} is not positive, not comparable with {self._band_text}"
        unit_value = item.value_usd / denominator
        if self.min_usd is not None and unit_value < self.min_usd:
            side = "below"
        elif self.max_usd is not None and unit_value > self.max_usd:
            side = "above"
        else:
            return None
        return f"declared {_fmt(unit_value)} USD per {per}, {side} {self._band_text}"

    def evaluate(self, subject: RiskSubject, selection_key: bytes) -> _Hit | None:
        prefix, n = self.hs_prefix, len(self.hs_prefix)
        parts: list[str] = []
        seqs: list[int] = []
        for item in subject.items:
            if item.hs_code[:n] != prefix:
                continue
            finding = self._check_item(item)
            if finding is not None:
                parts.append(f"item {item.sequence}: HS {item.hs_code} {finding}")
                seqs.append(item.sequence)
        if not seqs:
            return None
        return "; ".join(parts), tuple(seqs)

    def to_json(self) -> dict[str, Any]:
        return {
            **self._common_json(),
            "hs_prefix": self.hs_prefix,
            "basis": self.basis,
            "min_usd": str(self.min_usd) if self.min_usd is not None else None,
            "max_usd": str(self.max_usd) if self.max_usd is not None else None,
            "units": sorted(self.units),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class NewTraderRule(_RuleBase):
    """Fires when the trader has fewer than ``min_prior_declarations`` earlier declarations."""

    kind: ClassVar[Literal["new_trader"]] = "new_trader"

    min_prior_declarations: int

    def __post_init__(self) -> None:
        self._check_common()
        if self.min_prior_declarations < 1:
            raise ValueError(f"rule {self.id}: min_prior_declarations must be at least 1")

    def evaluate(self, subject: RiskSubject, selection_key: bytes) -> _Hit | None:
        prior = subject.trader_prior_declarations
        if prior >= self.min_prior_declarations:
            return None
        detail = (
            f"trader {subject.trader_id} has {prior} prior declarations, "
            f"fewer than {self.min_prior_declarations}"
        )
        return detail, ()

    def to_json(self) -> dict[str, Any]:
        return {**self._common_json(), "min_prior_declarations": self.min_prior_declarations}


@dataclass(frozen=True, slots=True, kw_only=True)
class OriginCountryRule(_RuleBase):
    """Fires when the declared origin (ISO 3166 alpha-2) is listed; with ``hs_prefixes`` only for
    items under those prefixes (an empty set means every item)."""

    kind: ClassVar[Literal["origin_country"]] = "origin_country"

    countries: frozenset[str]
    hs_prefixes: frozenset[str] = frozenset()
    _index: _PrefixIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check_common()
        if not self.countries:
            raise ValueError(f"rule {self.id}: countries must not be empty")
        for country in self.countries:
            if not (len(country) == 2 and country.isascii() and country.isalpha() and country.isupper()):
                raise ValueError(f"rule {self.id}: country {country!r} is not ISO 3166 alpha-2")
        _check_prefixes(self.id, "hs_prefixes", self.hs_prefixes)
        object.__setattr__(self, "_index", _PrefixIndex(self.hs_prefixes))

    def evaluate(self, subject: RiskSubject, selection_key: bytes) -> _Hit | None:
        origin = subject.origin_country
        if origin not in self.countries:
            return None
        if not self._index:
            return f"origin {origin} is listed", ()
        index = self._index
        seqs = tuple(item.sequence for item in subject.items if index.match(item.hs_code) is not None)
        if not seqs:
            return None
        items = ", ".join(str(s) for s in seqs)
        return f"origin {origin} is listed for the goods of item(s) {items}", seqs

    def to_json(self) -> dict[str, Any]:
        return {
            **self._common_json(),
            "countries": sorted(self.countries),
            "hs_prefixes": sorted(self.hs_prefixes),
        }


def selection_draw(declaration_id: str, rule_id: str, key: bytes) -> int:
    """A uniform 64-bit draw from a keyed BLAKE2b hash of the rule id and the declaration id."""
    message = f"{rule_id}\x1f{declaration_id}".encode()
    return int.from_bytes(hashlib.blake2b(message, digest_size=8, key=key).digest(), "big")


@dataclass(frozen=True, slots=True, kw_only=True)
class RandomSelectionRule(_RuleBase):
    """Selects a ``share`` (0..1) of declarations, deterministically per declaration id."""

    kind: ClassVar[Literal["random_selection"]] = "random_selection"

    share: Decimal
    _threshold: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check_common()
        if not self.share.is_finite() or not Decimal(0) <= self.share <= Decimal(1):
            raise ValueError(f"rule {self.id}: share {self.share} must be between 0 and 1")
        # draw < threshold  <=>  draw / 2**64 < share; exact integer arithmetic
        object.__setattr__(self, "_threshold", int(self.share * _DRAW_SPACE))

    def evaluate(self, subject: RiskSubject, selection_key: bytes) -> _Hit | None:
        draw = selection_draw(subject.declaration_id, self.id, selection_key)
        if draw >= self._threshold:
            return None
        point = _fmt(Decimal(draw) / _DRAW_SPACE)
        return f"random selection: draw {point} is below share {_fmt(self.share)}", ()

    def to_json(self) -> dict[str, Any]:
        return {**self._common_json(), "share": str(self.share)}


# ---------------------------------------------------------------------------------------------
# Declared code against the goods description: the check itself is the node's (a classifier,
# corridor.classification.check); the rule holds its threshold and effective dates.
# ---------------------------------------------------------------------------------------------


class HsVerdict(Protocol):
    @property
    def available(self) -> bool: ...

    @property
    def flagged(self) -> bool: ...

    @property
    def detail(self) -> str: ...


class HsCheck(Protocol):
    def check(self, description: str, declared_code: str, min_confidence: float) -> HsVerdict: ...

    def unavailable_reason(self) -> str | None:
        """Why the check cannot run on this node (then the rule is inert), or None."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class HsMismatchRule(_RuleBase):
    """Fires for an item whose declared heading the node's classifier confidently contradicts
    (best heading's confidence at least ``min_confidence``); inert where the node has no check."""

    kind: ClassVar[Literal["hs_description_mismatch"]] = "hs_description_mismatch"

    min_confidence: Decimal

    def __post_init__(self) -> None:
        self._check_common()
        if not self.min_confidence.is_finite() or not Decimal(0) <= self.min_confidence <= Decimal(1):
            raise ValueError(f"rule {self.id}: min_confidence {self.min_confidence} must be between 0 and 1")

    def evaluate(self, subject: RiskSubject, selection_key: bytes) -> _Hit | None:
        if subject.hs_check is None:
            return None
        parts: list[str] = []
        seqs: list[int] = []
        for item in subject.items:
            verdict = subject.hs_check.check(item.description, item.hs_code, float(self.min_confidence))
            if verdict.flagged:
                parts.append(f"item {item.sequence}: {verdict.detail}")
                seqs.append(item.sequence)
        if not seqs:
            return None
        return "; ".join(parts), tuple(seqs)

    def to_json(self) -> dict[str, Any]:
        return {**self._common_json(), "min_confidence": str(self.min_confidence)}


Rule: TypeAlias = (
    SensitiveHsRule
    | UnitValueBandRule
    | NewTraderRule
    | OriginCountryRule
    | RandomSelectionRule
    | HsMismatchRule
)


# ---------------------------------------------------------------------------------------------
# Rule sets and decisions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Rules prepared for assessment: indexed by flow, with a version that fingerprints them."""

    rules: tuple[Rule, ...]
    version: str
    export_rules: tuple[Rule, ...]
    import_rules: tuple[Rule, ...]

    def for_flow(self, flow: str) -> tuple[Rule, ...]:
        if flow == "export":
            return self.export_rules
        if flow == "import":
            return self.import_rules
        raise ValueError(f"flow {flow!r} must be export or import")


def rules_version(rules: Iterable[Rule]) -> str:
    """A short fingerprint of the rules' content: equal rule sets give equal versions."""
    canonical = json.dumps([r.to_json() for r in rules], sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode(), digest_size=8).hexdigest()


@lru_cache(maxsize=64)
def _compile(rules: tuple[Rule, ...]) -> RuleSet:
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ValueError(f"rule id {rule.id!r} appears more than once")
        seen.add(rule.id)
    return RuleSet(
        rules=rules,
        version=rules_version(rules),
        export_rules=tuple(r for r in rules if r.applies_to("export")),
        import_rules=tuple(r for r in rules if r.applies_to("import")),
    )


def compile_rules(rules: Iterable[Rule]) -> RuleSet:
    """Prepare rules once (cached per distinct tuple of rules); ids must be unique."""
    return _compile(tuple(rules))


@dataclass(frozen=True, slots=True)
class FiredRule:
    """A rule that fired, with what it saw (``items`` are the goods item sequences concerned)."""

    rule_id: str
    kind: RuleKind
    lane: RuleLane
    description: str
    detail: str
    source: str
    suppressed_by_aeo: bool
    items: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "kind": self.kind,
            "lane": self.lane,
            "description": self.description,
            "detail": self.detail,
            "source": self.source,
            "suppressed_by_aeo": self.suppressed_by_aeo,
            "items": list(self.items),
        }


@dataclass(frozen=True, slots=True)
class RiskDecision:
    lane: Lane
    fired: tuple[FiredRule, ...]
    rules_version: str

    def to_json(self) -> dict[str, Any]:
        return {
            "lane": self.lane,
            "rules_version": self.rules_version,
            "fired": [f.to_json() for f in self.fired],
        }


def assess(
    subject: RiskSubject,
    rules: RuleSet | Iterable[Rule],
    *,
    selection_key: bytes,
) -> RiskDecision:
    """Apply the rules effective on ``subject.on_date`` for its flow and choose the lane; random
    selection draws with the node's secret ``selection_key``."""
    ruleset = rules if isinstance(rules, RuleSet) else compile_rules(rules)
    on = subject.on_date
    aeo = subject.trader_is_aeo
    worst = 0
    fired: list[FiredRule] = []
    for rule in ruleset.for_flow(subject.flow):
        if on < rule.valid_from or (rule.valid_to is not None and on > rule.valid_to):
            continue
        hit = rule.evaluate(subject, selection_key)
        if hit is None:
            continue
        suppressed = aeo and not rule.overrides_aeo
        if not suppressed:
            rank = LANE_RANK[rule.lane]
            if rank > worst:
                worst = rank
        detail, items = hit
        fired.append(
            FiredRule(
                rule_id=rule.id,
                kind=rule.kind,
                lane=rule.lane,
                description=rule.description,
                detail=detail,
                source=rule.source,
                suppressed_by_aeo=suppressed,
                items=items,
            )
        )
    return RiskDecision(lane=_LANE_BY_RANK[worst], fired=tuple(fired), rules_version=ruleset.version)
