"""The destination's answer as the export declaration keeps it: typed members, checked when they
come from the peer, and written back as received."""

from __future__ import annotations

from typing import Any

import pytest

from corridor.customs.domain.acknowledgement import Acknowledgement
from corridor.customs.domain.vocabulary import Lane
from corridor.shared.errors import InvalidInput
from corridor.shared.money import Money

ACCEPTED: dict[str, Any] = {
    "export_declaration_id": "25IN0000000000000001",
    "status": "accepted",
    "reasons": [],
    "import_declaration_id": "25RU0000000000000001",
    "lane": "yellow",
    "duties": [{"value": "795520.09", "currencyID": "RUB"}],
    "message_id": "m-1",
}
REJECTED: dict[str, Any] = {
    "export_declaration_id": "25IN0000000000000002",
    "status": "rejected",
    "reasons": [{"path": "Declaration.GoodsShipment", "reason": "missing"}],
    "message_id": "m-2",
}


@pytest.mark.parametrize("stored", [ACCEPTED, REJECTED, {**REJECTED, "note": "a\x1fb", "later": {"x": [1]}}])
def test_a_stored_answer_reads_back_and_is_written_unchanged(stored: dict[str, Any]) -> None:
    assert Acknowledgement.from_json(stored).to_json() == stored


def test_the_members_are_typed() -> None:
    ack = Acknowledgement.from_json(ACCEPTED)
    assert ack.accepted and ack.lane is Lane.YELLOW
    assert ack.duties == (Money.of("795520.09", "RUB"),)
    rejected = Acknowledgement.from_json(REJECTED)
    assert not rejected.accepted and rejected.reasons[0].path == "Declaration.GoodsShipment"
    assert rejected.duties is None and rejected.import_declaration_id is None


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"export_declaration_id": 7}, "body.export_declaration_id"),
        ({"status": "maybe"}, "body.status"),
        ({"lane": "purple"}, "body.lane"),
        ({"import_declaration_id": ["x"]}, "body.import_declaration_id"),
        ({"duties": "lots"}, "body.duties"),
        ({"duties": [{"value": "NaN", "currencyID": "RUB"}]}, "body.duties[0]"),
        ({"duties": [{"value": "1.00", "currencyID": ["R", "U", "B"]}]}, "body.duties[0]"),
        ({"duties": [{"value": 1, "currencyID": "RUB"}]}, "body.duties[0]"),
        ({"reasons": "none"}, "body.reasons"),
        ({"reasons": [{"path": 1, "reason": "x"}]}, "body.reasons[0]"),
    ],
)
def test_a_malformed_answer_is_refused_naming_the_member(changes: dict[str, Any], path: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Acknowledgement.from_json({**ACCEPTED, **changes})
    assert [e.path for e in refused.value.errors] == [path]


def test_an_answer_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        Acknowledgement.from_json(["accepted"])
    assert refused.value.errors[0].path == "body"
