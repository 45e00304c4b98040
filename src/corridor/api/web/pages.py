"""Rendering: the Jinja2 environment (autoescaped), the logged-in user's session from its cookie,
the CSRF check of every form, and the dashboard with its charts drawn once per change of data."""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from corridor.accounts.store import Session, session
from corridor.analytics import dashboard
from corridor.analytics.frames import frames_of
from corridor.analytics.store import official_rows
from corridor.api.web.text import say, text
from corridor.config import Settings
from corridor.node.bootstrap import Node
from corridor.service.auth import Principal

COOKIE = "corridor_session"
LOGIN_CSRF = "corridor_login_csrf"
HOMES = {
    "trader": "/ui/trader",
    "officer": "/ui/officer",
    "carrier": "/ui/carrier",
    "analyst": "/ui/dashboard",
    "bank": "/ui/bank",
}

templates = Environment(
    loader=PackageLoader("corridor.api.web", "templates"), autoescape=select_autoescape(["html"])
)
templates.globals["t"] = text
templates.globals["say"] = say
templates.tests["numeric"] = lambda value: hasattr(value, "raw")  # a number shown (analytics.dashboard.Shown)
templates.tests["label"] = lambda value: hasattr(value, "phrase")  # a word shown (analytics.dashboard.Label)


def now() -> datetime:
    return datetime.now(UTC)


def secure_cookies() -> bool:
    """Cookies only over HTTPS in production (CORRIDOR_ENV=production)."""
    try:
        return Settings().env == "production"
    except Exception:  # settings that do not validate here are the server's concern, not the page's
        return True


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    node: Node = request.app.state.node
    found: Session | None = context.pop("session", None)
    html = templates.get_template(name).render(
        node=node.country,
        user=found.user if found else None,
        csrf=context.pop("csrf", None) or (found.csrf_token if found else ""),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def message(
    request: Request, title: str, body: str, status: int, found: Session | None = None
) -> HTMLResponse:
    return render(request, "message.html", status, title=title, message=body, session=found)


def current(request: Request) -> Session | None:
    node: Node = request.app.state.node
    return session(node.engine, request.cookies.get(COOKIE), now())


class PageRefused(Exception):
    """A page the request may not see: the response says why (login, 403, 404)."""

    def __init__(self, response: Response) -> None:
        self.response = response


def require(request: Request, *roles: str) -> Session:
    found = current(request)
    if found is None:
        raise PageRefused(RedirectResponse("/ui/login", status_code=303))
    if roles and found.user.role not in roles:
        raise PageRefused(message(request, text("error.forbidden"), text("error.forbidden"), 403, found))
    return found


async def checked_form(request: Request, found: Session) -> dict[str, str]:
    """The posted form, once its CSRF token matched the session's (403 otherwise)."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if not same_token(form.get("csrf_token", ""), found.csrf_token):
        raise PageRefused(message(request, "403", text("error.csrf"), 403, found))
    return form


def same_token(given: str, expected: str) -> bool:
    """Constant-time comparison of a posted token with the expected one (any text posted)."""
    return secrets.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def principal(found: Session) -> Principal:
    """The user as the service layer's queries know a caller."""
    return Principal(f"user:{found.user.username}", found.user.role, found.user.party_id)


class DashboardCache:
    """The node's dashboard and its drawn charts, kept until the data change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._board: dashboard.Dashboard | None = None
        self._svgs: dict[str, str] = {}

    def board(self, node: Node) -> dashboard.Dashboard:
        frames = frames_of(node.engine, node.data_dir)
        official = official_rows(node.engine)
        key = (frames.version, tuple((*r.key, str(r.value_usd_mn)) for r in official))
        with self._lock:
            if self._board is None or self._key != key:
                self._board, self._key, self._svgs = dashboard.build(node.country, frames, official), key, {}
            return self._board

    def svg(self, node: Node, key: str) -> str | None:
        board = self.board(node)
        panel = board.panel(key)
        if panel is None or panel.draw is None:
            return None
        with self._lock:
            if key not in self._svgs:
                self._svgs[key] = panel.draw(text)
            return self._svgs[key]
