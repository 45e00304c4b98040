"""The demo's money: every consignment's invoice paid through the ledger at its origin (the
payment travels to the destination's ledger as a signed message), the banks' obligations netted in
one settlement window at the Indian node (where the SRVAs are kept), and the figures of both
ledgers. Duties were paid through the ledger during the voyages (``PayDuties``). The banks, their
deposits and the rates are sample data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from corridor.node.bootstrap import Node
from corridor.settlement import commands as c
from corridor.settlement.domain import srva
from corridor.settlement.domain.currency import currency
from corridor.settlement.domain.fx import RateTable
from corridor.settlement.handlers import EXPORT_INVOICE, SAMPLE_FUNDING
from corridor.settlement.ports import Claim
from corridor.settlement.reactions import account_definition

NETTING_NODE = "IN"  # the SRVAs are kept by Indian AD banks: the window is closed there
SETTLED_CODES = ("invoice", "duty")  # what counts as value settled (not deposits, conversions, netting)
SHARE_BASIS = "USD"  # shares are compared in this currency at the sample rate table


@dataclass
class SettlementFigures:
    settled: dict[str, int] = field(default_factory=dict)  # minor units per currency, each transfer once
    payments: dict[str, int] = field(default_factory=dict)  # transfers counted per currency
    window: dict[str, Any] = field(default_factory=dict)
    balanced: dict[str, bool] = field(default_factory=dict)  # per node

    def to_json(self, on: date) -> dict[str, Any]:
        shares = share(self.settled, on)
        return {
            "settled": {ccy: currency(ccy).format(v) for ccy, v in sorted(self.settled.items())},
            "payments": dict(sorted(self.payments.items())),
            "share_percent": shares,
            "share_basis": f"value in {SHARE_BASIS} at the sample rate table (sample figures)",
            "interbank": {
                ccy: {
                    k: figures[k]
                    for k in (
                        "obligations",
                        "gross",
                        "bilateral_net",
                        "multilateral_net",
                        "reduction_percent",
                    )
                }
                for ccy, figures in self.window.get("currencies", {}).items()
            },
            "window": self.window.get("window"),
            "ledgers_balance": self.balanced,
            "all_ledgers_balance": bool(self.balanced) and all(self.balanced.values()),
        }


def share(settled: dict[str, int], on: date) -> dict[str, str]:
    """INR / RUB / other as percentages of the value settled (two decimals)."""
    rates = RateTable.from_csv()
    value: dict[str, Decimal] = defaultdict(Decimal)
    for ccy, minor in settled.items():
        amount = Decimal(minor).scaleb(-currency(ccy).minor_units)
        if ccy != SHARE_BASIS:
            rate = rates.on(SHARE_BASIS, ccy, on)
            amount = amount / rate.rate if rate.base_ccy == SHARE_BASIS else amount * rate.rate
        value[ccy if ccy in ("INR", "RUB") else "other"] += amount
    total = sum(value.values())
    return {k: f"{(value[k] * 100 / total if total else Decimal(0)):.2f}" for k in ("INR", "RUB", "other")}


def claims(node: Node, kind: str) -> list[Claim]:
    with node.uow() as uow:
        return uow.records.claims(kind)


def pay_invoices(nodes: dict[str, Node], on: date) -> list[Claim]:
    """Each importer pays each export invoice in the invoice's currency, at the origin node."""
    paid = []
    for node in nodes.values():
        for claim in claims(node, EXPORT_INVOICE):
            node.handle(c.PayInvoice(claim.declaration_id, claim.currency, claim.currency, on))
            paid.append(claim)
    return paid


def bank_of(node: Node, party: str, ccy: str) -> str:
    with node.uow() as uow:
        account = uow.ledger.account(srva.customer_id(party, ccy))
    if account is None or account.bic is None:
        raise LookupError(f"no settlement account of {party} in {ccy}")
    return account.bic


def close_window(node: Node, paid: list[Claim]) -> dict[str, Any]:
    """Each invoice is an obligation of the importer's bank to the exporter's bank; the banks'
    liquidity accounts receive a sample deposit of what they owe gross, and the window is closed."""
    owed: dict[tuple[str, str], int] = defaultdict(int)
    ids: set[str] = set()
    for claim in paid:
        payer, payee = (
            bank_of(node, claim.debtor, claim.currency),
            bank_of(node, claim.creditor, claim.currency),
        )
        amount = currency(claim.currency).format(claim.amount)
        node.handle(c.RecordObligation(f"ob:{claim.id}", payer, payee, amount, claim.currency,
                                       claim.ucr or claim.invoice_number))  # fmt: skip
        owed[payer, claim.currency] += claim.amount
        ids |= {srva.liquidity_id(payer, claim.currency), srva.liquidity_id(payee, claim.currency),
                srva.settlement_id(claim.currency), srva.funding_id(claim.currency)}  # fmt: skip
    definitions = [srva.node_account(i) for i in sorted(ids)]
    node.handle(c.OpenAccounts([account_definition(a) for a in definitions if a is not None]))
    deposits = [
        {"id": f"fund:window:{srva.liquidity_id(bank, ccy)}:{len(paid)}", "debit_account": srva.funding_id(ccy),
         "credit_account": srva.liquidity_id(bank, ccy), "amount": currency(ccy).format(v), "currency": ccy,
         "code": "deposit", "reference": SAMPLE_FUNDING}
        for (bank, ccy), v in sorted(owed.items())
    ]  # fmt: skip
    if deposits:
        node.handle(c.CreateTransfers(deposits))
    result: dict[str, Any] = node.handle(c.CloseWindow())
    return result


def ledger_figures(nodes: dict[str, Node], figures: SettlementFigures) -> None:
    """Value settled (each transfer once, though both ledgers book a cross-border payment) and
    whether each ledger balances: per currency, debits equal credits, pending and posted."""
    seen: set[str] = set()
    for country, node in nodes.items():
        with node.uow() as uow:
            accounts = uow.ledger.accounts()
            sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
            for a in accounts:
                row = sums[a.ledger]
                row[0] += a.debits_posted
                row[1] += a.credits_posted
                row[2] += a.debits_pending
                row[3] += a.credits_pending
                for t in uow.ledger.postings(a.id):
                    if t.id in seen or t.code not in SETTLED_CODES or t.credit_account_id != a.id:
                        continue
                    seen.add(t.id)
                    figures.settled[t.ledger] = figures.settled.get(t.ledger, 0) + t.amount
                    figures.payments[t.ledger] = figures.payments.get(t.ledger, 0) + 1
        figures.balanced[country] = all(r[0] == r[1] and r[2] == r[3] for r in sums.values())


def settle_demo(nodes: dict[str, Node], pump: Any, on: date) -> SettlementFigures:
    figures = SettlementFigures()
    paid = pay_invoices(nodes, on)
    pump()  # the payments reach the peer's ledger
    figures.window = close_window(nodes[NETTING_NODE], paid)
    ledger_figures(nodes, figures)
    return figures
