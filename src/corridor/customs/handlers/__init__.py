"""Service-layer handlers for declarations at the origin and at the destination node: commands,
messages from the peer, and reactions to other capabilities' events."""

from corridor.customs.handlers.decisions import (
    clear_declaration,
    hold_declaration,
    pay_duties,
    read_ahead_decisions,
    release_declaration,
)
from corridor.customs.handlers.filing import file_declaration, grant_mandate, read_ahead_filings
from corridor.customs.handlers.messages import (
    ACKNOWLEDGEMENT,
    EXPORT_HOLD,
    EXPORT_HOLD_LIFTED,
    PREARRIVAL,
    WAITING_FOR_PREARRIVAL,
)
from corridor.customs.handlers.notices import on_export_notice
from corridor.customs.handlers.prearrival import on_acknowledgement, on_prearrival, read_ahead_prearrivals
from corridor.customs.handlers.reactions import on_document_revoked, on_duties_settled, on_movements_recorded

__all__ = [
    "ACKNOWLEDGEMENT",
    "EXPORT_HOLD",
    "EXPORT_HOLD_LIFTED",
    "PREARRIVAL",
    "WAITING_FOR_PREARRIVAL",
    "clear_declaration",
    "file_declaration",
    "grant_mandate",
    "hold_declaration",
    "on_acknowledgement",
    "on_document_revoked",
    "on_duties_settled",
    "on_export_notice",
    "on_movements_recorded",
    "on_prearrival",
    "pay_duties",
    "read_ahead_decisions",
    "read_ahead_filings",
    "read_ahead_prearrivals",
    "release_declaration",
]
