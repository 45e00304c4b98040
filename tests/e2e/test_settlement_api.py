"""Settlement over HTTP: banks operate the ledger, officers read it, a trader sees its own accounts
and exports; bad input is a 4xx naming the field, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from corridor.api.app import create_app
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node
from corridor.node.settlement import NodeSettlement
from corridor.service.auth import create_api_key
from corridor.settlement import commands as c
from corridor.settlement import signing

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
EXPORTER, IMPORTER = "AAACS1234F", "7707083893"
EXP_INR = "cust:AAACS1234F:INR"


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    n = bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    NodeSettlement(n).handle(c.OpenSampleChart())
    yield n
    n.close()


@pytest.fixture
def client(node: Node) -> TestClient:
    return TestClient(create_app(node))


def key(node: Node, role: str, party: str) -> dict[str, str]:
    return {"x-api-key": create_api_key(node.uow(), role, party, "test", NOW)}


def fund(client: TestClient, bank: dict[str, str], account: str, amount: str, tid: str) -> None:
    body = {"transfers": [{"id": tid, "debit_account": "funding:INR", "credit_account": account, "amount": amount,
                           "currency": "INR"}]}  # fmt: skip
    assert client.post("/v1/ledger/transfers", json=body, headers=bank).status_code == 200


def test_a_bank_transfers_and_everyone_reads_what_is_theirs(client: TestClient, node: Node) -> None:
    bank, officer = key(node, "bank", "SAMAINBBXXX"), key(node, "officer", "IN-OFFICER")
    exporter, importer = key(node, "trader", EXPORTER), key(node, "trader", IMPORTER)
    fund(client, bank, EXP_INR, "1234.56", "f1")
    for who in (bank, officer, exporter):
        got = client.get("/v1/ledger/balance", params={"account": EXP_INR}, headers=who)
        assert got.status_code == 200 and got.json()["balance"] == "1234.56"
    assert client.get("/v1/ledger/balance", params={"account": EXP_INR}, headers=importer).status_code == 403
    body = {"transfers": [{"id": "x", "debit_account": EXP_INR, "credit_account": "customs:IN", "amount": "1",
                           "currency": "INR"}]}  # fmt: skip
    assert client.post("/v1/ledger/transfers", json=body, headers=exporter).status_code == 403
    today = node.bus.ctx.clock().date().isoformat()
    xml = client.get("/v1/ledger/statement", params={"account": EXP_INR, "date": today, "format": "camt053"},
                     headers=exporter)  # fmt: skip
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert etree.fromstring(xml.content).tag.endswith("Document")


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"transfers": [{"id": "x", "debit_account": "funding:INR", "credit_account": EXP_INR, "amount": "1.001",
                         "currency": "INR"}]}, "transfers[0].amount"),
        ({"transfers": [{"id": "x", "debit_account": "nope", "credit_account": EXP_INR, "amount": "1",
                         "currency": "INR"}]}, "transfers[0].debit_account_id"),
        ({"transfers": [{"id": "x", "debit_account": "funding:RUB", "credit_account": EXP_INR, "amount": "1",
                         "currency": "RUB"}]}, "transfers[0].ledger"),
        ({"transfers": [{"id": "x", "debit_account": EXP_INR, "credit_account": "customs:IN", "amount": "1",
                         "currency": "INR"}]}, "transfers[0].amount"),
        ({"transfers": "all of them"}, "transfers"),
        ({}, "transfers"),
    ],
)  # fmt: skip
def test_bad_transfers_are_422_naming_the_field(
    client: TestClient, node: Node, body: dict, path: str
) -> None:
    got = client.post("/v1/ledger/transfers", json=body, headers=key(node, "bank", "SAMAINBBXXX"))
    assert got.status_code == 422 and got.json()["errors"][0]["path"] == path


def test_the_same_id_with_other_content_is_refused(client: TestClient, node: Node) -> None:
    bank = key(node, "bank", "SAMAINBBXXX")
    fund(client, bank, EXP_INR, "10", "f1")
    body = {"transfers": [{"id": "f1", "debit_account": "funding:INR", "credit_account": EXP_INR, "amount": "11",
                           "currency": "INR"}]}  # fmt: skip
    got = client.post("/v1/ledger/transfers", json=body, headers=bank)
    assert got.status_code == 422 and got.json()["errors"][0]["path"] == "transfers[0].id"


def test_an_exporter_gets_its_signed_realisation_record(client: TestClient, node: Node) -> None:
    settlement = NodeSettlement(node)
    settlement.handle(
        c.RecordExportInvoice("26IN1", EXPORTER, IMPORTER, "500", "INR", "UCR-1", "INV-1", date(2026, 3, 1))
    )
    bank, exporter = key(node, "bank", "SAMAINBBXXX"), key(node, "trader", EXPORTER)
    assert client.post("/v1/settlement/realisation/26IN1", headers=exporter).status_code == 409
    fund(client, bank, f"cust:{IMPORTER}:INR", "500", "f1")
    settlement.handle(c.PayInvoice("26IN1", "INR", "INR", date(2026, 3, 2)))
    other = key(node, "trader", "AAACT9999Q")
    assert client.post("/v1/settlement/realisation/26IN1", headers=other).status_code == 403
    signed = client.post("/v1/settlement/realisation/26IN1", headers=exporter)
    assert signed.status_code == 200
    with node.uow() as uow:
        _, private_key = node.bus.ctx.signer.signing_key(uow.keys)
    assert signing.verify(signed.json(), private_key.public_key())
    report = client.get("/v1/settlement/realisation", headers=exporter).json()
    assert [e["status"] for e in report["exports"]] == ["realised"]
    assert client.get("/v1/settlement/realisation", headers=other).json()["exports"] == []


def test_a_window_closes_and_the_srva_report_reads(client: TestClient, node: Node) -> None:
    bank = key(node, "bank", "SAMAINBBXXX")
    for tid, bank_id in (("f1", "SAMAINBBXXX"), ("f2", "SAMRRUMMXXX")):
        fund(client, bank, f"liq:{bank_id}:INR", "1000", tid)
    ob = {"id": "o1", "payer": "SAMAINBBXXX", "payee": "SAMRRUMMXXX", "amount": "100", "currency": "INR"}
    assert client.post("/v1/settlement/obligations", json=ob, headers=bank).status_code == 200
    bad = {**ob, "id": "o2", "amount": "-1"}
    assert (
        client.post("/v1/settlement/obligations", json=bad, headers=bank).json()["errors"][0]["path"]
        == "obligation.amount"
    )
    closed = client.post("/v1/settlement/windows/close", headers=bank)
    assert closed.status_code == 200 and closed.json()["currencies"]["INR"]["multilateral_net"] == "100.00"
    officer = key(node, "officer", "IN-OFFICER")
    assert client.get("/v1/settlement/srva", headers=officer).status_code == 200
    assert client.get("/v1/settlement/srva", headers=key(node, "trader", EXPORTER)).status_code == 403
