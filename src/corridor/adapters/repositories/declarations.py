"""Customs declarations and their stages in the node's tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, String, bindparam, cast, func, select, update

from corridor.adapters import tables as t
from corridor.adapters.repositories.common import INSERT, utc
from corridor.adapters.repositories.pending import PendingWrites
from corridor.customs.domain.acknowledgement import Acknowledgement
from corridor.customs.domain.assessment import Assessment
from corridor.customs.domain.filed_document import FiledDocument
from corridor.customs.domain.model import CustomsDeclaration, Stage
from corridor.customs.domain.risk import RiskDecision
from corridor.service import ports


def _declaration_row(d: CustomsDeclaration) -> dict[str, Any]:
    """Every column but the document and the version (``_filed_row`` adds the document)."""
    return {
        "id": d.id,
        "node": d.node,
        "flow": d.flow,
        "lrn": d.lrn,
        "trader_id": d.trader_id,
        "declarant_id": d.declarant_id,
        "exporter_id": d.exporter_id,
        "importer_id": d.importer_id,
        "status": d.status,
        "lane": d.lane,
        "risk": None if d.risk is None else d.risk.to_json(),
        "assessment": None if d.assessment is None else d.assessment.to_json(),
        "ack": None if d.ack is None else d.ack.to_json(),
        "peer_id": d.peer_id,
        "created_at": d.created_at,
        "updated_at": d.updated_at or d.created_at,
    }


def _filed_row(d: CustomsDeclaration) -> dict[str, Any]:
    return {**_declaration_row(d), "document": d.document_json(), "version": 1}


def _declaration(row: Any) -> CustomsDeclaration:
    return CustomsDeclaration(
        id=row.id,
        node=row.node,
        flow=row.flow,
        lrn=row.lrn,
        trader_id=row.trader_id,
        declarant_id=row.declarant_id,
        exporter_id=row.exporter_id,
        importer_id=row.importer_id,
        filed=FiledDocument.stored(row.document),
        status=row.status,
        lane=row.lane,
        risk=None if row.risk is None else RiskDecision.from_json(row.risk),
        assessment=None if row.assessment is None else Assessment.from_json(row.assessment),
        ack=None if row.ack is None else Acknowledgement.from_json(row.ack, "ack"),
        peer_id=row.peer_id,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        version=row.version,
    )


# Statements are built once with bound parameters so SQLAlchemy compiles and caches them once;
# literal values (large JSON documents) in a statement would be walked for its cache key each time.
SAVE_DECLARATION = (
    update(t.declarations)
    .where(t.declarations.c.id == bindparam("b_id"), t.declarations.c.version == bindparam("b_version"))
    # the filed document never changes after registration, so it is written once, by add()
    .values({c.name: bindparam(c.name) for c in t.declarations.c if c.name not in ("id", "document")})
)
GET_DECLARATION = select(t.declarations).where(t.declarations.c.id == bindparam("id"))
GET_DECLARATIONS = select(t.declarations).where(t.declarations.c.id.in_(bindparam("ids", expanding=True)))
FIND_BY_LRN = select(t.declarations).where(
    t.declarations.c.flow == bindparam("flow"),
    t.declarations.c.trader_id == bindparam("trader_id"),
    t.declarations.c.lrn == bindparam("lrn"),
)
STAGES = (
    select(t.stages)
    .where(t.stages.c.declaration_id == bindparam("id"))
    .order_by(t.stages.c.at, t.stages.c.id)
)
STAGES_OF_MANY = (
    select(t.stages)
    .where(t.stages.c.declaration_id.in_(bindparam("ids", expanding=True)))
    .order_by(t.stages.c.at, t.stages.c.id)
)
BY_CONSIGNMENT = select(t.declarations).where(
    (t.declarations.c.id == bindparam("ref"))
    | ((t.declarations.c.flow == "import") & (t.declarations.c.peer_id == bindparam("ref")))
)


def _id_and_version(row: dict[str, Any]) -> tuple[str, int]:
    """Updates go out in the order of the declarations' ids (a declaration saved twice: first
    the version read)."""
    return row["b_id"], row["b_version"]


def _stage(row: Any) -> Stage:
    return Stage(row.stage, utc(row.at) or row.at, row.detail)


class SqlDeclarations(ports.DeclarationRepository):
    def __init__(self, conn: Connection, pending: PendingWrites | None = None) -> None:
        self.conn = conn
        self.pending = pending or PendingWrites(conn, deferred=False)
        self._stages_ahead: dict[str, list[Stage]] = {}  # read ahead, each handed out once

    def add(self, declaration: CustomsDeclaration) -> None:
        """Queued with the transaction's other inserts (a receiver batch inserts its import
        declarations in one statement); a declaration filed twice (the same flow, trader and
        local reference) fails as CommitConflict when the rows go out: at commit, at the end of a
        savepoint, or before the table is next read or changed in the transaction."""
        declaration.version = 1
        self._stages_ahead.pop(declaration.id, None)
        self.pending.add(INSERT["declarations"], [_filed_row(declaration)])
        self._write_stages(declaration)

    def _execute(self, statement: Any, params: dict[str, Any] | None = None) -> Any:
        """A statement that reads or changes the table, after the queued rows went out if a
        declaration's insert or update is among them (otherwise they keep waiting, to go out
        together)."""
        if self.pending.holds(INSERT["declarations"], SAVE_DECLARATION):
            self.pending.flush()
        return self.conn.execute(statement, params)

    def _write_stages(self, declaration: CustomsDeclaration) -> None:
        if declaration.new_stages:
            self.pending.add(
                INSERT["stages"],
                [
                    {"declaration_id": declaration.id, "stage": s.name, "at": s.at, "detail": s.detail}
                    for s in declaration.new_stages
                ],
            )
            declaration.new_stages.clear()

    def get(self, declaration_id: str) -> CustomsDeclaration | None:
        row = self._execute(GET_DECLARATION, {"id": declaration_id}).first()
        return None if row is None else _declaration(row)

    def get_many(self, declaration_ids: Sequence[str]) -> list[CustomsDeclaration]:
        ids = list(dict.fromkeys(declaration_ids))
        if not ids:
            return []
        return [_declaration(row) for row in self._execute(GET_DECLARATIONS, {"ids": ids})]

    def save(self, declaration: CustomsDeclaration) -> None:
        """Queued with the transaction's other writes (a receiver batch updates the declarations
        its acknowledgements answer in one statement); a declaration changed by someone else
        since it was read fails as ConcurrentUpdate when the rows go out."""
        if self.pending.holds_row(INSERT["declarations"], "id", declaration.id):
            self.pending.flush()  # its insert goes out before the update that needs the row
        # the document is not serialised again: it never changes after registration
        row = _declaration_row(declaration)
        row["b_id"] = row.pop("id")
        row["b_version"] = declaration.version
        row["version"] = declaration.version + 1
        self.pending.add(
            SAVE_DECLARATION, [row], each_changes_one="declarations", in_order_of=_id_and_version
        )
        declaration.version += 1
        self._stages_ahead.pop(declaration.id, None)  # it gains stages: read them afresh if asked
        self._write_stages(declaration)

    def find_by_lrn(self, flow: str, trader_id: str, lrn: str) -> CustomsDeclaration | None:
        row = self._execute(FIND_BY_LRN, {"flow": flow, "trader_id": trader_id, "lrn": lrn}).first()
        return None if row is None else _declaration(row)

    def find_by_consignment(self, consignment_ref: str) -> CustomsDeclaration | None:
        row = self._execute(BY_CONSIGNMENT, {"ref": consignment_ref}).first()
        return None if row is None else _declaration(row)

    def query(
        self,
        *,
        trader_id: str | None = None,
        status: str | None = None,
        lrn: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CustomsDeclaration]:
        c = t.declarations.c
        query = select(t.declarations).order_by(c.created_at.desc(), c.id).limit(limit).offset(offset)
        if trader_id is not None:
            query = query.where((c.trader_id == trader_id) | (c.declarant_id == trader_id))
        if status is not None:
            query = query.where(c.status == status)
        if lrn is not None:
            query = query.where(c.lrn == lrn)
        return [_declaration(row) for row in self._execute(query)]

    def stages(self, declaration_id: str) -> list[Stage]:
        ahead = self._stages_ahead.pop(declaration_id, None)
        if ahead is not None:
            return ahead
        self.pending.flush()  # stages of declarations stored earlier wait there too
        rows = self.conn.execute(STAGES, {"id": declaration_id})
        return [_stage(row) for row in rows]

    def read_ahead_stages(self, declaration_ids: Sequence[str]) -> None:
        """Read in one statement, each list handed out once by ``stages``, and dropped when its
        declaration is saved first (it then gains stages, read afresh if asked for)."""
        ids = [i for i in dict.fromkeys(declaration_ids) if i not in self._stages_ahead]
        if not ids:
            return
        self.pending.flush()
        found: dict[str, list[Stage]] = {i: [] for i in ids}
        for row in self.conn.execute(STAGES_OF_MANY, {"ids": ids}):
            found[row.declaration_id].append(_stage(row))
        self._stages_ahead.update(found)

    def referencing(self, document_hash: str) -> list[CustomsDeclaration]:
        c = t.declarations.c
        text = cast(c.document, String)
        query = select(t.declarations).where(text.contains(document_hash)).order_by(c.created_at, c.id)
        return [_declaration(row) for row in self._execute(query)]

    def summary(self) -> list[dict[str, Any]]:
        c = t.declarations.c
        rows = self._execute(
            select(c.flow, c.lane, c.status, func.count().label("n")).group_by(c.flow, c.lane, c.status)
        )
        return [{"flow": r.flow, "lane": r.lane, "status": r.status, "count": r.n} for r in rows]
