"""GS1 EPCIS 2.0 JSON-LD: lean pydantic v2 models of ObjectEvent and EPCISDocument, parsers and emitters.

Scope: the corridor ingests **ObjectEvent** (the EPCIS 2.0 event class for observations of objects, used
with CBV bizSteps ``loading``, ``departing``, ``arriving``, ``unloading``, ``inspecting``, ``receiving`` ...
for transport milestones). EPCIS 2.0 defines no ``TransportEvent`` class: a document that sends one, or any
other event class (Aggregation-, Association-, Transformation-, TransactionEvent, extension events) gets a
``FieldError`` naming the reason instead of a crash.

The models enforce the constraints of the official EPCIS 2.0 JSON Schema for the fields they accept, so an
event this module accepts or emits also validates against ``EPCIS-JSON-Schema-root.json`` (checked by
``tests/integration/epcis_conformance``). Fields that the corridor does not process
(``sensorElementList``, ``ilmd``, ``persistentDisposition``, ``certificationInfo``, ``errorDeclaration``)
are rejected with a reason rather than carried unchecked.

CBV vocabulary: ``bizStep`` and ``disposition`` are accepted as the short JSON-LD term (``departing``) or as
the GS1 Web URI (``https://ref.gs1.org/cbv/BizStep-departing``) and stored / emitted as the short term. The
EPCIS 1.x URN form (``urn:epcglobal:cbv:bizstep:departing``) is refused, as by the official schema.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from corridor.logistics.identifiers import URI_RE
from corridor.shared.cbv import BizStep
from corridor.shared.errors import FieldError, InvalidInput
from corridor.shared.text import Text

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CBV_BIZSTEP_URI_PREFIX = "https://ref.gs1.org/cbv/BizStep-"
CBV_DISPOSITION_URI_PREFIX = "https://ref.gs1.org/cbv/Disp-"
SCHEMA_VERSION = "2.0"
# Namespace for the corridor's deterministic event ids (UUID v5 of the canonical event content).
EVENT_ID_NAMESPACE = uuid.UUID("6f1d6c2e-0c39-5b1e-9a53-8c0b8f3f6a11")

Uri = Annotated[str, Text(512, pattern=URI_RE.pattern)]
EventId = Annotated[str, Text(200, pattern=URI_RE.pattern)]
Term = Annotated[str, Text(256)]
_RFC3339_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
)
_TZ_OFFSET_PATTERN = r"^([+]|[-])((0[0-9]|1[0-3]):([0-5][0-9])|14:00)$"
_LEGACY_CBV_RE = re.compile(r"^(urn:epcglobal:cbv|https?://ns\.gs1\.org/cbv/)")


DISPOSITIONS = frozenset(
    {
        "active",
        "container_closed",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "no_pedigree_match",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unknown",
        "available",
        "completeness_verified",
        "completeness_inferred",
        "conformant",
        "container_open",
        "mismatch_instance",
        "mismatch_class",
        "mismatch_quantity",
        "needs_replacement",
        "non_conformant",
        "unavailable",
    }
)
_BIZSTEPS = frozenset(s.value for s in BizStep)
BIZ_TRANSACTION_TYPES = frozenset(
    {"bol", "cert", "desadv", "inv", "pedigree", "po", "poc", "prodorder", "recadv", "rma", "testprd",
     "testres", "upevt"}
)  # fmt: skip
SOURCE_DEST_TYPES = frozenset({"owning_party", "possessing_party", "location"})
OTHER_EVENT_TYPES = frozenset(
    {"AggregationEvent", "AssociationEvent", "TransformationEvent", "TransactionEvent"}
)
UNSUPPORTED_EVENT_FIELDS = frozenset(
    {"sensorElementList", "ilmd", "persistentDisposition", "certificationInfo", "errorDeclaration"}
)


def _check_time(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339_RE.match(value):
        raise ValueError("must be an RFC 3339 date-time string with offset, e.g. 2025-03-01T10:00:00+05:30")
    return value


def _vocab(value: str, short: frozenset[str], uri_prefix: str, what: str) -> str:
    if value in short:
        return value
    if value.startswith(uri_prefix) and value[len(uri_prefix) :] in short:
        return value[len(uri_prefix) :]
    if _LEGACY_CBV_RE.match(value):
        raise ValueError(
            f"{value!r} is the EPCIS 1.x CBV URN form, not allowed in EPCIS 2.0 JSON; "
            f"use the short term or {uri_prefix}<term>"
        )
    if URI_RE.match(value) and ":" in value and not value.startswith(uri_prefix):
        return value  # a user-vocabulary URI, allowed by the standard
    raise ValueError(f"{value!r} is not a CBV {what} (short term like {sorted(short)[0]!r} or a URI)")


def _extension_keys(extra: dict[str, Any] | None) -> None:
    if extra:
        for key in extra:
            if not URI_RE.match(key):
                raise ValueError(
                    f"unknown field {key!r}; extension fields must be namespaced (prefix:name or URI)"
                )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, str_strip_whitespace=False)


class PlaceRef(_Model):
    """readPoint / bizLocation."""

    id: Uri


class BizTransaction(_Model):
    type: Term | None = None
    bizTransaction: Uri

    @field_validator("type")
    @classmethod
    def _type(cls, v: str | None) -> str | None:
        if v is None or v in BIZ_TRANSACTION_TYPES:
            return v
        if _LEGACY_CBV_RE.match(v) or not URI_RE.match(v):
            raise ValueError(
                f"{v!r} is not a CBV business transaction type ({', '.join(sorted(BIZ_TRANSACTION_TYPES))})"
            )
        return v


class SourceDest(_Model):
    type: Term
    source: Uri | None = None
    destination: Uri | None = None

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if v in SOURCE_DEST_TYPES:
            return v
        if _LEGACY_CBV_RE.match(v) or not URI_RE.match(v):
            raise ValueError(f"{v!r} is not a CBV source/destination type")
        return v


class QuantityElement(_Model):
    epcClass: Uri
    quantity: StrictFloat | StrictInt | None = None
    uom: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z0-9]{2,3}$")] | None = None


class ObjectEvent(BaseModel):
    """EPCIS 2.0 ObjectEvent (the fields the corridor processes; extension fields are kept as-is)."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    context: str | dict[str, Any] | list[str | dict[str, Any]] | None = Field(default=None, alias="@context")
    type: Literal["ObjectEvent"] = "ObjectEvent"
    eventID: EventId | None = None
    eventTime: AwareDatetime
    recordTime: AwareDatetime | None = None
    eventTimeZoneOffset: Annotated[str, StringConstraints(strict=True, pattern=_TZ_OFFSET_PATTERN)]
    action: Literal["OBSERVE", "ADD", "DELETE"]
    epcList: list[Uri] | None = None
    quantityList: list[QuantityElement] | None = None
    bizStep: Term | None = None
    disposition: Term | None = None
    readPoint: PlaceRef | None = None
    bizLocation: PlaceRef | None = None
    bizTransactionList: list[BizTransaction] | None = None
    sourceList: list[SourceDest] | None = None
    destinationList: list[SourceDest] | None = None

    _check_times = field_validator("eventTime", "recordTime", mode="before")(_check_time)

    @field_validator("context")
    @classmethod
    def _ctx(cls, v: Any) -> Any:
        if v is not None:
            _check_context(v)
        return v

    @field_validator("bizStep")
    @classmethod
    def _biz_step(cls, v: str | None) -> str | None:
        return None if v is None else _vocab(v, _BIZSTEPS, CBV_BIZSTEP_URI_PREFIX, "bizStep")

    @field_validator("disposition")
    @classmethod
    def _disposition(cls, v: str | None) -> str | None:
        return None if v is None else _vocab(v, DISPOSITIONS, CBV_DISPOSITION_URI_PREFIX, "disposition")

    @field_validator("epcList")
    @classmethod
    def _unique(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and len(set(v)) != len(v):
            raise ValueError("epcList items must be unique")
        return v

    @model_validator(mode="after")
    def _shape(self) -> ObjectEvent:
        if self.epcList is None and not self.quantityList:
            raise ValueError("an ObjectEvent needs epcList or a non-empty quantityList")
        for item in self.sourceList or ():
            if item.source is None or item.destination is not None:
                raise ValueError("each sourceList item has exactly 'type' and 'source'")
        for item in self.destinationList or ():
            if item.destination is None or item.source is not None:
                raise ValueError("each destinationList item has exactly 'type' and 'destination'")
        _extension_keys(self.__pydantic_extra__)
        return self

    def to_epcis(self, *, standalone: bool = True) -> dict[str, Any]:
        """JSON-ready dict. ``standalone`` events carry ``@context`` (required outside a document)."""
        out = self.model_dump(by_alias=True, exclude_none=True, mode="json")
        if standalone:
            out.setdefault("@context", EPCIS_CONTEXT)
        else:
            out.pop("@context", None)
        return out

    @property
    def location_uri(self) -> str | None:
        """The business location if given, else the read point."""
        if self.bizLocation is not None:
            return self.bizLocation.id
        return self.readPoint.id if self.readPoint is not None else None

    def with_event_id(self) -> ObjectEvent:
        """This event with an eventID: the carrier's, or a UUID v5 of the canonical content."""
        if self.eventID is not None:
            return self
        body = self.to_epcis(standalone=False)
        body.pop("recordTime", None)
        canon = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return self.model_copy(update={"eventID": uuid.uuid5(EVENT_ID_NAMESPACE, canon).urn})


class EPCISDocument(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    context: str | dict[str, Any] | list[str | dict[str, Any]] = Field(alias="@context")
    type: Literal["EPCISDocument"] = "EPCISDocument"
    id: Uri | None = None
    schemaVersion: Annotated[str, StringConstraints(strict=True, max_length=16, pattern=r"^\d+(\.\d+)*$")] = (
        SCHEMA_VERSION
    )
    creationDate: AwareDatetime
    instanceIdentifier: Annotated[str, Text(256)] | None = None
    sender: Annotated[str, Text(256)] | None = None
    receiver: Annotated[str, Text(256)] | None = None
    epcisHeader: dict[str, Any] | None = None
    events: tuple[ObjectEvent, ...] = ()

    _check_times = field_validator("creationDate", mode="before")(_check_time)

    @field_validator("epcisHeader")
    @classmethod
    def _header(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        if v is not None:
            for key in v:
                if key != "epcisMasterData" and not URI_RE.match(key):
                    raise ValueError(f"unknown epcisHeader field {key!r}")
            master = v.get("epcisMasterData")
            if master is not None and not isinstance(master, dict):
                raise ValueError("epcisMasterData must be an object")
        return v

    @field_validator("context")
    @classmethod
    def _ctx(cls, v: Any) -> Any:
        _check_context(v)
        return v

    @model_validator(mode="after")
    def _ext(self) -> EPCISDocument:
        _extension_keys(self.__pydantic_extra__)
        return self

    def to_epcis(self) -> dict[str, Any]:
        out = self.model_dump(by_alias=True, exclude_none=True, mode="json", exclude={"events"})
        out["epcisBody"] = {"eventList": [e.to_epcis(standalone=False) for e in self.events]}
        return out


def _check_context(ctx: Any) -> None:
    items = ctx if isinstance(ctx, list) else [ctx]
    seen: list[Any] = []
    for item in items:
        if isinstance(item, str) and not URI_RE.match(item):
            raise ValueError(f"@context entry {item!r} is not a URI")
        if item in seen:
            raise ValueError("@context entries must be unique")
        seen.append(item)


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


def make_document(
    events: Sequence[ObjectEvent],
    *,
    created: datetime,
    sender: str | None = None,
    receiver: str | None = None,
) -> EPCISDocument:
    """Build an EPCISDocument around events (the emitter)."""
    return EPCISDocument(
        context=EPCIS_CONTEXT,
        creationDate=created,
        sender=sender,
        receiver=receiver,
        events=tuple(events),
    )


def object_event(
    *,
    biz_step: BizStep | str,
    location_uri: str,
    epcs: Sequence[str],
    at: datetime,
    event_id: str | None = None,
    disposition: str | None = None,
    action: Literal["OBSERVE", "ADD", "DELETE"] = "OBSERVE",
    biz_transactions: Sequence[tuple[str, str]] = (),
) -> ObjectEvent:
    """Emitter for a carrier milestone: an ObjectEvent at a location (readPoint = bizLocation).

    ``at`` must be timezone-aware; its UTC offset becomes eventTimeZoneOffset. Without ``event_id`` a
    deterministic ``urn:uuid`` (UUID v5 of the content) is assigned."""
    offset = at.utcoffset()
    if offset is None:
        raise ValueError("event time must be timezone-aware")
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    tz = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    event = ObjectEvent(
        eventID=event_id,
        eventTime=at,
        eventTimeZoneOffset=tz,
        action=action,
        epcList=list(epcs),
        bizStep=str(biz_step),
        disposition=disposition,
        readPoint=PlaceRef(id=location_uri),
        bizLocation=PlaceRef(id=location_uri),
        bizTransactionList=[BizTransaction(type=t, bizTransaction=u) for t, u in biz_transactions] or None,
    )
    return event.with_event_id()
