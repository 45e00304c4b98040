"""Settlement's handlers: each takes a command, a settlement unit of work and the context, and
commits what it did. The functions without a unit of work of their own (``record_duties``,
``record_export_invoice``, ``duties_settled``) are what other capabilities' event handlers call
inside the transaction they already hold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from corridor.service.outbox import Signer
from corridor.settlement import commands as c
from corridor.settlement import events
from corridor.settlement.domain import messages, netting, parse, payments, srva
from corridor.settlement.domain.currency import check_code, currency, parse_amount
from corridor.settlement.domain.engine import Outcome
from corridor.settlement.domain.fx import RateTable
from corridor.settlement.domain.model import AccountCode, Transfer
from corridor.settlement.domain.realisation import Invoice, Line, receipts_for, reconcile, record_body
from corridor.settlement.ports import Claim, LedgerRepository, SettlementRecords, SettlementUnitOfWork
from corridor.shared.errors import Conflict, FieldError, InvalidInput, NotFound

DUTY, EXPORT_INVOICE = "duty", "export_invoice"
DEPOSIT, SAMPLE_FUNDING = "deposit", "sample funding"
MAX_BATCH = 8190  # transfers per request, as TigerBeetle's batch limit


@dataclass
class SettlementContext:
    node: str  # IN or RU
    clock: Callable[[], datetime]
    rates: RateTable = field(default_factory=RateTable.from_csv)
    # whose conversion accounts convert: by default the sample chart's first Indian AD bank
    fx_bank: str = field(default_factory=srva.sample_conversion_bank)
    sign: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # the node's signature on a record
    signer: Signer | None = None  # seals payment messages to the peer (none: payments stay local)
    # Sample funding (see docs/SETTLEMENT.md): when an importer pays more than its account holds, its
    # (sample) bank first credits the shortfall from the funding account, as a transfer of its own
    sample_funding: bool = False


def fmt(minor: int, ccy: str) -> str:
    return currency(ccy).format(minor)


def _amount(raw: str, ccy: str, path: str) -> int:
    bad = check_code(ccy, f"{path}.currency")
    parsed = bad or parse_amount(raw, ccy, f"{path}.amount")
    if isinstance(parsed, FieldError):
        raise InvalidInput([parsed])
    return parsed


def _refusals(outcome: Outcome, prefix: str = "transfers") -> list[FieldError]:
    return [FieldError(f"{prefix}[{r.position}].{r.path}", r.reason) for r in outcome.results if not r.ok]


def post(
    uow: SettlementUnitOfWork, batch: list[Transfer], now: datetime, prefix: str = "transfers"
) -> Outcome:
    """Apply ``batch`` (after releasing expired reservations); any refusal refuses all of it."""
    uow.ledger.expire_due(now)
    outcome = uow.ledger.create_transfers(batch, now)
    problems = _refusals(outcome, prefix)
    if problems:  # the caller's unit of work (or savepoint) undoes what the batch did
        raise InvalidInput(problems)
    return outcome


def open_accounts(cmd: c.OpenAccounts, uow: SettlementUnitOfWork, ctx: SettlementContext) -> list[str]:
    if not isinstance(cmd.accounts, list) or not cmd.accounts:
        raise InvalidInput([FieldError("accounts", "must be a non-empty list of accounts")])
    accounts = [parse.account(raw, f"accounts[{i}]") for i, raw in enumerate(cmd.accounts)]
    return _open(uow, accounts, ctx)


def open_sample_chart(cmd: c.OpenSampleChart, uow: SettlementUnitOfWork, ctx: SettlementContext) -> list[str]:
    return _open(uow, srva.sample_chart(), ctx)


def _open(uow: SettlementUnitOfWork, accounts: list[Any], ctx: SettlementContext) -> list[str]:
    with uow:
        results = uow.ledger.create_accounts(accounts, ctx.clock())
        problems = [r for r in results if isinstance(r, FieldError)]
        if problems:
            raise InvalidInput(problems)
        uow.commit()
    return [str(r) for r in results]


def create_transfers(
    cmd: c.CreateTransfers, uow: SettlementUnitOfWork, ctx: SettlementContext
) -> list[dict[str, Any]]:
    raw = cmd.transfers
    if not isinstance(raw, list) or not 0 < len(raw) <= MAX_BATCH:
        raise InvalidInput([FieldError("transfers", f"must be a list of 1 to {MAX_BATCH} transfers")])
    batch, problems = [], []
    for i, item in enumerate(raw):
        try:
            batch.append(parse.transfer(item, f"transfers[{i}]"))
        except InvalidInput as exc:
            problems += exc.errors
    if problems:
        raise InvalidInput(problems)
    with uow:
        now = ctx.clock()
        if cmd.all_or_nothing:
            outcome = post(uow, batch, now)
        else:
            uow.ledger.expire_due(now)
            outcome = uow.ledger.create_transfers(batch, now)
        uow.commit()
    return [r.to_json() for r in outcome.results]


def record_duties(records: SettlementRecords, cmd: c.RecordDutiesAssessed) -> list[Claim]:
    """Expect ``cmd``'s duties (one claim per currency; a new assessment replaces the old)."""
    if cmd.country not in srva.HOME_CURRENCY:
        raise InvalidInput([FieldError("country", "must be IN or RU")])
    claims = []
    for i, (value, ccy) in enumerate(cmd.amounts):
        minor = _amount(value, ccy, f"amounts[{i}]")
        claim = Claim(f"duty:{cmd.declaration_id}:{ccy}", DUTY, cmd.declaration_id, cmd.importer,
                      f"customs:{cmd.country}", ccy, minor, cmd.assessed_on)  # fmt: skip
        records.add_claim(claim)
        claims.append(claim)
    return claims


