"""The lane a declaration takes when the documents it relies on show problems: the most severe of
the risk rules' lane and the findings' lanes wins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corridor.customs.domain.vocabulary import Lane
from corridor.shared.findings import LaneFinding


def merge_lane(risk: dict[str, Any], findings: Sequence[LaneFinding]) -> dict[str, Any]:
    """The risk decision with the document findings folded in: the most severe lane wins."""
    if not findings:
        return risk
    lane = Lane(risk["lane"])
    for finding in findings:
        lane = lane.at_least(Lane(finding.lane))
    return {**risk, "lane": lane.value, "documents": [f.to_json() for f in findings]}
