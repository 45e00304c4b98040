"""Risk rules of each node, shipped as YAML in ``data/risk_rules_<country>.yaml``.

A file is a mapping ``{country, description, rules: [...]}``; each rule is a mapping with the
fields of one rule kind of :mod:`corridor.customs.domain.risk`::

    - id: RU-IMP-VET-CONTROL          # unique in the file
      kind: sensitive_hs              # sensitive_hs | unit_value_band | new_trader | origin_country
                                      # | random_selection | hs_description_mismatch
      flow: import                    # export | import | both
      lane: yellow                    # yellow (documents) | red (physical examination)
      description: ...
      source: ...                     # law or practice reference, or "sample rule for demonstration"
      valid_from: 2025-01-01
      valid_to: null                  # optional, last day the rule applies (inclusive)
      overrides_aeo: true             # optional, default false
      hs_prefixes: ["0306"]           # kind-specific fields; HS codes are quoted strings

Every problem is reported as a :class:`~corridor.shared.errors.FieldError` whose path names the
file, the rule's index and the field (``risk_rules_RU.yaml:rules[3].lane``) and whose reason starts
with the rule id; all problems of a file are raised together as ``InvalidInput``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

import pycountry
import yaml

from corridor.customs.domain.risk import (
    RULE_FLOWS,
    RULE_KINDS,
    RULE_LANES,
    Basis,
    HsMismatchRule,
    NewTraderRule,
    OriginCountryRule,
    RandomSelectionRule,
    Rule,
    SensitiveHsRule,
    UnitValueBandRule,
    is_hs_prefix,
)
from corridor.refdata.codelists import CodeLists
from corridor.shared.errors import FieldError, InvalidInput

COUNTRIES = ("IN", "RU")
_TOP_FIELDS = frozenset({"country", "description", "rules"})
_COMMON_FIELDS = frozenset(
    {"id", "kind", "description", "lane", "flow", "valid_from", "valid_to", "source", "overrides_aeo"}
)
_KIND_FIELDS: dict[str, frozenset[str]] = {
    "sensitive_hs": frozenset({"hs_prefixes"}),
    "unit_value_band": frozenset({"hs_prefix", "basis", "min_usd", "max_usd", "units"}),
    "new_trader": frozenset({"min_prior_declarations"}),
    "origin_country": frozenset({"countries", "hs_prefixes"}),
    "random_selection": frozenset({"share"}),
    "hs_description_mismatch": frozenset({"min_confidence"}),
}
_BASES = ("per_kg", "per_unit")
_MISSING = object()


def rules_file_name(country: str) -> str:
    return f"risk_rules_{country}.yaml"


@functools.cache
def _code_lists() -> CodeLists:
    return CodeLists()


@functools.cache
def _countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def _hs_prefix_problem(prefix: str) -> str | None:
    """Why an HS prefix cannot be right, or None. Checks the HS 2022 chapter, heading and
    subheading it starts with; national digits beyond six are not checked here."""
    if not is_hs_prefix(prefix):
        return f"{prefix!r} is not 2 to 10 digits"
    chapter = int(prefix[:2])
    if not 1 <= chapter <= 97 or chapter == 77:
        return f"{prefix!r}: chapter {prefix[:2]} is not an HS 2022 chapter"
    lists = _code_lists()
    if len(prefix) >= 4 and not lists.hs_heading_exists(prefix[:4]):
        return f"{prefix!r}: heading {prefix[:4]} is not in HS 2022"
    if len(prefix) >= 6 and not lists.hs6_exists(prefix[:6]):
        return f"{prefix!r}: subheading {prefix[:6]} is not in HS 2022"
    return None


class _RuleReader:
    """Reads the fields of one rule mapping, collecting errors instead of stopping at the first."""

    def __init__(self, origin: str, index: int, raw: dict[str, Any], errors: list[FieldError]) -> None:
        self.origin = origin
        self.index = index
        self.raw = raw
        self.errors = errors
        rid = raw.get("id")
        self.rule_id = rid if isinstance(rid, str) and rid else f"#{index}"
        self.ok = True

    def fail(self, name: str, reason: str) -> None:
        self.ok = False
        self.errors.append(
            FieldError(f"{self.origin}:rules[{self.index}].{name}", f"rule {self.rule_id}: {reason}")
        )

    def get(self, name: str, required: bool) -> Any:
        value = self.raw.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail(name, "is required")
            return _MISSING
        return value

    def text(self, name: str, required: bool = True) -> str:
        value = self.get(name, required)
        if value is _MISSING:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(name, f"must be non-empty text, got {value!r}")
            return ""
        return value.strip()

    def choice(self, name: str, allowed: tuple[str, ...] | frozenset[str], default: str | None = None) -> str:
        value = self.get(name, default is None)
        if value is _MISSING:
            return default or ""
        if value not in allowed:
            self.fail(name, f"{value!r} is not one of {', '.join(sorted(allowed))}")
            return default or ""
        return str(value)

    def day(self, name: str, required: bool) -> date | None:
        value = self.get(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(name, f"{value!r} is not a date (YYYY-MM-DD)")
        return None

    def flag(self, name: str, default: bool) -> bool:
        value = self.get(name, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.fail(name, f"must be true or false, got {value!r}")
            return default
        return value

    def count(self, name: str) -> int:
        value = self.get(name, True)
        if value is _MISSING:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.fail(name, f"must be a whole number >= 1, got {value!r}")
            return 0
        return value

    def amount(self, name: str, required: bool) -> Decimal | None:
        value = self.get(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(name, f"must be a number, got {value!r}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(name, f"must be a finite number, got {value!r}")
            return None
        try:
            # str() of a YAML float gives its shortest repr, so 0.03 stays exactly 0.03
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(name, f"must be a number, got {value!r}")
            return None
        if not amount.is_finite() or amount < 0:
            self.fail(name, f"must be a finite number >= 0, got {value!r}")
            return None
        return amount

    def strings(self, name: str, required: bool, check: Callable[[str], str | None]) -> frozenset[str]:
        value = self.get(name, required)
        if value is _MISSING:
            return frozenset()
        if not isinstance(value, list) or (required and not value):
            self.fail(name, "must be a non-empty list")
            return frozenset()
        out: set[str] = set()
        for i, entry in enumerate(value):
            if not isinstance(entry, str):
                self.fail(f"{name}[{i}]", f"{entry!r} must be a quoted string (YAML drops leading zeros)")
                continue
            problem = check(entry)
            if problem is not None:
                self.fail(f"{name}[{i}]", problem)
                continue
            out.add(entry)
        return frozenset(out)


def _country_problem(code: str) -> str | None:
    if code in _countries():
        return None
    hint = " (use GB)" if code == "UK" else ""
    return f"{code!r} is not an ISO 3166-1 alpha-2 country code{hint}"


def _unit_problem(code: str) -> str | None:
    if _code_lists().unit_exists(code):
        return None
    return f"{code!r} is not a UN/ECE Recommendation 20 unit code known to the corridor"


def _read_rule(origin: str, index: int, raw: Any, errors: list[FieldError]) -> Rule | None:
    if not isinstance(raw, dict):
        errors.append(FieldError(f"{origin}:rules[{index}]", f"rule #{index}: must be a mapping"))
        return None
    r = _RuleReader(origin, index, raw, errors)
    rule_id = r.text("id")
    kind = r.choice("kind", RULE_KINDS)
    description = r.text("description")
    lane = r.choice("lane", RULE_LANES)
    flow = r.choice("flow", RULE_FLOWS)
    valid_from = r.day("valid_from", required=True)
    valid_to = r.day("valid_to", required=False)
    source = r.text("source")
    overrides_aeo = r.flag("overrides_aeo", default=False)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        r.fail("valid_to", f"{valid_to} is before valid_from {valid_from}")
    allowed = _COMMON_FIELDS | _KIND_FIELDS.get(kind, frozenset())
    for name in raw:
        if name not in allowed and kind:
            r.fail(str(name), f"is not a field of a {kind} rule")
    if not kind:
        return None
    common: dict[str, Any] = {
        "id": rule_id,
        "description": description,
        "lane": lane,
        "flow": flow,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "source": source,
        "overrides_aeo": overrides_aeo,
    }
    try:
        rule = _build(r, kind, common)
    except ValueError as exc:  # an invariant of the domain rule the reader did not catch first
        r.fail("id", str(exc))
        return None
    return rule if r.ok else None


def _build(r: _RuleReader, kind: str, common: dict[str, Any]) -> Rule | None:
    rule: Rule | None = None
    if kind == "sensitive_hs":
        prefixes = r.strings("hs_prefixes", True, _hs_prefix_problem)
        if r.ok:
            rule = SensitiveHsRule(**common, hs_prefixes=prefixes)
    elif kind == "unit_value_band":
        rule = _read_band(r, common)
    elif kind == "new_trader":
        threshold = r.count("min_prior_declarations")
        if r.ok:
            rule = NewTraderRule(**common, min_prior_declarations=threshold)
    elif kind == "origin_country":
        countries = r.strings("countries", True, _country_problem)
        scope = r.strings("hs_prefixes", False, _hs_prefix_problem)
        if r.ok:
            rule = OriginCountryRule(**common, countries=countries, hs_prefixes=scope)
    elif kind == "hs_description_mismatch":
        floor = r.amount("min_confidence", required=True)
        if floor is not None and floor > 1:
            r.fail("min_confidence", f"{floor} is outside [0, 1]")
        if r.ok and floor is not None:
            rule = HsMismatchRule(**common, min_confidence=floor)
    else:  # random_selection
        share = r.amount("share", required=True)
        if share is not None and share > 1:
            r.fail("share", f"{share} is outside [0, 1] (write 3 % as 0.03)")
        if r.ok and share is not None:
            rule = RandomSelectionRule(**common, share=share)
    return rule


def _read_band(r: _RuleReader, common: dict[str, Any]) -> UnitValueBandRule | None:
    prefix = r.get("hs_prefix", True)
    if prefix is not _MISSING:
        if not isinstance(prefix, str):
            r.fail("hs_prefix", f"{prefix!r} must be a quoted string (YAML drops leading zeros)")
        elif (problem := _hs_prefix_problem(prefix)) is not None:
            r.fail("hs_prefix", problem)
    basis = r.choice("basis", _BASES)
    low = r.amount("min_usd", required=False)
    high = r.amount("max_usd", required=False)
    if "min_usd" not in r.raw and "max_usd" not in r.raw:
        r.fail("min_usd", "a band needs min_usd, max_usd or both")
    if low is not None and high is not None and low > high:
        r.fail("min_usd", f"min_usd {low} is above max_usd {high}")
    units = r.strings("units", basis == "per_unit", _unit_problem)
    if basis == "per_kg" and units:
        r.fail("units", "a per_kg band takes no units")
    if not r.ok or not isinstance(prefix, str):
        return None
    per: Basis = "per_kg" if basis == "per_kg" else "per_unit"
    return UnitValueBandRule(**common, hs_prefix=prefix, basis=per, min_usd=low, max_usd=high, units=units)


def load_rules_from_text(text: str, origin: str, country: str | None = None) -> tuple[Rule, ...]:
    """Parse and validate a risk rules YAML document; ``origin`` names it in errors (a file name).

    With ``country`` the file's ``country`` must match it. Raises ``InvalidInput`` listing every
    problem found."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput([FieldError(origin, f"not valid YAML: {exc}")]) from exc
    if not isinstance(document, dict):
        raise InvalidInput([FieldError(origin, "must be a mapping with country and rules")])
    errors: list[FieldError] = []
    for name in document:
        if name not in _TOP_FIELDS:
            errors.append(FieldError(f"{origin}:{name}", "is not a field of a risk rules file"))
    file_country = document.get("country")
    if file_country not in COUNTRIES:
        errors.append(FieldError(f"{origin}:country", f"{file_country!r} is not one of IN, RU"))
    elif country is not None and file_country != country:
        errors.append(FieldError(f"{origin}:country", f"is {file_country}, expected {country}"))
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        errors.append(FieldError(f"{origin}:rules", "must be a non-empty list of rules"))
        raw_rules = []
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_rules):
        rule = _read_rule(origin, index, raw, errors)
        if rule is None:
            continue
        if rule.id in seen:
            errors.append(
                FieldError(
                    f"{origin}:rules[{index}].id",
                    f"rule {rule.id}: id already used by rules[{seen[rule.id]}]",
                )
            )
            continue
        seen[rule.id] = index
        rules.append(rule)
    if errors:
        raise InvalidInput(errors)
    return tuple(rules)


@functools.cache
def risk_rules(country: str) -> tuple[Rule, ...]:
    """The risk rules shipped for the node of ``country`` (``IN`` or ``RU``), loaded once."""
    if country not in COUNTRIES:
        raise InvalidInput([FieldError("country", f"{country!r} has no risk rules; use IN or RU")])
    name = rules_file_name(country)
    text = resources.files("corridor.refdata").joinpath("data", name).read_text(encoding="utf-8")
    return load_rules_from_text(text, name, country=country)
