"""The API's front gate, an ASGI middleware: the caller's API key is checked before a single byte
of the request body is read, and no body larger than the configured limit is taken in.

A body announced larger than the limit (Content-Length) is refused at once; a streamed (chunked)
body is counted as it arrives and refused as soon as the running total passes the limit, so the
node never holds more than the limit of any one request. Both answers are JSON, like every other
error of the API: 401 ``{"error": ...}`` for a missing or unknown key, 413 ``{"error": "request
body exceeds N bytes"}``.

The principal found for the key travels in the ASGI scope (``PRINCIPAL``), where the routes'
dependency picks it up: the key is checked once per request, or taken from the keys found in the
last few seconds (``RecentKeys``)."""

from __future__ import annotations

from collections.abc import Callable, Collection

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridor.api.recent_keys import RecentKeys
from corridor.service.auth import Principal, Unauthorized

PRINCIPAL = "corridor.principal"


class BodyTooLarge(Exception):
    """The request body passed the limit while it was being read."""


class RequestGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticate: Callable[[str | None], Principal],
        public_paths: Collection[str],
        max_body_bytes: int,
        public_prefixes: Collection[str] = (),
        recent: RecentKeys | None = None,
    ) -> None:
        self.app = app
        self.authenticate = authenticate
        self.recent = recent or RecentKeys(ttl_s=0)
        self.public_paths = frozenset(public_paths)
        self.max_body_bytes = max_body_bytes
        self.public_prefixes = tuple(public_prefixes)  # pages that authenticate by their own session

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path = scope["path"]
        if path not in self.public_paths and not path.startswith(self.public_prefixes):
            try:
                scope[PRINCIPAL] = await self._caller(headers.get("x-api-key"))
            except Unauthorized as exc:
                await unauthorized(str(exc))(scope, receive, send)
                return
        if _declared_length(headers) > self.max_body_bytes:
            await self.too_large()(scope, receive, send)
            return
        await self._limited(scope, receive, send)

    async def _caller(self, secret: str | None) -> Principal:
        """The key's caller, from the database (in a worker thread) unless found a moment ago."""
        found = self.recent.get(secret)
        if found is None:
            found = await run_in_threadpool(self.authenticate, secret)
            self.recent.put(secret, found)
        return found

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with a ``receive`` that stops at the limit; whatever the app makes of that
        (its own 400, an exception), the caller gets the 413."""
        received = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    exceeded = True
                    raise BodyTooLarge(f"request body exceeds {self.max_body_bytes} bytes")
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return
            started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self.too_large()(scope, receive, send)

    def too_large(self) -> JSONResponse:
        return JSONResponse({"error": f"request body exceeds {self.max_body_bytes} bytes"}, status_code=413)


def unauthorized(reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=401, headers={"WWW-Authenticate": "ApiKey"})


def _declared_length(headers: Headers) -> int:
    """The Content-Length the client announced, or -1 when it sent none (chunked) or none usable
    (the body is then counted as it arrives)."""
    try:
        return int(headers.get("content-length", "-1"))
    except ValueError:
        return -1
