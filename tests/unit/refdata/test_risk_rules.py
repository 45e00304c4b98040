"""Shipped risk rule files and the loader's validation errors."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import yaml

from corridor.customs.domain.risk import (
    NewTraderRule,
    RandomSelectionRule,
    RiskDecision,
    RiskItem,
    RiskSubject,
    Rule,
    SensitiveHsRule,
    UnitValueBandRule,
    compile_rules,
)
from corridor.customs.domain.risk import assess as assess_with_key
from corridor.refdata.risk_rules import load_rules_from_text, risk_rules
from corridor.shared.errors import InvalidInput

D = Decimal
ON = date(2025, 6, 2)
KEY = b"test-selection-key-0123456789abcdef"


def assess(subject: RiskSubject, rules: Any) -> RiskDecision:
    return assess_with_key(subject, rules, selection_key=KEY)


def by_id(country: str) -> dict[str, Rule]:
    return {r.id: r for r in risk_rules(country)}


def without_random(rules: tuple[Rule, ...]) -> list[Rule]:
    return [r for r in rules if not isinstance(r, RandomSelectionRule)]


def subject(country: str, flow: str, *items: RiskItem, **changes: Any) -> RiskSubject:
    fields: dict[str, Any] = {
        "declaration_id": f"{country}-{flow}-000001",
        "node_country": country,
        "flow": flow,
        "trader_id": "AAACR1234F",
        "trader_is_aeo": False,
        "trader_prior_declarations": 40,
        "origin_country": "RU" if country == "IN" and flow == "import" else "IN",
        "items": list(items),
        "on_date": ON,
    }
    fields.update(changes)
    return RiskSubject(**fields)


def goods(
    hs: str, *, value: str, mass: str = "1000", quantity: str | None = None, unit: str = "KGM"
) -> RiskItem:
    return RiskItem(
        sequence=1,
        hs_code=hs,
        quantity=D(quantity if quantity is not None else mass),
        unit=unit,
        value_usd=D(value),
        net_mass_kg=D(mass),
    )


# ----------------------------------------------------------------------------------------------
# shipped files


@pytest.mark.parametrize("country", ["IN", "RU"])
def test_shipped_rules_load_once_and_are_documented(country: str) -> None:
    rules = risk_rules(country)
    assert risk_rules(country) is rules  # cached
    assert len(rules) >= 10
    assert len({r.id for r in rules}) == len(rules)
    kinds = {r.kind for r in rules}
    assert kinds == {
        "sensitive_hs",
        "unit_value_band",
        "new_trader",
        "origin_country",
        "random_selection",
        "hs_description_mismatch",
    }
    for rule in rules:
        assert rule.id.startswith(f"{country}-")
        assert len(rule.source) > 20, rule.id
        assert rule.valid_from <= date(2025, 1, 1) or rule.valid_to is None
        if isinstance(rule, UnitValueBandRule):
            assert rule.source.startswith("sample band:"), rule.id
        if isinstance(rule, RandomSelectionRule | NewTraderRule):
            assert "sample rule for demonstration" in rule.source, rule.id
    for flow in ("export", "import"):
        assert compile_rules(rules).for_flow(flow), flow


def test_russia_rules_named_in_the_brief() -> None:
    rules = by_id("RU")
    medicines = rules["RU-IMP-MEDICINES"]
    assert isinstance(medicines, SensitiveHsRule)
    assert medicines.hs_prefixes == {"3004"}
    assert (medicines.lane, medicines.flow) == ("yellow", "import")
    phones = rules["RU-IMP-SMARTPHONE-VALUE"]
    assert isinstance(phones, UnitValueBandRule)
    assert (phones.hs_prefix, phones.basis) == ("851713", "per_unit")
    vet = rules["RU-IMP-VET-CONTROL"]
    assert isinstance(vet, SensitiveHsRule)
    assert "Rosselkhoznadzor" in vet.description and vet.lane == "yellow" and vet.overrides_aeo
    new = rules["RU-ALL-NEW-TRADER"]
    assert isinstance(new, NewTraderRule)
    assert (new.min_prior_declarations, new.lane, new.flow) == (3, "yellow", "both")
    shares = {
        (r.lane, r.share) for r in rules.values() if isinstance(r, RandomSelectionRule) and r.flow == "import"
    }
    assert shares == {("yellow", D("0.03")), ("red", D("0.01"))}


def test_india_rules_named_in_the_brief() -> None:
    rules = by_id("IN")
    arms = rules["IN-IMP-ARMS-EXPLOSIVES"]
    assert isinstance(arms, SensitiveHsRule)
    assert "93" in arms.hs_prefixes and arms.lane == "red" and arms.overrides_aeo
    crude = rules["IN-IMP-CRUDE-VALUE"]
    assert isinstance(crude, UnitValueBandRule)
    assert (crude.hs_prefix, crude.basis, crude.min_usd, crude.max_usd) == (
        "2709",
        "per_kg",
        D("0.25"),
        D("1.00"),
    )
    assert "sample band" in crude.source and "bbl" in crude.source
    diamonds = rules["IN-IMP-ROUGH-DIAMONDS-KP"]
    assert diamonds.lane == "yellow" and diamonds.overrides_aeo
    fertilisers = {r.hs_prefix for r in rules.values() if isinstance(r, UnitValueBandRule)}
    assert {"310210", "310420", "310530"} <= fertilisers


# ----------------------------------------------------------------------------------------------
# shipped rules on realistic declarations


@pytest.mark.parametrize(
    ("usd_per_bbl", "fires"),
    [(20, True), (35, False), (70, False), (130, False), (160, True)],
)
def test_india_crude_band_against_barrel_prices(usd_per_bbl: int, fires: bool) -> None:
    # one Urals cargo of 100,000 t = 100,000,000 kg at about 138 kg per barrel
    barrels = D(100_000_000) / D(138)
    cargo = goods("27090000", value=str((barrels * usd_per_bbl).quantize(D(1))), mass="100000000")
    decision = assess(subject("IN", "import", cargo), without_random(risk_rules("IN")))
    assert ("IN-IMP-CRUDE-VALUE" in [f.rule_id for f in decision.fired]) is fires
    assert decision.lane == ("yellow" if fires else "green")


def test_russia_import_of_shrimp_by_an_aeo_still_needs_veterinary_documents() -> None:
    shrimp = goods("0306170000", value="9000", mass="1000")
    decision = assess(subject("RU", "import", shrimp, trader_is_aeo=True), without_random(risk_rules("RU")))
    assert decision.lane == "yellow"
    assert [(f.rule_id, f.suppressed_by_aeo) for f in decision.fired] == [("RU-IMP-VET-CONTROL", False)]


def test_russia_import_of_cheap_smartphones_from_a_new_trader() -> None:
    phones = goods("8517130000", value="2000", mass="20", quantity="100", unit="H87")
    decision = assess(
        subject("RU", "import", phones, trader_prior_declarations=1), without_random(risk_rules("RU"))
    )
    assert decision.lane == "yellow"
    fired = {f.rule_id: f for f in decision.fired}
    assert set(fired) == {"RU-ALL-NEW-TRADER", "RU-IMP-SMARTPHONE-VALUE"}
    assert "declared 20 USD per H87, below band 50–1500 USD per" in fired["RU-IMP-SMARTPHONE-VALUE"].detail


def test_russia_import_of_norwegian_salmon_through_the_corridor_is_red() -> None:
    salmon = goods("0302140000", value="8000", mass="1000")
    decision = assess(subject("RU", "import", salmon, origin_country="NO"), without_random(risk_rules("RU")))
    assert decision.lane == "red"
    assert "RU-IMP-COUNTER-SANCTIONS-ORIGIN" in [f.rule_id for f in decision.fired]


@pytest.mark.parametrize(("on", "lane"), [(date(2024, 1, 15), "red"), (date(2025, 1, 15), "green")])
def test_india_rice_export_prohibition_is_effective_dated(on: date, lane: str) -> None:
    rice = goods("10063090", value="450000", mass="1000000")
    decision = assess(
        subject("IN", "export", rice, on_date=on, origin_country="IN"), without_random(risk_rules("IN"))
    )
    assert decision.lane == lane


def test_russia_random_selection_shares_over_20000_declarations() -> None:
    ruleset = compile_rules(r for r in risk_rules("RU") if isinstance(r, RandomSelectionRule))
    lanes: Counter[str] = Counter()
    for i in range(20_000):
        s = subject("RU", "import", goods("8471300000", value="500"), declaration_id=f"RU-IMP-{i:06d}")
        lanes[assess(s, ruleset).lane] += 1
    # red 1 %; yellow is the 3 % draw minus those that are also red (about 0.03 * 0.99)
    assert abs(lanes["red"] - 200) <= 4 * (20_000 * 0.01 * 0.99) ** 0.5
    assert abs(lanes["yellow"] - 594) <= 4 * (20_000 * 0.0297 * 0.9703) ** 0.5


def test_unknown_country_has_no_rules() -> None:
    with pytest.raises(InvalidInput, match="'CN' has no risk rules"):
        risk_rules("CN")


# ----------------------------------------------------------------------------------------------
# validation errors name the file, the rule and the field

GOOD_RULE: dict[str, Any] = {
    "id": "T-RULE",
    "kind": "random_selection",
    "flow": "import",
    "lane": "yellow",
    "description": "test rule",
    "share": "0.03",
    "valid_from": "2025-01-01",
    "source": "sample rule for demonstration",
}


def document(*rules: dict[str, Any], country: str = "RU") -> str:
    return yaml.safe_dump({"country": country, "rules": list(rules)}, sort_keys=False)


def errors_of(text: str, origin: str = "risk_rules_XX.yaml") -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as caught:
        load_rules_from_text(text, origin)
    return [(e.path, e.reason) for e in caught.value.errors]


def rule(**changes: Any) -> dict[str, Any]:
    out = {**GOOD_RULE, **changes}
    return {k: v for k, v in out.items() if v is not ...}


def test_good_document_loads() -> None:
    (loaded,) = load_rules_from_text(document(rule()), "risk_rules_XX.yaml")
    assert isinstance(loaded, RandomSelectionRule)
    assert loaded.share == D("0.03")
    assert loaded.valid_from == date(2025, 1, 1)
    assert loaded.overrides_aeo is False


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"kind": "sanctions_list"}, "kind", "'sanctions_list' is not one of"),
        ({"lane": "green"}, "lane", "'green' is not one of red, yellow"),
        ({"flow": "transit"}, "flow", "'transit' is not one of both, export, import"),
        ({"share": 1.5}, "share", "outside [0, 1]"),
        ({"share": "3%"}, "share", "must be a number"),
        ({"share": -0.1}, "share", ">= 0"),
        ({"source": ...}, "source", "is required"),
        ({"source": "  "}, "source", "must be non-empty text"),
        ({"description": ...}, "description", "is required"),
        ({"valid_from": ...}, "valid_from", "is required"),
        ({"valid_from": "1 Jan 2025"}, "valid_from", "is not a date"),
        ({"valid_to": "2024-12-31"}, "valid_to", "before valid_from"),
        ({"overrides_aeo": "yes please"}, "overrides_aeo", "must be true or false"),
        ({"overides_aeo": True}, "overides_aeo", "is not a field of a random_selection rule"),
        ({"hs_prefixes": ["93"]}, "hs_prefixes", "is not a field of a random_selection rule"),
    ],
)
def test_field_errors_name_file_rule_and_field(changes: dict[str, Any], field: str, reason: str) -> None:
    problems = errors_of(document(rule(**changes)))
    assert len(problems) == 1, problems
    ((path, text),) = problems
    assert path == f"risk_rules_XX.yaml:rules[0].{field}"
    assert text.startswith("rule T-RULE: ")
    assert reason in text


BAND: dict[str, Any] = {
    "id": "T-BAND",
    "kind": "unit_value_band",
    "flow": "import",
    "lane": "yellow",
    "description": "test band",
    "hs_prefix": "2709",
    "basis": "per_kg",
    "min_usd": "0.25",
    "max_usd": "1.00",
    "valid_from": "2025-01-01",
    "source": "sample band: test",
}


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"min_usd": "2", "max_usd": "1"}, "min_usd", "min_usd 2 is above max_usd 1"),
        ({"min_usd": ..., "max_usd": ...}, "min_usd", "needs min_usd, max_usd or both"),
        ({"basis": "per_litre"}, "basis", "'per_litre' is not one of per_kg, per_unit"),
        ({"basis": "per_unit"}, "units", "is required"),
        ({"units": ["H87"]}, "units", "a per_kg band takes no units"),
        ({"basis": "per_unit", "units": ["PCE"]}, "units[0]", "'PCE' is not a UN/ECE Recommendation 20 unit"),
        ({"hs_prefix": 2709}, "hs_prefix", "must be a quoted string"),
        ({"hs_prefix": "27A9"}, "hs_prefix", "is not 2 to 10 digits"),
        ({"hs_prefix": "2799"}, "hs_prefix", "heading 2799 is not in HS 2022"),
        ({"hs_prefix": "77"}, "hs_prefix", "chapter 77 is not an HS 2022 chapter"),
    ],
)
def test_band_field_errors(changes: dict[str, Any], field: str, reason: str) -> None:
    spec = {k: v for k, v in {**BAND, **changes}.items() if v is not ...}
    ((path, text),) = errors_of(document(spec))
    assert path == f"risk_rules_XX.yaml:rules[0].{field}"
    assert text.startswith("rule T-BAND: ")
    assert reason in text


def test_unquoted_hs_codes_are_refused_because_yaml_mangles_them() -> None:
    text = """
