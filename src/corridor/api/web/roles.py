"""The role pages: a trader files and follows its declarations, an officer works the queue, a
carrier posts milestones. Each reads through the node's queries with the user as the caller, so
a user sees only what its role and party allow (another trader's declaration: 404)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import polars as pl
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from corridor.analytics.frames import frames_of
from corridor.api.web import bank  # noqa: F401  (the bank's page registers on the same router)
from corridor.api.web import declaration_form as form_def
from corridor.api.web.pages import PageRefused, checked_form, message, now, principal, render, require
from corridor.api.web.routes import PREFIX, form_page, json_documents, node_of, page_errors, router
from corridor.api.web.text import text
from corridor.customs import queries
from corridor.logistics.epcis import make_document, object_event
from corridor.logistics.identifiers import consignment_uri, locode_uri
from corridor.service import commands
from corridor.shared.cbv import BizStep
from corridor.shared.errors import Conflict, CorridorError, FieldError, Forbidden, InvalidInput, NotFound
from corridor.shared.jsondata import json_problem

_REFERENCE = re.compile(r"^[A-Z0-9]{1,40}$")
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}$")
__all__ = ["PREFIX", "include"]
LIST_LIMIT = 50
#: The longest value one input of the declaration form may hold (the wrapped documents, pasted as
#: JSON, are bounded by the request body limit instead): a longer one is refused, never cut.
MAX_FORM_VALUE = 2000
PARTY_COLUMNS = ("trader_id", "exporter_id", "importer_id", "declarant_id")
"""A trader follows the declarations it is a party to (as ``customs.queries.concerns`` reads them)."""
MILESTONES = (BizStep.LOADING, BizStep.DEPARTING, BizStep.ARRIVING, BizStep.UNLOADING)


@router.get("/trader")
def trader_page(request: Request) -> Response:
    found = require(request, "trader")
    party = found.user.party_id
    frames = frames_of(node_of(request).engine, node_of(request).data_dir)
    concerned = pl.any_horizontal(pl.col(c) == party for c in PARTY_COLUMNS)
    mine = frames.declarations.filter(concerned).sort("created_at", descending=True)
    rows = mine.head(LIST_LIMIT).select("id", "flow", "status", "lane", "lrn").to_dicts()
    return render(
        request, "trader.html", session=found, title=text("trader.title"), items=rows, total=mine.height
    )


@router.get("/trader/declare")
def declare_form(request: Request) -> Response:
    found = require(request, "trader")
    return form_page(request, found, {}, [])


@router.post("/trader/declare")
async def declare(request: Request) -> Response:
    found = require(request, "trader")
    form = await checked_form(request, found)
    items = form_def.items_of(form)
    if items is None:
        reason = f"must be a whole number from 1 to {form_def.MAX_ITEMS}"
        return form_page(request, found, {}, [FieldError("items", reason)], 422)
    action = form.get("action", "file")
    if action == "add_item" and items < form_def.MAX_ITEMS:
        items += 1
    elif action == "remove_item" and items > 1:
        items -= 1
    values = {k: form.get(k, "") for k in (*form_def.paths(items), "documents")}
    too_long = [
        FieldError(path, f"must be at most {MAX_FORM_VALUE} characters, got {len(values[path])}")
        for path in form_def.paths(items)
        if len(values[path]) > MAX_FORM_VALUE
    ]
    if too_long:
        return form_page(request, found, values, too_long, 422, items)
    if action in ("add_item", "remove_item"):  # the same form with one item more or less: nothing filed
        return form_page(
            request, found, values, [], items=items, focus=items if action == "add_item" else None
        )
    return _file(request, found, values, items)


def _file(request: Request, found: Any, values: dict[str, str], items: int) -> Response:
    documents, problem = json_documents(values["documents"])
    if problem:
        return form_page(request, found, values, [FieldError("documents", problem)], 422, items)
    document = form_def.document_from(values, now(), items)
    unsound = json_problem(document)  # a NUL or a lone surrogate anywhere: named by its path
    if unsound is None and json_problem(list(documents)) is not None:
        unsound = FieldError("documents", "holds text the node refuses (a NUL or a lone surrogate)")
    if unsound is not None:
        return form_page(request, found, values, [unsound], 422, items)
    command = commands.FileDeclaration(document, filed_by=found.user.party_id, documents=documents)
    try:
        declaration = node_of(request).handle(command)
    except InvalidInput as exc:
        return form_page(request, found, values, exc.errors, 422, items)
    except (Conflict, NotFound, Forbidden) as exc:
        return form_page(request, found, values, [FieldError("Declaration", str(exc))], 409, items)
    return RedirectResponse(f"/ui/consignments/{declaration.id}", status_code=303)


def _events(timeline: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for e in timeline.get("timeline", []):
        detail = e.get("detail") or ({"at": e["location"]} if e.get("location") else {})
        out.append(
            {
                "at": str(e.get("at", ""))[:19].replace("T", " "),
                "source": str(e.get("source", "customs")),
                "name": str(e.get("what") or e.get("stage") or ""),
                "detail": ", ".join(f"{k}: {v}" for k, v in detail.items())
                if isinstance(detail, dict)
                else str(detail),
            }
        )
    return out


def _timeline(request: Request, found: Any, ref: str) -> dict[str, Any] | None:
    if not _REFERENCE.match(ref):
        return None
    node = node_of(request)
    try:
        timeline = queries.declaration_timeline(node.reading(), principal(found), ref)
        merged = queries.consignment_timeline(node.reading(), principal(found), ref)
    except NotFound:
        return None
    return {**timeline, "timeline": merged.get("timeline", timeline["timeline"])}


@router.get("/consignments/{ref}")
def consignment_page(request: Request, ref: str) -> Response:
    found = require(request, "trader", "officer")
    timeline = _timeline(request, found, ref)
    if timeline is None:
        return message(request, "404", text("error.notfound"), 404, found)
    return render(
        request, "consignment.html", session=found, title=ref, timeline=timeline, events=_events(timeline)
    )


def _rules(risk: Mapping[str, Any] | None) -> tuple[list[str], list[str]]:
    risk = risk or {}
    rules = [
        f"{r.get('rule_id', '')} ({r.get('lane', '')}): {r.get('description') or r.get('detail') or ''}"
        for r in risk.get("fired", [])
        if isinstance(r, dict)
    ]
    findings = [
        f"{f.get('path', '')} ({f.get('lane', '')}): {f.get('reason', '')}" if isinstance(f, dict) else str(f)
        for f in risk.get("documents", [])
    ]
    return rules, findings


@router.get("/officer")
def officer_page(request: Request) -> Response:
    found = require(request, "officer")
    entries = []
    for entry in queries.officer_queue(node_of(request).uow(), LIST_LIMIT):
        rules, findings = _rules(None if entry.risk is None else entry.risk.to_json())
        entries.append(
            {
                "id": entry.id,
                "flow": entry.flow,
                "lane": entry.lane,
                "due": entry.due,
                "rules": rules,
                "findings": findings,
            }
        )
    done = request.query_params.get("done", "")[:80]
    return render(
        request, "officer.html", session=found, title=text("officer.title"), entries=entries, message=done
    )


def _decide_page(request: Request, found: Any, ref: str, error: str = "", status: int = 200) -> Response:
    timeline = _timeline(request, found, ref)
    if timeline is None:
        return message(request, "404", text("error.notfound"), 404, found)
    rules, findings = _rules(queries.declaration(node_of(request).uow(), principal(found), ref).get("risk"))
    return render(
        request, "decide.html", status, session=found, title=ref, timeline=timeline, events=_events(timeline),
        rules=rules, findings=findings, error=error,
    )  # fmt: skip


@router.get("/officer/{ref}")
def officer_detail(request: Request, ref: str) -> Response:
    return _decide_page(request, require(request, "officer"), ref)


@router.post("/officer/{ref}/decide")
async def decide(request: Request, ref: str) -> Response:
    found = require(request, "officer")
    form = await checked_form(request, found)
    if _timeline(request, found, ref) is None:
        return message(request, "404", text("error.notfound"), 404, found)
    action, reason = form.get("action", ""), form.get("reason", "")
    officer = found.user.party_id
    command: commands.Command
    if action == "clear":
        command = commands.ClearDeclaration(ref, officer, reason)
    elif action == "hold":
        command = commands.HoldDeclaration(ref, officer, reason)
    elif action == "release":
        command = commands.ReleaseDeclaration(ref, officer, reason)
    else:
        return _decide_page(request, found, ref, "action: must be clear, hold or release", 422)
    try:
        node_of(request).handle(command)
    except InvalidInput as exc:
        return _decide_page(request, found, ref, "; ".join(f"{e.path}: {e.reason}" for e in exc.errors), 422)
    except CorridorError as exc:
        return _decide_page(request, found, ref, str(exc), 409)
    return RedirectResponse(f"/ui/officer?done={action}+{ref}", status_code=303)


def _carried(request: Request, party: str) -> list[dict[str, Any]]:
    frames = frames_of(node_of(request).engine, node_of(request).data_dir)
    mine = frames.declarations.filter(frames.declarations["carrier"] == party).sort(
        "created_at", descending=True
    )
    return [
        {
            "id": r["id"],
            "flow": r["flow"],
            "status": r["status"],
            "loading": r["loading"],
            "unloading": r["unloading"],
        }
        for r in mine.head(200).iter_rows(named=True)
    ]


@router.get("/carrier")
def carrier_page(request: Request, error: str = "", status: int = 200) -> Response:
    found = require(request, "carrier")
    done = request.query_params.get("done", "")[:80]
    return render(
        request, "carrier.html", status, session=found, title=text("carrier.title"),
        consignments=_carried(request, found.user.party_id), steps=[s.value for s in MILESTONES],
        message=done, error=error,
    )  # fmt: skip


@router.post("/carrier/events")
async def post_milestone(request: Request) -> Response:
    found = require(request, "carrier")
    form = await checked_form(request, found)
    ref, step, place = (
        form.get("ref", "")[:40],
        form.get("step", ""),
        form.get("place", "").strip().upper()[:5],
    )
    try:
        at = datetime.fromisoformat(form.get("at", "").strip()[:32])
    except ValueError:
        return carrier_page(request, "at: must be a date and time like 2026-12-01T10:00", 422)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    if not _LOCODE.match(place):
        return carrier_page(request, "place: must be a UN/LOCODE, 2 letters and 3 letters or digits", 422)
    if step not in {s.value for s in MILESTONES} or not _REFERENCE.match(ref):
        return carrier_page(request, "step or consignment: choose one from the lists", 422)
    event = object_event(biz_step=step, location_uri=locode_uri(place), epcs=[consignment_uri(ref)], at=at)
    document = make_document([event], created=now()).to_epcis()
    try:
        node_of(request).handle(commands.PostEvents(document, found.user.party_id))
    except InvalidInput as exc:
        return carrier_page(request, "; ".join(f"{e.path}: {e.reason}" for e in exc.errors), 422)
    except CorridorError as exc:
        return carrier_page(request, str(exc), 409)
    return RedirectResponse(f"/ui/carrier?done={step}+{ref}", status_code=303)


def include(app: FastAPI) -> None:
    """The pages and their refusals (a login redirect, 403, 404) on ``app``."""

    app.include_router(router)
    app.add_exception_handler(PageRefused, page_errors)
