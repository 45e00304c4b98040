"""Request bodies of the node's API beyond the declaration and EPCIS documents: each member is
typed text of a stated length (see ``corridor.shared.text``); unknown members are refused."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from corridor.service.auth import ROLES
from corridor.service.batch import MAX_BULK
from corridor.shared.text import Text

PartyId = Annotated[str, Text(35)]
Reference = Annotated[str, Text(40)]
"""A declaration id or consignment reference in a URL."""


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NewApiKey(Body):
    role: Annotated[str, Text(20)] = Field(description=f"One of {', '.join(ROLES)}")
    party_id: Annotated[str, Text(40)] = Field(
        description="The IEC/INN, officer id or peer country the key acts for"
    )
    label: Annotated[str, Text(200)] | None = None

    @field_validator("role")
    @classmethod
    def _known_role(cls, role: str) -> str:
        if role not in ROLES:
            raise PydanticCustomError("role", "must be one of {roles}", {"roles": ", ".join(ROLES)})
        return role


class BulkFiling(Body):
    declarations: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BULK,
        description=(
            f"1 to {MAX_BULK} WCO declarations, each as POST /v1/declarations takes it (with its own "
            "`documents` list when it references wrapped trade documents)"
        ),
    )


class NewMandate(Body):
    broker_id: PartyId = Field(description="The customs broker's IEC/INN")
    exporter_id: PartyId = Field(description="The exporter's IEC/INN")


class Clearance(Body):
    findings: Annotated[str, Text(2000, multiline=True, blank=True)] = ""


class Hold(Body):
    reason: Annotated[str, Text(2000, multiline=True)] = Field(description="Why the goods are held")


class Release(Body):
    reason: Annotated[str, Text(2000, multiline=True)] = Field(description="Why the goods are released")


class Payment(Body):
    amounts: Any = Field(description='[{"value": "123.45", "currencyID": "RUB"}], the assessed totals')
    reference: Annotated[str, Text(70, blank=True)] = ""
