"""The hs_description_mismatch rule in the risk engine: fired for a misclassified declaration,
not for a correct one, inert (and saying so) where the node has no classifier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from corridor.classification.check import MEASURED_MIN_CONFIDENCE, DescriptionCheck, Verdict
from corridor.customs.domain.risk import HsMismatchRule, RiskItem, RiskSubject, assess
from corridor.refdata.risk_rules import load_rules_from_text, risk_rules

KEY = b"test-selection-key-0123456789abcdef"
RULE = HsMismatchRule(
    id="RU-HS-DESCRIPTION-MISMATCH",
    description="Declared heading contradicted by the description",
    lane="yellow",
    valid_from=date(2026, 11, 30),
    source="test rule: threshold from benchmarks/hs_accuracy.py",
    min_confidence=Decimal("0.9"),
)


@dataclass
class FixedCheck:
    """Says shrimp is heading 0306, very surely."""

    def check(self, description: str, declared_code: str, min_confidence: float) -> Verdict:
        if "shrimp" in description and not declared_code.startswith("0306") and min_confidence <= 0.97:
            return Verdict(True, True, f"declared HS {declared_code} does not fit; suggested 0306.17")
        return Verdict(True, False, "fits")

    def unavailable_reason(self) -> str | None:
        return None


def subject(code: str, check: object) -> RiskSubject:
    item = RiskItem(
        sequence=1,
        hs_code=code,
        quantity=Decimal(100),
        unit="KGM",
        value_usd=Decimal(900),
        net_mass_kg=Decimal(100),
        description="Frozen vannamei shrimp, peeled",
    )
    return RiskSubject(
        declaration_id="RU-IMP-2026-000001",
        node_country="RU",
        flow="import",
        trader_id="7707083893",
        trader_is_aeo=False,
        trader_prior_declarations=50,
        origin_country="IN",
        items=[item],
        on_date=date(2026, 12, 1),
        hs_check=check,  # type: ignore[arg-type]
    )


def test_a_correct_declaration_stays_green() -> None:
    decision = assess(subject("0306179100", FixedCheck()), [RULE], selection_key=KEY)
    assert decision.lane == "green" and decision.fired == ()


def test_a_misclassified_declaration_goes_yellow_naming_declared_and_suggested_codes() -> None:
    decision = assess(subject("8471300000", FixedCheck()), [RULE], selection_key=KEY)
    assert decision.lane == "yellow"
    (fired,) = decision.fired
    assert fired.kind == "hs_description_mismatch" and fired.items == (1,)
    assert "8471300000" in fired.detail and "0306.17" in fired.detail


def test_without_a_check_the_rule_is_inert() -> None:
    assert assess(subject("8471300000", None), [RULE], selection_key=KEY).lane == "green"
    unavailable = DescriptionCheck(None, "the [hs] extra is not installed")
    assert assess(subject("8471300000", unavailable), [RULE], selection_key=KEY).lane == "green"


def test_the_rule_is_data_with_its_threshold_and_effective_date() -> None:
    for country in ("IN", "RU"):
        (rule,) = [r for r in risk_rules(country) if r.kind == "hs_description_mismatch"]
        assert isinstance(rule, HsMismatchRule)
        assert rule.min_confidence == Decimal(str(MEASURED_MIN_CONFIDENCE)) and rule.lane == "yellow"
        assert "benchmarks/hs_accuracy.py" in rule.source


@pytest.mark.parametrize(("value", "reason"), [('"1.5"', "outside [0, 1]"), ("null", "is required")])
def test_a_bad_threshold_in_the_rules_file_is_named(value: str, reason: str) -> None:
    text = f"""
country: RU
rules:
  - id: RU-HS
    kind: hs_description_mismatch
    flow: import
    lane: yellow
    description: test
    source: a test rule with a source long enough
    valid_from: 2026-11-30
    min_confidence: {value}
"""
    with pytest.raises(Exception) as caught:
        load_rules_from_text(text, "risk_rules_RU.yaml")
    assert "min_confidence" in str(caught.value) and reason in str(caught.value)


def test_the_node_risk_output_says_when_the_check_did_not_run(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor.classification.adapters import loader
    from corridor.customs.assessment import ReferenceAssessor

    monkeypatch.setattr(loader, "missing_modules", lambda: ["bm25s"])
    assessor = ReferenceAssessor.for_country(
        "RU", KEY, hs_check=DescriptionCheck(loader.hs_service(tmp_path))
    )  # type: ignore[arg-type]
    reason = assessor.hs_check.unavailable_reason() if assessor.hs_check else None
    assert reason is not None and "[hs] extra" in reason


def test_a_node_without_the_extra_files_with_the_rule_inert_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor.classification.adapters import loader
    from corridor.demo.samples import SampleCorridor
    from corridor.messaging.transport import InProcessTransport
    from corridor.node.bootstrap import bootstrap_node
    from corridor.service.commands import FileDeclaration

    monkeypatch.setattr(loader, "missing_modules", lambda: ["bm25s"])
    monkeypatch.setenv("CORRIDOR_HS_CHECK", "on")
    node = bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    try:
        document = SampleCorridor(seed=3).next("IN", datetime.now(UTC))
        filed = node.handle(FileDeclaration(document, document["Declaration"]["Exporter"]["ID"]))
        with node.uow() as uow:
            declaration = uow.declarations.get(filed.id)
        assert declaration is not None and declaration.risk is not None
        risk = declaration.risk
        assert risk.hs_check.startswith("not run, rule inert: HS suggestions need the optional [hs] extra")
        assert all(f.kind != "hs_description_mismatch" for f in risk.fired)
    finally:
        node.close()


def test_a_node_whose_operator_switched_the_check_off_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor.demo.samples import SampleCorridor
    from corridor.messaging.transport import InProcessTransport
    from corridor.node.bootstrap import bootstrap_node
    from corridor.service.commands import FileDeclaration

    monkeypatch.setenv("CORRIDOR_HS_CHECK", "off")
    node = bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    try:
        document = SampleCorridor(seed=3).next("IN", datetime.now(UTC))
        filed = node.handle(FileDeclaration(document, document["Declaration"]["Exporter"]["ID"]))
        assert filed.risk is not None
        assert filed.risk.hs_check == "not run, rule inert: switched off on this node (CORRIDOR_HS_CHECK=off)"
    finally:
        node.close()
