"""How settlement reacts to what customs tells it, in the transaction of the cause: assessed duties
become claims on the importer, a cleared export's invoice a claim whose realisation is followed, a
payment customs asks for is posted from the importer's account to the customs revenue account; and
a peer's payment message is booked. Accounts a reaction needs are opened from the node's chart."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from corridor.customs.events import DutiesAssessed, DutiesPaymentRequested, ExportCleared
from corridor.service.context import NodeContext
from corridor.service.outbox import enqueue
from corridor.service.ports import UnitOfWork
from corridor.settlement import commands as c
from corridor.settlement import handlers
from corridor.settlement.domain import messages, parse, srva
from corridor.settlement.domain.currency import check_code, currency
from corridor.settlement.domain.model import Account, Transfer
from corridor.settlement.ports import Claim, SettlementUnitOfWork
from corridor.shared.errors import FieldError, InvalidInput
from corridor.shared.logs import log_context
from corridor.shared.money import Money

log = logging.getLogger(__name__)


def peer(country: str) -> str:
    return "RU" if country == "IN" else "IN"


def decimal_text(money: Money) -> str:
    """``money`` as a decimal string with the currency's minor units, when it has no finer part
    (a finer amount is left as it is, and refused where it is parsed, naming the field)."""
    exact = money.amount.quantize(Decimal(1).scaleb(-currency(money.currency).minor_units))
    return str(exact if exact == money.amount else money.amount)


def settles(ccy: str, declaration_id: str) -> bool:
    """Whether the ledger settles ``ccy``; customs accepts every ISO 4217 code, and an amount in
    one the corridor does not settle is left out of the ledger (and logged), not refused."""
    if check_code(ccy, "currency") is None:
        return True
    with log_context(declaration_id=declaration_id):
        log.warning("not settled through the ledger: %s is not a currency the corridor settles", ccy)
    return False


def open_accounts(uow: SettlementUnitOfWork, accounts: Iterable[Account], now: datetime) -> None:
    """Open those of ``accounts`` the ledger does not hold yet; a refusal names the account."""
    accounts = list(accounts)
    held = uow.ledger.existing([a.id for a in accounts])
    missing = [a for a in accounts if a.id not in held]
    if missing:
        problems = [r for r in uow.ledger.create_accounts(missing, now) if isinstance(r, FieldError)]
        if problems:
            raise InvalidInput(problems)


def _chart(*ids: str) -> list[Account]:
    found = [srva.node_account(i) for i in ids]
    return [a for a in found if a is not None]


def on_duties_assessed(event: DutiesAssessed, uow: UnitOfWork, node: NodeContext) -> None:
    """The assessed duties become claims on the importer, payable to this country's customs; the
    importer's account and the customs revenue account are opened when they are not yet."""
    ctx = context(node)
    due = [m for m in event.totals if m.amount > 0 and settles(m.currency, event.declaration_id)]
    if not due:
        return
    accounts = [srva.trader_account(event.importer_id, m.currency, ctx.node) for m in due]
    for m in due:
        accounts += _chart(srva.customs_id(ctx.node, m.currency), srva.funding_id(m.currency))
    open_accounts(uow, accounts, ctx.clock())
    command = c.RecordDutiesAssessed(event.declaration_id, event.importer_id, ctx.node,
                                     tuple((decimal_text(m), m.currency) for m in due), event.at.date())  # fmt: skip
    handlers.record_duties(uow.records, command)


def on_export_cleared(event: ExportCleared, uow: UnitOfWork, node: NodeContext) -> None:
    """The export's invoice becomes a claim of the exporter on the importer, to be realised."""
    ctx, ccy = context(node), event.invoice_amount.currency
    if not settles(ccy, event.declaration_id):
        return
    accounts = [srva.trader_account(event.exporter_id, ccy, ctx.node),
                srva.trader_account(event.importer_id, ccy, peer(ctx.node))]  # fmt: skip
    open_accounts(uow, accounts + _chart(srva.funding_id(ccy)), ctx.clock())
    command = c.RecordExportInvoice(event.declaration_id, event.exporter_id, event.importer_id,
                                    decimal_text(event.invoice_amount), ccy, event.ucr, event.invoice_number,
                                    event.at.date())  # fmt: skip
    handlers.record_export_invoice(uow.records, command)


