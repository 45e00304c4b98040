"""GS1 EPCIS 2.0 JSON-LD: lean pydantic v2 models of ObjectEvent and EPCISDocument, parsers and emitters.

Scope: the corridor ingests **ObjectEvent** (the EPCIS 2.0 event class for observations of objects, used
with CBV bizSteps ``loading``, ``departing``, ``arriving``, ``unloading``, ``inspecting``, ``receiving`` ...
for transport milestones). EPCIS 2.0 defines no ``TransportEvent`` class: a document that sends one, or any
other event class (Aggregation-, Association-, Transformation-, TransactionEvent, extension events) gets a
``FieldError`` naming the reason instead of a crash.

The models enforce the constraints of the official EPCIS 2.0 JSON Schema for the fields they accept, so an
event this package accepts or emits also validates against ``EPCIS-JSON-Schema-root.json`` (checked by
``tests/integration/epcis_conformance``). Fields that the corridor does not process
(``sensorElementList``, ``ilmd``, ``persistentDisposition``, ``certificationInfo``, ``errorDeclaration``)
are rejected with a reason rather than carried unchecked.

CBV vocabulary: ``bizStep`` and ``disposition`` are accepted as the short JSON-LD term (``departing``) or as
the GS1 Web URI (``https://ref.gs1.org/cbv/BizStep-departing``) and stored / emitted as the short term. The
EPCIS 1.x URN form (``urn:epcglobal:cbv:bizstep:departing``) is refused, as by the official schema.
"""

from corridor.logistics.epcis.document import EPCISDocument
from corridor.logistics.epcis.emitters import make_document, object_event
from corridor.logistics.epcis.event import BizTransaction, ObjectEvent, PlaceRef, QuantityElement, SourceDest
from corridor.logistics.epcis.parsing import ParsedDocument, parse_document, parse_event
from corridor.logistics.epcis.vocabulary import (
    BIZ_TRANSACTION_TYPES,
    CBV_BIZSTEP_URI_PREFIX,
    CBV_DISPOSITION_URI_PREFIX,
    DISPOSITIONS,
    EPCIS_CONTEXT,
    EVENT_ID_NAMESPACE,
    OTHER_EVENT_TYPES,
    SCHEMA_VERSION,
    SOURCE_DEST_TYPES,
    UNSUPPORTED_EVENT_FIELDS,
    EventId,
    Term,
    Uri,
)

__all__ = [
    "BIZ_TRANSACTION_TYPES",
    "CBV_BIZSTEP_URI_PREFIX",
    "CBV_DISPOSITION_URI_PREFIX",
    "DISPOSITIONS",
    "EPCIS_CONTEXT",
    "EVENT_ID_NAMESPACE",
    "OTHER_EVENT_TYPES",
    "SCHEMA_VERSION",
    "SOURCE_DEST_TYPES",
    "UNSUPPORTED_EVENT_FIELDS",
    "BizTransaction",
    "EPCISDocument",
    "EventId",
    "ObjectEvent",
    "ParsedDocument",
    "PlaceRef",
    "QuantityElement",
    "SourceDest",
    "Term",
    "Uri",
    "make_document",
    "object_event",
    "parse_document",
    "parse_event",
]
