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

This package does no I/O and is on the hot path of every declaration: rule lookups (HS prefix sets,
selection thresholds, flow indexes, the rule-set version) are computed once per rule set.
"""

from corridor.customs.domain.risk.decision import (
    Rule,
    RuleSet,
    assess,
    compile_rules,
    rules_version,
)
from corridor.customs.domain.risk.description_rule import HsMismatchRule
from corridor.customs.domain.risk.goods_rules import OriginCountryRule, SensitiveHsRule, UnitValueBandRule
from corridor.customs.domain.risk.hs_check import HsCheck, HsVerdict
from corridor.customs.domain.risk.outcome import DocumentFinding, FiredRule, RiskDecision
from corridor.customs.domain.risk.random_selection import RandomSelectionRule, selection_draw
from corridor.customs.domain.risk.subject import RiskItem, RiskSubject
from corridor.customs.domain.risk.trader_rule import NewTraderRule
from corridor.customs.domain.risk.vocabulary import (
    LANE_RANK,
    MAX_SELECTION_KEY_BYTES,
    RULE_FLOWS,
    RULE_KINDS,
    RULE_LANES,
    Basis,
    Flow,
    Lane,
    NodeCountry,
    RuleFlow,
    RuleKind,
    RuleLane,
    is_hs_prefix,
)

__all__ = [
    "LANE_RANK",
    "MAX_SELECTION_KEY_BYTES",
    "RULE_FLOWS",
    "RULE_KINDS",
    "RULE_LANES",
    "Basis",
    "DocumentFinding",
    "FiredRule",
    "Flow",
    "HsCheck",
    "HsMismatchRule",
    "HsVerdict",
    "Lane",
    "NewTraderRule",
    "NodeCountry",
    "OriginCountryRule",
    "RandomSelectionRule",
    "RiskDecision",
    "RiskItem",
    "RiskSubject",
    "Rule",
    "RuleFlow",
    "RuleKind",
    "RuleLane",
    "RuleSet",
    "SensitiveHsRule",
    "UnitValueBandRule",
    "assess",
    "compile_rules",
    "is_hs_prefix",
    "rules_version",
    "selection_draw",
]
