"""pacs.008.001.08 and camt.053.001.08 of the ledger, validated against the official XSDs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache

import pytest
from lxml import etree

from corridor.settlement import commands as c
from corridor.settlement import iso20022, queries
from corridor.settlement.domain.srva import customer_id
from tests.conftest import STANDARDS
from tests.unit.settlement.test_flows import EXPORTER, IMPORTER, Env

XSD = STANDARDS / "iso20022"
NS = {"p": iso20022.PACS008, "c": iso20022.CAMT053}


@cache
def schema(name: str) -> etree.XMLSchema:
    path = XSD / f"{name}.xsd"
    if not path.exists():
        pytest.skip(f"the ISO 20022 schema {name}.xsd is not in the standards folder here")
    return etree.XMLSchema(etree.parse(str(path)))


def valid(name: str, xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml)
    checker = schema(name)
    assert checker.validate(doc), checker.error_log
    return doc


def paid_invoice() -> Env:
    env = Env()
    env.run(
        c.RecordExportInvoice(
            "26IN1", EXPORTER, IMPORTER, "100000.00", "INR", "6IN-UCR-1", "INV-1", date(2026, 3, 1)
        )
    )
    env.fund(customer_id(IMPORTER, "RUB"), "100000", "RUB", "f1")
    env.fund("fx:SAMAINBBXXX:INR", "500000", "INR", "f2")
    env.now = datetime(2026, 3, 3, 11, tzinfo=UTC)
    env.run(c.PayInvoice("26IN1", "RUB", "INR", date(2026, 3, 3)))
    return env


def test_a_converted_invoice_payment_is_a_valid_pacs008_with_its_rate() -> None:
    env = paid_invoice()
    with env.uow() as u:
        leg_in, leg_out = u.ledger.transfer("inv:26IN1:in"), u.ledger.transfer("inv:26IN1:out")
        debtor, creditor = (
            u.ledger.account(customer_id(IMPORTER, "RUB")),
            u.ledger.account(customer_id(EXPORTER, "INR")),
        )
    assert leg_in and leg_out and debtor and creditor
    payment = iso20022.CreditTransfer(
        leg_out, "Sample Importer LLC", debtor, "Sample Seafood Exporters", creditor, leg_in
    )
    doc = valid("pacs.008.001.08", iso20022.pacs008("MSG-1", env.now, payment))
    tx = "p:FIToFICstmrCdtTrf/p:CdtTrfTxInf/"
    assert doc.findtext(f"{tx}p:IntrBkSttlmAmt", namespaces=NS) == "100000.00"
    assert doc.find(f"{tx}p:IntrBkSttlmAmt", NS).get("Ccy") == "INR"
    assert doc.findtext(f"{tx}p:InstdAmt", namespaces=NS) == "93500.00"
    # the settled amount is the instructed amount times the rate: 93500 RUB x 1.06951872 = 100000 INR
    rate = Decimal(doc.findtext(f"{tx}p:XchgRate", namespaces=NS))
    assert rate == Decimal("1.06951872") and round(Decimal("93500.00") * rate) == 100000
    assert doc.findtext(f"{tx}p:PmtId/p:EndToEndId", namespaces=NS) == "6IN-UCR-1"
    assert doc.findtext(f"{tx}p:CdtrAgt/p:FinInstnId/p:BICFI", namespaces=NS) == "SAMAINBBXXX"


def test_a_day_of_an_account_is_a_valid_camt053_whose_balances_add_up() -> None:
    env = paid_invoice()
    s = queries.statement(env.uow(), "fx:SAMAINBBXXX:INR", date(2026, 3, 3))
    doc = valid("camt.053.001.08", iso20022.camt053("STMT-1", env.now, s))
    bal = doc.findall("c:BkToCstmrStmt/c:Stmt/c:Bal", NS)
    assert [b.findtext("c:Amt", namespaces=NS) for b in bal] == ["500000.00", "400000.00"]
    entries = doc.findall("c:BkToCstmrStmt/c:Stmt/c:Ntry", NS)
    assert [
        (e.findtext("c:Amt", namespaces=NS), e.findtext("c:CdtDbtInd", namespaces=NS)) for e in entries
    ] == [("100000.00", "DBIT")]


def test_an_overdrawn_funding_account_has_a_debit_balance() -> None:
    env = paid_invoice()
    s = queries.statement(env.uow(), "funding:INR", date(2026, 3, 3))
    doc = valid("camt.053.001.08", iso20022.camt053("STMT-2", env.now, s))
    ind = doc.findall("c:BkToCstmrStmt/c:Stmt/c:Bal/c:CdtDbtInd", NS)
    assert [i.text for i in ind] == ["DBIT", "DBIT"]
