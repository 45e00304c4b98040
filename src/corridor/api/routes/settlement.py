"""Settlement: the ledger's accounts, transfers and statements, settlement windows, export
realisation and the SRVA report. Banks operate the ledger; officers read it; a trader reads its own
accounts and exports, pays its duties and asks for its realisation records."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response

from corridor.api import bodies
from corridor.api.answers import answers
from corridor.api.deps import Acting, ServingNode
from corridor.node.settlement import NodeSettlement
from corridor.service.auth import Principal
from corridor.settlement import commands as c
from corridor.settlement import iso20022, queries
from corridor.shared.errors import FieldError, Forbidden, InvalidInput
from corridor.shared.text import Text

router = APIRouter(tags=["settlement"])
Bank = Annotated[Principal, Depends(Acting("bank"))]
Reader = Annotated[Principal, Depends(Acting("bank", "officer", "trader"))]
BankOrTrader = Annotated[Principal, Depends(Acting("bank", "trader"))]
BankOrOfficer = Annotated[Principal, Depends(Acting("bank", "officer"))]
Trader = Annotated[Principal, Depends(Acting("trader"))]
AccountId = Annotated[str, Text(64), Query(description="Ledger account id")]


def _own(caller: Principal) -> str | None:
    """The party whose own records a trader is limited to; None for banks and officers."""
    return caller.party_id if caller.role == "trader" else None


def _list(body: dict[str, Any], name: str) -> Any:
    if name not in body:
        raise InvalidInput([FieldError(name, "required: a list")])
    return body[name]


@router.get("/v1/ledger/balance", responses=answers(401, 403, 404, 422))
def balance(caller: Reader, node: ServingNode, account: AccountId) -> dict[str, Any]:
    """An account's posted, pending and available balances in its currency."""
    return queries.balance(NodeSettlement(node).uow(), account, _own(caller))


STATEMENT_TYPES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "application/xml": {}}}
}


@router.get("/v1/ledger/statement", responses={**answers(401, 403, 404, 422), **STATEMENT_TYPES})
def statement(
    caller: Reader, node: ServingNode, account: AccountId, day: Annotated[date, Query(alias="date")],
    format_: Annotated[Literal["json", "camt053"], Query(alias="format")] = "json",
) -> Any:  # fmt: skip
    """One account's day: opening and closing balance and the entries; ``format=camt053`` answers
    an ISO 20022 camt.053.001.08 document."""
    settlement = NodeSettlement(node)
    found = queries.statement(settlement.uow(), account, day, _own(caller))
    if format_ == "json":
        return queries.statement_json(found)
    now = settlement.ctx.clock()
    xml = iso20022.camt053(f"STMT-{now:%Y%m%d%H%M%S}", now, found)
    return Response(xml, media_type="application/xml")


@router.post("/v1/ledger/accounts", status_code=201, responses=answers(400, 401, 403, 422))
def open_accounts(caller: Bank, node: ServingNode, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Open accounts (``{"accounts": [...]}``); an identical definition again has no effect."""
    return {"results": NodeSettlement(node).handle(c.OpenAccounts(_list(body, "accounts")))}


@router.post("/v1/ledger/transfers", responses=answers(400, 401, 403, 409, 422))
def create_transfers(
    caller: Bank, node: ServingNode, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Create transfers (``{"transfers": [...]}``): all of them, or none with each refusal named."""
    return {"results": NodeSettlement(node).handle(c.CreateTransfers(_list(body, "transfers")))}


@router.post("/v1/settlement/duties/{declaration_id}/pay", responses=answers(401, 403, 404, 409, 422))
def pay_duties(caller: Trader, node: ServingNode, declaration_id: bodies.Reference) -> dict[str, Any]:
    """The importer pays the declaration's assessed duties from its settlement accounts."""
    ids = NodeSettlement(node).handle(c.PayAssessedDuties(declaration_id, caller.party_id))
    return {"transfers": ids}


@router.post("/v1/settlement/invoices/{declaration_id}/pay", responses=answers(400, 401, 403, 404, 409, 422))
def pay_invoice(
    caller: Bank, node: ServingNode, declaration_id: bodies.Reference, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """The importer's bank pays an export's invoice at the origin (``{"payer_currency",
    "payee_currency"}``, converted at the rate in force today when they differ); the transfers
    reach the peer's ledger as a payment message."""
    currencies = {f: body.get(f) for f in ("payer_currency", "payee_currency")}
    wrong = [
        FieldError(f, "required: an ISO 4217 code") for f, v in currencies.items() if not isinstance(v, str)
    ]
    if wrong:
        raise InvalidInput(wrong)
    settlement = NodeSettlement(node)
    on = settlement.ctx.clock().date()
    command = c.PayInvoice(
        declaration_id, str(currencies["payer_currency"]), str(currencies["payee_currency"]), on
    )
    return {"transfers": settlement.handle(command)}


@router.post("/v1/settlement/obligations", responses=answers(400, 401, 403, 422))
def record_obligation(
    caller: Bank, node: ServingNode, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Record an obligation between two banks in the open settlement window."""
    fields = ("id", "payer", "payee", "amount", "currency")
    missing = [FieldError(f, "required text") for f in fields if not isinstance(body.get(f), str)]
    if missing:
        raise InvalidInput(missing)
    ref = body.get("reference", "")
    if not isinstance(ref, str):
        raise InvalidInput([FieldError("reference", "must be text")])
    command = c.RecordObligation(
        body["id"], body["payer"], body["payee"], body["amount"], body["currency"], ref
    )
    result: dict[str, Any] = NodeSettlement(node).handle(command)
    return result


@router.post("/v1/settlement/windows/close", responses=answers(401, 403, 409, 422))
def close_window(caller: Bank, node: ServingNode) -> dict[str, Any]:
    """Net the open window per currency and post the settlement transfers."""
    result: dict[str, Any] = NodeSettlement(node).handle(c.CloseWindow())
    return result


@router.get("/v1/settlement/realisation", responses=answers(401, 403, 422))
def realisation(caller: Reader, node: ServingNode, as_of: date | None = None) -> dict[str, Any]:
    """Exports matched to payments: realised, outstanding, overdue (a trader sees its own)."""
    settlement = NodeSettlement(node)
    return queries.realisation(settlement.uow(), as_of or settlement.ctx.clock().date(), _own(caller))


@router.post("/v1/settlement/realisation/{declaration_id}", responses=answers(401, 403, 404, 409, 422))
def issue_realisation(
    caller: BankOrTrader, node: ServingNode, declaration_id: bodies.Reference
) -> dict[str, Any]:
    """The signed realisation record of a fully realised export (the exporter's or a bank's request)."""
    settlement = NodeSettlement(node)
    own = _own(caller)
    if own is not None and queries.exporter_of(settlement.uow(), declaration_id) != own:
        raise Forbidden(f"{own!r} is not the exporter of {declaration_id!r}")
    result: dict[str, Any] = settlement.handle(c.IssueRealisation(declaration_id))
    return result


@router.get("/v1/settlement/srva", responses=answers(401, 403))
def srva(caller: BankOrOfficer, node: ServingNode) -> dict[str, Any]:
    """Each SRVA's rupee balance by day and the invested surplus."""
    return queries.srva_report(NodeSettlement(node).uow())
