"""Settlement wired into the node, over the in-memory unit of work: each reaction runs in the
transaction of its cause (assessed duties become claims, a cleared export's invoice a claim, the
importer's payment a posted transfer that customs then records), and an invoice paid at the origin
reaches the destination's ledger as a payment message."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from corridor.adapters.memory import MemoryUnitOfWork
from corridor.customs.domain.vocabulary import StageName, Status
from corridor.customs.handlers import PREARRIVAL
from corridor.demo.carrier import milestones
from corridor.demo.samples import SAMPLE_CARRIERS
from corridor.messaging.envelope import parse
from corridor.service.commands import FileDeclaration, PayDuties, PostEvents
from corridor.settlement import commands as c
from corridor.settlement.domain.messages import PAYMENT
from corridor.settlement.domain.srva import customer_id, customs_id, funding_id
from corridor.settlement.handlers import duties_settled
from corridor.shared.errors import Conflict, Forbidden, InvalidInput

CARRIER = SAMPLE_CARRIERS["IN"]["ID"]


def envelope(node: Any, message_type: str) -> str:
    [message] = node.outbox(message_type)
    return message.envelope


def imported(node: Any) -> Any:
    [declaration] = node.store.declarations.values()
    return declaration


def arrived_import(india: Any, russia: Any, export_in: dict[str, Any]) -> Any:
    export = india.handle(FileDeclaration(export_in))
    assert russia.receive(envelope(india, PREARRIVAL))["status"] == "accepted"
    return export


def balance(node: Any, account_id: str) -> int:
    with MemoryUnitOfWork(node.store) as uow:
        account = uow.ledger.account(account_id)
        assert account is not None, account_id
        return account.credit_balance


def deposit(node: Any, account_id: str, amount: str, ccy: str) -> None:
    node.handle(c.CreateTransfers([{"id": f"dep:{account_id}", "debit_account": funding_id(ccy),
                                    "credit_account": account_id, "amount": amount, "currency": ccy}]))  # fmt: skip


@pytest.fixture
def explicit(russia: Any) -> Any:
    """The destination with explicit funding: its banks deposit, nobody tops up."""
    assert russia.ctx.settlement is not None
    russia.ctx.settlement.sample_funding = False
    return russia


def test_assessed_duties_become_a_claim_on_the_importer_with_its_accounts_opened(
    india: Any, explicit: Any, export_in: dict[str, Any]
) -> None:
    arrived_import(india, explicit, export_in)
    declaration = imported(explicit)
    claims = explicit.store.settlement.claims
    assert {claim.currency for claim in claims.values()} == set(declaration.assessment.totals)
    for claim in claims.values():
        assert (claim.kind, claim.debtor, claim.creditor) == ("duty", declaration.importer_id, "customs:RU")
        assert explicit.store.settlement.ledger.account(customer_id(declaration.importer_id, claim.currency))
    assert explicit.store.settlement.ledger.account(customs_id("RU"))


def test_a_cleared_export_leaves_its_invoice_to_be_realised_at_the_origin(
    india: Any, russia: Any, export_in: dict[str, Any]
) -> None:
    export = india.handle(FileDeclaration(export_in))
    [claim] = india.store.settlement.claims.values()
    invoice = export_in["Declaration"]["InvoiceAmount"]
    assert (claim.kind, claim.declaration_id, claim.creditor) == (
        "export_invoice",
        export.id,
        export.trader_id,
    )
    assert claim.currency == invoice["currencyID"]
    assert claim.invoice_number, "the invoice is matched by its number or UCR"


def test_paying_duties_posts_the_transfer_and_customs_records_it_from_the_settled_event(
    india: Any, explicit: Any, export_in: dict[str, Any]
) -> None:
    arrived_import(india, explicit, export_in)
    declaration = imported(explicit)
    totals = [money.to_json() for money in declaration.assessment.payable()]
    [rub] = [t for t in totals if t["currencyID"] == "RUB"]
    with pytest.raises(InvalidInput) as short:  # nothing deposited: the transfer would overdraw
        explicit.handle(PayDuties(declaration.id, declaration.importer_id, totals, "PAY-1"))
    assert short.value.errors[0].path.startswith("duties[0].")
    assert StageName.DUTY_PAYMENT not in [s.name for s in explicit.store.stages[declaration.id]]

    deposit(explicit, customer_id(declaration.importer_id, "RUB"), rub["value"], "RUB")
    with pytest.raises(Forbidden):
        explicit.handle(PayDuties(declaration.id, "someone-else", totals, "PAY-1"))
    paid = explicit.handle(PayDuties(declaration.id, declaration.importer_id, totals, "PAY-1"))

    [payment] = [s for s in explicit.store.stages[declaration.id] if s.name == StageName.DUTY_PAYMENT]
    assert payment.detail["transfers"] == [f"duty:{declaration.id}:RUB"]
    assert paid.has(StageName.DUTY_PAYMENT)
    assert balance(explicit, customs_id("RU")) > 0
    assert balance(explicit, customer_id(declaration.importer_id, "RUB")) == 0
    with MemoryUnitOfWork(explicit.store) as uow:
        assert duties_settled(uow, declaration.id)
    with pytest.raises(Conflict):
        explicit.handle(PayDuties(declaration.id, declaration.importer_id, totals, "PAY-2"))


def test_duties_settled_releases_an_arrived_green_import(
    india: Any, russia: Any, export_in: dict[str, Any], clock: Any
) -> None:
    export = arrived_import(india, russia, export_in)
    declaration = imported(russia)
    departure, arrival = clock() - timedelta(days=20), clock() - timedelta(hours=2)
    russia.handle(PostEvents(milestones(export_in, export.id, departure, arrival, 3), CARRIER))
    assert imported(russia).status is not Status.RELEASED
    ids = russia.handle(
        c.PayAssessedDuties(declaration.id, declaration.importer_id)
    )  # settlement's own way in
    assert imported(russia).status is Status.RELEASED
    [payment] = [s for s in russia.store.stages[declaration.id] if s.name == StageName.DUTY_PAYMENT]
    assert payment.detail["transfers"] == [i for i in ids if i.startswith("duty:")]
    funded = [t for t in russia.store.settlement.ledger.transfers.values() if t.code == "deposit"]
    assert funded and all(
        t.reference == "sample funding" for t in funded
    )  # the sample bank's top-up, visible


def test_an_invoice_paid_at_the_origin_is_booked_by_the_destination_once(
    india: Any, russia: Any, export_in: dict[str, Any]
) -> None:
    export = india.handle(FileDeclaration(export_in))
    [claim] = india.store.settlement.claims.values()
    ccy = claim.currency
    ids = india.handle(c.PayInvoice(export.id, ccy, ccy, date(2025, 6, 2)))
    [message] = india.outbox(PAYMENT)
    assert [t["id"] for t in parse(json.loads(message.envelope)).body["transfers"]] == ids

    first = russia.receive(message.envelope)
    again = russia.receive(message.envelope)
    assert (first["status"], again["status"]) == ("processed", "duplicate")
    origin, destination = india.store.settlement.ledger, russia.store.settlement.ledger
    assert [destination.transfer(i) is not None for i in ids] == [True] * len(ids)
    payee = customer_id(claim.creditor, ccy)
    assert destination.account(payee).credit_balance == origin.account(payee).credit_balance == claim.amount


def test_an_export_invoiced_in_a_currency_the_ledger_does_not_settle_is_filed_all_the_same(
    india: Any, export_in: dict[str, Any]
) -> None:
    invoiced = export_in["Declaration"]["InvoiceAmount"]["currencyID"]
    in_pounds = json.loads(
        json.dumps(export_in).replace(f'"currencyID": "{invoiced}"', '"currencyID": "GBP"')
    )
    export = india.handle(FileDeclaration(in_pounds))
    assert export.status is Status.CLEARED
    assert not india.store.settlement.claims  # nothing to realise through the ledger in pounds
