"""Export realisation: each export invoice matched to the payments received for it (by UCR or
invoice number), with what is outstanding and what is overdue after the realisation period.

The period runs from the date of export (Foreign Exchange Management (Export of Goods & Services)
Regulations, 2015, Regulation 9(1)): nine months under the Regulations as notified (FEMA 23(R)/
2015-RB of 12 January 2016), fifteen months under the Second Amendment Regulations, 2025 (FEMA
23(R)/(7)/2025-RB of 13 November 2025, in force from its publication on 14 November 2025). This
module applies the period in force on the date of export.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from corridor.settlement.domain.model import Transfer
from corridor.settlement.domain.srva import customer_id

INVOICE = "invoice"


@dataclass(frozen=True, slots=True)
class Period:
    effective: date
    months: int
    source: str


PERIODS = (
    Period(date(2016, 1, 12), 9, "FEMA 23(R)/2015-RB of 12 January 2016, Regulation 9(1)"),
    Period(
        date(2025, 11, 14), 15,
        "FEMA 23(R)/(7)/2025-RB of 13 November 2025 (Second Amendment Regulations, 2025), Regulation 9(1)",
    ),
)  # fmt: skip


def period_on(day: date) -> Period:
    found = [p for p in PERIODS if p.effective <= day]
    return found[-1] if found else PERIODS[0]


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Invoice:
    """An export declaration's invoice, as realisation sees it."""

    declaration_id: str
    exporter: str
    importer: str
    currency: str
    amount: int
    export_date: date
    ucr: str
    invoice_number: str


@dataclass(frozen=True, slots=True)
class Line:
    invoice: Invoice
    received: int
    payments: tuple[str, ...]
    due: date
    period: Period
    status: str  # realised, outstanding, overdue

    @property
    def outstanding(self) -> int:
        return max(self.invoice.amount - self.received, 0)


def receipts_for(invoice: Invoice, transfers: Iterable[Transfer]) -> list[Transfer]:
    """The posted invoice payments that realise ``invoice``: same reference, same currency, from the
    importer's or to the exporter's account in that currency."""
    refs = {r for r in (invoice.ucr, invoice.invoice_number) if r}
    exporter_acc = customer_id(invoice.exporter, invoice.currency)
    importer_acc = customer_id(invoice.importer, invoice.currency)
    seen: set[str] = set()
    found = []
    for t in transfers:
        if (
            t.id in seen
            or not t.posts
            or t.code != INVOICE
            or t.reference not in refs
            or t.ledger != invoice.currency
        ):
            continue
        if t.credit_account_id == exporter_acc or t.debit_account_id == importer_acc:
            seen.add(t.id)
            found.append(t)
    return found


def reconcile(invoice: Invoice, receipts: list[Transfer], today: date) -> Line:
    period = period_on(invoice.export_date)
    due = add_months(invoice.export_date, period.months)
    received = sum(t.amount for t in receipts)
    status = "realised" if received >= invoice.amount else "overdue" if today > due else "outstanding"
    return Line(invoice, received, tuple(t.id for t in receipts), due, period, status)


@dataclass
class ExporterSummary:
    exporter: str
    outstanding: dict[str, int] = field(default_factory=dict)
    overdue: dict[str, int] = field(default_factory=dict)
    realised: int = 0
    open: int = 0


def by_exporter(lines: Iterable[Line]) -> list[ExporterSummary]:
    out: dict[str, ExporterSummary] = {}
    for line in lines:
        s = out.setdefault(line.invoice.exporter, ExporterSummary(line.invoice.exporter))
        ccy = line.invoice.currency
        if line.status == "realised":
            s.realised += 1
            continue
        s.open += 1
        s.outstanding[ccy] = s.outstanding.get(ccy, 0) + line.outstanding
        if line.status == "overdue":
            s.overdue[ccy] = s.overdue.get(ccy, 0) + line.outstanding
    return [out[k] for k in sorted(out)]


def record_body(line: Line, fmt: Callable[[int, str], str], issued_by: str, issued_at: str) -> dict[str, Any]:
    """What a realisation record states (before it is signed)."""
    inv = line.invoice
    return {
        "type": "corridor.export-realisation.v1",
        "declaration_id": inv.declaration_id,
        "ucr": inv.ucr,
        "invoice_number": inv.invoice_number,
        "exporter": inv.exporter,
        "importer": inv.importer,
        "invoice_amount": {"value": fmt(inv.amount, inv.currency), "currencyID": inv.currency},
        "realised_amount": {"value": fmt(line.received, inv.currency), "currencyID": inv.currency},
        "payments": list(line.payments),
        "export_date": inv.export_date.isoformat(),
        "realisation_due": line.due.isoformat(),
        "period_source": line.period.source,
        "issued_by": issued_by,
        "issued_at": issued_at,
    }
