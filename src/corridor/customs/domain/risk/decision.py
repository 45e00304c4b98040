"""Rule sets and decisions: rules prepared per flow, applied to a subject, the lane chosen and why."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

from corridor.customs.domain.risk.description_rule import HsMismatchRule
from corridor.customs.domain.risk.goods_rules import OriginCountryRule, SensitiveHsRule, UnitValueBandRule
from corridor.customs.domain.risk.outcome import FiredRule, RiskDecision
from corridor.customs.domain.risk.random_selection import RandomSelectionRule
from corridor.customs.domain.risk.subject import RiskSubject
from corridor.customs.domain.risk.trader_rule import NewTraderRule
from corridor.customs.domain.risk.vocabulary import LANE_RANK, Lane

Rule: TypeAlias = (
    SensitiveHsRule
    | UnitValueBandRule
    | NewTraderRule
    | OriginCountryRule
    | RandomSelectionRule
    | HsMismatchRule
)


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
    return RiskDecision(lane=list(Lane)[worst], fired=tuple(fired), rules_version=ruleset.version)
