"""REST API of one node: authentication, roles, field-level errors, trader isolation."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corridor.api.app import create_app
from corridor.customs.handlers.decisions import amounts as _amounts
from corridor.demo.samples import SampleCorridor
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node
from corridor.service.auth import create_api_key, hash_key
from corridor.shared.errors import InvalidInput

NOW = datetime.now(UTC)


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    n = bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    yield n
    n.close()


@pytest.fixture
def client(node: Node) -> TestClient:
    return TestClient(create_app(node))


@pytest.fixture
def samples() -> SampleCorridor:
    return SampleCorridor(seed=21)


def key(node: Node, role: str, party: str) -> dict[str, str]:
    return {"x-api-key": create_api_key(node.uow(), role, party, "test", NOW)}


def test_missing_or_wrong_key_is_401(client: TestClient, samples: SampleCorridor) -> None:
    document = samples.next("IN", NOW)
    assert client.post("/v1/declarations", json=document).status_code == 401
    response = client.post("/v1/declarations", json=document, headers={"x-api-key": "ck_wrong"})
    assert response.status_code == 401
    assert "error" in response.json()


def test_wrong_role_is_403(client: TestClient, node: Node, samples: SampleCorridor) -> None:
    peer = key(node, "peer", "RU")
    response = client.post("/v1/declarations", json=samples.next("IN", NOW), headers=peer)
    assert response.status_code == 403
    trader = key(node, "trader", "AAACS1234F")
    assert client.post("/v1/envelopes", content=b"{}", headers=trader).status_code == 403
    assert client.post("/v1/declarations/x/clear", json={}, headers=trader).status_code == 403


def test_invalid_declaration_is_422_with_paths_and_nothing_stored(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    document = samples.next("IN", NOW)
    trader = key(node, "trader", document["Declaration"]["Exporter"]["ID"])
    bad = copy.deepcopy(document)
    bad["Declaration"]["GoodsShipment"]["GovernmentAgencyGoodsItem"][0]["Commodity"]["Classification"][0][
        "ID"
    ] = "3004"
    bad["Declaration"]["InvoiceAmount"]["currencyID"] = "XYZ"
    response = client.post("/v1/declarations", json=bad, headers=trader)
    assert response.status_code == 422
    paths = {e["path"] for e in response.json()["errors"]}
    assert "Declaration.GoodsShipment.GovernmentAgencyGoodsItem[0].Commodity.Classification[0].ID" in paths
    assert "Declaration.InvoiceAmount.currencyID" in paths
    assert client.get("/v1/declarations", headers=trader).json()["items"] == []
    with node.uow() as uow:
        assert uow.outbox.count() == 0


def test_trader_sees_only_its_own(client: TestClient, node: Node, samples: SampleCorridor) -> None:
    first, second = samples.next("IN", NOW), samples.next("IN", NOW)
    while second["Declaration"]["Exporter"]["ID"] == first["Declaration"]["Exporter"]["ID"]:
        second = samples.next("IN", NOW)
    alice = key(node, "trader", first["Declaration"]["Exporter"]["ID"])
    bob = key(node, "trader", second["Declaration"]["Exporter"]["ID"])
    officer = key(node, "officer", "IN-OFFICER-7")
    created = client.post("/v1/declarations", json=first, headers=alice)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    assert body["lane"] in ("green", "yellow", "red")
    assert client.post("/v1/declarations", json=second, headers=bob).status_code == 201
    assert client.get(f"/v1/declarations/{body['id']}", headers=alice).status_code == 200
    assert client.get(f"/v1/declarations/{body['id']}", headers=bob).status_code == 404
    assert client.get(f"/v1/declarations/{body['id']}/timeline", headers=bob).status_code == 404
    assert [d["id"] for d in client.get("/v1/declarations", headers=alice).json()["items"]] == [body["id"]]
    assert len(client.get("/v1/declarations", headers=officer).json()["items"]) == 2
    stages = [
        s["stage"]
        for s in client.get(f"/v1/declarations/{body['id']}/timeline", headers=alice).json()["timeline"]
    ]
    assert stages[:3] == ["lodgement", "registration", "assessment"]


def test_trader_cannot_file_for_another_exporter(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    document = samples.next("IN", NOW)
    intruder = key(node, "trader", "ZZZCZ9999Z")
    response = client.post("/v1/declarations", json=document, headers=intruder)
    assert response.status_code == 403
    assert "Exporter" in response.json()["error"]


def test_duplicate_lrn_is_409(client: TestClient, node: Node, samples: SampleCorridor) -> None:
    document = samples.next("IN", NOW)
    officer = key(node, "officer", "IN-OFFICER-7")
    assert client.post("/v1/declarations", json=document, headers=officer).status_code == 201
    assert client.post("/v1/declarations", json=document, headers=officer).status_code == 409


def test_a_filing_whose_answer_was_lost_is_found_by_its_lrn(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    document, other = samples.next("IN", NOW), samples.next("IN", NOW)
    exporter = document["Declaration"]["Exporter"]["ID"]
    other["Declaration"]["Exporter"] = copy.deepcopy(document["Declaration"]["Exporter"])
    trader, stranger = key(node, "trader", exporter), key(node, "trader", "AAACZ9999Z")
    filed = client.post("/v1/declarations", json=document, headers=trader).json()
    assert client.post("/v1/declarations", json=other, headers=trader).status_code == 201
    again = client.post("/v1/declarations", json=document, headers=trader)
    lrn = document["Declaration"]["FunctionalReferenceID"]
    assert again.status_code == 409 and lrn in again.json()["error"]
    found = client.get("/v1/declarations", params={"lrn": lrn}, headers=trader).json()["items"]
    assert [d["id"] for d in found] == [filed["id"]]
    assert client.get("/v1/declarations", params={"lrn": lrn}, headers=stranger).json()["items"] == []
    assert client.get("/v1/declarations", params={"lrn": "NO-SUCH-LRN"}, headers=trader).json()["items"] == []
    refused = client.get("/v1/declarations", params={"lrn": "x" * 71}, headers=trader)
    assert refused.status_code == 422 and refused.json()["errors"][0]["path"] == "query.lrn"


def test_envelope_from_peer_rejected_with_reason(client: TestClient, node: Node) -> None:
    peer = key(node, "peer", "RU")
    response = client.post("/v1/envelopes", content=b"not json", headers=peer)
    assert response.status_code == 422
    assert response.json()["field"] == "envelope"
    response = client.post("/v1/envelopes", json={"header": {}, "body": {}, "signature": "x"}, headers=peer)
    assert response.status_code == 422
    assert response.json()["field"].startswith("header.")


def test_openapi_and_schema_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/v1/declarations" in client.get("/openapi.json").json()["paths"]
    schema = client.get("/v1/schema/declaration").json()
    assert "Declaration" in schema["properties"]


def test_admin_creates_keys_and_others_cannot(client: TestClient, node: Node) -> None:
    admin = key(node, "admin", "admin")
    created = client.post("/v1/api-keys", json={"role": "carrier", "party_id": "SAMPLE-LINE"}, headers=admin)
    assert created.status_code == 201
    secret = created.json()["api_key"]
    assert (
        client.post("/v1/events", json={}, headers={"x-api-key": secret}).status_code == 422
    )  # authenticated
    bad = client.post("/v1/api-keys", json={"role": "emperor"}, headers=admin)
    assert bad.status_code == 422
    assert {e["path"] for e in bad.json()["errors"]} == {"role", "party_id"}
    officer = key(node, "officer", "IN-OFFICER-1")
    assert (
        client.post("/v1/api-keys", json={"role": "admin", "party_id": "x"}, headers=officer).status_code
        == 403
    )
    with node.uow() as uow:  # only the hash is stored
        stored = uow.api_keys.by_hash(hash_key(secret))
    assert stored is not None and stored.key_hash != secret and stored.role == "carrier"


def test_admin_lists_and_revokes_keys_and_a_revoked_key_is_refused(client: TestClient, node: Node) -> None:
    admin = key(node, "admin", "admin")
    trader = key(node, "trader", "AAACS1234F")
    listed = {k["role"]: k for k in client.get("/v1/api-keys", headers=admin).json()["items"]}
    assert {(r, k["party_id"], k["revoked"]) for r, k in listed.items()} == {
        ("admin", "admin", False),
        ("trader", "AAACS1234F", False),
    }
    assert trader["x-api-key"] not in str(listed)  # no secrets
    assert client.get("/v1/declarations", headers=trader).status_code == 200
    revoked = client.post(f"/v1/api-keys/{listed['trader']['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    refused = client.get("/v1/declarations", headers=trader)
    assert refused.status_code == 401 and refused.json() == {"error": "unknown or revoked API key"}
    again = client.post(f"/v1/api-keys/{listed['trader']['id']}/revoke", headers=admin)
    assert again.status_code == 200 and again.json()["revoked"] is True
    own = client.post(f"/v1/api-keys/{listed['admin']['id']}/revoke", headers=admin)
    assert own.status_code == 422 and own.json()["errors"][0]["path"] == "key_id"
    assert client.post("/v1/api-keys/key-none/revoke", headers=admin).status_code == 404
    assert client.post("/v1/api-keys/" + "k" * 41 + "/revoke", headers=admin).status_code == 422
    assert client.get("/v1/api-keys", headers=key(node, "officer", "IN-OFFICER-1")).status_code == 403


def test_malformed_inputs_are_4xx_never_500(client: TestClient, node: Node, samples: SampleCorridor) -> None:
    document = samples.next("IN", NOW)
    trader = key(node, "trader", document["Declaration"]["Exporter"]["ID"])
    bad_documents = client.post(
        "/v1/declarations", json={**document, "documents": [{"signature": "x"}]}, headers=trader
    )
    assert bad_documents.status_code == 422
    assert bad_documents.json()["errors"][0]["path"] == "documents[0].signature"
    filed = client.post("/v1/declarations", json=document, headers=trader).json()
    paid = client.post(
        f"/v1/declarations/{filed['id']}/payments",
        json={"amounts": [{"value": "1", "currencyID": ["RUB"]}]},
        headers=trader,
    )
    assert paid.status_code in (409, 422)  # an export has nothing to pay; never a server error


def test_consignment_timeline_reveals_nothing_to_others(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    document = samples.next("IN", NOW)
    owner = key(node, "trader", document["Declaration"]["Exporter"]["ID"])
    filed = client.post("/v1/declarations", json=document, headers=owner).json()
    stranger = key(node, "trader", "ZZZCZ9999Z")
    carrier = key(node, "carrier", "SAMPLE-LINE")
    assert client.get(f"/v1/consignments/{filed['id']}/timeline", headers=owner).status_code == 200
    theirs = client.get(f"/v1/consignments/{filed['id']}/timeline", headers=stranger)
    missing = client.get("/v1/consignments/26IN0000000000NONE/timeline", headers=stranger)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"].replace(filed["id"], "X") == missing.json()["error"].replace(
        "26IN0000000000NONE", "X"
    )
    assert client.get(f"/v1/consignments/{filed['id']}/timeline", headers=carrier).status_code == 403


def test_a_carrier_key_posts_events_only_for_the_consignments_its_party_carries(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    from datetime import timedelta

    from corridor.demo.carrier import milestones

    document = samples.next("IN", NOW)
    trader = key(node, "trader", document["Declaration"]["Exporter"]["ID"])
    filed = client.post("/v1/declarations", json=document, headers=trader).json()
    departed = NOW - timedelta(days=2)
    events = milestones(document, filed["id"], departed, departed + timedelta(hours=30), steps=2)
    with node.uow() as uow:
        sent_before = uow.outbox.count()
    other = client.post("/v1/events", json=events, headers=key(node, "carrier", "OTHER-LINE"))
    assert other.status_code == 422
    assert other.json()["errors"][0] == {
        "path": "epcisBody.eventList[0].epcList[0]",
        "reason": f"no consignment {filed['id']} declared with carrier OTHER-LINE here",
    }
    with node.uow() as uow:
        assert uow.events.for_consignment(filed["id"]) == [] and uow.outbox.count() == sent_before
    declared = document["Declaration"]["GoodsShipment"]["Consignment"]["Carrier"]["ID"]
    posted = client.post("/v1/events", json=events, headers=key(node, "carrier", declared))
    assert posted.status_code == 202 and posted.json()["accepted"] == 2


def test_a_trader_sees_its_lane_but_not_the_rules_that_fired(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    document = samples.next("IN", NOW)
    trader = key(node, "trader", document["Declaration"]["Exporter"]["ID"])
    officer = key(node, "officer", "IN-OFFICER-2")
    filed = client.post("/v1/declarations", json=document, headers=trader).json()
    assert filed["lane"] in ("green", "yellow", "red") and "risk" not in filed
    as_officer = client.get(f"/v1/declarations/{filed['id']}", headers=officer).json()
    assert "fired" in as_officer["risk"]
    listed = client.get("/v1/declarations", headers=trader).json()["items"]
    assert all("risk" not in item for item in listed)


def test_a_node_that_cannot_sign_answers_503_with_the_reason_and_stores_nothing_half_done(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    officer = key(node, "officer", "IN-OFFICER-3")
    own = node.keyring.active_key_id()
    assert own is not None
    node.keyring.revoke(own)  # as `corridor keys revoke` by another process would

    response = client.post("/v1/declarations", json=samples.next("IN", NOW), headers=officer)
    if response.status_code == 201:  # yellow or red: nothing is signed until an officer clears it
        cleared = f"/v1/declarations/{response.json()['id']}/clear"
        response = client.post(cleared, json={"findings": "ok"}, headers=officer)

    assert response.status_code == 503
    assert response.json() == {
        "error": "node IN has no active signing key (`corridor keys rotate` makes one)"
    }
    with node.uow() as uow:
        assert uow.outbox.count() == 0


def acknowledgement_from_ru(node: Node, export_id: str) -> bytes:
    """A genuine acknowledgement sealed by an RU node whose key the IN node trusts."""
    from corridor.adapters.memory import MemoryStore, MemoryUnitOfWork
    from corridor.messaging.envelope import seal
    from corridor.messaging.keys import NodeKeys

    store, data_dir = MemoryStore(), node.keyring.ring.private.key_dir.parent.parent / "RU"
    ring = NodeKeys.open(data_dir, "RU", lambda: MemoryUnitOfWork(store))
    node.keyring.import_public(ring.export_public())
    key_id, private = ring.signing_key()
    return seal(
        private_key=private,
        key_id=key_id,
        message_type="customs.acknowledgement.v1",
        sender="RU",
        recipient="IN",
        body={"export_declaration_id": export_id, "status": "accepted"},
        now=NOW,
    ).to_bytes()


def test_a_peer_key_cannot_post_envelopes_in_another_nodes_name(client: TestClient, node: Node) -> None:
    envelope = acknowledgement_from_ru(node, "x")
    wrong_peer = key(node, "peer", "CN")
    response = client.post("/v1/envelopes", content=envelope, headers=wrong_peer)
    assert response.status_code == 422 and response.json()["field"] == "header.sender"


def test_envelope_batch_answers_one_outcome_per_envelope(client: TestClient, node: Node) -> None:
    ack = acknowledgement_from_ru(node, "26IN0000000000NONE")
    peer = key(node, "peer", "RU")
    response = client.post("/v1/envelopes/batch", json={"envelopes": [ack.decode(), "{}"]}, headers=peer)
    assert response.status_code == 200
    outcomes = response.json()["outcomes"]
    assert [(o["status"], o["field"]) for o in outcomes] == [
        ("rejected", "body.export_declaration_id"),  # sound envelope, unknown declaration
        ("rejected", "header"),  # not an envelope: its header is missing
    ]
    trader = key(node, "trader", "AAACS1234F")
    assert client.post("/v1/envelopes/batch", json={"envelopes": ["{}"]}, headers=trader).status_code == 403
    assert client.post("/v1/envelopes/batch", json={"envelopes": []}, headers=peer).status_code == 422


def test_a_customs_broker_files_under_the_exporters_mandate(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    document = samples.next("IN", NOW)
    exporter = document["Declaration"]["Exporter"]
    document["Declaration"]["Declarant"] = {**exporter, "ID": "AAACB1234Z", "Name": "Sample Customs Broker"}
    broker = key(node, "trader", "AAACB1234Z")
    assert client.post("/v1/declarations", json=document, headers=broker).status_code == 403  # no mandate yet
    admin = key(node, "admin", "admin")
    granted = client.post(
        "/v1/mandates", json={"broker_id": "AAACB1234Z", "exporter_id": exporter["ID"]}, headers=admin
    )
    assert granted.status_code == 201
    assert client.post("/v1/mandates", json={"broker_id": "x"}, headers=broker).status_code == 403
    filed = client.post("/v1/declarations", json=document, headers=broker)
    assert filed.status_code == 201, filed.text
    declaration_id = filed.json()["id"]
    assert client.get(f"/v1/declarations/{declaration_id}", headers=broker).status_code == 200
    owner = key(node, "trader", exporter["ID"])
    assert client.get(f"/v1/declarations/{declaration_id}", headers=owner).status_code == 200
    assert [d["id"] for d in client.get("/v1/declarations", headers=broker).json()["items"]] == [
        declaration_id
    ]


@pytest.mark.parametrize(
    ("url", "role", "body", "path"),
    [
        ("/v1/api-keys", "admin", {"role": "trader", "party_id": "X" * 41}, "party_id"),
        ("/v1/api-keys", "admin", {"role": "trader", "party_id": "P", "label": "L" * 201}, "label"),
        ("/v1/api-keys", "admin", {"role": "trader", "party_id": {"a": 1}}, "party_id"),
        ("/v1/mandates", "admin", {"broker_id": "B" * 36, "exporter_id": "AAACS1234F"}, "broker_id"),
        ("/v1/mandates", "admin", {"broker_id": {"a": 1}, "exporter_id": "AAACS1234F"}, "broker_id"),
        ("/v1/mandates", "admin", {"broker_id": "  ", "exporter_id": "AAACS1234F"}, "broker_id"),
        ("/v1/declarations/x/hold", "officer", {"reason": "held \ud800"}, "reason"),
        ("/v1/declarations/x/hold", "officer", {"reason": "a\x00b"}, "reason"),
        ("/v1/declarations/x/release", "officer", {"reason": ""}, "reason"),
        ("/v1/declarations/x/release", "officer", {"reason": " \n "}, "reason"),
        ("/v1/declarations/x/release", "officer", {"reason": "r" * 2001}, "reason"),
        ("/v1/declarations/x/release", "officer", {"reason": "a\x00b"}, "reason"),
        ("/v1/declarations/x/release", "officer", {}, "reason"),
        ("/v1/declarations/x/clear", "officer", {"findings": "bell\x07"}, "findings"),
        ("/v1/declarations/x/clear", "officer", {"findings": {"a": 1}}, "findings"),
        ("/v1/declarations/x/payments", "trader", {"amounts": [], "reference": "r\ud800"}, "reference"),
        (
            "/v1/declarations",
            "trader",
            {"Declaration": {"a": [[[[[[1]]]]]] * 1} | {"x": "\x00"}},
            "Declaration.x",
        ),
    ],
)
def test_hostile_body_members_are_422_naming_the_member(
    client: TestClient, node: Node, url: str, role: str, body: dict[str, Any], path: str
) -> None:
    response = client.post(
        url,
        content=json.dumps(body).encode(),
        headers={**key(node, role, "AAACS1234F"), "content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert path in [e["path"] for e in response.json()["errors"]], response.text


@pytest.mark.parametrize("value", ["1E+1000000", "-1E+1000000", "1E-1000000", "1" * 5000, True, "NaN"])
def test_a_payment_amount_out_of_range_is_422(value: Any) -> None:
    with pytest.raises(InvalidInput) as raised:
        _amounts([{"value": value, "currencyID": "RUB"}])
    assert raised.value.errors[0].path.startswith("amounts[0]")


def test_carriers_events_sent_at_once_are_each_recorded_and_sent_on_as_if_alone(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    """Event documents share the group commit: each is answered with its own outcome, and each
    accepted one goes to the peer as a message of its own."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import timedelta

    from prometheus_client import REGISTRY

    from corridor.demo.carrier import milestones

    departed = NOW - timedelta(days=2)
    posts = []
    for _ in range(6):
        document = samples.next("IN", NOW)
        trader = key(node, "trader", document["Declaration"]["Exporter"]["ID"])
        filed = client.post("/v1/declarations", json=document, headers=trader).json()
        carrier = key(
            node, "carrier", document["Declaration"]["GoodsShipment"]["Consignment"]["Carrier"]["ID"]
        )
        posts.append(
            (milestones(document, filed["id"], departed, departed + timedelta(hours=30), steps=2), carrier)
        )
    stranger = key(node, "carrier", "OTHER-LINE")
    posts.append((posts[0][0], stranger))  # not its consignment: refused alone
    with node.uow() as uow:
        sent_before = uow.outbox.count()
    grouped_before = REGISTRY.get_sample_value("corridor_group_commit_size_sum") or 0.0

    with ThreadPoolExecutor(max_workers=7) as pool:
        answers = list(pool.map(lambda post: client.post("/v1/events", json=post[0], headers=post[1]), posts))

    assert [a.status_code for a in answers] == [202] * 6 + [422]
    assert [a.json()["accepted"] for a in answers[:6]] == [2] * 6
    with node.uow() as uow:
        assert uow.outbox.count() == sent_before + 6
    grouped = (REGISTRY.get_sample_value("corridor_group_commit_size_sum") or 0.0) - grouped_before
    assert grouped == 7  # every document went through a group
