"""The destination's answer to the pre-arrival data, as the export declaration keeps it: accepted
(with the import declaration's id, its lane and the duties assessed) or rejected (with the reasons).

The answer comes from the peer: ``from_json`` checks every member it reads and names the one that is
wrong; members it does not know are kept as sent, so ``to_json`` writes back what was received (plus
the id of the message that carried it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, cast

from corridor.customs.domain.vocabulary import Lane
from corridor.shared.errors import FieldError, InvalidInput
from corridor.shared.money import Money

AckStatus = Literal["accepted", "rejected"]
KNOWN = frozenset(
    {"export_declaration_id", "status", "reasons", "import_declaration_id", "lane", "duties", "message_id"}
)


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    export_declaration_id: str
    status: AckStatus
    message_id: str = ""
    reasons: tuple[FieldError, ...] = ()
    import_declaration_id: str | None = None
    lane: Lane | None = None
    duties: tuple[Money, ...] | None = None
    other: Mapping[str, Any] = field(default_factory=dict)  # members this node does not read

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "export_declaration_id": self.export_declaration_id,
            "status": self.status,
            "reasons": [r.to_json() for r in self.reasons],
        }
        if self.import_declaration_id is not None:
            out["import_declaration_id"] = self.import_declaration_id
        if self.lane is not None:
            out["lane"] = self.lane.value
        if self.duties is not None:
            out["duties"] = [m.to_json() for m in self.duties]
        out.update(self.other)
        if self.message_id:
            out["message_id"] = self.message_id
        return out

    @classmethod
    def from_json(cls, data: Any, path: str = "body") -> Acknowledgement:
        """InvalidInput naming ``path.member`` when a member is missing or not what it must be."""
        if not isinstance(data, Mapping):
            raise InvalidInput([FieldError(path, "not an object")])
        errors: list[FieldError] = []
        export_id = _text(data, "export_declaration_id", path, errors, required=True)
        status = data.get("status")
        if status not in ("accepted", "rejected"):
            errors.append(FieldError(f"{path}.status", "must be accepted or rejected"))
        lane = data.get("lane")
        if lane is not None and lane not in tuple(Lane):
            errors.append(FieldError(f"{path}.lane", f"{lane!r} is not one of {', '.join(Lane)}"))
        found = cls(
            export_declaration_id=export_id or "",
            status=cast(AckStatus, status),
            message_id=_text(data, "message_id", path, errors) or "",
            reasons=_reasons(data.get("reasons", []), f"{path}.reasons", errors),
            import_declaration_id=_text(data, "import_declaration_id", path, errors),
            lane=None if lane is None or lane not in tuple(Lane) else Lane(lane),
            duties=_duties(data.get("duties"), f"{path}.duties", errors),
            other={k: v for k, v in data.items() if k not in KNOWN},
        )
        if errors:
            raise InvalidInput(errors)
        return found


def _text(
    data: Mapping[str, Any], name: str, path: str, errors: list[FieldError], required: bool = False
) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        errors.append(FieldError(f"{path}.{name}", "missing or not a string"))
        return None
    return value


def _reasons(raw: Any, path: str, errors: list[FieldError]) -> tuple[FieldError, ...]:
    if not isinstance(raw, list):
        errors.append(FieldError(path, "not a list of {path, reason}"))
        return ()
    out = []
    for i, item in enumerate(raw):
        if (
            isinstance(item, Mapping)
            and isinstance(item.get("path"), str)
            and isinstance(item.get("reason"), str)
        ):
            out.append(FieldError(item["path"], item["reason"]))
        else:
            errors.append(FieldError(f"{path}[{i}]", "not a {path, reason} pair of strings"))
    return tuple(out)


def _duties(raw: Any, path: str, errors: list[FieldError]) -> tuple[Money, ...] | None:
    """The assessed totals, one per currency; an empty object (an answer without duties) counts as none."""
    if raw is None:
        return None
    if raw == {}:
        return ()
    if not isinstance(raw, list):
        errors.append(FieldError(path, "not a list of {value, currencyID}"))
        return None
    out = []
    for i, item in enumerate(raw):
        try:
            value = item["value"]
            if not isinstance(value, str) or not Decimal(value).is_finite():
                raise ValueError("value")
            out.append(Money.from_json(item))
        except (AttributeError, KeyError, TypeError, ValueError, InvalidOperation):
            errors.append(FieldError(f"{path}[{i}]", "not an amount {value, currencyID}"))
    return tuple(out)