def record_export_invoice(records: SettlementRecords, cmd: c.RecordExportInvoice) -> Claim:
    minor = _amount(cmd.amount, cmd.currency, "invoice")
    if not (cmd.ucr or cmd.invoice_number):
        raise InvalidInput(
            [FieldError("ucr", "an export invoice needs a UCR or an invoice number to be matched")]
        )
    claim = Claim(f"invoice:{cmd.declaration_id}", EXPORT_INVOICE, cmd.declaration_id, cmd.importer, cmd.exporter,
                  cmd.currency, minor, cmd.export_date, cmd.ucr, cmd.invoice_number)  # fmt: skip
    records.add_claim(claim)
    return claim


def record_duties_handler(
    cmd: c.RecordDutiesAssessed, uow: SettlementUnitOfWork, ctx: SettlementContext
) -> int:
    with uow:
        claims = record_duties(uow.records, cmd)
        uow.commit()
    return len(claims)


def record_invoice_handler(
    cmd: c.RecordExportInvoice, uow: SettlementUnitOfWork, ctx: SettlementContext
) -> str:
    with uow:
        claim = record_export_invoice(uow.records, cmd)
        uow.commit()
    return claim.id


def duty_received(ledger: LedgerRepository, claim: Claim) -> int:
    account = srva.customs_id(claim.creditor.removeprefix("customs:"), claim.currency)
    return sum(
        t.amount
        for t in ledger.by_reference(claim.declaration_id)
        if t.posts
        and t.code == payments.DUTY
        and t.credit_account_id == account
        and t.ledger == claim.currency
    )


def duties_settled(uow: SettlementUnitOfWork, declaration_id: str) -> bool:
    """Whether every assessed duty of ``declaration_id`` is covered by posted duty transfers to the
    customs revenue account (the release check); False when nothing was assessed."""
    claims = uow.records.claims(DUTY, declaration_id)
    return bool(claims) and all(duty_received(uow.ledger, claim) >= claim.amount for claim in claims)


def pay_duties(cmd: c.PayAssessedDuties, uow: SettlementUnitOfWork, ctx: SettlementContext) -> list[str]:
    with uow:
        batch = settle_duties(uow, ctx, cmd.declaration_id, cmd.payer)
        uow.commit()
    return [t.id for t in batch]


def settle_duties(
    uow: SettlementUnitOfWork, ctx: SettlementContext, declaration_id: str, payer: str, reference: str = ""
) -> list[Transfer]:
    """Inside an open unit of work: post what is still due of ``declaration_id``'s duties from
    ``payer``'s accounts to the customs revenue account (one linked chain) and publish
    ``DutiesSettled`` once every assessed currency is covered. The caller commits."""
    claims = uow.records.claims(DUTY, declaration_id)
    if not claims:
        raise NotFound(f"no duties assessed for declaration {declaration_id!r}")
    if any(claim.debtor != payer for claim in claims):
        raise InvalidInput([FieldError("payer", f"{payer!r} is not the importer of this declaration")])
    batch = [
        payments.duty_payment(
            f"duty:{declaration_id}:{claim.currency}", payer=srva.customer_id(payer, claim.currency),
            country=claim.creditor.removeprefix("customs:"), amount=claim.amount - duty_received(uow.ledger, claim),
            ccy=claim.currency, declaration_id=declaration_id,
        )
        for claim in claims
        if duty_received(uow.ledger, claim) < claim.amount
    ]  # fmt: skip
    if not batch:
        raise Conflict(f"the duties of {declaration_id!r} are paid")
    now = ctx.clock()
    funding = sample_funding(uow, ctx, batch, f"duty:{declaration_id}") if ctx.sample_funding else []
    post(uow, payments.linked(funding + batch), now, "duties")
    if duties_settled(uow, declaration_id):
        uow.publish(events.DutiesSettled(declaration_id, tuple(t.id for t in batch), payer, reference, now))
    return batch


