"""Every EPCIS event the corridor accepts or emits validates against the official GS1 EPCIS 2.0 JSON Schema;
the official examples are accepted (ObjectEvent) or rejected with a reason (other classes)."""

from __future__ import annotations

import copy
import functools
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.logistics.epcis import object_event, parse_document, parse_event
from corridor.logistics.event_rules import LOGISTICS_STEPS, EventLedger
from corridor.logistics.identifiers import URI_RE, consignment_uri, container_uri, locode_uri
from corridor.shared.cbv import BizStep
from corridor.shared.errors import InvalidInput

jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

REPO = Path(__file__).resolve().parents[3]
EPCIS_DIR = REPO / ".." / "shared" / "standards" / "epcis"
EXAMPLES_DIR = REPO / "examples" / "events"

pytestmark = pytest.mark.skipif(
    not (EPCIS_DIR / "EPCIS-JSON-Schema-root.json").is_file(),
    reason="official EPCIS 2.0 schemas not found in ../shared/standards/epcis beside the repository",
)


def _format_checker() -> Any:
    checker = jsonschema.FormatChecker()
    try:
        import rfc3987  # noqa: F401  (jsonschema then checks "uri" itself)
    except ImportError:

        @checker.checks("uri")
        def _uri(value: object) -> bool:  # RFC 3986 absolute URI, as close as a regex gets
            return not isinstance(value, str) or bool(URI_RE.match(value))

    return checker


@functools.cache
def _validator() -> Any:
    from referencing import Registry, Resource

    registry: Any = Registry()
    for path in [*EPCIS_DIR.glob("*.json"), *(EPCIS_DIR / "schemas").glob("*.json")]:
        contents = json.loads(path.read_text(encoding="utf-8"))
        registry = registry.with_resource(contents["$id"], Resource.from_contents(contents))
    root = json.loads((EPCIS_DIR / "EPCIS-JSON-Schema-root.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(root, registry=registry, format_checker=_format_checker())


@pytest.fixture(scope="module")
def validator() -> Any:
    return _validator()


def _errors(validator: Any, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _known(code: str) -> bool:
    return code in {"INNSA", "RULED", "RUNVS", "IRBND", "RUASF", "INMAA", "RUVVO"}


# ------------------------------------------------------------------ the validator itself works
def test_official_schema_rejects_a_broken_event(validator: Any) -> None:
    good = _load(EPCIS_DIR / "test" / "ObjectEvent.json")
    assert _errors(validator, good) == []
    for mutate in (
        lambda e: e.pop("eventTimeZoneOffset"),
        lambda e: e.__setitem__("bizStep", "urn:epcglobal:cbv:bizstep:shipping"),
        lambda e: e.__setitem__("eventTime", "yesterday"),
        lambda e: e.__setitem__("action", "MOVE"),
        lambda e: e.__setitem__("epcList", ["not a uri"]),
    ):
        bad = copy.deepcopy(good)
        mutate(bad)
        assert _errors(validator, bad), bad


# ------------------------------------------------------------------ official examples
@pytest.mark.parametrize("name", ["Example_9.6.1-ObjectEvent.jsonld", "Example_9.6.2-ObjectEvent.jsonld"])
def test_official_objectevent_examples_are_accepted_and_reemitted_valid(validator: Any, name: str) -> None:
    raw = _load(EPCIS_DIR / "examples" / name)
    assert _errors(validator, raw) == []
    parsed = parse_document(raw)
    assert parsed.errors == ()
    assert len(parsed.document.events) == len(raw["epcisBody"]["eventList"])
    emitted = parsed.document.to_epcis()
    assert _errors(validator, emitted) == []
    for event in parsed.document.events:
        assert _errors(validator, event.to_epcis()) == []


def test_official_example_extension_field_is_kept() -> None:
    raw = _load(EPCIS_DIR / "examples" / "Example_9.6.1-ObjectEvent.jsonld")
    second = parse_document(raw).document.events[1].to_epcis()
    assert second["example:myField"] == "Example of a vendor/user extension"


def test_official_aggregation_example_is_rejected_with_reason() -> None:
    raw = _load(EPCIS_DIR / "examples" / "Example_9.6.3-AggregationEvent.jsonld")
    with pytest.raises(InvalidInput) as exc:
        parse_document(raw)
    (err,) = exc.value.errors
    assert err.path == "epcisBody.eventList[0].type"
    assert "AggregationEvent" in err.reason and "ObjectEvent" in err.reason
    parsed = parse_document(raw, partial=True)
    assert parsed.document.events == () and len(parsed.errors) == 1


@pytest.mark.parametrize("path", sorted((EPCIS_DIR / "test").glob("*.json")), ids=lambda p: p.name)
def test_official_test_events(validator: Any, path: Path) -> None:
    raw = _load(path)
    assert _errors(validator, raw) == []
    if raw["type"] == "ObjectEvent":
        event = parse_event(raw)
        assert _errors(validator, event.to_epcis()) == []
    else:
        with pytest.raises(InvalidInput) as exc:
            parse_event(raw)
        assert exc.value.errors[0].path == "event.type"
        assert "ObjectEvent" in exc.value.errors[0].reason


def test_official_examples_get_a_reason_from_corridor_rules() -> None:
    """Schema-valid but not corridor-usable (sgln locations, sgtin items): clear reasons, no crash."""
    raw = _load(EPCIS_DIR / "examples" / "Example_9.6.1-ObjectEvent.jsonld")
    ledger = EventLedger(_known)
    result = ledger.ingest_document(raw)
    assert result.accepted == []
    reasons = " ".join(e.reason for e in result.rejected)
    assert "UN/LOCODE" in reasons and "container or consignment" in reasons


# ------------------------------------------------------------------ our own output
def test_sample_documents_are_schema_valid_and_pass_rules(validator: Any) -> None:
    samples = sorted(EXAMPLES_DIR.glob("*.jsonld"))
    assert samples, "examples/events has sample documents"
    for path in samples:
        raw = _load(path)
        assert _errors(validator, raw) == [], path.name
        ledger = EventLedger(_known)
        result = ledger.ingest_document(raw)
        assert result.rejected == [], result.rejected
        assert [e.biz_step for e in result.accepted] == ["loading", "departing", "arriving", "unloading"]


_offsets = st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda q: timezone(timedelta(minutes=15 * q)))
_times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1))


