"""A broker's system files a day's declarations in one request: POST /v1/declarations/bulk answers
each declaration as POST /v1/declarations would, in order, and refuses a malformed bulk whole."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from corridor.demo.samples import SampleCorridor
from corridor.node.bootstrap import Node
from corridor.service.batch import MAX_BULK
from tests.e2e import test_api as api_tests
from tests.e2e.test_api import NOW, key

BULK = "/v1/declarations/bulk"


# the fixtures of the single-filing tests: a node on SQLite, its app, the sample generator
node, client, samples = api_tests.node, api_tests.client, api_tests.samples


def same_exporter(samples: SampleCorridor, n: int) -> list[dict[str, Any]]:
    """``n`` sample declarations of one exporter (labelled sample data)."""
    documents = [samples.next("IN", NOW) for _ in range(n)]
    for document in documents[1:]:
        document["Declaration"]["Exporter"] = copy.deepcopy(documents[0]["Declaration"]["Exporter"])
    return documents


def stored_lrns(node: Node) -> list[str]:
    with node.reading() as u:
        return sorted(d.lrn for d in u.declarations.query(limit=200))


def test_a_trader_files_a_bulk_and_each_declaration_is_answered_in_order(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    documents = same_exporter(samples, 4)
    trader = key(node, "trader", documents[0]["Declaration"]["Exporter"]["ID"])

    response = client.post(BULK, json={"declarations": documents}, headers=trader)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["filed"], body["refused"]) == (4, 0)
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3]
    assert {r["status"] for r in body["results"]} == {201}
    assert [r["declaration"]["lrn"] for r in body["results"]] == [
        d["Declaration"]["FunctionalReferenceID"] for d in documents
    ]
    one = body["results"][0]["declaration"]
    assert client.get(f"/v1/declarations/{one['id']}", headers=trader).json()["lrn"] == one["lrn"]
    assert stored_lrns(node) == sorted(d["Declaration"]["FunctionalReferenceID"] for d in documents)


def test_each_refusal_carries_its_own_status_and_the_rest_are_filed(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    good, invalid, duplicate, foreign = same_exporter(samples, 4)
    trader = key(node, "trader", good["Declaration"]["Exporter"]["ID"])
    invalid["Declaration"]["InvoiceAmount"]["currencyID"] = "XYZ"
    duplicate["Declaration"]["FunctionalReferenceID"] = good["Declaration"]["FunctionalReferenceID"]
    foreign["Declaration"]["Exporter"]["ID"] = "ZZZCZ9999Z"

    response = client.post(BULK, json={"declarations": [good, invalid, duplicate, foreign]}, headers=trader)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["filed"], body["refused"]) == (1, 3)
    results = body["results"]
    assert [r["status"] for r in results] == [201, 422, 409, 403]
    assert "Declaration.InvoiceAmount.currencyID" in {e["path"] for e in results[1]["errors"]}
    assert good["Declaration"]["FunctionalReferenceID"] in results[2]["error"]
    assert "Exporter" in results[3]["error"]
    assert stored_lrns(node) == [good["Declaration"]["FunctionalReferenceID"]]
    with node.uow() as uow:
        assert uow.outbox.count() == (1 if results[0]["declaration"]["status"] == "cleared" else 0)


def test_a_malformed_bulk_is_refused_whole_naming_the_member(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    officer = key(node, "officer", "IN-OFFICER-7")
    document = samples.next("IN", NOW)
    cases: list[tuple[Any, str]] = [
        ({}, "declarations"),
        ({"declarations": []}, "declarations"),
        ({"declarations": document}, "declarations"),
        ({"declarations": [document, "not a declaration"]}, "declarations[1]"),
        ({"declarations": [document] * (MAX_BULK + 1)}, "declarations"),
        ({"declarations": [document], "extra": 1}, "extra"),
        ([document], "body"),
    ]
    for payload, path in cases:
        response = client.post(BULK, json=payload, headers=officer)
        assert response.status_code == 422, (payload if len(str(payload)) < 200 else path, response.text)
        assert path in {e["path"] for e in response.json()["errors"]}, response.json()
    for raw in (b'{"declarations": [{"a": "\\ud800"}]}', b'{"declarations": [{"a": "x\\u0000"}]}'):
        response = client.post(BULK, content=raw, headers={**officer, "content-type": "application/json"})
        assert 400 <= response.status_code < 500 and "error" in str(response.json())
    assert stored_lrns(node) == []


def test_a_bulk_needs_a_key_and_a_filers_role(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    payload = {"declarations": [samples.next("IN", NOW)]}
    assert client.post(BULK, json=payload).status_code == 401
    assert client.post(BULK, json=payload, headers=key(node, "peer", "RU")).status_code == 403
    assert stored_lrns(node) == []


def test_filings_sent_at_once_are_each_answered_as_if_filed_alone(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    """Concurrent requests share group commits: each distinct filing is filed, and of the same
    declaration sent eight times at once exactly one is filed and the others are 409."""
    from concurrent.futures import ThreadPoolExecutor

    from prometheus_client import REGISTRY

    documents = same_exporter(samples, 13)
    trader = key(node, "trader", documents[0]["Declaration"]["Exporter"]["ID"])
    grouped_before = REGISTRY.get_sample_value("corridor_group_commit_size_sum") or 0.0
    with ThreadPoolExecutor(max_workers=8) as pool:
        distinct = list(
            pool.map(lambda d: client.post("/v1/declarations", json=d, headers=trader), documents[:12])
        )
        same = list(
            pool.map(lambda _: client.post("/v1/declarations", json=documents[12], headers=trader), range(8))
        )
    assert [r.status_code for r in distinct] == [201] * 12
    assert sorted(r.status_code for r in same) == [201] + [409] * 7
    assert stored_lrns(node) == sorted(d["Declaration"]["FunctionalReferenceID"] for d in documents)
    grouped = (REGISTRY.get_sample_value("corridor_group_commit_size_sum") or 0.0) - grouped_before
    assert grouped == 20  # every filing went through a group


def test_officers_decisions_sent_at_once_are_each_answered_as_if_sent_alone(
    client: TestClient, node: Node, samples: SampleCorridor
) -> None:
    """Clearances share the group commits too: each one under control is cleared, the same one
    cleared twice at once is cleared once (the other 409), and an unknown id is 404 alone."""
    from concurrent.futures import ThreadPoolExecutor

    from prometheus_client import REGISTRY

    officer = key(node, "officer", "IN-OFFICER-1")
    filed = [
        client.post("/v1/declarations", json=samples.next("IN", NOW), headers=officer).json()
        for _ in range(16)
    ]
    held = [d["id"] for d in filed if d["status"] == "under_control"]
    assert len(held) >= 3, "the sample lanes put some declarations under control"
    targets = [*held, held[0], "26IN00000000000404"]
    grouped_before = REGISTRY.get_sample_value("corridor_group_commit_size_sum") or 0.0

    def clear(declaration_id: str) -> Any:
        return client.post(
            f"/v1/declarations/{declaration_id}/clear", json={"findings": "conform"}, headers=officer
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(clear, targets))

    statuses = [a.status_code for a in answers]
    assert statuses[-1] == 404
    first_and_again = sorted([statuses[0], statuses[-2]])
    assert first_and_again == [200, 409] and statuses[1:-2] == [200] * (len(held) - 1)
    assert all(a.json()["status"] == "cleared" for a in answers if a.status_code == 200)
    with node.reading() as u:
        assert {u.declarations.get(i).status.value for i in held} == {"cleared"}
    grouped = (REGISTRY.get_sample_value("corridor_group_commit_size_sum") or 0.0) - grouped_before
    assert grouped == len(targets)  # every decision went through a group
