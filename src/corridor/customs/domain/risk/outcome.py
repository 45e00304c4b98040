"""The risk decision a declaration holds: its lane, the rules that fired and what they saw, and the
findings of its documents, which can only make the lane stricter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NotRequired, TypedDict, cast

from corridor.customs.domain.risk.vocabulary import Lane, RuleKind, RuleLane
from corridor.shared.findings import LaneFinding


class FiredRuleJson(TypedDict):
    rule_id: str
    kind: str
    lane: str
    description: str
    detail: str
    source: str
    suppressed_by_aeo: bool
    items: list[int]


class DocumentFindingJson(TypedDict):
    lane: str
    path: str
    reason: str


class RiskDecisionJson(TypedDict):
    """The risk decision as stored with the declaration and shown to officers."""

    lane: str
    rules_version: str
    fired: list[FiredRuleJson]
    documents: NotRequired[list[DocumentFindingJson]]
    hs_check: NotRequired[str]


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

    def to_json(self) -> FiredRuleJson:
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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FiredRule:
        return cls(
            rule_id=str(data["rule_id"]),
            kind=cast(RuleKind, data["kind"]),
            lane=cast(RuleLane, data["lane"]),
            description=str(data.get("description", "")),
            detail=str(data.get("detail", "")),
            source=str(data.get("source", "")),
            suppressed_by_aeo=bool(data.get("suppressed_by_aeo", False)),
            items=tuple(int(i) for i in data.get("items", ())),
        )


@dataclass(frozen=True, slots=True)
class DocumentFinding:
    """What checking a referenced document found (``path`` names the declaration's field)."""

    lane: Lane
    path: str
    reason: str

    def to_json(self) -> DocumentFindingJson:
        return {"lane": self.lane.value, "path": self.path, "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DocumentFinding:
        return cls(Lane(data["lane"]), str(data.get("path", "")), str(data.get("reason", "")))


@dataclass(frozen=True, slots=True)
class RiskDecision:
    lane: Lane
    fired: tuple[FiredRule, ...]
    rules_version: str
    documents: tuple[DocumentFinding, ...] = ()
    hs_check: str = ""  # whether the description check ran, or why its rule was inert

    def to_json(self) -> RiskDecisionJson:
        out: RiskDecisionJson = {
            "lane": self.lane.value,
            "rules_version": self.rules_version,
            "fired": [f.to_json() for f in self.fired],
        }
        if self.documents:
            out["documents"] = [d.to_json() for d in self.documents]
        if self.hs_check:
            out["hs_check"] = self.hs_check
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RiskDecision:
        return cls(
            lane=Lane(data["lane"]),
            fired=tuple(FiredRule.from_json(f) for f in data.get("fired", ())),
            rules_version=str(data.get("rules_version", "")),
            documents=tuple(DocumentFinding.from_json(d) for d in data.get("documents", ())),
            hs_check=str(data.get("hs_check", "")),
        )

    def with_findings(self, findings: Sequence[LaneFinding]) -> RiskDecision:
        """The decision with the document findings folded in: the most severe lane wins."""
        if not findings:
            return self
        documents = tuple(DocumentFinding(Lane(f.lane), f.path, f.reason) for f in findings)
        lane = self.lane
        for finding in documents:
            lane = lane.at_least(finding.lane)
        return replace(self, lane=lane, documents=self.documents + documents)

    def noting_hs_check(self, status: str) -> RiskDecision:
        return replace(self, hs_check=status)

    def forced(self, lane: Lane) -> RiskDecision:
        """The same decision in another lane (an officer's or a test's choice)."""
        return replace(self, lane=lane)