country: IN
rules:
  - id: T-VET
    kind: sensitive_hs
    flow: import
    lane: yellow
    description: shrimp
    hs_prefixes: ["0306", 0306, 93]
    valid_from: 2025-01-01
    source: sample rule for demonstration
"""
    problems = errors_of(text, "risk_rules_IN.yaml")
    assert [p for p, _ in problems] == [
        "risk_rules_IN.yaml:rules[0].hs_prefixes[1]",
        "risk_rules_IN.yaml:rules[0].hs_prefixes[2]",
    ]
    assert all("must be a quoted string" in reason for _, reason in problems)


def test_country_codes_are_checked_against_iso_3166() -> None:
    spec = {
        **GOOD_RULE,
        "kind": "origin_country",
        "countries": ["NO", "UK"],
        "hs_prefixes": ["0302"],
    }
    del spec["share"]
    ((path, reason),) = errors_of(document(spec))
    assert path == "risk_rules_XX.yaml:rules[0].countries[1]"
    assert "'UK' is not an ISO 3166-1 alpha-2 country code (use GB)" in reason


def test_new_trader_threshold_must_be_a_positive_whole_number() -> None:
    spec = {**GOOD_RULE, "kind": "new_trader", "min_prior_declarations": 2.5}
    del spec["share"]
    ((path, reason),) = errors_of(document(spec))
    assert path.endswith("rules[0].min_prior_declarations")
    assert "whole number" in reason


def test_every_problem_is_reported_at_once_with_its_rule() -> None:
    text = document(
        rule(id="A", lane="green"),
        rule(id="B"),
        rule(id="B", share=2),
        rule(id="C", source=...),
        rule(id="B", description="duplicate id"),
    )
    problems = errors_of(text)
    assert problems == [
        ("risk_rules_XX.yaml:rules[0].lane", "rule A: 'green' is not one of red, yellow"),
        ("risk_rules_XX.yaml:rules[2].share", "rule B: 2 is outside [0, 1] (write 3 % as 0.03)"),
        ("risk_rules_XX.yaml:rules[3].source", "rule C: is required"),
        ("risk_rules_XX.yaml:rules[4].id", "rule B: id already used by rules[1]"),
    ]
    with pytest.raises(InvalidInput) as caught:
        load_rules_from_text(text, "risk_rules_XX.yaml")
    assert "risk_rules_XX.yaml:rules[0].lane: rule A: 'green'" in str(caught.value)


def test_rule_without_an_id_is_named_by_its_index() -> None:
    ((path, reason), *_) = errors_of(document(rule(), rule(id=...)))
    assert path == "risk_rules_XX.yaml:rules[1].id"
    assert reason == "rule #1: is required"


@pytest.mark.parametrize(
    ("text", "path", "reason"),
    [
        ("country: RU\nrules: [\n", "bad.yaml", "not valid YAML"),
        ("- just a list\n", "bad.yaml", "must be a mapping"),
        ("country: RU\nrules: []\n", "bad.yaml:rules", "non-empty list"),
        (document(rule(), country="CN"), "bad.yaml:country", "'CN' is not one of IN, RU"),
        (
            "country: RU\nversion: 2\nrules:\n" + yaml.safe_dump([GOOD_RULE]),
            "bad.yaml:version",
            "not a field",
        ),
        ("country: RU\nrules:\n  - just text\n", "bad.yaml:rules[0]", "must be a mapping"),
    ],
)
def test_document_level_errors(text: str, path: str, reason: str) -> None:
    problems = errors_of(text, "bad.yaml")
    assert problems[0][0] == path
    assert reason in problems[0][1]


def test_file_country_must_match_the_node() -> None:
    with pytest.raises(InvalidInput, match="is RU, expected IN"):
        load_rules_from_text(document(rule()), "risk_rules_IN.yaml", country="IN")
