"""Commands: what a user or a peer node asks a node to do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Command:
    pass


@dataclass(frozen=True)
class FileDeclaration(Command):
    document: Any
    filed_by: str | None = None  # the filing trader (exporter or mandated broker); None for an officer
    documents: tuple[Any, ...] = ()  # wrapped trade documents the declaration references by targetHash


@dataclass(frozen=True)
class ClearDeclaration(Command):
    """An officer finished the documentary or physical check and lets the goods go."""

    declaration_id: str
    officer_id: str
    findings: str = ""


@dataclass(frozen=True)
class HoldDeclaration(Command):
    declaration_id: str
    officer_id: str
    reason: str


@dataclass(frozen=True)
class ReceiveEnvelope(Command):
    envelope: Any  # parsed JSON (dict) or raw text/bytes from a transport
    from_party: str | None = None  # the peer the transport authenticated, when it knows one
    stored_at: datetime | None = None  # when the node's own durable inbox took it (see below)


@dataclass(frozen=True)
class PostEvents(Command):
    """A carrier posts an EPCIS 2.0 document of logistics events."""

    document: Any
    posted_by: str


@dataclass(frozen=True)
class PayDuties(Command):
    """The importer pays the assessed duties and taxes of an import declaration."""

    declaration_id: str
    payer: str
    amounts: Any  # [{"value": "123.45", "currencyID": "RUB"}], must equal the assessed totals
    reference: str = ""


@dataclass(frozen=True)
class ReleaseDeclaration(Command):
    """An officer gives the goods out of charge (after arrival, a conform examination and payment),
    saying why (kept in the release stage, shown on the timeline)."""

    declaration_id: str
    officer_id: str
    reason: str


@dataclass(frozen=True)
class RevokeDocument(Command):
    """An issuing body registered at this node revokes a document (or its batch); the peer learns it."""

    document: Any
    reason: str
    batch: bool = False
    issuer_id: str | None = None


@dataclass(frozen=True)
class ReceiveEnvelopes(Command):
    """Several envelopes from one transport pass, applied in one transaction."""

    envelopes: list[Any]
    from_party: str | None = None
    stored_at: Sequence[datetime] | None = None
    """When the node's own durable inbox (a JetStream stream) stored each envelope (in the order of
    ``envelopes``), as that store stamped it: freshness is judged at that moment, so an envelope that waited in the store while
    this node was down is not refused as stale; a replayed old envelope is stamped anew and still is."""


@dataclass(frozen=True)
class GrantMandate(Command):
    """An exporter's mandate for a customs broker to file its declarations (recorded by the admin)."""

    broker_id: str
    exporter_id: str