def on_duties_payment_requested(event: DutiesPaymentRequested, uow: UnitOfWork, node: NodeContext) -> None:
    """Customs accepted the importer's payment order: post it (settlement publishes DutiesSettled,
    from which customs records the payment)."""
    handlers.settle_duties(uow, context(node), event.declaration_id, event.payer, event.reference)


def pay_invoice(cmd: c.PayInvoice, uow: UnitOfWork, ctx: handlers.SettlementContext) -> list[str]:
    """The importer pays an export's invoice at this node; the transfers (and the definitions of
    the accounts they touch) go to the peer as a payment message in the same transaction."""
    for path, ccy in (("payer_currency", cmd.payer_currency), ("payee_currency", cmd.payee_currency)):
        if (bad := check_code(ccy, path)) is not None:
            raise InvalidInput([bad])
    with uow:
        claims = uow.records.claims(handlers.EXPORT_INVOICE, cmd.declaration_id)
        if claims:  # the accounts of a payment in other currencies than the invoice's
            open_accounts(uow, _invoice_accounts(ctx, claims[0], cmd), ctx.clock())
        batch = handlers.settle_invoice(uow, ctx, cmd)
        send_payment(uow, ctx, batch)
        uow.commit()
    return [t.id for t in batch]


def _invoice_accounts(ctx: handlers.SettlementContext, claim: Claim, cmd: c.PayInvoice) -> list[Account]:
    payer = srva.trader_account(claim.debtor, cmd.payer_currency, peer(ctx.node))
    payee = srva.trader_account(claim.creditor, cmd.payee_currency, ctx.node)
    fx = {srva.fx_id(ctx.fx_bank, cmd.payer_currency), srva.fx_id(ctx.fx_bank, cmd.payee_currency)}
    return [payer, payee, *_chart(*sorted(fx), srva.funding_id(cmd.payer_currency))]


def account_definition(account: Account) -> dict[str, Any]:
    flags = [n for n in parse.FLAG_NAMES if getattr(account.flags, n)]
    return {"id": account.id, "currency": account.ledger, "code": account.code.value, "holder": account.holder,
            "name": account.name, "flags": flags, "bic": account.bic, "iban": account.iban,
            "sample": account.sample}  # fmt: skip


def send_payment(uow: UnitOfWork, ctx: handlers.SettlementContext, batch: list[Transfer]) -> str | None:
    """Seal the committed transfers for the peer, with the accounts they touch, in the outbox."""
    if ctx.signer is None:
        return None
    ids = sorted({i for t in batch for i in (t.debit_account_id, t.credit_account_id)})
    accounts = [a for a in (uow.ledger.account(i) for i in ids) if a is not None]
    body = {**messages.payment_body(ctx.node, batch), "accounts": [account_definition(a) for a in accounts]}
    return enqueue(uow, ctx.signer, recipient=peer(ctx.node), message_type=messages.PAYMENT, body=body,
                   now=ctx.clock())  # fmt: skip


def on_payment(body: Any, header: dict[str, str], uow: UnitOfWork, node: NodeContext) -> dict[str, Any]:
    """A peer's ``settlement.payment.v1``: open the accounts it names that this ledger lacks, then
    book its transfers, all or none (the receiver's savepoint undoes a refused message)."""
    raw = body.get("accounts", []) if isinstance(body, dict) else []
    if not isinstance(raw, list):
        raise InvalidInput([FieldError("accounts", "must be a list of account definitions")])
    now = node.clock()
    open_accounts(uow, [parse.account(item, f"accounts[{i}]") for i, item in enumerate(raw)], now)
    statuses = handlers.book_peer_payment(uow, body, header["sender"], now)
    return {"status": "processed", "transfers": statuses}


def context(ctx: NodeContext) -> handlers.SettlementContext:
    if ctx.settlement is None:
        raise LookupError("this node has no settlement context")
    return ctx.settlement


def handle_command(command: Any, uow: UnitOfWork, ctx: NodeContext) -> Any:
    """Settlement's commands on the node's message bus, through the node's unit of work."""
    if isinstance(command, c.PayInvoice):
        return pay_invoice(command, uow, context(ctx))
    return handlers.handle(command, uow, context(ctx))


COMMANDS: tuple[type[Any], ...] = tuple(handlers.HANDLERS)
