"""Routes anyone may call: the officer's page, health, the node's public keys, the declaration schema."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from corridor import __version__
from corridor.api.deps import ServingNode
from corridor.customs.domain.wco import DeclarationDocument

PAGES = files("corridor.api").joinpath("pages")

router = APIRouter()


@router.get("/", include_in_schema=False)
def officer_page() -> HTMLResponse:
    """The officer's queue: a page over this API (the key stays in the browser session)."""
    return HTMLResponse(PAGES.joinpath("officer.html").read_text("utf-8"))


@router.get("/v1/health")
def health(node: ServingNode) -> dict[str, Any]:
    return {"status": "ok", "node": node.country, "version": __version__}


@router.get("/v1/keys")
def public_keys(node: ServingNode) -> dict[str, Any]:
    """This node's public signing keys, for peers' trust lists."""
    return node.keyring.export_public()


@router.get("/v1/schema/declaration")
def declaration_schema() -> dict[str, Any]:
    return DeclarationDocument.model_json_schema()


PATHS = ("/", "/v1/health", "/v1/keys", "/v1/schema/declaration")
"""The routes above: the request gate lets them through without an API key."""
