"""Settlement's use cases over the in-memory unit of work: duties paid to customs and checked at
release, an invoice paid in another currency at the stored rate, a settlement window netted, an
export realised with a signed record, and the reports."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.adapters.settlement_memory import MemorySettlementUnitOfWork, SettlementState
from corridor.settlement import commands as c
from corridor.settlement import events, queries, signing
from corridor.settlement.domain.messages import payment_body
from corridor.settlement.domain.srva import customer_id, funding_id, liquidity_id
from corridor.settlement.handlers import SettlementContext, book_peer_payment, duties_settled, handle
from corridor.shared.errors import Conflict, InvalidInput

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
IMPORTER, EXPORTER = "7707083893", "AAACS1234F"
KEY = Ed25519PrivateKey.generate()


class Env:
    def __init__(self) -> None:
        self.state = SettlementState()
        self.now = T0
        self.ctx = SettlementContext(
            "IN", lambda: self.now, sign=lambda body: signing.sign(body, "key-1", KEY)
        )
        self.published: list[Any] = []  # the events the handlers published, in order
        self.run(c.OpenSampleChart())

    def uow(self) -> MemorySettlementUnitOfWork:
        uow = MemorySettlementUnitOfWork(self.state)
        uow.published = self.published
        return uow

    def run(self, command: Any) -> Any:
        return handle(command, self.uow(), self.ctx)

    def fund(self, account: str, amount: str, ccy: str, tid: str) -> None:
        self.run(c.CreateTransfers([{"id": tid, "debit_account": funding_id(ccy), "credit_account": account,
                                     "amount": amount, "currency": ccy}]))  # fmt: skip


@pytest.fixture
def env() -> Env:
    return Env()


def test_duties_are_paid_to_customs_and_release_sees_them_posted(env: Env) -> None:
    env.run(c.RecordDutiesAssessed("26RU1", IMPORTER, "RU", (("1500.50", "RUB"),), date(2026, 3, 2)))
    with env.uow() as u:
        assert not duties_settled(u, "26RU1")
    with pytest.raises(InvalidInput) as refused:  # the importer has no roubles yet
        env.run(c.PayAssessedDuties("26RU1", IMPORTER))
    assert refused.value.errors[0].path == "duties[0].amount"
    env.fund(customer_id(IMPORTER, "RUB"), "2000", "RUB", "f1")
    assert env.run(c.PayAssessedDuties("26RU1", IMPORTER)) == ["duty:26RU1:RUB"]
    with env.uow() as u:
        assert duties_settled(u, "26RU1")
    assert queries.balance(env.uow(), "customs:RU")["balance"] == "1500.50"
    assert isinstance(env.published[-1], events.DutiesSettled)
    with pytest.raises(Conflict):
        env.run(c.PayAssessedDuties("26RU1", IMPORTER))


def test_someone_else_cannot_pay_as_the_importer(env: Env) -> None:
    env.run(c.RecordDutiesAssessed("26RU1", IMPORTER, "RU", (("10", "RUB"),), date(2026, 3, 2)))
    with pytest.raises(InvalidInput) as refused:
        env.run(c.PayAssessedDuties("26RU1", "someone"))
    assert refused.value.errors[0].path == "payer"


def test_an_invoice_in_rupees_paid_from_roubles_stores_the_rate(env: Env) -> None:
    env.run(
        c.RecordExportInvoice(
            "26IN1", EXPORTER, IMPORTER, "100000.00", "INR", "6IN-UCR-1", "INV-1", date(2026, 3, 1)
        )
    )
    env.fund(customer_id(IMPORTER, "RUB"), "100000", "RUB", "f1")
    env.fund("fx:SAMAINBBXXX:INR", "500000", "INR", "f2")
    ids = env.run(c.PayInvoice("26IN1", "RUB", "INR", date(2026, 3, 2)))
    with env.uow() as u:
        leg_in, leg_out = (u.ledger.transfer(i) for i in ids)
    assert leg_in is not None and leg_out is not None and leg_in.linked
    assert leg_out.amount == 100000_00 and leg_in.amount == 93500_00  # 100000 INR at 0.9350 RUB per INR
    assert leg_in.fx is not None and str(leg_in.fx.rate) == "0.9350" and "sample" in leg_in.fx.source
    assert queries.balance(env.uow(), customer_id(EXPORTER, "INR"))["balance"] == "100000.00"


def test_a_realised_export_gets_a_signed_record_and_an_unpaid_one_is_overdue(env: Env) -> None:
    env.run(
        c.RecordExportInvoice(
            "26IN1", EXPORTER, IMPORTER, "500.00", "INR", "UCR-1", "INV-1", date(2026, 1, 5)
        )
    )
    env.run(
        c.RecordExportInvoice("26IN2", EXPORTER, IMPORTER, "70.00", "INR", "UCR-2", "INV-2", date(2024, 1, 5))
    )
    env.fund(customer_id(IMPORTER, "INR"), "1000", "INR", "f1")
    with pytest.raises(Conflict, match="outstanding"):
        env.run(c.IssueRealisation("26IN1"))
    env.run(c.PayInvoice("26IN1", "INR", "INR", date(2026, 3, 2)))
    signed = env.run(c.IssueRealisation("26IN1"))
    assert signing.verify(signed, KEY.public_key())
    assert signed["record"]["realised_amount"] == {"value": "500.00", "currencyID": "INR"}
    assert "FEMA 23(R)/(7)/2025-RB" in signed["record"]["period_source"]
    tampered = {
        **signed,
        "record": {**signed["record"], "realised_amount": {"value": "5000.00", "currencyID": "INR"}},
    }
    assert not signing.verify(tampered, KEY.public_key())
    report = queries.realisation(env.uow(), date(2026, 3, 2))
    status = {e["declaration_id"]: (e["status"], e["due"], e["period_months"]) for e in report["exports"]}
    assert status == {"26IN1": ("realised", "2027-04-05", 15), "26IN2": ("overdue", "2024-10-05", 9)}
    assert report["exporters"][0]["overdue"] == {"INR": "70.00"}


def test_closing_a_window_nets_per_currency_and_posts_the_settlement(env: Env) -> None:
    a, b = "SAMAINBBXXX", "SAMRRUMMXXX"
    env.fund(liquidity_id(a, "INR"), "1000", "INR", "fa")
    env.fund(liquidity_id(b, "INR"), "1000", "INR", "fb")
    for i, (payer, payee, amount) in enumerate([(a, b, "300"), (b, a, "250"), (a, b, "100")]):
        env.run(c.RecordObligation(f"o{i}", payer, payee, amount, "INR"))
    closed = env.run(c.CloseWindow())
    inr = closed["currencies"]["INR"]
    assert (inr["gross"], inr["multilateral_net"], inr["reduction_percent"]) == ("650.00", "150.00", "76.92")
    assert queries.balance(env.uow(), liquidity_id(a, "INR"))["balance"] == "850.00"
    assert queries.balance(env.uow(), liquidity_id(b, "INR"))["balance"] == "1150.00"
    assert queries.balance(env.uow(), "settle:INR")["balance"] == "0.00"
    assert env.run(c.RecordObligation("o9", a, b, "1", "INR"))["window"] != closed["window"]


def test_a_statement_has_opening_entries_and_closing(env: Env) -> None:
    acc = customer_id(IMPORTER, "INR")
    env.fund(acc, "100", "INR", "f1")
    env.now = datetime(2026, 3, 3, 10, tzinfo=UTC)
    env.run(c.CreateTransfers([{"id": "t1", "debit_account": acc, "credit_account": customer_id(EXPORTER, "INR"),
                                "amount": "40.25", "currency": "INR"}]))  # fmt: skip
    s = queries.statement_json(queries.statement(env.uow(), acc, date(2026, 3, 3)))
    assert (s["opening_balance"], s["closing_balance"]) == ("100.00", "59.75")
    assert [e["amount"] for e in s["entries"]] == ["-40.25"]


@pytest.mark.parametrize(
    ("transfer", "path"),
    [
        ({"id": "x", "debit_account": "nope", "credit_account": "settle:INR", "amount": "1", "currency": "INR"}, "transfers[0].debit_account_id"),
        ({"id": "x", "debit_account": "funding:INR", "credit_account": "settle:INR", "amount": "1.001", "currency": "INR"}, "transfers[0].amount"),
        ({"id": "x", "debit_account": "funding:INR", "credit_account": "settle:INR", "amount": "0", "currency": "INR"}, "transfers[0].amount"),
        ({"id": "x", "debit_account": "funding:INR", "credit_account": "settle:INR", "amount": 1.5, "currency": "INR"}, "transfers[0].amount"),
        ({"id": "x", "debit_account": "funding:INR", "credit_account": "settle:RUB", "amount": "1", "currency": "INR"}, "transfers[0].ledger"),
        ({"id": "x", "debit_account": "funding:INR", "credit_account": "settle:INR", "amount": "1", "currency": "XXX"}, "transfers[0].currency"),
        ({"id": "x", "debit_account": "funding:INR", "credit_account": "settle:INR", "amount": "1", "currency": "INR", "colour": 1}, "transfers[0].colour"),
    ],
)  # fmt: skip
def test_bad_transfers_are_refused_naming_the_field(env: Env, transfer: dict[str, Any], path: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        env.run(c.CreateTransfers([transfer]))
    assert refused.value.errors[0].path == path


def test_a_refused_request_changes_nothing(env: Env) -> None:
    ok = {
        "id": "a",
        "debit_account": "funding:INR",
        "credit_account": "settle:INR",
        "amount": "1",
        "currency": "INR",
    }
    bad = {**ok, "id": "b", "credit_account": "nope"}
    with pytest.raises(InvalidInput):
        env.run(c.CreateTransfers([ok, bad]))
    assert queries.balance(env.uow(), "settle:INR")["balance"] == "0.00"


def test_srva_surplus_is_invested_and_reported(env: Env) -> None:
    srva = "srva:SAMRRUMMXXX@SAMAINBBXXX"
    env.fund(srva, "1000000", "INR", "f1")
    with pytest.raises(InvalidInput) as refused:
        env.run(c.InvestSurplus("inv-1", "SAMRRUMMXXX", "1000000.01"))
    assert refused.value.errors[0].path == "investment[0].amount"
    env.run(c.InvestSurplus("inv-1", "SAMRRUMMXXX", "600000"))
    report = {a["id"]: a for a in queries.srva_report(env.uow())["accounts"]}
    assert report[srva]["balance"] == "400000.00" and report["invest:SAMRRUMMXXX"]["balance"] == "600000.00"
    assert report[srva]["by_day"] == {"2026-03-02": "400000.00"}


@pytest.mark.parametrize(
    ("command", "path"),
    [
        (c.RecordDutiesAssessed("d", IMPORTER, "RU", (("12.345", "RUB"),), date(2026, 3, 2)), "amounts[0].amount"),
        (c.RecordDutiesAssessed("d", IMPORTER, "RU", (("12", "XYZ"),), date(2026, 3, 2)), "amounts[0].currency"),
        (c.RecordDutiesAssessed("d", IMPORTER, "FR", (("12", "EUR"),), date(2026, 3, 2)), "country"),
        (c.RecordExportInvoice("e", EXPORTER, IMPORTER, "0", "INR", "U", "I", date(2026, 3, 2)), "invoice.amount"),
        (c.RecordExportInvoice("e", EXPORTER, IMPORTER, "1", "INR", "", "", date(2026, 3, 2)), "ucr"),
        (c.PayInvoice("e", "RUB", "ABC", date(2026, 3, 2)), "payee_currency"),
        (c.RecordObligation("o", "A", "A", "1", "INR"), "payee"),
        (c.InvestSurplus("i", "SAMRRUMMXXX", "-5"), "investment.amount"),
    ],
)  # fmt: skip
def test_unsound_commands_are_refused_naming_the_field(env: Env, command: Any, path: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        env.run(command)
    assert refused.value.errors[0].path == path


def test_a_cross_border_payment_is_booked_alike_at_both_nodes(env: Env) -> None:
    peer = Env()  # the other node, with the same chart
    env.run(
        c.RecordExportInvoice(
            "26IN1", EXPORTER, IMPORTER, "1000.00", "INR", "UCR-1", "INV-1", date(2026, 3, 1)
        )
    )
    for node in (env, peer):
        node.fund(customer_id(IMPORTER, "RUB"), "5000", "RUB", "f1")
        node.fund("fx:SAMAINBBXXX:INR", "5000", "INR", "f2")
    ids = env.run(c.PayInvoice("26IN1", "RUB", "INR", date(2026, 3, 2)))
    with env.uow() as u:
        sent = [t for t in (u.ledger.transfer(i) for i in ids) if t is not None]
    body = json.loads(json.dumps(payment_body("IN", sent)))  # as it travels
    for _ in range(2):  # delivered twice: booked once
        with peer.uow() as u:
            book_peer_payment(u, body, "IN", peer.now)
            u.commit()
    mine, theirs = (
        {a["id"]: a["balance"] for a in (queries.balance(n.uow(), acc) for acc in (
            customer_id(IMPORTER, "RUB"), customer_id(EXPORTER, "INR"), "fx:SAMAINBBXXX:RUB", "fx:SAMAINBBXXX:INR"))}
        for n in (env, peer)
    )  # fmt: skip
    assert mine == theirs and mine[customer_id(EXPORTER, "INR")] == "1000.00"
    with peer.uow() as u:
        booked = u.ledger.transfer(ids[0])
    assert booked is not None and booked.fx == sent[0].fx
    body["transfers"][1]["amount"] = "999.00"
    with peer.uow() as u, pytest.raises(InvalidInput) as refused:
        book_peer_payment(u, body, "IN", peer.now)
    assert refused.value.errors[0].path == "transfers[0].linked"
    with peer.uow() as u, pytest.raises(InvalidInput) as refused:
        book_peer_payment(u, body, "RU", peer.now)
    assert refused.value.errors[0].path == "origin"
