"""The API's gate: the key is checked before any body byte is read, and no body over the limit is
taken in, whether announced by Content-Length or streamed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from corridor.adapters import tables
from corridor.api import app as app_module
from corridor.api.app import create_app
from corridor.config import DEFAULT_MAX_BODY_BYTES
from corridor.demo.samples import SampleCorridor
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node
from corridor.service import auth
from corridor.service.auth import create_api_key

NOW = datetime.now(UTC)
LIMIT = 16 * 1024
CHUNK = 64 * 1024
HUGE = 18 * 1024 * 1024


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    n = bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    yield n
    n.close()


def officer(node: Node) -> str:
    return create_api_key(node.uow(), "officer", "IN-OFFICER-1", "test", NOW)


class Stream:
    """An ASGI ``receive`` that hands out ``total`` bytes in chunks and counts what was pulled."""

    def __init__(self, total: int, chunk: int = CHUNK) -> None:
        self.left = total
        self.chunk = chunk
        self.pulled = 0

    async def __call__(self) -> dict[str, Any]:
        if self.left <= 0:
            return {"type": "http.disconnect"}
        size = min(self.chunk, self.left)
        self.left -= size
        self.pulled += size
        return {"type": "http.request", "body": b" " * size, "more_body": self.left > 0}


def call(
    app: FastAPI, path: str, stream: Stream, headers: dict[str, str]
) -> tuple[int, dict[str, Any], Stream]:
    """One POST straight through the ASGI interface: status, JSON body and the stream it read."""
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8001),
    }
    asyncio.run(app(scope, stream, send))  # type: ignore[arg-type]
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body), stream


@pytest.mark.parametrize("key", [None, "ck_unknown"])
@pytest.mark.parametrize("announced", [True, False])
def test_a_request_without_a_valid_key_is_refused_before_its_body_is_read(
    node: Node, key: str | None, announced: bool
) -> None:
    headers = {"content-type": "application/json"}
    headers |= {"content-length": str(HUGE)} if announced else {"transfer-encoding": "chunked"}
    if key is not None:
        headers["x-api-key"] = key
    status, body, stream = call(create_app(node), "/v1/declarations", Stream(HUGE), headers)
    assert status == 401
    assert "API key" in body["error"] or "X-API-Key" in body["error"]
    assert stream.pulled == 0


def test_a_body_announced_over_the_limit_is_refused_unread(node: Node) -> None:
    headers = {"x-api-key": officer(node), "content-length": str(HUGE)}
    status, body, stream = call(create_app(node), "/v1/declarations", Stream(HUGE), headers)
    assert status == 413
    assert body == {"error": f"request body exceeds {DEFAULT_MAX_BODY_BYTES} bytes"}
    assert stream.pulled == 0


@pytest.mark.parametrize("path", ["/v1/declarations", "/v1/envelopes", "/v1/envelopes/batch", "/v1/events"])
def test_a_streamed_body_is_cut_off_once_it_passes_the_limit(node: Node, path: str) -> None:
    peer = create_api_key(node.uow(), "peer", "RU", "test", NOW)
    carrier = create_api_key(node.uow(), "carrier", "CARRIER-1", "test", NOW)
    key = {"/v1/envelopes": peer, "/v1/envelopes/batch": peer, "/v1/events": carrier}.get(path, officer(node))
    headers = {"x-api-key": key, "transfer-encoding": "chunked", "content-type": "application/json"}
    status, body, stream = call(create_app(node), path, Stream(HUGE), headers)
    assert status == 413
    assert body == {"error": f"request body exceeds {DEFAULT_MAX_BODY_BYTES} bytes"}
    assert stream.pulled <= DEFAULT_MAX_BODY_BYTES + CHUNK


def padded(document: dict[str, Any], size: int) -> bytes:
    """The document as JSON text of exactly ``size`` bytes (trailing white space)."""
    text = json.dumps(document).encode()
    assert len(text) <= size
    return text + b" " * (size - len(text))


def test_a_body_up_to_the_limit_is_taken_and_one_byte_more_is_413(node: Node) -> None:
    client = TestClient(create_app(node, max_body_bytes=LIMIT))
    headers = {"x-api-key": officer(node), "content-type": "application/json"}
    samples = SampleCorridor(seed=5)
    filed = client.post("/v1/declarations", content=padded(samples.next("IN", NOW), LIMIT), headers=headers)
    assert filed.status_code == 201, filed.text
    refused = client.post(
        "/v1/declarations", content=padded(samples.next("IN", NOW), LIMIT + 1), headers=headers
    )
    assert refused.status_code == 413
    assert refused.json() == {"error": f"request body exceeds {LIMIT} bytes"}


def test_a_chunked_body_over_the_limit_is_413_json(node: Node) -> None:
    client = TestClient(create_app(node, max_body_bytes=LIMIT))
    headers = {"x-api-key": officer(node), "content-type": "application/json"}

    def chunks() -> Iterator[bytes]:
        yield b'{"Declaration": "'
        yield b"x" * (2 * LIMIT)
        yield b'"}'

    response = client.post("/v1/declarations", content=chunks(), headers=headers)
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 413
    assert response.json() == {"error": f"request body exceeds {LIMIT} bytes"}


def test_public_routes_need_no_key_and_everything_else_does(node: Node) -> None:
    client = TestClient(create_app(node))
    for path in ("/", "/v1/health", "/v1/keys", "/v1/schema/declaration", "/docs", "/openapi.json"):
        assert client.get(path).status_code == 200, path
    for path in ("/v1/declarations", "/v1/queue", "/v1/declarations/x/timeline"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json() == {"error": "missing X-API-Key header"}
        assert response.headers["www-authenticate"] == "ApiKey"
    assert client.get("/v1/queue", headers={"x-api-key": officer(node)}).status_code == 200


@pytest.mark.parametrize("cache_s, lookups", [(0.0, 3), (60.0, 1)])
def test_a_key_found_a_moment_ago_is_not_looked_up_again(
    node: Node, monkeypatch: pytest.MonkeyPatch, cache_s: float, lookups: int
) -> None:
    looked_up: list[str | None] = []

    def counted(uow: Any, secret: str | None) -> Any:
        looked_up.append(secret)
        return auth.authenticate(uow, secret)

    monkeypatch.setattr(app_module, "authenticate", counted)
    client = TestClient(create_app(node, api_key_cache_s=cache_s))
    key = officer(node)
    for _ in range(3):
        assert client.get("/v1/queue", headers={"x-api-key": key}).status_code == 200
    assert looked_up == [key] * lookups
    looked_up.clear()
    for _ in range(2):  # an unknown key is looked up every time
        assert client.get("/v1/queue", headers={"x-api-key": "not-a-key"}).status_code == 401
    assert looked_up == ["not-a-key"] * 2


def test_a_revoked_key_is_refused_at_once_without_the_cache(node: Node) -> None:
    client = TestClient(create_app(node))
    key = officer(node)
    assert client.get("/v1/queue", headers={"x-api-key": key}).status_code == 200
    with node.engine.begin() as conn:
        conn.execute(update(tables.api_keys).values(revoked=True))
    response = client.get("/v1/queue", headers={"x-api-key": key})
    assert response.status_code == 401
    assert response.json() == {"error": "unknown or revoked API key"}
