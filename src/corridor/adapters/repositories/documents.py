"""Wrapped trade documents kept by the node, found by their target hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from corridor.adapters import tables as t
from corridor.adapters.repositories.common import INSERT
from corridor.service import ports

DOCUMENTS_BY_HASH = select(t.trade_documents).where(
    t.trade_documents.c.target_hash.in_(bindparam("hashes", expanding=True))
)


def target_hash(document: dict[str, Any]) -> str:
    return str(document["signature"]["targetHash"])


class SqlDocuments(ports.DocumentRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_many(self, documents: list[dict[str, Any]], at: datetime) -> None:
        known = {target_hash(d) for d in self.get_many([target_hash(d) for d in documents])}
        fresh = {target_hash(d): d for d in documents if target_hash(d) not in known}
        if fresh:
            self.conn.execute(
                INSERT["trade_documents"],
                [
                    {
                        "target_hash": h,
                        "merkle_root": d["signature"]["merkleRoot"],
                        "document": d,
                        "stored_at": at,
                    }
                    for h, d in fresh.items()
                ],
            )

    def get_many(self, target_hashes: list[str]) -> list[dict[str, Any]]:
        if not target_hashes:
            return []
        return [row.document for row in self.conn.execute(DOCUMENTS_BY_HASH, {"hashes": list(target_hashes)})]