@settings(max_examples=150, deadline=None)
@given(
    step=st.sampled_from(sorted(LOGISTICS_STEPS)),
    locode=st.sampled_from(["INNSA", "RULED", "RUNVS", "IRBND", "RUASF", "INMAA", "RUVVO"]),
    serials=st.lists(st.integers(0, 999_999), min_size=1, max_size=4, unique=True),
    when=_times,
    tz=_offsets,
    with_consignment=st.booleans(),
)
def test_emitted_events_validate(
    step: str, locode: str, serials: list[int], when: datetime, tz: timezone, with_consignment: bool
) -> None:
    from corridor.shared.iso6346 import iso6346_check_digit

    containers = []
    for s in serials:
        first = f"MSKU{s:06d}"
        containers.append(container_uri(first + str(iso6346_check_digit(first))))
    epcs = ([consignment_uri("UCR-1")] if with_consignment else []) + containers
    event = object_event(
        biz_step=step, location_uri=locode_uri(locode), epcs=epcs, at=when.replace(tzinfo=tz)
    )
    assert _errors(_validator(), event.to_epcis()) == []
    assert parse_event(event.to_epcis()).to_epcis() == event.to_epcis()


_BASE = {
    "@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    "type": "ObjectEvent",
    "eventTime": "2025-03-02T06:00:00+05:30",
    "eventTimeZoneOffset": "+05:30",
    "action": "OBSERVE",
    "epcList": ["https://id.corridor.example/container/MSKU1234565"],
    "bizStep": "departing",
    "readPoint": {"id": "https://vocabulary.uncefact.org/unlocode#INNSA"},
}
_FIELD_VALUES: dict[str, list[Any]] = {
    "type": ["ObjectEvent", "TransportEvent", "AggregationEvent", 3],
    "eventTime": ["2025-03-02T06:00:00Z", "2025-03-02 06:00", "2025-03-02", 1700000000, "2025-13-02T06:00:00Z"],
    "eventTimeZoneOffset": ["+05:30", "+5:30", "+15:00", "-14:00", "Z", "+14:00"],
    "action": ["OBSERVE", "ADD", "DELETE", "observe", None],
    "epcList": [[], ["urn:epc:id:sgtin:0614141.107346.2017"], ["a b"], ["x:1", "x:1"], "x:1"],
    "bizStep": ["departing", "https://ref.gs1.org/cbv/BizStep-arriving", "urn:epcglobal:cbv:bizstep:arriving",
                "http://ns.gs1.org/cbv/BizStep-arriving", "sailing", "urn:example:step", 5],
    "disposition": ["in_transit", "https://ref.gs1.org/cbv/Disp-in_transit", "lost", "urn:epcglobal:cbv:disp:active"],
    "readPoint": [{"id": "urn:epc:id:sgln:0614141.07346.1234"}, {"id": "not a uri"}, {}, "INNSA"],
    "bizLocation": [{"id": "https://vocabulary.uncefact.org/unlocode#RULED"}, {"ident": "x"}],
    "eventID": ["urn:uuid:6f1d6c2e-0c39-5b1e-9a53-8c0b8f3f6a11", "no-scheme", ""],
    "recordTime": ["2025-03-02T06:00:00.5+05:30", "now"],
    "quantityList": [[{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 2, "uom": "KGM"}],
                     [{"epcClass": "x:1", "quantity": "2"}], [{"quantity": 1}]],
    "bizTransactionList": [[{"type": "bol", "bizTransaction": "urn:x:1"}], [{"type": "waybill", "bizTransaction": "urn:x:1"}],
                           [{"bizTransaction": "urn:x:1", "extra": 1}]],
    "sourceList": [[{"type": "location", "source": "urn:x:1"}], [{"type": "location"}], [{"type": "location", "destination": "urn:x:1"}]],
    "example:ext": ["anything", {"nested": [1, 2]}],
    "unknownField": [1],
    "ilmd": [{"example:batch": "1"}],
    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "bad context", ["x:1"],
                 ["x:1", "x:1"], {"example": "https://example.org/"}, 5],
}  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    changes=st.dictionaries(
        st.sampled_from(sorted(_FIELD_VALUES)),
        st.integers(min_value=0, max_value=10),
        max_size=4,
    ),
    drops=st.sets(st.sampled_from(sorted(_BASE)), max_size=2),
)
def test_accepted_implies_schema_valid(changes: dict[str, int], drops: set[str]) -> None:
    """Mutated events: whatever the models accept passes the official schema, and their emission too."""
    raw: dict[str, Any] = copy.deepcopy(_BASE)
    for key in drops:
        raw.pop(key)
    for key, idx in changes.items():
        values = _FIELD_VALUES[key]
        raw[key] = copy.deepcopy(values[idx % len(values)])
    try:
        event = parse_event(raw)
    except InvalidInput as exc:
        assert exc.errors and all(e.reason for e in exc.errors)
        return
    assert _errors(_validator(), raw) == [], raw
    assert _errors(_validator(), event.to_epcis()) == [], event.to_epcis()


