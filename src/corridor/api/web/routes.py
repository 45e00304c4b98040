"""The pages under /ui: login and logout, the dashboard (analyst, officer), and each role's page.
Actions call the node's commands and queries, as the API does."""

from __future__ import annotations

import json
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from corridor.accounts.store import LoginRefused, log_in, log_out
from corridor.api.web import declaration_form as form_def
from corridor.api.web.pages import (
    COOKIE,
    HOMES,
    LOGIN_CSRF,
    DashboardCache,
    PageRefused,
    checked_form,
    current,
    message,
    now,
    render,
    require,
    same_token,
    secure_cookies,
)
from corridor.api.web.text import text
from corridor.node.bootstrap import Node

PREFIX = "/ui"
router = APIRouter(prefix=PREFIX, include_in_schema=False)
boards = DashboardCache()


def node_of(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


@router.get("/login")
def login_page(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", title=text("login.title"), csrf=token)
    response.set_cookie(
        LOGIN_CSRF, token, httponly=True, samesite="strict", secure=secure_cookies(), path="/ui"
    )
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected or not same_token(form.get("csrf_token", ""), expected):
        return message(request, "403", text("error.csrf"), 403)
    username = form.get("username", "")[:64]
    try:
        token, found = log_in(node_of(request).engine, username, form.get("password", "")[:1024], now())
    except LoginRefused as exc:
        fresh = secrets.token_urlsafe(24)
        response = render(
            request,
            "login.html",
            401,
            title=text("login.title"),
            csrf=fresh,
            error=str(exc),
            username=username,
        )
        response.set_cookie(
            LOGIN_CSRF, fresh, httponly=True, samesite="strict", secure=secure_cookies(), path="/ui"
        )
        return response
    home = RedirectResponse(HOMES.get(found.user.role, "/ui/login"), status_code=303)
    home.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies(), path="/ui")
    home.delete_cookie(LOGIN_CSRF, path="/ui")
    return home


@router.post("/logout")
async def logout(request: Request) -> Response:
    found = require(request)
    await checked_form(request, found)
    log_out(node_of(request).engine, request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response


@router.get("/")
def home(request: Request) -> Response:
    found = current(request)
    return RedirectResponse(HOMES[found.user.role] if found else "/ui/login", status_code=303)


@router.get("/dashboard")
def dashboard_page(request: Request) -> Response:
    found = require(request, "analyst", "officer")
    board = boards.board(node_of(request))
    links = {p.key: f"/ui/dashboard/{p.key}.csv" for p in board.panels}
    return render(
        request,
        "dashboard.html",
        session=found,
        title=text("dashboard.title"),
        dashboard=board,
        csv_links=links,
    )


@router.get("/dashboard/{name}")
def dashboard_file(request: Request, name: str) -> Response:
    found = require(request, "analyst", "officer")
    key, _, kind = name.rpartition(".")
    node = node_of(request)
    panel = boards.board(node).panel(key)
    if panel is None or kind not in ("csv", "svg"):
        return message(request, "404", text("error.notfound"), 404, found)
    if kind == "csv":
        return Response(
            panel.csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{key}.csv"'},
        )
    svg = boards.svg(node, key)
    if svg is None:
        return message(request, "404", text("error.notfound"), 404, found)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


def page_errors(request: Request, exc: Exception) -> Response:
    """The answer a ``PageRefused`` carries (installed for that exception only)."""
    assert isinstance(exc, PageRefused)
    return exc.response


def json_documents(raw: str) -> tuple[tuple[Any, ...], str | None]:
    if not raw.strip():
        return (), None
    try:
        value = json.loads(raw)
    except ValueError:
        return (), "is not JSON"
    if not isinstance(value, list):
        return (), "must be a JSON list of wrapped documents"
    return tuple(value), None


def form_page(
    request: Request, found: Any, values: dict[str, str], errors: list[Any], status: int = 200,
    items: int = 1, focus: int | None = None,
) -> HTMLResponse:  # fmt: skip
    """The declaration form with ``items`` goods items, each error beside the input of its path
    (or above the form); ``focus``: the item whose first input takes the focus (one just added)."""
    groups = form_def.groups(items, text)
    shown = tuple(f.path for g in groups for f in g.fields)
    by_path: dict[str, str] = {}
    other = []
    for e in errors:
        at = "documents" if e.path == "documents" else form_def.place(e.path, shown)
        if at is None:
            other.append(e)
        else:
            by_path[at] = f"{by_path[at]}; {e.reason}" if at in by_path else e.reason
    links = [
        (f.index, f"{g.title}: {f.label}" if g.item else f.label, by_path[f.path])
        for g in groups for f in g.fields if f.path in by_path
    ]  # fmt: skip
    return render(
        request, "declare.html", status, session=found, title=text("declare.title"), groups=groups,
        values=values, errors=by_path, other_errors=other, error_links=links, items=items,
        max_items=form_def.MAX_ITEMS, focus=focus,
    )  # fmt: skip
