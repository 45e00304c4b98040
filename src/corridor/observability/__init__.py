"""Watching a node: ``/healthz`` (the process answers), ``/readyz`` (database, migrations, bus) and
Prometheus ``/metrics`` (this process's counters plus the node's figures read from its database).

``/metrics`` holds only aggregate counts (no party, declaration or key), so it is open by default,
like the health probes, for a scraper on the node's private network; with a metrics token
(``CORRIDOR_METRICS_TOKEN``) it answers only ``Authorization: Bearer <token>``."""

from __future__ import annotations

import hmac

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from corridor.node.bootstrap import Node
from corridor.observability.collector import NodeCollector
from corridor.observability.probes import readiness
from corridor.observability.process import RequestMetrics, exposition

PATHS = ("/healthz", "/readyz", "/metrics")
"""Routes the request gate lets through without an API key."""


def install(app: FastAPI, node: Node, metrics_token: str | None = None) -> None:
    """Add the probes and ``/metrics`` to a node's app and count its requests."""
    app.add_middleware(RequestMetrics)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(NodeCollector(node.country, node.engine))

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        """The process is up and serving."""
        return {"status": "ok", "node": node.country}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        """200 when the database answers at the newest migration, the bus (if any) answers and the
        classifier this process loads as it starts (if it does) has loaded."""
        found = readiness(node.engine, node.relay.transport, node.hs.warm_up_state)
        return JSONResponse(found.to_json(), status_code=200 if found.ready else 503)

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if metrics_token is not None and not _bearer_matches(request, metrics_token):
            return JSONResponse(
                {"error": "metrics need Authorization: Bearer <metrics token>"},
                status_code=401,
                headers={"www-authenticate": "Bearer"},
            )
        body = exposition() + generate_latest(registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)


def _bearer_matches(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
