"""What settlement answers without changing anything: balances, a day's statement of an account,
the export realisation report and the SRVA report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from corridor.settlement.domain.model import Account, AccountCode, Transfer
from corridor.settlement.domain.realisation import Line, by_exporter, receipts_for, reconcile
from corridor.settlement.handlers import EXPORT_INVOICE, fmt, invoice_of
from corridor.settlement.ports import SettlementUnitOfWork
from corridor.shared.errors import Forbidden, NotFound


def account_json(acc: Account) -> dict[str, Any]:
    ccy = acc.ledger
    return {
        "id": acc.id, "currency": ccy, "code": acc.code.value, "holder": acc.holder, "name": acc.name,
        "bic": acc.bic, "sample": acc.sample,
        "flags": [n for n in ("debits_must_not_exceed_credits", "credits_must_not_exceed_debits") if getattr(acc.flags, n)],
        "balance": fmt(acc.credit_balance, ccy), "available": fmt(acc.available, ccy),
        "debits_pending": fmt(acc.debits_pending, ccy), "debits_posted": fmt(acc.debits_posted, ccy),
        "credits_pending": fmt(acc.credits_pending, ccy), "credits_posted": fmt(acc.credits_posted, ccy),
    }  # fmt: skip


def balance(uow: SettlementUnitOfWork, account_id: str, trader: str | None = None) -> dict[str, Any]:
    """An account's balances; ``trader`` sees only the accounts it holds."""
    with uow:
        acc = uow.ledger.account(account_id)
    if acc is None:
        raise NotFound(f"no account {account_id!r}")
    if trader is not None and acc.holder != trader:
        raise Forbidden(f"account {account_id!r} is not held by {trader!r}")
    return account_json(acc)


@dataclass(frozen=True, slots=True)
class Statement:
    account: Account
    day: date
    opening: int  # credit balance at the start of the day
    entries: list[Transfer]

    @property
    def closing(self) -> int:
        return self.opening + sum(self.signed(t) for t in self.entries)

    def signed(self, t: Transfer) -> int:
        return t.amount if t.credit_account_id == self.account.id else -t.amount


def statement(uow: SettlementUnitOfWork, account_id: str, day: date, trader: str | None = None) -> Statement:
    """One day of ``account_id``; ``trader`` sees only the accounts it holds."""
    start = datetime.combine(day, time(), UTC)
    with uow:
        acc = uow.ledger.account(account_id)
        if acc is None:
            raise NotFound(f"no account {account_id!r}")
        if trader is not None and acc.holder != trader:
            raise Forbidden(f"account {account_id!r} is not held by {trader!r}")
        before = uow.ledger.postings(account_id, None, start)
        entries = uow.ledger.postings(account_id, start, start + timedelta(days=1))
    opening = sum(t.amount if t.credit_account_id == account_id else -t.amount for t in before)
    return Statement(acc, day, opening, entries)


def statement_json(s: Statement) -> dict[str, Any]:
    ccy = s.account.ledger
    return {
        "account": s.account.id, "currency": ccy, "date": s.day.isoformat(),
        "opening_balance": fmt(s.opening, ccy), "closing_balance": fmt(s.closing, ccy),
        "entries": [
            {"id": t.id, "amount": fmt(s.signed(t), ccy), "code": t.code, "reference": t.reference,
             "counterparty": t.debit_account_id if s.signed(t) > 0 else t.credit_account_id,
             "booked": t.timestamp.isoformat() if t.timestamp else None}
            for t in s.entries
        ],
    }  # fmt: skip


def realisation_lines(uow: SettlementUnitOfWork, today: date, exporter: str | None = None) -> list[Line]:
    with uow:
        lines = []
        for claim in uow.records.claims(EXPORT_INVOICE):
            if exporter is not None and claim.creditor != exporter:
                continue
            invoice = invoice_of(claim)
            refs = {r for r in (invoice.ucr, invoice.invoice_number) if r}
            transfers = [t for ref in sorted(refs) for t in uow.ledger.by_reference(ref)]
            lines.append(reconcile(invoice, receipts_for(invoice, transfers), today))
    return lines


def realisation(uow: SettlementUnitOfWork, today: date, exporter: str | None = None) -> dict[str, Any]:
    """The realisation report; ``exporter`` limits it to that exporter's declarations."""
    lines = realisation_lines(uow, today, exporter)

    def amounts(values: dict[str, int]) -> dict[str, str]:
        return {ccy: fmt(v, ccy) for ccy, v in sorted(values.items())}

    return {
        "as_of": today.isoformat(),
        "exports": [
            {"declaration_id": ln.invoice.declaration_id, "exporter": ln.invoice.exporter, "ucr": ln.invoice.ucr,
             "invoice_number": ln.invoice.invoice_number, "currency": ln.invoice.currency,
             "invoiced": fmt(ln.invoice.amount, ln.invoice.currency), "received": fmt(ln.received, ln.invoice.currency),
             "outstanding": fmt(ln.outstanding, ln.invoice.currency), "export_date": ln.invoice.export_date.isoformat(),
             "due": ln.due.isoformat(), "status": ln.status, "period_months": ln.period.months,
             "period_source": ln.period.source, "payments": list(ln.payments)}
            for ln in lines
        ],
        "exporters": [
            {"exporter": s.exporter, "realised": s.realised, "open": s.open,
             "outstanding": amounts(s.outstanding), "overdue": amounts(s.overdue)}
            for s in by_exporter(lines)
        ],
    }  # fmt: skip


def exporter_of(uow: SettlementUnitOfWork, declaration_id: str) -> str:
    with uow:
        claims = uow.records.claims(EXPORT_INVOICE, declaration_id)
    if not claims:
        raise NotFound(f"no export invoice recorded for declaration {declaration_id!r}")
    return claims[0].creditor


def srva_report(uow: SettlementUnitOfWork) -> dict[str, Any]:
    """Each SRVA's rupee balance at the end of every day it moved, and what was invested."""
    with uow:
        accounts = [
            a for a in uow.ledger.accounts("INR") if a.code in (AccountCode.SRVA, AccountCode.INVESTMENT)
        ]
        history = {a.id: uow.ledger.postings(a.id) for a in accounts if a.code is AccountCode.SRVA}
    out: dict[str, Any] = {"accounts": []}
    for acc in accounts:
        entry: dict[str, Any] = {
            "id": acc.id,
            "code": acc.code.value,
            "holder": acc.holder,
            "balance": fmt(acc.credit_balance, "INR"),
        }
        if acc.id in history:
            running, days = 0, {}
            for t in history[acc.id]:
                running += t.amount if t.credit_account_id == acc.id else -t.amount
                assert t.timestamp is not None
                days[t.timestamp.date().isoformat()] = fmt(running, "INR")
            entry["by_day"] = days
        out["accounts"].append(entry)
    return out
