"""Exporter and importer: the declaration's parties against those each document names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from corridor.documents.crosscheck.declaration_view import PARTY_PATHS, decl_party
from corridor.documents.crosscheck.document_view import doc_party, document_label
from corridor.documents.crosscheck.findings import Finding
from corridor.documents.crosscheck.json_access import Party


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def _same_party(a: Party, b: Party) -> tuple[bool, str]:
    if a.id and b.id and str(a.id).strip().upper() != str(b.id).strip().upper():
        return False, "ID"
    if a.name and b.name and normalise_name(a.name) != normalise_name(b.name):
        return False, "name"
    return True, ""


def check_parties(declaration: dict[str, Any], docs: Sequence[dict[str, Any]]) -> list[Finding]:
    findings = []
    for decl_role, role in (("Exporter", "exporter"), ("Importer", "importer")):
        declared = decl_party(declaration, decl_role)  # type: ignore[arg-type]
        for doc in docs:
            found = doc_party(doc, role)  # type: ignore[arg-type]
            if found is None:
                continue
            key, party = found
            same, what = _same_party(declared, party)
            if not same:
                d_val = declared.id if what == "ID" else declared.name
                p_val = party.id if what == "ID" else party.name
                findings.append(
                    Finding(
                        "yellow",
                        ".".join(("Declaration", *PARTY_PATHS[decl_role], what if what == "ID" else "Name")),
                        f"{d_val!r} does not match {document_label(doc)} {key}.{what.lower()} {p_val!r}",
                    )
                )
    return findings
