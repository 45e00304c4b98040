"""ledger balance / transfer / statement / accounts and settle close-window / realisation /
obligation / srva: the settlement ledger of a local node (thin: parse, call, print)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli.common import (
    DEFAULT_DATA_DIR,
    EXIT_INVALID,
    EXIT_UNREADABLE,
    Country,
    DataDir,
    DbSchema,
    DbUrl,
    emit,
    fail,
    local_node,
    old_spellings,
    read_json,
)
from corridor.node.settlement import NodeSettlement
from corridor.settlement import commands as c
from corridor.settlement import iso20022, queries
from corridor.shared.errors import CorridorError, InvalidInput

ledger_app = typer.Typer(
    help="The settlement ledger: accounts, transfers, statements.",
    context_settings={"token_normalize_func": old_spellings},
)
settle_app = typer.Typer(
    help="Netting windows, export realisation and the SRVA report.",
    context_settings={"token_normalize_func": old_spellings},
)
Account = Annotated[str, typer.Option("--account", help="Ledger account id, e.g. cust:AAACS1234F:INR")]


def _day(value: str | None, option: str) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date (YYYY-MM-DD)", EXIT_UNREADABLE) from None


@contextmanager
def _settlement(data_dir: Path, node: str, db: str | None, db_schema: str | None) -> Iterator[NodeSettlement]:
    """The node's settlement; refusals print as JSON errors or one line, exit 1."""
    with local_node(data_dir, node, db, db_schema) as local:
        try:
            yield NodeSettlement(local)
        except InvalidInput as exc:
            emit([e.to_json() for e in exc.errors])
            raise typer.Exit(EXIT_INVALID) from None
        except CorridorError as exc:
            raise fail(str(exc)) from None


def _run(
    data_dir: Path, node: str, db: str | None, db_schema: str | None, call: Callable[[NodeSettlement], Any]
) -> None:
    with _settlement(data_dir, node, db, db_schema) as s:
        emit(call(s))


@ledger_app.command("balance")
def balance(account: Account, node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None,
            db_schema: DbSchema = None) -> None:  # fmt: skip
    """An account's balances (posted, pending, available) in its currency."""
    _run(data_dir, node, db, db_schema, lambda s: queries.balance(s.uow(), account))


@ledger_app.command("accounts")
def accounts(
    sample_chart: Annotated[bool, typer.Option("--sample-chart", help="Open the sample SRVA chart first")] = False,
    node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None, db_schema: DbSchema = None,
) -> None:  # fmt: skip
    """Every account of the ledger with its balance."""

    def call(s: NodeSettlement) -> Any:
        if sample_chart:
            s.handle(c.OpenSampleChart())
        with s.uow() as uow:
            return [queries.account_json(a) for a in uow.ledger.accounts()]

    _run(data_dir, node, db, db_schema, call)


@ledger_app.command("open")
def open_accounts(
    file: Annotated[Path, typer.Argument(help='JSON: {"accounts": [...]} or a list of accounts')],
    node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None, db_schema: DbSchema = None,
) -> None:  # fmt: skip
    """Open accounts (an identical definition again has no effect)."""
    raw = read_json(file)
    items = raw.get("accounts") if isinstance(raw, dict) else raw
    _run(data_dir, node, db, db_schema, lambda s: s.handle(c.OpenAccounts(items)))


@ledger_app.command("transfer")
def transfer(
    file: Annotated[Path, typer.Argument(help='JSON: {"transfers": [...]} or a list of transfers')],
    node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None, db_schema: DbSchema = None,
) -> None:  # fmt: skip
    """Create transfers: all are created, or none (each refusal names its field)."""
    raw = read_json(file)
    items = raw.get("transfers") if isinstance(raw, dict) else raw
    _run(data_dir, node, db, db_schema, lambda s: s.handle(c.CreateTransfers(items)))


@ledger_app.command("statement")
def statement(
    account: Account,
    day: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today, UTC)")] = None,
    format_: Annotated[str, typer.Option("--format", help="json or camt053")] = "json",
    node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None, db_schema: DbSchema = None,
) -> None:  # fmt: skip
    """One account's day: opening balance, entries, closing balance (camt.053.001.08 on request)."""
    if format_ not in ("json", "camt053"):
        raise fail("--format: must be json or camt053", EXIT_UNREADABLE)
    when = _day(day, "--date")
    with _settlement(data_dir, node, db, db_schema) as s:
        found = queries.statement(s.uow(), account, when)
        now = s.ctx.clock()
    if format_ == "json":
        emit(queries.statement_json(found))
    else:
        sys.stdout.buffer.write(iso20022.camt053(f"STMT-{now:%Y%m%d%H%M%S}", now, found))


@settle_app.command("obligation")
def obligation(
    obligation_id: Annotated[str, typer.Option("--id")], payer: Annotated[str, typer.Option()],
    payee: Annotated[str, typer.Option()], amount: Annotated[str, typer.Option()],
    currency: Annotated[str, typer.Option()], reference: Annotated[str, typer.Option()] = "",
    node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None, db_schema: DbSchema = None,
) -> None:  # fmt: skip
    """Record an obligation between two banks in the open settlement window."""
    command = c.RecordObligation(obligation_id, payer, payee, amount, currency, reference)
    _run(data_dir, node, db, db_schema, lambda s: s.handle(command))


@settle_app.command("close-window")
def close_window(node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None,
                 db_schema: DbSchema = None) -> None:  # fmt: skip
    """Net the open window per currency, post the settlement transfers, print gross and net."""
    _run(data_dir, node, db, db_schema, lambda s: s.handle(c.CloseWindow()))


@settle_app.command("realisation")
def realisation(
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default: today, UTC)")] = None,
    issue: Annotated[str | None, typer.Option("--issue", help="Issue the signed record of this export")] = None,
    node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None, db_schema: DbSchema = None,
) -> None:  # fmt: skip
    """Exports matched to payments: realised, outstanding, overdue after the realisation period."""
    when = _day(as_of, "--as-of")
    if issue is not None:
        _run(data_dir, node, db, db_schema, lambda s: s.handle(c.IssueRealisation(issue)))
    else:
        _run(data_dir, node, db, db_schema, lambda s: queries.realisation(s.uow(), when))


@settle_app.command("srva")
def srva(node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None,
         db_schema: DbSchema = None) -> None:  # fmt: skip
    """The SRVA balances by day and what was placed in the investment accounts."""
    _run(data_dir, node, db, db_schema, lambda s: queries.srva_report(s.uow()))


@settle_app.command("invest")
def invest(
    transfer_id: Annotated[str, typer.Option("--id")], bank: Annotated[str, typer.Option(help="SRVA holder")],
    amount: Annotated[str, typer.Option(help="INR, e.g. 250000.00")],
    node: Country = "IN", data_dir: DataDir = DEFAULT_DATA_DIR, db: DbUrl = None, db_schema: DbSchema = None,
) -> None:  # fmt: skip
    """Place part of a Russian bank's SRVA balance in its investment account."""
    _run(data_dir, node, db, db_schema, lambda s: s.handle(c.InvestSurplus(transfer_id, bank, amount)))
