"""The documents capability as customs consults it while assessing a declaration."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from corridor.documents.crosscheck import decl_document_refs
from corridor.documents.handlers import referenced_documents
from corridor.service.ports import UnitOfWork
from corridor.shared.findings import LaneFinding


class DocumentDesk:
    def check(
        self, uow: UnitOfWork, declaration: dict[str, Any], provided: Any, now: datetime
    ) -> Sequence[LaneFinding]:
        _, findings = referenced_documents(uow, declaration, provided, now)
        return findings

    def referenced(self, uow: UnitOfWork, declaration: dict[str, Any]) -> list[dict[str, Any]]:
        return uow.documents.get_many([ref for ref, _ in decl_document_refs(declaration)])