def sample_funding(
    uow: SettlementUnitOfWork, ctx: SettlementContext, batch: list[Transfer], about: str
) -> list[Transfer]:
    """Deposits that bring each debited customer account up to what ``batch`` takes from it:
    funding → customer, coded ``deposit`` and referenced ``sample funding`` (sample data)."""
    needed: dict[str, int] = {}
    for t in batch:
        needed[t.debit_account_id] = needed.get(t.debit_account_id, 0) + t.amount
    out = []
    for account_id, amount in sorted(needed.items()):
        account = uow.ledger.account(account_id)
        if account is None or account.code is not AccountCode.CUSTOMER:
            continue
        available = account.available
        if available < amount:
            out.append(Transfer(f"fund:{about}:{account_id}", srva.funding_id(account.ledger), account_id,
                                amount - available, account.ledger, DEPOSIT, reference=SAMPLE_FUNDING))  # fmt: skip
    return out


def pay_invoice(cmd: c.PayInvoice, uow: SettlementUnitOfWork, ctx: SettlementContext) -> list[str]:
    for path, ccy in (("payer_currency", cmd.payer_currency), ("payee_currency", cmd.payee_currency)):
        bad = check_code(ccy, path)
        if bad:
            raise InvalidInput([bad])
    with uow:
        batch = settle_invoice(uow, ctx, cmd)
        uow.commit()
    return [t.id for t in batch]


def settle_invoice(uow: SettlementUnitOfWork, ctx: SettlementContext, cmd: c.PayInvoice) -> list[Transfer]:
    """Inside an open unit of work: the importer pays the export invoice (converted when the
    currencies differ); the transfers made, the sample funding first. The caller commits."""
    claims = uow.records.claims(EXPORT_INVOICE, cmd.declaration_id)
    if not claims:
        raise NotFound(f"no export invoice recorded for declaration {cmd.declaration_id!r}")
    claim = claims[0]
    quote = None
    if cmd.payer_currency != cmd.payee_currency:
        quote = ctx.rates.on(cmd.payer_currency, cmd.payee_currency, cmd.on).quote()
    batch = payments.invoice_payment(
        f"inv:{cmd.declaration_id}", payer=srva.customer_id(claim.debtor, cmd.payer_currency),
        payer_ccy=cmd.payer_currency, payee=srva.customer_id(claim.creditor, cmd.payee_currency),
        payee_ccy=cmd.payee_currency, amount=claim.amount, amount_ccy=claim.currency,
        reference=claim.ucr or claim.invoice_number, fx_bank=ctx.fx_bank, quote=quote,
    )  # fmt: skip
    funding = sample_funding(uow, ctx, batch[:1], f"inv:{cmd.declaration_id}") if ctx.sample_funding else []
    now = ctx.clock()
    post(uow, payments.linked(funding + batch), now, "invoice")
    uow.publish(events.InvoicePaid(cmd.declaration_id, batch[0].reference, tuple(t.id for t in batch)))
    return funding + batch


def record_obligation(
    cmd: c.RecordObligation, uow: SettlementUnitOfWork, ctx: SettlementContext
) -> netting.ObligationRecorded:
    minor = _amount(cmd.amount, cmd.currency, "obligation")
    if cmd.payer == cmd.payee:
        raise InvalidInput([FieldError("payee", "a bank owes nothing to itself")])
    with uow:
        now = ctx.clock()
        window = uow.records.open_window(now)
        fresh = uow.records.add_obligation(
            netting.Obligation(
                cmd.id, cmd.payer, cmd.payee, cmd.currency, minor, cmd.reference, window.id, now
            )
        )
        uow.commit()
    return {"window": window.id, "recorded": fresh}


