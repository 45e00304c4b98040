"""The ``corridor doc`` CLI and the /documents API end to end on a temporary data directory."""

from __future__ import annotations

import json
import sqlite3
import stat
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corridor.api.documents_router import CONTEXT_FACTORY, router
from corridor.cli.documents import app
from corridor.documents import service
from corridor.documents.service import DocumentContext

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "documents"
ISSUER = "did:corridor:in:sample-chamber-of-commerce"


@pytest.fixture
def cli(tmp_path: Path) -> Any:
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args), env={"CORRIDOR_DATA_DIR": str(tmp_path / "data")})

    return invoke


def test_cli_issue_verify_redact_revoke(cli: Any, tmp_path: Path) -> None:
    res = cli(
        "issuer",
        "register",
        "--name",
        "Sample Chamber of Commerce",
        "--country",
        "IN",
        "--role",
        "chamber of commerce",
    )
    assert res.exit_code == 0, res.output
    keys = list((tmp_path / "data" / "IN" / "documents" / "keys").iterdir())
    assert len(keys) == 1 and stat.S_IMODE(keys[0].stat().st_mode) == 0o600
    assert json.loads(cli("issuer", "list").stdout)[0]["id"] == ISSUER

    files = [
        str(EXAMPLES / f"{n}.json") for n in ("certificate-of-origin", "commercial-invoice", "packing-list")
    ]
    out = tmp_path / "wrapped"
    res = cli("issue", *files, "--issuer", ISSUER, "--out", str(out))
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert len(summary["documents"]) == 3 and len(summary["merkleRoot"]) == 64

    co = out / "certificate-of-origin.tt"
    res = cli("verify", str(co))
    assert res.exit_code == 0 and json.loads(res.stdout)["valid"] is True

    redacted = tmp_path / "redacted.tt"
    res = cli(
        "redact", str(out / "commercial-invoice.tt"), "--field", "items[0].unitPrice", "--out", str(redacted)
    )
    assert res.exit_code == 0, res.output
    assert cli("verify", str(redacted)).exit_code == 0

    res = cli("revoke", str(co), "--reason", "issued in error")
    assert res.exit_code == 0 and json.loads(res.stdout)["kind"] == "document"
    outbox = sqlite3.connect(tmp_path / "data" / "IN" / "corridor.sqlite").execute("select type from outbox")
    assert [row[0] for row in outbox] == ["corridor.documents.revocation.v1"]  # the peer will be told
    res = cli("verify", str(co))
    assert res.exit_code == 1
    verdict = json.loads(res.stdout)
    assert verdict["valid"] is False and verdict["lane"] == "red"

    doc = json.loads((out / "packing-list.tt").read_text())
    doc["data"]["totalPackages"] = doc["data"]["totalPackages"].replace(":150", ":151")
    tampered = tmp_path / "tampered.tt"
    tampered.write_text(json.dumps(doc))
    res = cli("verify", str(tampered))
    assert res.exit_code == 1 and json.loads(res.stdout)["lane"] == "red"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"version": 1', "not JSON"),
        ("[1, 2]", "document"),
        ('{"version": "https://schema.openattestation.com/2.0/schema.json", "data": {}}', "signature"),
    ],
)
def test_cli_bad_input_never_tracebacks(cli: Any, tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.tt"
    bad.write_text(content)
    res = cli("verify", str(bad))
    assert res.exit_code in (1, 2)
    assert "Traceback" not in res.output
    assert message in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_cli_errors_are_json(cli: Any, tmp_path: Path) -> None:
    res = cli(
        "issue",
        str(EXAMPLES / "certificate-of-origin.json"),
        "--issuer",
        "did:corridor:in:nobody",
        "--out",
        str(tmp_path),
    )
    assert res.exit_code == 2 and "not registered" in res.output
    res = cli("verify", str(tmp_path / "missing.tt"))
    assert res.exit_code == 2 and "missing.tt" in res.output
    res = cli("issuer", "register", "--name", "X", "--country", "India", "--role", "chamber of commerce")
    assert res.exit_code == 2 and '"path": "country"' in res.output


def test_api_routes(ctx: DocumentContext, samples: dict[str, Any]) -> None:
    api = FastAPI()
    api.include_router(router)
    setattr(api.state, CONTEXT_FACTORY, lambda: nullcontext(ctx))
    client = TestClient(api)
    doc = service.issue_documents(ctx, [samples["certificate-of-origin"]], ISSUER)[0]
    assert client.post("/documents/verify", json={"document": doc}).json()["valid"] is True
    r = client.post("/documents/redact", json={"document": doc, "fields": ["remarks"]})
    assert r.status_code == 200 and "remarks" not in r.json()["data"]
    r = client.post("/documents/redact", json={"document": doc, "fields": ["items[0]"]})
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "data.items[0]"
    service.revoke(ctx, doc, scope="document", reason="wrong consignee")
    r = client.post("/documents/verify", json={"document": doc})
    assert r.status_code == 422 and r.json()["lane"] == "red"