def test_bizstep_uri_form_is_schema_valid_and_normalised(validator: Any) -> None:
    raw = dict(_BASE, bizStep="https://ref.gs1.org/cbv/BizStep-arriving")
    assert _errors(validator, raw) == []
    event = parse_event(raw)
    assert event.bizStep == BizStep.ARRIVING
    assert _errors(validator, event.to_epcis()) == []


def test_emitted_now_event_is_valid(validator: Any) -> None:
    event = object_event(
        biz_step=BizStep.ARRIVING,
        location_uri=locode_uri("RULED"),
        epcs=[container_uri("CSQU3054383")],
        at=datetime.now(UTC),
    )
    assert _errors(validator, event.to_epcis()) == []


def test_what_the_node_emits_to_its_peer_is_schema_valid(validator: Any, tmp_path: Path) -> None:
    """The carrier milestones the demo posts, and the EPCIS document a node forwards to its peer
    after accepting them, both pass the official EPCIS 2.0 schema."""
    from corridor.demo.carrier import milestones
    from corridor.demo.run import Corridor
    from corridor.demo.samples import SampleCorridor
    from corridor.logistics.handlers import EVENTS
    from corridor.messaging.envelope import parse
    from corridor.service.commands import ClearDeclaration, FileDeclaration, PostEvents

    now = datetime.now(UTC)
    corridor = Corridor.embedded(tmp_path)
    try:
        document = SampleCorridor(12).next("IN", now)
        export = corridor.nodes["IN"].handle(FileDeclaration(document))
        if export.status == "under_control":
            corridor.nodes["IN"].handle(ClearDeclaration(export.id, "OFFICER", "ok"))
        departure = now - timedelta(days=3)
        posted = milestones(
            document, export.id, departure - timedelta(hours=1), now - timedelta(hours=2), steps=3
        )
        assert _errors(validator, posted) == []
        corridor.nodes["IN"].handle(
            PostEvents(posted, document["Declaration"]["GoodsShipment"]["Consignment"]["Carrier"]["ID"])
        )
        with corridor.nodes["IN"].uow() as uow:
            sent = [m for m in uow.outbox.with_status(status="pending") if m.type == EVENTS]
        forwarded = parse(json.loads(sent[0].envelope)).body["epcis"]
        assert _errors(validator, forwarded) == []
        assert len(forwarded["epcisBody"]["eventList"]) == 3
    finally:
        corridor.close()
