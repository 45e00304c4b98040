"""EPCIS 2.0 and CBV terms the corridor accepts: context, URI prefixes, dispositions, event types."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from corridor.logistics.identifiers import URI_RE
from corridor.shared.cbv import BizStep
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
RFC3339_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
)
TZ_OFFSET_PATTERN = r"^([+]|[-])((0[0-9]|1[0-3]):([0-5][0-9])|14:00)$"
LEGACY_CBV_RE = re.compile(r"^(urn:epcglobal:cbv|https?://ns\.gs1\.org/cbv/)")


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
BIZSTEPS = frozenset(s.value for s in BizStep)
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
