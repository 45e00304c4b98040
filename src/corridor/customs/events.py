"""What customs tells the other capabilities: the events its declarations record. This module is
customs' published interface; other capabilities import nothing else of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from corridor.shared.events import Event
from corridor.shared.money import Money


@dataclass(frozen=True, slots=True)
class DeclarationRegistered(Event):
    """A declaration was registered: an export filed here, or an import built from pre-arrival data.
    ``consignment`` is the corridor-wide reference (the export declaration's id)."""

    declaration_id: str
    flow: str
    consignment: str
    containers: tuple[str, ...]
    loading_location: str  # UN/LOCODE where the goods are loaded
    at: datetime


@dataclass(frozen=True, slots=True)
class LaneAssigned(Event):
    declaration_id: str
    flow: str
    lane: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ExportCleared(Event):
    """The Let Export Order was given and the pre-arrival data left for the destination; what the
    exporter is to be paid (the invoice, its UCR) comes along for the realisation of the proceeds."""

    declaration_id: str
    message_id: str
    exporter_id: str
    importer_id: str
    invoice_amount: Money
    invoice_number: str
    ucr: str  # the WCO Unique Consignment Reference, or "" when the declaration gives none
    at: datetime


@dataclass(frozen=True, slots=True)
class PrearrivalReceived(Event):
    declaration_id: str
    consignment: str
    message_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class DutiesAssessed(Event):
    declaration_id: str
    consignment: str
    importer_id: str
    totals: tuple[Money, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class DutiesPaymentRequested(Event):
    """The importer ordered payment of exactly the assessed duties and taxes to this country's
    customs; they count as paid once settlement has posted the transfers (``DutiesSettled``)."""

    declaration_id: str
    payer: str
    amounts: tuple[Money, ...]
    reference: str
    at: datetime


@dataclass(frozen=True, slots=True)
class DutiesPaid(Event):
    declaration_id: str
    consignment: str
    payer: str
    amounts: tuple[Money, ...]
    reference: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ArrivalRecorded(Event):
    declaration_id: str
    consignment: str
    at: datetime


@dataclass(frozen=True, slots=True)
class DeclarationHeld(Event):
    declaration_id: str
    flow: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Released(Event):
    """The goods of an import declaration were released (out of charge)."""

    declaration_id: str
    consignment: str
    by: str  # the officer, or the automated release on arrival
    at: datetime
