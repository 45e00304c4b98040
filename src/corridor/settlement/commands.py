"""Settlement's commands: what a bank, a trader, an officer or another capability asks of it.
Amounts arrive as decimal strings with their ISO 4217 currency and become minor units inside."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from corridor.service.commands import Command


@dataclass(frozen=True)
class OpenAccounts(Command):
    accounts: Any  # a JSON list of account definitions


@dataclass(frozen=True)
class OpenSampleChart(Command):
    """Open the SRVA chart of accounts for the sample banks and traders (marked sample)."""


@dataclass(frozen=True)
class CreateTransfers(Command):
    transfers: Any  # a JSON list of transfers
    all_or_nothing: bool = True  # refuse the whole request when any transfer is refused


@dataclass(frozen=True)
class RecordDutiesAssessed(Command):
    """An import declaration's duties and taxes were assessed: the amounts are now expected."""

    declaration_id: str
    importer: str
    country: str  # whose customs revenue account is paid: IN or RU
    amounts: tuple[tuple[str, str], ...]  # (decimal string, currency) per currency
    assessed_on: date


@dataclass(frozen=True)
class RecordExportInvoice(Command):
    """An export declaration's invoice: its realisation is expected within the period in force."""

    declaration_id: str
    exporter: str
    importer: str
    amount: str
    currency: str
    ucr: str
    invoice_number: str
    export_date: date


@dataclass(frozen=True)
class PayAssessedDuties(Command):
    """The importer pays an import declaration's assessed duties from its settlement accounts."""

    declaration_id: str
    payer: str


@dataclass(frozen=True)
class PayInvoice(Command):
    """The importer pays an export declaration's invoice, from its account in ``payer_currency``
    to the exporter's account in ``payee_currency`` (converted when they differ)."""

    declaration_id: str
    payer_currency: str
    payee_currency: str
    on: date


@dataclass(frozen=True)
class RecordObligation(Command):
    id: str
    payer: str  # bank
    payee: str  # bank
    amount: str
    currency: str
    reference: str = ""


@dataclass(frozen=True)
class CloseWindow(Command):
    """Close the open settlement window: net it and post the settlement transfers."""


@dataclass(frozen=True)
class IssueRealisation(Command):
    """A signed realisation record for a fully realised export declaration."""

    declaration_id: str


@dataclass(frozen=True)
class InvestSurplus(Command):
    """Place part of a Russian bank's SRVA balance in its investment account (Indian government
    securities; corporate bonds and commercial paper since RBI Circular No. 14 of 3 October 2025)."""

    id: str
    bank: str  # the Russian correspondent bank holding the SRVA
    amount: str  # INR
