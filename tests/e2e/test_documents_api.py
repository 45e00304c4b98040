"""Document endpoints of a node: an issuer issues and revokes for itself only; the peer is told."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corridor.api.app import create_app
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node
from corridor.service.auth import create_api_key

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "documents"
NOW = datetime.now(UTC)


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    n = bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    yield n
    n.close()


def test_issue_verify_revoke_with_roles(node: Node, tmp_path: Path) -> None:
    assert node.bus.ctx.documents is not None
    chamber = node.bus.ctx.documents.register(
        name="Sample Chamber", country="IN", role="chamber of commerce", node="IN"
    )
    client = TestClient(create_app(node))
    issuer = {"x-api-key": create_api_key(node.uow(), "issuer", chamber.id, "chamber", NOW)}
    other = {"x-api-key": create_api_key(node.uow(), "issuer", "did:corridor:in:someone-else", "other", NOW)}
    officer = {"x-api-key": create_api_key(node.uow(), "officer", "IN-OFFICER-1", "officer", NOW)}
    peer = {"x-api-key": create_api_key(node.uow(), "peer", "RU", "peer", NOW)}
    certificate = json.loads((EXAMPLES / "certificate-of-origin.json").read_text())

    issue = {"issuer_id": chamber.id, "documents": [certificate]}
    assert client.post("/v1/documents/issue", json=issue, headers=other).status_code == 403
    assert client.post("/v1/documents/issue", json=issue, headers=officer).status_code == 403
    issued = client.post("/v1/documents/issue", json=issue, headers=issuer)
    assert issued.status_code == 200, issued.text
    document = issued.json()["documents"][0]

    assert client.post("/v1/documents/verify", json={"document": document}, headers=peer).status_code == 403
    verified = client.post("/v1/documents/verify", json={"document": document}, headers=officer)
    assert verified.status_code == 200 and verified.json()["valid"] is True

    revoked = client.post(
        "/v1/documents/revoke", json={"document": document, "reason": "issued in error"}, headers=issuer
    )
    assert revoked.status_code == 200 and revoked.json()["hash"] == document["signature"]["targetHash"]
    again = client.post("/v1/documents/verify", json={"document": document}, headers=officer)
    assert again.status_code == 422 and again.json()["lane"] == "red"
    with node.uow() as uow:  # the peer node is told in a signed message
        assert [m.type for m in uow.outbox.with_status(status="pending")] == [
            "corridor.documents.revocation.v1"
        ]