def close_window(
    cmd: c.CloseWindow, uow: SettlementUnitOfWork, ctx: SettlementContext
) -> netting.WindowClosed:
    """Net the open window per currency and post one linked chain of settlement transfers each."""
    with uow:
        now = ctx.clock()
        window = uow.records.open_window(now)
        nets = netting.net_positions(uow.records.obligations(window.id))
        for net in nets.values():
            post(uow, netting.settlement_transfers(window.id, net), now, f"settlement.{net.currency}")
        window.state, window.closed_at, window.report = "closed", now, netting.report(nets, fmt)
        uow.records.close_window(window)
        uow.publish(events.SettlementWindowClosed(window.id, tuple(sorted(nets))))
        uow.commit()
    return {"window": window.id, "closed_at": now.isoformat(), "currencies": window.report}


def invoice_of(claim: Claim) -> Invoice:
    return Invoice(claim.declaration_id, claim.creditor, claim.debtor, claim.currency, claim.amount,
                   claim.issued_on, claim.ucr, claim.invoice_number)  # fmt: skip


def issue_realisation(
    cmd: c.IssueRealisation, uow: SettlementUnitOfWork, ctx: SettlementContext
) -> dict[str, Any]:
    """The export's signed record, once it is realised (signed outside the ledger's transaction, so
    the signing key may be read from the same database)."""
    if ctx.sign is None:
        raise Conflict("this node has no signing key for realisation records")
    with uow:
        known = uow.records.record(cmd.declaration_id)
        if known is not None:
            return known
        line = _realisation_line(uow, cmd.declaration_id, ctx.clock().date())
    now = ctx.clock()
    signed = ctx.sign(record_body(line, fmt, ctx.node, now.isoformat()))
    with uow:
        known = uow.records.record(cmd.declaration_id)
        if known is not None:  # issued concurrently: that one stands
            return known
        uow.records.add_record(cmd.declaration_id, signed, now)
        uow.publish(events.ExportRealised(cmd.declaration_id, line.invoice.ucr))
        uow.commit()
    return signed


def _realisation_line(uow: SettlementUnitOfWork, declaration_id: str, today: date) -> Line:
    claims = uow.records.claims(EXPORT_INVOICE, declaration_id)
    if not claims:
        raise NotFound(f"no export invoice recorded for declaration {declaration_id!r}")
    invoice = invoice_of(claims[0])
    transfers = [
        t for ref in {invoice.ucr, invoice.invoice_number} if ref for t in uow.ledger.by_reference(ref)
    ]
    line = reconcile(invoice, receipts_for(invoice, transfers), today)
    if line.status != "realised":
        raise Conflict(
            f"export {declaration_id!r} is {line.status}: {fmt(line.outstanding, invoice.currency)} "
            f"{invoice.currency} not yet received"
        )
    return line


def invest_surplus(cmd: c.InvestSurplus, uow: SettlementUnitOfWork, ctx: SettlementContext) -> str:
    minor = _amount(cmd.amount, "INR", "investment")
    with uow:
        srva_accounts = [
            a for a in uow.ledger.accounts("INR") if a.code is AccountCode.SRVA and a.holder == cmd.bank
        ]
        if not srva_accounts:
            raise NotFound(f"no SRVA held by {cmd.bank!r}")
        source = srva_accounts[0].id
        t = Transfer(
            cmd.id, source, srva.investment_id(cmd.bank), minor, "INR", "investment", reference=source
        )
        post(uow, [t], ctx.clock(), "investment")
        uow.commit()
    return t.id


def book_peer_payment(uow: SettlementUnitOfWork, body: Any, sender: str, now: datetime) -> list[str]:
    """Inside an open unit of work: book the transfers of a peer's ``settlement.payment.v1``
    message (all or none); a redelivery changes nothing. The caller commits."""
    batch = messages.transfers_of(body, sender)
    outcome = post(uow, batch, now)
    return [r.status for r in outcome.results]


HANDLERS: dict[type[Any], Callable[[Any, SettlementUnitOfWork, SettlementContext], Any]] = {
    c.OpenAccounts: open_accounts,
    c.OpenSampleChart: open_sample_chart,
    c.CreateTransfers: create_transfers,
    c.RecordDutiesAssessed: record_duties_handler,
    c.RecordExportInvoice: record_invoice_handler,
    c.PayAssessedDuties: pay_duties,
    c.PayInvoice: pay_invoice,
    c.RecordObligation: record_obligation,
    c.CloseWindow: close_window,
    c.IssueRealisation: issue_realisation,
    c.InvestSurplus: invest_surplus,
}


def handle(command: Any, uow: SettlementUnitOfWork, ctx: SettlementContext) -> Any:
    handler = HANDLERS.get(type(command))
    if handler is None:
        raise LookupError(f"no settlement handler for {type(command).__name__}")
    return handler(command, uow, ctx)
