"""Property-based API test: schemathesis generates requests from the node's OpenAPI document;
whatever it sends, an authenticated caller never gets a server error and every 4xx is JSON."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from corridor.api.app import create_app
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import bootstrap_node
from corridor.service.auth import create_api_key

_data = Path(tempfile.mkdtemp(prefix="corridor-fuzz-"))
atexit.register(shutil.rmtree, _data, ignore_errors=True)
_node = bootstrap_node("IN", _data / "IN", InProcessTransport())
OFFICER = create_api_key(_node.uow(), "officer", "IN-OFFICER-F", "fuzz", datetime.now(UTC))
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_node))


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    response = case.call(headers={"x-api-key": OFFICER})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    )
    if response.status_code >= 400 and response.status_code != 405:
        assert "application/json" in str(response.headers.get("content-type")), response.text[:200]
