"""The notice the export office sends the destination when it holds goods it had cleared, or lifts
that hold. Of notices that overtake one another only the one with the highest sequence counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from corridor.shared.errors import FieldError, InvalidInput


@dataclass(frozen=True, slots=True)
class ExportNotice:
    export_declaration_id: str
    prearrival_message_id: str | None  # the pre-arrival message the destination holds
    sequence: int  # from 1, one more for each notice about the same export
    reason: str | None  # a hold states its reason; a lifted hold may not
    at: datetime | None = None  # when the export office decided

    def to_json(self) -> dict[str, object]:
        return {
            "export_declaration_id": self.export_declaration_id,
            "prearrival_message_id": self.prearrival_message_id,
            "sequence": self.sequence,
            "at": None if self.at is None else self.at.isoformat(),
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any], held: bool) -> ExportNotice:
        """InvalidInput naming ``body.member`` for each member that is missing or malformed."""
        export_id: Any = body.get("export_declaration_id")
        sequence: Any = body.get("sequence")
        prearrival, reason, at = body.get("prearrival_message_id"), body.get("reason"), body.get("at")
        errors = []
        if not isinstance(export_id, str) or not export_id:
            errors.append(FieldError("body.export_declaration_id", "missing or not a string"))
        if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
            errors.append(FieldError("body.sequence", "must be a whole number from 1"))
        if held and not isinstance(reason, str):
            errors.append(FieldError("body.reason", "a hold states its reason"))
        elif reason is not None and not isinstance(reason, str):
            errors.append(FieldError("body.reason", "not a string"))
        if prearrival is not None and not isinstance(prearrival, str):
            errors.append(FieldError("body.prearrival_message_id", "not a string"))
        when = _time(at, errors)
        if errors:
            raise InvalidInput(errors)
        return cls(
            str(export_id),
            prearrival if isinstance(prearrival, str) else None,
            int(sequence),
            reason if isinstance(reason, str) else None,
            when,
        )


def _time(at: Any, errors: list[FieldError]) -> datetime | None:
    if at is None:
        return None
    try:
        when = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        errors.append(FieldError("body.at", "not a date and time with its UTC offset (ISO 8601)"))
        return None
    return when
