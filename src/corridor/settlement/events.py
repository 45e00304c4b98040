"""Events settlement publishes: other capabilities may import this module and nothing else of
settlement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from corridor.shared.events import Event


@dataclass(frozen=True)
class DutiesSettled(Event):
    """Every assessed duty of an import declaration is covered by posted transfers to the customs
    revenue account: release may proceed as far as payment goes."""

    declaration_id: str
    transfer_ids: tuple[str, ...]
    payer: str = ""
    reference: str = ""  # the payer's reference, when it gave one
    at: datetime | None = None


@dataclass(frozen=True)
class InvoicePaid(Event):
    declaration_id: str
    reference: str  # UCR or invoice number
    transfer_ids: tuple[str, ...]


@dataclass(frozen=True)
class ExportRealised(Event):
    """A signed realisation record was issued for an export declaration."""

    declaration_id: str
    ucr: str


@dataclass(frozen=True)
class SettlementWindowClosed(Event):
    window_id: str
    currencies: tuple[str, ...]
