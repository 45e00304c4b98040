"""FastAPI entry point of one node: it only assembles the request gate, the error answers and the
routers of each capability (``corridor.api.routes``)."""

from fastapi import FastAPI

from corridor import __version__, observability
from corridor.api import errors
from corridor.api.answers import declare_body_limit
from corridor.api.gate import RequestGate
from corridor.api.recent_keys import RecentKeys
from corridor.api.routes import admin, declarations, documents, hs, logistics, messaging, public, settlement
from corridor.api.web import roles as web_pages
from corridor.config import DEFAULT_GROUP_COMMIT_MAX, DEFAULT_MAX_BODY_BYTES
from corridor.node.bootstrap import Node
from corridor.observability.process import observe_group
from corridor.service.auth import authenticate
from corridor.service.group_commit import GroupCommit


def create_app(
    node: Node,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    metrics_token: str | None = None,
    api_key_cache_s: float = 0.0,
    group_commit_max: int = DEFAULT_GROUP_COMMIT_MAX,
) -> FastAPI:
    app = FastAPI(
        title=f"Trade Corridor node {node.country}",
        version=__version__,
        description="Customs node of the India-Russia virtual trade corridor. Authenticate with X-API-Key.",
    )
    app.state.node = node
    app.state.group_commit = GroupCommit(node.handle_many, group_commit_max, observe_group)
    errors.install(app)
    docs = (app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    app.add_middleware(
        RequestGate,
        authenticate=lambda secret: authenticate(node.reading(), secret),
        public_paths=[*public.PATHS, *observability.PATHS, *(path for path in docs if path)],
        max_body_bytes=max_body_bytes,
        public_prefixes=[web_pages.PREFIX + "/"],
        recent=RecentKeys(api_key_cache_s),
    )
    for capability in (public, admin, declarations, logistics, settlement, hs):
        app.include_router(declare_body_limit(capability.router))
    if node.bus.ctx.documents is not None:
        documents.include(app)
    app.include_router(declare_body_limit(messaging.router))
    observability.install(app, node, metrics_token)
    web_pages.include(app)
    return app
