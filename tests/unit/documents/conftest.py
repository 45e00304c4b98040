from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from corridor.documents.issuers import InMemoryIssuerRegistry, Issuer
from corridor.documents.revocation import InMemoryRevocationStore
from corridor.documents.service import DocumentContext

HERE = Path(__file__).parent
EXAMPLES = HERE.parents[2] / "examples" / "documents"
SAMPLES = ("certificate-of-origin", "commercial-invoice", "packing-list", "bill-of-lading")


@pytest.fixture
def samples() -> dict[str, dict[str, Any]]:
    return {name: json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8")) for name in SAMPLES}


@pytest.fixture
def declaration() -> dict[str, Any]:
    return json.loads((EXAMPLES / "declaration-excerpt.json").read_text(encoding="utf-8"))


@pytest.fixture
def node_vector() -> list[dict[str, Any]]:
    return json.loads((HERE / "oa_vector_node.json").read_text(encoding="utf-8"))["wrapped"]


@pytest.fixture
def ctx() -> DocumentContext:
    registry = InMemoryIssuerRegistry()
    registry.register(name="Sample Chamber of Commerce", country="IN", role="chamber of commerce", node="IN")
    registry.register(name="Other Chamber", country="RU", role="chamber of commerce", node="RU")
    return DocumentContext(registry, InMemoryRevocationStore())


@pytest.fixture
def issuer(ctx: DocumentContext) -> Issuer:
    found = ctx.registry.get("did:corridor:in:sample-chamber-of-commerce")
    assert found is not None
    return found


@pytest.fixture
def wrapped(ctx: DocumentContext, issuer: Issuer, samples: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    from corridor.documents.service import issue_documents

    return issue_documents(ctx, [copy.deepcopy(samples[n]) for n in SAMPLES], issuer.id)
