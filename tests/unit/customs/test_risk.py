"""The risk engine: each rule kind at its boundary, effective dates, AEO facilitation, lanes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.customs.domain.risk import (
    NewTraderRule,
    OriginCountryRule,
    RandomSelectionRule,
    RiskDecision,
    RiskItem,
    RiskSubject,
    Rule,
    SensitiveHsRule,
    UnitValueBandRule,
    compile_rules,
    selection_draw,
)
from corridor.customs.domain.risk import assess as assess_with_key

TODAY = date(2025, 6, 2)
D = Decimal
KEY = b"test-selection-key-0123456789abcdef"


def assess(subject: RiskSubject, rules: Any, *, selection_key: bytes = KEY) -> RiskDecision:
    return assess_with_key(subject, rules, selection_key=selection_key)


def item(
    hs: str = "8471300000",
    *,
    seq: int = 1,
    quantity: str = "10",
    unit: str = "H87",
    value: str = "5000",
    mass: str = "20",
) -> RiskItem:
    return RiskItem(
        sequence=seq, hs_code=hs, quantity=D(quantity), unit=unit, value_usd=D(value), net_mass_kg=D(mass)
    )


def subject(*items: RiskItem, **changes: Any) -> RiskSubject:
    base = RiskSubject(
        declaration_id="RU-IMP-2025-000001",
        node_country="RU",
        flow="import",
        trader_id="7707083893",
        trader_is_aeo=False,
        trader_prior_declarations=50,
        origin_country="IN",
        items=list(items) or [item()],
        on_date=TODAY,
    )
    return replace(base, **changes)


def common(rule_id: str = "R1", lane: str = "yellow", **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": rule_id,
        "description": f"rule {rule_id}",
        "lane": lane,
        "valid_from": date(2025, 1, 1),
        "source": "sample rule for demonstration",
    }
    fields.update(changes)
    return fields


def hs_rule(*prefixes: str, rule_id: str = "HS", lane: str = "yellow", **changes: Any) -> SensitiveHsRule:
    return SensitiveHsRule(**common(rule_id, lane, **changes), hs_prefixes=frozenset(prefixes))


def band(
    prefix: str = "2709",
    low: str | None = "0.25",
    high: str | None = "1.00",
    *,
    basis: str = "per_kg",
    units: tuple[str, ...] = (),
    rule_id: str = "BAND",
    **changes: Any,
) -> UnitValueBandRule:
    return UnitValueBandRule(
        **common(rule_id, **changes),
        hs_prefix=prefix,
        basis=basis,  # type: ignore[arg-type]
        min_usd=D(low) if low is not None else None,
        max_usd=D(high) if high is not None else None,
        units=frozenset(units),
    )


def random_rule(
    share: str, rule_id: str = "RND", lane: str = "yellow", **changes: Any
) -> RandomSelectionRule:
    return RandomSelectionRule(**common(rule_id, lane, **changes), share=D(share))


def fired_ids(decision: RiskDecision) -> list[str]:
    return [f.rule_id for f in decision.fired]


# ----------------------------------------------------------------------------------------------
# sensitive_hs


@pytest.mark.parametrize(
    ("prefix", "code", "fires"),
    [
        ("93", "9301100000", True),  # chapter
        ("93", "9209940000", False),  # neighbouring chapter
        ("0306", "0306170000", True),  # heading
        ("0306", "0307110000", False),
        ("0306", "0305000000", False),
        ("710231", "71023100", True),  # subheading, 8-digit Indian code
        ("710231", "71023900", False),
        ("10063090", "10063090", True),  # full national line
        ("10063090", "10063010", False),
        ("8517130000", "851713", False),  # a 6-digit code is not within a 10-digit line
    ],
)
def test_sensitive_hs_prefix_boundary(prefix: str, code: str, fires: bool) -> None:
    decision = assess(subject(item(code)), [hs_rule(prefix)])
    assert (decision.lane == "yellow") is fires
    assert (fired_ids(decision) == ["HS"]) is fires


def test_sensitive_hs_records_items_and_most_specific_prefix() -> None:
    rule = hs_rule("03", "0306", rule_id="VET", lane="yellow")
    decision = assess(
        subject(item("0306170000", seq=1), item("8471300000", seq=2), item("0303890000", seq=3)), [rule]
    )
    (fired,) = decision.fired
    assert fired.items == (1, 3)
    assert "item 1: HS 0306170000 is within 0306" in fired.detail
    assert "item 3: HS 0303890000 is within 03" in fired.detail
    assert "item 2" not in fired.detail
    assert fired.kind == "sensitive_hs"
    assert fired.source == "sample rule for demonstration"
    assert fired.description == "rule VET"


# ----------------------------------------------------------------------------------------------
# unit_value_band


@pytest.mark.parametrize(
    ("value", "fires", "side"),
    [
        ("24.99", True, "below"),  # 0.2499 USD/kg
        ("25.00", False, None),  # exactly the minimum
        ("100.00", False, None),  # exactly the maximum
        ("100.01", True, "above"),
    ],
)
def test_per_kg_band_boundaries(value: str, fires: bool, side: str | None) -> None:
    decision = assess(subject(item("2709000000", value=value, mass="100", unit="KGM")), [band()])
    assert (decision.lane == "yellow") is fires
    if fires:
        (fired,) = decision.fired
        assert fired.items == (1,)
        declared = str(D(value) / 100)
        assert f"declared {declared} USD per kg, {side} band 0.25–1 USD per kg" in fired.detail


def test_band_applies_only_under_its_prefix() -> None:
    cheap_other_goods = item("2710121100", value="1", mass="100", unit="KGM")
    assert assess(subject(cheap_other_goods), [band()]).fired == ()


def test_per_unit_band_boundaries_and_detail() -> None:
    rule = band("851713", "50", "1500", basis="per_unit", units=("H87", "C62"))
    at_min = item("8517130000", quantity="100", unit="H87", value="5000")
    below = item("8517130000", quantity="100", unit="H87", value="4999")
    above = item("8517130000", quantity="2", unit="C62", value="3000.02")
    at_max = item("8517130000", quantity="2", unit="C62", value="3000")
    assert assess(subject(at_min), [rule]).lane == "green"
    assert assess(subject(at_max), [rule]).lane == "green"
    low = assess(subject(below), [rule])
    assert low.lane == "yellow"
    assert "declared 49.99 USD per H87, below band 50–1500 USD per C62/H87" in low.fired[0].detail
    high = assess(subject(above), [rule])
    assert "declared 1500.01 USD per C62, above" in high.fired[0].detail


def test_band_with_only_a_minimum() -> None:
    rule = band("2709", "0.25", None)
    assert assess(subject(item("2709000000", value="1000000", mass="1")), [rule]).lane == "green"
    low = assess(subject(item("2709000000", value="1", mass="100")), [rule])
    assert "band 0.25–no maximum USD per kg" in low.fired[0].detail


def test_band_fails_closed_when_unit_value_cannot_be_computed() -> None:
    per_unit = band("851713", "50", "1500", basis="per_unit", units=("H87",))
    in_kg = item("8517130000", quantity="3", unit="KGM", value="900")
    decision = assess(subject(in_kg), [per_unit])
    assert decision.lane == "yellow"
    assert "quantity declared in 'KGM', not comparable" in decision.fired[0].detail
    zero_mass = item("2709000000", value="1000", mass="0")
    decision = assess(subject(zero_mass), [band()])
    assert decision.lane == "yellow"
    assert "net mass 0 is not positive" in decision.fired[0].detail


# ----------------------------------------------------------------------------------------------
# new_trader and origin_country


@pytest.mark.parametrize(("prior", "fires"), [(0, True), (2, True), (3, False), (40, False)])
def test_new_trader_threshold(prior: int, fires: bool) -> None:
    rule = NewTraderRule(**common("NEW"), min_prior_declarations=3)
    decision = assess(subject(trader_prior_declarations=prior), [rule])
    assert (decision.lane == "yellow") is fires
    if fires:
        assert decision.fired[0].detail == (f"trader 7707083893 has {prior} prior declarations, fewer than 3")
        assert decision.fired[0].items == ()


def test_origin_country_listed_and_not_listed() -> None:
    rule = OriginCountryRule(**common("ORIG", "red"), countries=frozenset({"KP"}))
    assert assess(subject(origin_country="KP"), [rule]).lane == "red"
    assert assess(subject(origin_country="IN"), [rule]).lane == "green"
    assert assess(subject(origin_country="KR"), [rule]).fired == ()


def test_origin_country_scoped_to_hs_prefixes() -> None:
    rule = OriginCountryRule(
        **common("EMBARGO", "red"), countries=frozenset({"NO"}), hs_prefixes=frozenset({"03"})
    )
    salmon = item("0302140000", seq=2)
    machine = item("8471300000", seq=1)
    hit = assess(subject(machine, salmon, origin_country="NO"), [rule])
    assert hit.lane == "red"
    assert hit.fired[0].items == (2,)
    assert "origin NO" in hit.fired[0].detail
    assert assess(subject(machine, origin_country="NO"), [rule]).lane == "green"
    assert assess(subject(salmon, origin_country="IN"), [rule]).lane == "green"


# ----------------------------------------------------------------------------------------------
# random_selection


def test_random_selection_is_deterministic_and_keyed() -> None:
    rule = random_rule("0.5")
    first = [assess(subject(declaration_id=f"D-{i}"), [rule]).lane for i in range(200)]
    second = [assess(subject(declaration_id=f"D-{i}"), [rule]).lane for i in range(200)]
    assert first == second
    assert selection_draw("D-1", "RND", KEY) == selection_draw("D-1", "RND", KEY)
    assert selection_draw("D-1", "RND", KEY) != selection_draw("D-1", "RND", b"node secret")
    assert selection_draw("D-1", "RND", KEY) != selection_draw("D-1", "RND2", KEY)
    assert selection_draw("D-1", "RND", KEY) != selection_draw("D-2", "RND", KEY)
    other_key = [
        assess(subject(declaration_id=f"D-{i}"), [rule], selection_key=b"node secret").lane
        for i in range(200)
    ]
    assert other_key != first


def test_random_selection_share_zero_and_one() -> None:
    never, always = random_rule("0", "NEVER"), random_rule("1", "ALWAYS", lane="red")
    for i in range(500):
        decision = assess(subject(declaration_id=f"X-{i}"), [never, always])
        assert fired_ids(decision) == ["ALWAYS"]
        assert decision.lane == "red"


IDS = [f"RU-IMP-2025-{i:06d}" for i in range(20_000)]


@pytest.mark.parametrize("share", ["0.03", "0.01", "0.25"])
def test_random_selection_hit_share_over_20000_ids(share: str) -> None:
    rule = random_rule(share)
    ruleset = compile_rules([rule])
    hits = sum(1 for d in IDS if assess(subject(declaration_id=d), ruleset).fired)
    n, p = len(IDS), float(share)
    sigma = (n * p * (1 - p)) ** 0.5
    # four standard deviations: the id set is fixed, so this either always passes or always fails
    assert abs(hits - n * p) <= 4 * sigma, (hits, n * p)


def test_two_random_rules_draw_independently() -> None:
    yellow, red = random_rule("0.03", "RND-Y"), random_rule("0.01", "RND-R", lane="red")
    ruleset = compile_rules([yellow, red])
    lanes = [assess(subject(declaration_id=d), ruleset) for d in IDS]
    both = sum(1 for d in lanes if len(d.fired) == 2)
    # independent draws: both fire for about 0.03 * 0.01 * 20000 = 6 ids, not for all 200 red ones
    assert both <= 20
    assert all(d.lane == "red" for d in lanes if "RND-R" in fired_ids(d))
    assert sum(1 for d in lanes if d.lane == "red") == sum(1 for d in lanes if "RND-R" in fired_ids(d))


def test_random_selection_detail() -> None:
    decision = assess(subject(), [random_rule("1")])
    assert decision.fired[0].detail.startswith("random selection: draw 0.")
    assert decision.fired[0].detail.endswith("is below share 1")


# ----------------------------------------------------------------------------------------------
# effective dates and flows


def test_rule_valid_from_tomorrow_does_not_fire() -> None:
    rule = hs_rule("93", valid_from=TODAY + timedelta(days=1))
    assert assess(subject(item("9301100000")), [rule]).fired == ()
    assert assess(subject(item("9301100000"), on_date=TODAY + timedelta(days=1)), [rule]).lane == "yellow"


def test_rule_valid_to_is_the_last_day() -> None:
    rule = hs_rule("93", valid_from=date(2023, 7, 20), valid_to=TODAY)
    assert assess(subject(item("9301100000")), [rule]).lane == "yellow"
    assert assess(subject(item("9301100000"), on_date=TODAY + timedelta(days=1)), [rule]).lane == "green"
    assert assess(subject(item("9301100000"), on_date=date(2023, 7, 19)), [rule]).lane == "green"


def test_rule_applies_only_to_its_flow() -> None:
    export_only = hs_rule("93", rule_id="EXP", flow="export")
    both = hs_rule("93", rule_id="BOTH", lane="red", flow="both")
    goods = item("9301100000")
    assert fired_ids(assess(subject(goods, flow="import"), [export_only, both])) == ["BOTH"]
    assert fired_ids(assess(subject(goods, flow="export"), [export_only, both])) == ["EXP", "BOTH"]


# ----------------------------------------------------------------------------------------------
# AEO facilitation and lane choice


def test_aeo_is_green_when_only_non_overriding_rules_fire() -> None:
    rules: list[Rule] = [hs_rule("93", lane="red"), NewTraderRule(**common("NEW"), min_prior_declarations=3)]
    decision = assess(subject(item("9301100000"), trader_is_aeo=True, trader_prior_declarations=0), rules)
    assert decision.lane == "green"
    assert fired_ids(decision) == ["HS", "NEW"]
    assert all(f.suppressed_by_aeo for f in decision.fired)
    not_aeo = assess(subject(item("9301100000"), trader_prior_declarations=0), rules)
    assert not_aeo.lane == "red"
    assert not any(f.suppressed_by_aeo for f in not_aeo.fired)


def test_aeo_loses_facilitation_when_an_overriding_rule_fires() -> None:
    vet = hs_rule("0306", rule_id="VET", lane="yellow", overrides_aeo=True)
    arms = hs_rule("93", rule_id="ARMS", lane="red")
    decision = assess(
        subject(item("0306170000", seq=1), item("9301100000", seq=2), trader_is_aeo=True), [vet, arms]
    )
    assert decision.lane == "yellow"  # the red rule is suppressed for the AEO
    by_id = {f.rule_id: f for f in decision.fired}
    assert by_id["VET"].suppressed_by_aeo is False
    assert by_id["ARMS"].suppressed_by_aeo is True


def test_most_severe_lane_wins_and_rule_order_is_kept() -> None:
    rules: list[Rule] = [
        hs_rule("03", rule_id="A", lane="yellow"),
        hs_rule("0306", rule_id="B", lane="red"),
        hs_rule("030617", rule_id="C", lane="yellow"),
    ]
    decision = assess(subject(item("0306170000")), rules)
    assert decision.lane == "red"
    assert fired_ids(decision) == ["A", "B", "C"]
    assert assess(subject(item("0306170000")), [rules[0], rules[2]]).lane == "yellow"


def test_no_rules_fire_is_green() -> None:
    decision = assess(subject(), [hs_rule("93")])
    assert decision == RiskDecision(lane="green", fired=(), rules_version=decision.rules_version)


# ----------------------------------------------------------------------------------------------
# decision record and rule sets


def test_decision_to_json_is_serialisable_and_complete() -> None:
    decision = assess(
        subject(item("9301100000"), trader_prior_declarations=0),
        [
            hs_rule("93", lane="red"),
            NewTraderRule(**common("NEW"), min_prior_declarations=3),
        ],
    )
    data = json.loads(json.dumps(decision.to_json()))
    assert data["lane"] == "red"
    assert data["rules_version"] == decision.rules_version
    assert [f["rule_id"] for f in data["fired"]] == ["HS", "NEW"]
    assert data["fired"][0] == {
        "rule_id": "HS",
        "kind": "sensitive_hs",
        "lane": "red",
        "description": "rule HS",
        "detail": "item 1: HS 9301100000 is within 93",
        "source": "sample rule for demonstration",
        "suppressed_by_aeo": False,
        "items": [1],
    }


def test_rules_version_identifies_the_rule_content() -> None:
    a: list[Rule] = [hs_rule("93"), random_rule("0.03")]
    same: list[Rule] = [hs_rule("93"), random_rule("0.03")]
    changed: list[Rule] = [hs_rule("93"), random_rule("0.04")]
    version = assess(subject(), a).rules_version
    assert len(version) == 16
    assert assess(subject(), same).rules_version == version
    assert assess(subject(), changed).rules_version != version
    assert compile_rules(a).version == version


def test_compiled_rule_set_gives_the_same_decision() -> None:
    rules: list[Rule] = [hs_rule("93", lane="red"), random_rule("0.5")]
    ruleset = compile_rules(rules)
    for i in range(50):
        s = subject(item("9301100000"), declaration_id=f"Z-{i}")
        assert assess(s, ruleset) == assess(s, rules)


def test_duplicate_rule_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="more than once"):
        compile_rules([hs_rule("93"), hs_rule("03")])


# ----------------------------------------------------------------------------------------------
# invariants of the value objects


def test_risk_item_needs_a_national_hs_code() -> None:
    for bad in ("93011", "93011000001", "9301a00000", "٩٣٠١١٠٠٠٠٠"):
        with pytest.raises(ValueError, match="hs_code"):
            item(bad)


@pytest.mark.parametrize(
    "build",
    [
        lambda: random_rule("1.01"),
        lambda: random_rule("-0.01"),
        lambda: band("2709", "2", "1"),
        lambda: band("2709", None, None),
        lambda: band("851713", "1", "2", basis="per_unit"),
        lambda: hs_rule("93", lane="green"),
        lambda: hs_rule("9"),
        lambda: hs_rule("93", source=" "),
        lambda: hs_rule("93", valid_to=date(2024, 12, 31)),
        lambda: NewTraderRule(**common(), min_prior_declarations=0),
        lambda: OriginCountryRule(**common(), countries=frozenset({"india"})),
    ],
)
def test_rule_invariants(build: Any) -> None:
    with pytest.raises(ValueError):
        build()


# ----------------------------------------------------------------------------------------------
# properties


_PREFIXES = st.sampled_from(["03", "0306", "27", "2709", "85", "851713", "93"])
_CODES = st.sampled_from(["0306170000", "0303890000", "2709000000", "8517130000", "9301100000", "8471300000"])


@st.composite
def _rules(draw: st.DrawFn) -> list[SensitiveHsRule]:
    count = draw(st.integers(min_value=0, max_value=6))
    return [
        hs_rule(
            draw(_PREFIXES),
            rule_id=f"R{i}",
            lane=draw(st.sampled_from(["yellow", "red"])),
            overrides_aeo=draw(st.booleans()),
        )
        for i in range(count)
    ]


@settings(max_examples=200, deadline=None)
@given(
    rules=_rules(),
    codes=st.lists(_CODES, min_size=1, max_size=4),
    aeo=st.booleans(),
)
def test_lane_is_the_most_severe_unsuppressed_fired_rule(
    rules: list[SensitiveHsRule], codes: list[str], aeo: bool
) -> None:
    items = [item(code, seq=i + 1) for i, code in enumerate(codes)]
    decision = assess(subject(*items, trader_is_aeo=aeo), rules)
    rank = {"green": 0, "yellow": 1, "red": 2}
    active = [f for f in decision.fired if not f.suppressed_by_aeo]
    expected = max((f.lane for f in active), key=rank.__getitem__, default="green")
    assert decision.lane == expected
    by_id = {r.id: r for r in rules}
    for f in decision.fired:
        assert f.suppressed_by_aeo == (aeo and not by_id[f.rule_id].overrides_aeo)
    expected_fired = [
        r.id for r in rules if any(code.startswith(prefix) for prefix in r.hs_prefixes for code in codes)
    ]
    assert fired_ids(decision) == expected_fired
