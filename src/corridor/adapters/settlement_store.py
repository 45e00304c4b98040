"""Settlement's records (claims, windows, obligations, realisation records) in SQL, in the node's
unit of work."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Executable, select, update
from sqlalchemy.dialects import postgresql, sqlite

from corridor.adapters.ledger import _aware
from corridor.adapters.ledger_tables import realisation_records as R
from corridor.adapters.ledger_tables import settlement_claims as C
from corridor.adapters.ledger_tables import settlement_obligations as O
from corridor.adapters.ledger_tables import settlement_windows as W
from corridor.adapters.repositories.pending import PendingWrites
from corridor.settlement.domain.netting import Obligation, Window
from corridor.settlement.ports import Claim, SettlementRecords


def _window(row: Any) -> Window:
    return Window(
        row.id, _aware(row.opened_at) or row.opened_at, row.state, _aware(row.closed_at), row.report
    )


def _upsert(insert: Any) -> Executable:
    """A claim written whole: inserted, or replacing the one of the same id."""
    statement = insert(C).inline()
    upsert: Executable = statement.on_conflict_do_update(
        index_elements=[C.c.id], set_={c.name: statement.excluded[c.name] for c in C.c if c.name != "id"}
    )
    return upsert


UPSERT_CLAIM = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}


class SqlSettlementRecords(SettlementRecords):
    """Claims are queued with the transaction's other inserts (``PendingWrites``): a receiver batch
    writes the claims of its messages in one statement."""

    def __init__(self, conn: Connection, pending: PendingWrites | None = None) -> None:
        self.conn = conn
        self.pending = pending or PendingWrites(conn, deferred=False)
        self._upsert_claim = UPSERT_CLAIM[conn.dialect.name]

    def add_claim(self, claim: Claim) -> None:
        row = {
            "id": claim.id, "kind": claim.kind, "declaration_id": claim.declaration_id, "debtor": claim.debtor,
            "creditor": claim.creditor, "currency": claim.currency, "amount": claim.amount,
            "issued_on": claim.issued_on, "ucr": claim.ucr, "invoice_number": claim.invoice_number,
            "details": claim.details,
        }  # fmt: skip
        self.pending.add(self._upsert_claim, [row])

    def claims(self, kind: str, declaration_id: str | None = None) -> list[Claim]:
        self.pending.flush()
        query = select(C).where(C.c.kind == kind).order_by(C.c.issued_on, C.c.id)
        if declaration_id is not None:
            query = query.where(C.c.declaration_id == declaration_id)
        return [
            Claim(r.id, r.kind, r.declaration_id, r.debtor, r.creditor, r.currency, r.amount, r.issued_on,
                  r.ucr, r.invoice_number, r.details)
            for r in self.conn.execute(query)
        ]  # fmt: skip

    def open_window(self, now: datetime) -> Window:
        query = select(W).where(W.c.state == "open")
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        if row is not None:
            return _window(row)
        window = Window(f"win-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}", now)
        self.conn.execute(W.insert().values(id=window.id, state="open", opened_at=now, report={}))
        return window

    def add_obligation(self, obligation: Obligation) -> bool:
        if self.conn.execute(select(O.c.id).where(O.c.id == obligation.id)).first() is not None:
            return False
        self.conn.execute(
            O.insert().values(
                id=obligation.id, window_id=obligation.window_id, payer=obligation.payer, payee=obligation.payee,
                currency=obligation.currency, amount=obligation.amount, reference=obligation.reference,
                at=obligation.at,
            )
        )  # fmt: skip
        return True

    def obligations(self, window_id: str) -> list[Obligation]:
        rows = self.conn.execute(select(O).where(O.c.window_id == window_id).order_by(O.c.seq))
        return [
            Obligation(r.id, r.payer, r.payee, r.currency, r.amount, r.reference, r.window_id, _aware(r.at))
            for r in rows
        ]

    def close_window(self, window: Window) -> None:
        self.conn.execute(
            update(W)
            .where(W.c.id == window.id)
            .values(state=window.state, closed_at=window.closed_at, report=window.report)
        )

    def windows(self, limit: int = 50) -> list[Window]:
        return [_window(r) for r in self.conn.execute(select(W).order_by(W.c.opened_at.desc()).limit(limit))]

    def add_record(self, declaration_id: str, record: dict[str, Any], at: datetime) -> None:
        self.conn.execute(R.insert().values(declaration_id=declaration_id, record=record, issued_at=at))

    def record(self, declaration_id: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.conn.execute(
            select(R.c.record).where(R.c.declaration_id == declaration_id)
        ).scalar()
        return found
