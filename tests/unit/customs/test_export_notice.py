"""The export office's hold notice and its lifting, as sent and as read from the peer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from corridor.customs.domain.export_notice import ExportNotice
from corridor.shared.errors import InvalidInput

HOLD = ExportNotice(
    "25IN0000000000000001", "m-prearrival", 2, "seal broken", datetime(2026, 3, 1, 9, tzinfo=UTC)
)


def test_a_notice_reads_back_as_sent() -> None:
    sent = HOLD.to_json()
    assert set(sent) == {"export_declaration_id", "prearrival_message_id", "sequence", "at", "reason"}
    assert ExportNotice.from_json(sent, held=True) == HOLD
    lifted = ExportNotice(HOLD.export_declaration_id, None, 3, None)
    assert ExportNotice.from_json(lifted.to_json(), held=False) == lifted


@pytest.mark.parametrize(
    ("changes", "held", "path"),
    [
        ({"reason": None}, True, "body.reason"),
        ({"reason": 5}, False, "body.reason"),
        ({"sequence": True}, True, "body.sequence"),
        ({"prearrival_message_id": ["m"]}, True, "body.prearrival_message_id"),
        ({"at": "yesterday"}, True, "body.at"),
        ({"at": "2026-03-01T09:00:00"}, True, "body.at"),  # no UTC offset
    ],
)
def test_a_malformed_notice_is_refused_naming_the_member(
    changes: dict[str, Any], held: bool, path: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        ExportNotice.from_json({**HOLD.to_json(), **changes}, held=held)
    assert [e.path for e in refused.value.errors] == [path]


def test_a_notice_without_its_time_is_still_read() -> None:
    body = {"export_declaration_id": "x", "prearrival_message_id": "m", "sequence": 1, "reason": "r"}
    assert ExportNotice.from_json(body, held=True).at is None
