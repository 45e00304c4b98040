"""The authorization matrix: for every route of a node and every kind of caller, the answer's class.
A route without a row fails ``test_every_route_has_a_row``, so a new endpoint must say who may call it.

Each cell sends a well-formed request (the point is the decision on the caller, not the body):
``OK`` means the caller got through (any status but 401/403 below 500), a number is the status the
caller must get. The trader "owner" is the importer of the declaration in the path and the exporter
of the consignment; "other" is a trader of another declaration, for whom the owner's are not found."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from corridor.api.app import create_app
from tests.e2e.seeded_node import SeededNode

OK = "ok"
CALLERS = (
    "none",  # no X-API-Key header
    "unknown",  # a key the node never issued
    "admin",
    "owner",
    "other",
    "officer",
    "carrier",
    "other_carrier",  # a carrier the consignment is not entrusted to
    "issuer",
    "other_issuer",  # an issuer the node does not know
    "peer",
)

PUBLIC = (OK,) * len(CALLERS)
#                            none unknown admin owner other officer carrier other_c issuer other_i peer
ADMIN = (401, 401, OK, 403, 403, 403, 403, 403, 403, 403, 403)
TRADER_OR_OFFICER = (401, 401, 403, OK, OK, OK, 403, 403, 403, 403, 403)
OWNER_OR_OFFICER = (401, 401, 403, OK, 404, OK, 403, 403, 403, 403, 403)
OFFICER = (401, 401, 403, 403, 403, OK, 403, 403, 403, 403, 403)
CARRIER = (401, 401, 403, 403, 403, 403, OK, 403, 403, 403, 403)
DOCUMENT_USER = (401, 401, 403, OK, OK, OK, 403, 403, OK, OK, 403)
ISSUER = (401, 401, 403, 403, 403, 403, 403, 403, OK, 403, 403)
PEER = (401, 401, 403, 403, 403, 403, 403, 403, 403, 403, OK)
# settlement: the ledger is operated by banks (role "bank", none of the callers here: its own tests
# cover it), read by officers and by traders for their own accounts and exports
BANK = (401, 401, 403, 403, 403, 403, 403, 403, 403, 403, 403)
TRADER = (401, 401, 403, OK, OK, 403, 403, 403, 403, 403, 403)
BANK_OR_OFFICER = OFFICER

MATRIX: dict[tuple[str, str], tuple[Any, ...]] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/v1/health"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,  # aggregate counts only; CORRIDOR_METRICS_TOKEN guards it when set
    ("GET", "/v1/keys"): PUBLIC,
    ("GET", "/v1/schema/declaration"): PUBLIC,
    ("POST", "/v1/api-keys"): ADMIN,
    ("GET", "/v1/api-keys"): ADMIN,
    ("POST", "/v1/api-keys/{key_id}/revoke"): ADMIN,  # a key id no key has: 404 for the admin
    ("POST", "/v1/mandates"): ADMIN,
    ("POST", "/v1/declarations/validate"): TRADER_OR_OFFICER,
    # Another trader may not file for the owner's exporter.
    ("POST", "/v1/declarations"): (401, 401, 403, OK, 403, OK, 403, 403, 403, 403, 403),
    # A bulk answers each declaration in its body: the other trader's is a 403 there (its own test).
    ("POST", "/v1/declarations/bulk"): TRADER_OR_OFFICER,
    ("GET", "/v1/declarations"): TRADER_OR_OFFICER,
    ("GET", "/v1/declarations/{declaration_id}"): OWNER_OR_OFFICER,
    ("GET", "/v1/declarations/{declaration_id}/timeline"): OWNER_OR_OFFICER,
    ("POST", "/v1/declarations/{declaration_id}/clear"): OFFICER,
    ("POST", "/v1/declarations/{declaration_id}/hold"): OFFICER,
    ("POST", "/v1/declarations/{declaration_id}/release"): OFFICER,
    ("POST", "/v1/declarations/{declaration_id}/payments"): (
        401,
        401,
        403,
        OK,
        404,
        403,
        403,
        403,
        403,
        403,
        403,
    ),
    ("GET", "/v1/queue"): OFFICER,
    # another carrier's events are refused as if the consignment were unknown (422), revealing nothing
    ("POST", "/v1/events"): (401, 401, 403, 403, 403, 403, OK, 422, 403, 403, 403),
    ("GET", "/v1/consignments/{ref}/timeline"): OWNER_OR_OFFICER,
    ("POST", "/v1/documents/verify"): DOCUMENT_USER,
    ("POST", "/v1/hs/suggest"): TRADER_OR_OFFICER,
    ("POST", "/v1/documents/redact"): DOCUMENT_USER,
    ("POST", "/v1/documents/issue"): ISSUER,
    ("POST", "/v1/documents/revoke"): ISSUER,
    ("POST", "/v1/envelopes/batch"): PEER,
    ("POST", "/v1/envelopes"): PEER,
    ("GET", "/v1/ledger/balance"): TRADER_OR_OFFICER,
    ("GET", "/v1/ledger/statement"): TRADER_OR_OFFICER,
    ("POST", "/v1/ledger/accounts"): BANK,
    ("POST", "/v1/ledger/transfers"): BANK,
    ("POST", "/v1/settlement/duties/{declaration_id}/pay"): TRADER,
    ("POST", "/v1/settlement/invoices/{declaration_id}/pay"): BANK,
    ("POST", "/v1/settlement/obligations"): BANK,
    ("POST", "/v1/settlement/windows/close"): BANK,
    ("GET", "/v1/settlement/realisation"): TRADER_OR_OFFICER,
    ("POST", "/v1/settlement/realisation/{declaration_id}"): TRADER,
    ("GET", "/v1/settlement/srva"): BANK_OR_OFFICER,
}


def served(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves: hidden ones, documentation and the routes of
    included routers too."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)  # a router included whole
        each: Any
        for each in contexts() if callable(contexts) else [route]:
            found |= {(m, each.path) for m in getattr(each, "methods", None) or () if m != "HEAD"}
    found |= {(m.upper(), path) for path, operations in app.openapi()["paths"].items() for m in operations}
    # the web pages authenticate people by a login session, not by API key:
    # tests/e2e/test_web_pages_access.py holds their matrix
    return {(m, path) for m, path in found if not path.startswith("/ui/")}


def test_every_route_has_a_row(client: TestClient) -> None:
    assert isinstance(client.app, FastAPI)
    routes = served(client.app)
    assert not routes - MATRIX.keys(), (
        f"routes with no row in the authorization matrix: {routes - MATRIX.keys()}"
    )
    assert not MATRIX.keys() - routes, f"rows for routes the node does not serve: {MATRIX.keys() - routes}"


def cells() -> list[Any]:
    params = []
    for (method, path), expected in MATRIX.items():
        assert len(expected) == len(CALLERS), f"{method} {path}: one expectation per caller"
        for caller, want in zip(CALLERS, expected, strict=True):
            params.append(pytest.param(method, path, caller, want, id=f"{method} {path} {caller}"))
    return params


@pytest.fixture(scope="module")
def client(seeded: SeededNode) -> TestClient:
    return TestClient(create_app(seeded.node), raise_server_exceptions=False)


@pytest.mark.parametrize(("method", "path", "caller", "expected"), cells())
def test_authorization(
    client: TestClient, seeded: SeededNode, method: str, path: str, caller: str, expected: Any
) -> None:
    url = path.format(declaration_id=seeded.import_id, ref=seeded.consignment_ref, key_id="key-none")
    headers = {"none": {}, "unknown": {"X-API-Key": "ck_never-issued"}}.get(caller)
    if headers is None:
        headers = {"X-API-Key": seeded.keys[caller]}
    if (method, path) == ("POST", "/v1/envelopes"):
        response = client.post(url, content=b"{}", headers=headers)
    else:
        response = client.request(method, url, json=seeded.bodies().get((method, path)), headers=headers)
    answer = f"{method} {url} as {caller}: {response.status_code} {response.text[:300]}"
    if expected == OK:
        assert response.status_code not in (401, 403) and response.status_code < 500, answer
    else:
        assert response.status_code == expected, answer
        assert {"error", "errors"} & response.json().keys(), answer
