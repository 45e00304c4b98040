"""The node's issuer registry and revocations, kept in its database (``uow.issuers``,
``uow.revocations``) and read in the transaction that verifies, so every process of the node
sees one registry and a revocation received from the peer is recorded with its inbox entry or
not at all. Private keys of the issuers registered here stay in files (``IssuerKeyFiles``). The
``issuers.json`` and ``revocations.json`` of earlier versions are moved into the database on start,
once."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.documents.issuers import Issuer, IssuerKeyFiles, generated_issuer, read_issuer_file
from corridor.documents.revocation import RevocationRecord, read_revocation_file
from corridor.documents.service import DocumentContext, issue_documents, verify
from corridor.documents.verify import Verdict
from corridor.service.ports import CommitConflict, IssuerRepository, UnitOfWork
from corridor.shared.errors import Conflict, NotFound

LEGACY_FILES = ("issuers.json", "revocations.json")
REGISTERED, IMPORTED, MIGRATED = "registered here", "imported", "migrated from issuers.json"


class KeyedIssuers:
    """The registry as the caller's transaction sees it, with the keys of issuers registered here."""

    def __init__(self, issuers: IssuerRepository, keys: IssuerKeyFiles) -> None:
        self.issuers = issuers
        self.keys = keys

    def get(self, issuer_id: str) -> Issuer | None:
        return self.issuers.get(issuer_id)

    def list_issuers(self) -> list[Issuer]:
        return self.issuers.list_issuers()

    def add(self, issuer: Issuer, source: str = IMPORTED) -> None:
        self.issuers.add(issuer, source)

    def private_key(self, issuer_id: str) -> Ed25519PrivateKey:
        if self.issuers.get(issuer_id) is None:
            raise NotFound(f"issuer {issuer_id} is not registered at this node")
        return self.keys.private_key(issuer_id)


class NodeDocuments:
    """The node's documents: ``context(uow)`` for handlers inside a transaction; the other methods
    are operator commands (CLI, API, tests), each in a transaction of its own."""

    def __init__(self, keys: IssuerKeyFiles, uow_factory: Callable[[], UnitOfWork]) -> None:
        self.keys = keys
        self.uow_factory = uow_factory

    @classmethod
    def open(cls, data_dir: Path, uow_factory: Callable[[], UnitOfWork]) -> NodeDocuments:
        """The node's documents, with the files of earlier versions moved into the database (then
        renamed ``*.migrated``); a second start, or another process's, changes nothing."""
        documents = cls(IssuerKeyFiles(data_dir), uow_factory)
        legacy = [data_dir / "documents" / name for name in LEGACY_FILES]
        if any(path.exists() for path in legacy):
            try:
                documents._adopt(*legacy)
            except CommitConflict:  # another process of the node did it at the same moment
                documents._adopt(*legacy)
            for path in legacy:
                with suppress(FileNotFoundError):  # nothing to move, or another process moved it
                    os.replace(path, path.with_name(f"{path.name}.migrated"))
        return documents

    def _adopt(self, issuers_file: Path, revocations_file: Path) -> None:
        issuers = read_issuer_file(issuers_file) if issuers_file.exists() else []
        revocations = read_revocation_file(revocations_file) if revocations_file.exists() else []
        with self.uow_factory() as uow:
            for issuer in issuers:
                if uow.issuers.get(issuer.id) is None:  # what the database holds already wins
                    uow.issuers.add(issuer, MIGRATED)
            for record in revocations:
                uow.revocations.add(record)
            uow.commit()

    def context(self, uow: UnitOfWork) -> DocumentContext:
        return DocumentContext(KeyedIssuers(uow.issuers, self.keys), uow.revocations)

    @contextmanager
    def reading(self) -> Iterator[DocumentContext]:
        """A context over a transaction that writes nothing (for verifying)."""
        with self.uow_factory() as uow:
            yield self.context(uow)

    def register(
        self, *, name: str, country: str, role: str, issuer_id: str | None = None, node: str | None = None
    ) -> Issuer:
        """Register an issuing body here with a new Ed25519 key pair (private key file mode 0600)."""
        issuer, key = generated_issuer(name=name, country=country, role=role, issuer_id=issuer_id, node=node)
        with self.uow_factory() as uow:
            if uow.issuers.get(issuer.id) is not None:
                raise Conflict(f"issuer {issuer.id} is already registered")
            self.keys.create(issuer.id, key)
            try:
                uow.issuers.add(issuer, REGISTERED)
                uow.commit()
            except BaseException:
                self.keys.discard(issuer.id)
                raise
        return issuer

    def add(self, issuer: Issuer) -> Issuer:
        """Trust an issuer registered at another node, by its public key."""
        with self.uow_factory() as uow:
            uow.issuers.add(issuer, IMPORTED)
            uow.commit()
        return issuer

    def list_issuers(self) -> list[Issuer]:
        with self.uow_factory() as uow:
            return uow.issuers.list_issuers()

    def revocations(self) -> list[RevocationRecord]:
        with self.uow_factory() as uow:
            return uow.revocations.list_records()

    def verify(self, document: Any) -> Verdict:
        with self.reading() as ctx:
            return verify(ctx, document)

    def issue(self, documents: Sequence[Any], issuer_id: str, **options: Any) -> list[dict[str, Any]]:
        with self.reading() as ctx:
            return issue_documents(ctx, documents, issuer_id, **options)
