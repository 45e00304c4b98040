"""The document issuer registry and the revocations issuers have published."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.exc import IntegrityError

from corridor.adapters import tables as t
from corridor.adapters.repositories.common import INSERT
from corridor.documents.issuers import Issuer
from corridor.documents.revocation import RevocationRecord
from corridor.service import ports

ISSUER_BY_ID = select(t.issuers).where(t.issuers.c.id == bindparam("issuer_id"))
ALL_ISSUERS = select(t.issuers).order_by(t.issuers.c.id)
ISSUER_COLUMNS = ("id", "name", "country", "role", "key_id", "public_key", "node", "registered_at")


def _issuer(row: Any) -> Issuer:
    return Issuer(**{c: getattr(row, c) for c in ISSUER_COLUMNS}, active=row.status == "active")


class SqlIssuers(ports.IssuerRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, issuer_id: str) -> Issuer | None:
        row = self.conn.execute(ISSUER_BY_ID, {"issuer_id": issuer_id}).first()
        return None if row is None else _issuer(row)

    def list_issuers(self) -> list[Issuer]:
        return [_issuer(row) for row in self.conn.execute(ALL_ISSUERS)]

    def _insert(self, issuer: Issuer, source: str) -> None:
        row = {c: getattr(issuer, c) for c in ISSUER_COLUMNS}
        row |= {"status": "active" if issuer.active else "inactive", "source": source}
        try:
            with self.conn.begin_nested():
                self.conn.execute(INSERT["issuers"], row)
        except IntegrityError as exc:  # registered by another process meanwhile
            raise ports.CommitConflict(f"issuer {issuer.id} was registered meanwhile") from exc


REVOCATION_BY_HASH = (
    select(t.revocations.c.record)
    .where(
        t.revocations.c.hash.in_(bindparam("hashes", expanding=True)),
        t.revocations.c.issuer_id.in_(bindparam("issuer_ids", expanding=True)),
    )
    .order_by(t.revocations.c.revoked_at, t.revocations.c.issuer_id)
)
REVOCATION_EXISTS = select(t.revocations.c.hash).where(
    t.revocations.c.hash == bindparam("b_hash"), t.revocations.c.issuer_id == bindparam("b_issuer")
)
ALL_REVOCATIONS = select(t.revocations.c.record).order_by(
    t.revocations.c.revoked_at, t.revocations.c.hash, t.revocations.c.issuer_id
)


class SqlRevocations(ports.RevocationRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def find(self, target_hash: str, merkle_root: str, issuer_ids: set[str]) -> RevocationRecord | None:
        if not issuer_ids:
            return None
        rows = self.conn.execute(
            REVOCATION_BY_HASH, {"hashes": [target_hash, merkle_root], "issuer_ids": sorted(issuer_ids)}
        ).all()
        if not rows:
            return None
        records = [RevocationRecord.model_validate(row.record) for row in rows]
        return next((r for r in records if r.hash == target_hash), records[0])

    def add(self, record: RevocationRecord) -> bool:
        if self.conn.execute(
            REVOCATION_EXISTS, {"b_hash": record.hash, "b_issuer": record.issuer_id}
        ).first():
            return False
        row = {
            "hash": record.hash,
            "issuer_id": record.issuer_id,
            "scope": record.kind,
            "reason": record.reason,
            "revoked_at": record.revoked_at,
            "record": record.to_json(),
        }
        try:
            with self.conn.begin_nested():
                self.conn.execute(INSERT["revocations"], row)
        except IntegrityError:  # the same revocation stored by another process meanwhile
            return False
        return True

    def list_records(self) -> list[RevocationRecord]:
        return [RevocationRecord.model_validate(row.record) for row in self.conn.execute(ALL_REVOCATIONS)]
