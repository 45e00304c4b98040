"""The EPCIS 2.0 ObjectEvent and its parts (places, business transactions, sources, quantities)."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from corridor.logistics.epcis.field_checks import cbv_term, check_context, check_extension_keys, check_time
from corridor.logistics.epcis.vocabulary import (
    BIZ_TRANSACTION_TYPES,
    BIZSTEPS,
    CBV_BIZSTEP_URI_PREFIX,
    CBV_DISPOSITION_URI_PREFIX,
    DISPOSITIONS,
    EPCIS_CONTEXT,
    EVENT_ID_NAMESPACE,
    LEGACY_CBV_RE,
    SOURCE_DEST_TYPES,
    TZ_OFFSET_PATTERN,
    EventId,
    Term,
    Uri,
)
from corridor.logistics.identifiers import URI_RE


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
        if LEGACY_CBV_RE.match(v) or not URI_RE.match(v):
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
        if LEGACY_CBV_RE.match(v) or not URI_RE.match(v):
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
    eventTimeZoneOffset: Annotated[str, StringConstraints(strict=True, pattern=TZ_OFFSET_PATTERN)]
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

    _check_times = field_validator("eventTime", "recordTime", mode="before")(check_time)

    @field_validator("context")
    @classmethod
    def _ctx(cls, v: Any) -> Any:
        if v is not None:
            check_context(v)
        return v

    @field_validator("bizStep")
    @classmethod
    def _biz_step(cls, v: str | None) -> str | None:
        return None if v is None else cbv_term(v, BIZSTEPS, CBV_BIZSTEP_URI_PREFIX, "bizStep")

    @field_validator("disposition")
    @classmethod
    def _disposition(cls, v: str | None) -> str | None:
        return None if v is None else cbv_term(v, DISPOSITIONS, CBV_DISPOSITION_URI_PREFIX, "disposition")

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
        check_extension_keys(self.__pydantic_extra__)
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
