"""Parsers: raw JSON in, validated events and documents out, or errors that name each field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from corridor.logistics.epcis.document import EPCISDocument
from corridor.logistics.epcis.event import ObjectEvent
from corridor.logistics.epcis.vocabulary import OTHER_EVENT_TYPES, UNSUPPORTED_EVENT_FIELDS
from corridor.shared.errors import FieldError, InvalidInput


def _errors_from(exc: ValidationError, path: str) -> list[FieldError]:
    out = []
    for err in exc.errors(include_url=False):
        loc = path
        for part in err["loc"]:
            loc = f"{loc}[{part}]" if isinstance(part, int) else f"{loc}.{part}"
        msg = err["msg"].removeprefix("Value error, ")
        out.append(FieldError(loc, msg))
    return out


def _event_type_reason(etype: Any) -> str | None:
    if etype == "ObjectEvent":
        return None
    if etype == "TransportEvent":
        return (
            "EPCIS 2.0 defines no TransportEvent class; send a transport milestone as an ObjectEvent "
            "(action OBSERVE, bizStep departing/arriving/loading/unloading, epcList of containers)"
        )
    if etype in OTHER_EVENT_TYPES:
        return (
            f"{etype} is valid EPCIS 2.0 but the corridor only ingests ObjectEvent; send the container or "
            "consignment identifiers in an ObjectEvent epcList"
        )
    if not isinstance(etype, str):
        return "missing or non-string event type; the corridor ingests 'ObjectEvent'"
    return f"event type {etype!r} is not ingested; the corridor ingests 'ObjectEvent'"


def parse_event(raw: Any, *, path: str = "event", standalone: bool = True) -> ObjectEvent:
    """Validate one EPCIS event (a standalone event needs ``@context``); raise ``InvalidInput``."""
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError(path, "an EPCIS event must be a JSON object")])
    reason = _event_type_reason(raw.get("type"))
    if reason is not None:
        raise InvalidInput([FieldError(f"{path}.type", reason)])
    errors: list[FieldError] = []
    for key in UNSUPPORTED_EVENT_FIELDS.intersection(raw):
        errors.append(FieldError(f"{path}.{key}", "EPCIS field not processed by the corridor; omit it"))
    if standalone and "@context" not in raw:
        errors.append(FieldError(f"{path}.@context", "a standalone EPCIS event needs @context"))
    if errors:
        raise InvalidInput(errors)
    try:
        return ObjectEvent.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(_errors_from(exc, path)) from None


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    document: EPCISDocument
    indexes: tuple[int, ...]  # position in epcisBody.eventList of each accepted event, same order
    errors: tuple[FieldError, ...]  # why the other events (or document fields) were rejected


def parse_document(raw: Any, *, partial: bool = False) -> ParsedDocument:
    """Validate an EPCISDocument. Returns the document with the accepted events and the errors of the
    rejected ones. With ``partial=False`` any error raises ``InvalidInput`` listing all of them."""
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError("$", "an EPCIS document must be a JSON object")])
    if raw.get("type") != "EPCISDocument":
        raise InvalidInput([FieldError("type", "must be 'EPCISDocument'")])
    errors: list[FieldError] = []
    body = raw.get("epcisBody")
    event_list = body.get("eventList") if isinstance(body, Mapping) else None
    if not isinstance(event_list, list):
        raise InvalidInput([FieldError("epcisBody.eventList", "required list of events")])
    if isinstance(body, Mapping) and set(body) - {"eventList"}:
        errors.append(FieldError("epcisBody", "only eventList is allowed in an EPCISDocument body"))
    events: list[ObjectEvent] = []
    indexes: list[int] = []
    for i, item in enumerate(event_list):
        try:
            events.append(parse_event(item, path=f"epcisBody.eventList[{i}]", standalone=False))
            indexes.append(i)
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if "events" in raw:
        errors.append(FieldError("events", "unknown field; events go in epcisBody.eventList"))
    head = {k: v for k, v in raw.items() if k not in ("epcisBody", "events")}
    try:
        doc = EPCISDocument.model_validate({**head, "events": tuple(events)})
    except ValidationError as exc:
        head_errors = [FieldError(e.path.removeprefix("$."), e.reason) for e in _errors_from(exc, "$")]
        raise InvalidInput(head_errors + errors) from None
    if errors and not partial:
        raise InvalidInput(errors)
    return ParsedDocument(doc, tuple(indexes), tuple(errors))
