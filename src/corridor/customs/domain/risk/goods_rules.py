"""Rules on the goods: sensitive HS codes, unit-value bands, and listed origins."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Literal

from corridor.customs.domain.risk.rule_base import Hit, PrefixIndex, RuleBase, RuleJson, check_prefixes
from corridor.customs.domain.risk.subject import RiskItem, RiskSubject
from corridor.customs.domain.risk.vocabulary import Basis, format_amount, is_hs_prefix


class SensitiveHsJson(RuleJson):
    hs_prefixes: list[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class SensitiveHsRule(RuleBase):
    """Fires for any item whose HS code starts with one of ``hs_prefixes`` (chapter, heading, …)."""

    kind: ClassVar[Literal["sensitive_hs"]] = "sensitive_hs"

    hs_prefixes: frozenset[str]
    _index: PrefixIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check_common()
        if not self.hs_prefixes:
            raise ValueError(f"rule {self.id}: hs_prefixes must not be empty")
        check_prefixes(self.id, "hs_prefixes", self.hs_prefixes)
        object.__setattr__(self, "_index", PrefixIndex(self.hs_prefixes))

    def evaluate(self, subject: RiskSubject, selection_key: bytes) -> Hit | None:
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

    def to_json(self) -> SensitiveHsJson:
        return {**self._common_json(), "hs_prefixes": sorted(self.hs_prefixes)}


class UnitValueBandJson(RuleJson):
    hs_prefix: str
    basis: str
    min_usd: str | None
    max_usd: str | None
    units: list[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitValueBandRule(RuleBase):
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
        low = format_amount(self.min_usd) if self.min_usd is not None else "no minimum"
        high = format_amount(self.max_usd) if self.max_usd is not None else "no maximum"
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
        return f"declared {format_amount(unit_value)} USD per {per}, {side} {self._band_text}"

    def evaluate(self, subject: RiskSubject, selection_key: bytes) -> Hit | None:
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

    def to_json(self) -> UnitValueBandJson:
        return {
            **self._common_json(),
            "hs_prefix": self.hs_prefix,
            "basis": self.basis,
            "min_usd": str(self.min_usd) if self.min_usd is not None else None,
            "max_usd": str(self.max_usd) if self.max_usd is not None else None,
            "units": sorted(self.units),
        }


class OriginCountryJson(RuleJson):
    countries: list[str]
    hs_prefixes: list[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class OriginCountryRule(RuleBase):
    """Fires when the declared origin (ISO 3166 alpha-2) is listed; with ``hs_prefixes`` only for
    items under those prefixes (an empty set means every item)."""

    kind: ClassVar[Literal["origin_country"]] = "origin_country"

    countries: frozenset[str]
    hs_prefixes: frozenset[str] = frozenset()
    _index: PrefixIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check_common()
        if not self.countries:
            raise ValueError(f"rule {self.id}: countries must not be empty")
        for country in self.countries:
            if not (len(country) == 2 and country.isascii() and country.isalpha() and country.isupper()):
                raise ValueError(f"rule {self.id}: country {country!r} is not ISO 3166 alpha-2")
        check_prefixes(self.id, "hs_prefixes", self.hs_prefixes)
        object.__setattr__(self, "_index", PrefixIndex(self.hs_prefixes))

    def evaluate(self, subject: RiskSubject, selection_key: bytes) -> Hit | None:
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

    def to_json(self) -> OriginCountryJson:
        return {
            **self._common_json(),
            "countries": sorted(self.countries),
            "hs_prefixes": sorted(self.hs_prefixes),
        }
