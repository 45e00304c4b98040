"""An officer's decisions and the importer's payment on a declaration at this node."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from corridor.customs.domain.model import CustomsDeclaration, TransitionError
from corridor.customs.domain.vocabulary import Flow
from corridor.customs.handlers.export_side import clear_export, notify
from corridor.service.commands import ClearDeclaration, HoldDeclaration, PayDuties, ReleaseDeclaration
from corridor.service.context import NodeContext
from corridor.service.ports import UnitOfWork
from corridor.shared.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from corridor.shared.money import Money
from corridor.shared.scalars import decimal_reason
from corridor.shared.text import text_reason

REASON_MAX = 2000
"""The longest reason an officer may give for a hold or a release (characters)."""


def checked_reason(reason: object, field: str = "reason", blank: bool = False) -> str:
    """An officer's reason: text of 1 (0 when ``blank``) to ``REASON_MAX`` characters (lines
    allowed), else InvalidInput on ``field``."""
    if not isinstance(reason, str):
        raise InvalidInput([FieldError(field, "must be text")])
    problem = text_reason(reason, multiline=True, blank=blank)
    if problem is None and len(reason) > REASON_MAX:
        problem = f"must be at most {REASON_MAX} characters, got {len(reason)}"
    if problem:
        raise InvalidInput([FieldError(field, problem)])
    return reason.strip()


#: The longest declaration id a read-ahead takes (ids are 18 characters; a URL's reference up to 40).
ID_MAX = 40


def read_ahead_decisions(commands: Sequence[Any], uow: UnitOfWork) -> None:
    """The declarations a bulk of decisions changes, and their stages, read together. An id that
    is not sound text is passed over (its command answers as it would alone)."""
    ids = [
        i
        for i in (getattr(cmd, "declaration_id", None) for cmd in commands)
        if isinstance(i, str) and 0 < len(i) <= ID_MAX and i.isprintable()
    ]
    found = [d.id for d in uow.declarations.get_many(ids)]
    uow.declarations.read_ahead_stages(found)


@contextmanager
def changing(uow: UnitOfWork, declaration_id: str) -> Iterator[CustomsDeclaration]:
    """Load a declaration with its stages, let the caller change it, save and commit; a state
    change the declaration does not allow becomes a Conflict and nothing is written."""
    with uow:
        declaration = uow.declarations.get(declaration_id)
        if declaration is None:
            raise NotFound(f"declaration {declaration_id} not found")
        declaration.stages = uow.declarations.stages(declaration.id)
        try:
            yield declaration
        except TransitionError as exc:
            raise Conflict(f"status: {exc}") from exc
        uow.declarations.save(declaration)
        uow.commit()


def clear_declaration(cmd: ClearDeclaration, uow: UnitOfWork, ctx: NodeContext) -> CustomsDeclaration:
    """The officer's check found the goods conform: an export gets its Let Export Order; an import
    is released at once when it has arrived and is paid, else on arrival once paid."""
    findings = checked_reason(cmd.findings, "findings", blank=True)
    with changing(uow, cmd.declaration_id) as declaration:
        declaration.examined_conform(cmd.officer_id, findings, ctx.clock())
        if declaration.flow is Flow.EXPORT:
            clear_export(declaration, uow, ctx, officer=cmd.officer_id)
    return declaration


def hold_declaration(cmd: HoldDeclaration, uow: UnitOfWork, ctx: NodeContext) -> CustomsDeclaration:
    """An export held after its Let Export Order is stopped before departure: the destination is
    told, and its import declaration is held until the export office lifts the hold."""
    reason = checked_reason(cmd.reason)
    with changing(uow, cmd.declaration_id) as declaration:
        tells = declaration.hold(ctx.clock(), reason, cmd.officer_id, declaration.departed())
        notify(declaration, tells, uow, ctx, reason=reason)
    return declaration


def pay_duties(cmd: PayDuties, uow: UnitOfWork, ctx: NodeContext) -> CustomsDeclaration:
    """Order payment of exactly the assessed duties and taxes. Settlement posts the transfers in the
    same transaction and tells customs (``DutiesSettled``), which then records the payment; a
    pre-cleared green consignment that has arrived is released at once."""
    with changing(uow, cmd.declaration_id) as declaration:
        if declaration.flow is not Flow.IMPORT or declaration.assessment is None:
            raise Conflict(f"status: declaration {declaration.id} has no assessed duties to pay")
        if cmd.payer != declaration.importer_id:
            raise Forbidden("payer: only the importer may pay this declaration's duties")
        expected = declaration.assessed_totals()
        paid = amounts(cmd.amounts)
        if {c: m.amount for c, m in paid.items()} != {c: m.amount for c, m in expected.items()}:
            raise InvalidInput(
                [
                    FieldError(
                        "amounts", f"must equal the assessed totals {_show(expected)}, got {_show(paid)}"
                    )
                ]
            )
        declaration.request_payment(cmd.payer, paid, cmd.reference, ctx.clock())
    return declaration


def release_declaration(cmd: ReleaseDeclaration, uow: UnitOfWork, ctx: NodeContext) -> CustomsDeclaration:
    """The officer releases an arrived, examined and paid import, giving the reason (kept in the
    release stage)."""
    reason = checked_reason(cmd.reason)
    with changing(uow, cmd.declaration_id) as declaration:
        declaration.release_by(cmd.officer_id, ctx.clock(), reason)
    return declaration


def amounts(raw: Any) -> dict[str, Money]:
    """The amounts paid, per currency: a non-empty list of ``{value, currencyID}``."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput([FieldError("amounts", "a non-empty list of {value, currencyID}")])
    out: dict[str, Money] = {}
    for i, item in enumerate(raw):
        currency, value = _amount(i, item)
        out[currency] = out[currency] + Money(value, currency) if currency in out else Money(value, currency)
    return out


def _amount(i: int, item: Any) -> tuple[str, Decimal]:
    try:
        currency, value = item["currencyID"], item["value"]
        if not (
            isinstance(currency, str)
            and len(currency) == 3
            and currency.isascii()
            and currency.isalpha()
            and currency.isupper()
        ):
            raise TypeError("currencyID")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError("value")
        value = Decimal(str(value))
    except (TypeError, KeyError, InvalidOperation):
        raise InvalidInput(
            [FieldError(f"amounts[{i}]", "needs value (decimal) and currencyID (ISO 4217)")]
        ) from None
    reason = decimal_reason(value) or ("must be a positive amount" if value <= 0 else None)
    if reason:
        raise InvalidInput([FieldError(f"amounts[{i}].value", reason)])
    return currency, value


def _show(amounts: dict[str, Money]) -> str:
    return ", ".join(f"{m.amount} {c}" for c, m in sorted(amounts.items())) or "nothing"
