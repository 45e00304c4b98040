"""The bank's page: the ledger accounts its party holds at this node (SRVA, nostro, ...) with their
balances, and the settlement windows (the open one and the latest closed ones). Read only; banks
operate the ledger through the API (``/v1/ledger/...``)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from corridor.api.web.pages import render, require
from corridor.api.web.routes import node_of, router
from corridor.api.web.text import text
from corridor.node.settlement import NodeSettlement
from corridor.settlement.queries import account_json

WINDOWS_SHOWN = 10


@router.get("/bank")
def bank_page(request: Request) -> Response:
    found = require(request, "bank")
    uow = NodeSettlement(node_of(request)).uow()
    with uow:
        accounts = [account_json(a) for a in uow.ledger.accounts() if a.holder == found.user.party_id]
        windows = uow.records.windows(WINDOWS_SHOWN)
        waiting = {w.id: len(uow.records.obligations(w.id)) for w in windows if w.state == "open"}
    shown: list[dict[str, Any]] = [
        {
            "id": w.id,
            "state": w.state,
            "opened_at": w.opened_at.isoformat()[:19].replace("T", " "),
            "closed_at": w.closed_at.isoformat()[:19].replace("T", " ") if w.closed_at else "",
            "obligations": waiting.get(w.id, ""),
        }
        for w in windows
    ]
    return render(
        request, "bank.html", session=found, title=text("bank.title"), accounts=accounts, windows=shown
    )
