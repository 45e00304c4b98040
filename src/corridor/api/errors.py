"""How the service layer's errors answer over HTTP: JSON bodies, ``{"errors": [{"path", "reason"}]}``
for invalid input (422) and ``{"error": ...}`` for the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from corridor.api.gate import unauthorized
from corridor.messaging.keys import KeyringError
from corridor.service.auth import Unauthorized
from corridor.shared.errors import Conflict, CorridorError, Forbidden, InvalidInput, NotFound
from corridor.shared.validation import path_of

STATUS: dict[type[Exception], int] = {Forbidden: 403, NotFound: 404, Conflict: 409}


def install(app: FastAPI) -> None:
    """Register the error answers on ``app``."""
    app.add_exception_handler(InvalidInput, _invalid)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(Unauthorized, _not_authenticated)
    for error in STATUS:
        app.add_exception_handler(error, _refused)
    app.add_exception_handler(KeyringError, _cannot_sign)


def refusal(exc: CorridorError) -> tuple[int, dict[str, Any]]:
    """The status and JSON answer of a command the service layer refused."""
    if isinstance(exc, InvalidInput):
        return 422, {"errors": [e.to_json() for e in exc.errors]}
    status = next((code for error, code in STATUS.items() if isinstance(exc, error)), 400)
    return status, {"error": str(exc)}


def refusal_item(exc: CorridorError) -> dict[str, Any]:
    """A refused command among several (a bulk's answer): its status beside its answer."""
    status, answer = refusal(exc)
    return {"status": status, **answer}


async def _invalid(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    status, answer = refusal(exc)
    return JSONResponse(answer, status_code=status)


async def _request_invalid(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"path": _request_path(e["loc"]), "reason": e["msg"]} for e in exc.errors()]
    return JSONResponse({"errors": errors}, status_code=422)


async def _not_authenticated(_: Request, exc: Exception) -> JSONResponse:
    return unauthorized(str(exc))


async def _refused(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CorridorError)
    status, answer = refusal(exc)
    return JSONResponse(answer, status_code=status)


async def _cannot_sign(_: Request, exc: Exception) -> JSONResponse:
    """The node has no usable signing key just now (revoked, or its private key missing)."""
    return JSONResponse({"error": str(exc)}, status_code=503)


def _request_path(loc: Sequence[int | str]) -> str:
    """A body member is named as in the body (``role``); a query or header parameter keeps its
    place (``query.limit``)."""
    return path_of(list(loc[1:]) if loc and loc[0] == "body" and len(loc) > 1 else list(loc))
