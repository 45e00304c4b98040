"""The EPCIS 2.0 EPCISDocument: a header and the ObjectEvents it carries."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from corridor.logistics.epcis.event import ObjectEvent
from corridor.logistics.epcis.field_checks import check_context, check_extension_keys, check_time
from corridor.logistics.epcis.vocabulary import SCHEMA_VERSION, Uri
from corridor.logistics.identifiers import URI_RE
from corridor.shared.text import Text


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

    _check_times = field_validator("creationDate", mode="before")(check_time)

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
        check_context(v)
        return v

    @model_validator(mode="after")
    def _ext(self) -> EPCISDocument:
        check_extension_keys(self.__pydantic_extra__)
        return self

    def to_epcis(self) -> dict[str, Any]:
        out = self.model_dump(by_alias=True, exclude_none=True, mode="json", exclude={"events"})
        out["epcisBody"] = {"eventList": [e.to_epcis(standalone=False) for e in self.events]}
        return out
