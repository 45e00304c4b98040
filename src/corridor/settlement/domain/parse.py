"""Transfers and accounts as they arrive in JSON, checked field by field into domain objects."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, NotRequired, TypedDict

from corridor.settlement.domain.currency import check_code, parse_amount
from corridor.settlement.domain.model import (
    Account,
    AccountCode,
    AccountFlags,
    FxQuote,
    Transfer,
    TransferKind,
)
from corridor.shared.errors import FieldError, InvalidInput
from corridor.shared.text import text_reason

AmountFormat = Callable[[int, str], str]
"""Renders an amount in minor units of a currency, e.g. ``(12345, "INR") -> "123.45"``."""

TRANSFER_FIELDS = {
    "id",
    "debit_account",
    "credit_account",
    "amount",
    "currency",
    "code",
    "kind",
    "linked",
    "pending_id",
    "timeout_s",
    "reference",
    "fx",
}
ACCOUNT_FIELDS = {"id", "currency", "code", "holder", "name", "flags", "bic", "iban", "sample"}
FLAG_NAMES = ("debits_must_not_exceed_credits", "credits_must_not_exceed_debits")


def _text(
    raw: dict[str, Any], name: str, path: str, errors: list[FieldError], default: str | None = None
) -> str:
    value = raw.get(name, default)
    if not isinstance(value, str) or len(value) > 140:
        errors.append(FieldError(f"{path}.{name}", "must be text of at most 140 characters"))
        return ""
    reason = text_reason(value, multiline=False, blank=True)
    if reason:
        errors.append(FieldError(f"{path}.{name}", reason))
        return ""
    return value


def _unknown(raw: dict[str, Any], allowed: set[str], path: str) -> list[FieldError]:
    return [FieldError(f"{path}.{k}", "unexpected member") for k in sorted(set(raw) - allowed)]


def transfer(raw: Any, path: str) -> Transfer:
    if not isinstance(raw, dict):
        raise InvalidInput([FieldError(path, "must be an object")])
    errors = _unknown(raw, TRANSFER_FIELDS, path)
    kind_raw = raw.get("kind", "single")
    kind = TransferKind(kind_raw) if kind_raw in {k.value for k in TransferKind} else None
    if kind is None:
        errors.append(
            FieldError(f"{path}.kind", f"must be one of {', '.join(k.value for k in TransferKind)}")
        )
    settles = kind in (TransferKind.POST, TransferKind.VOID)
    ccy = _text(raw, "currency", path, errors, "" if settles else None)
    bad = None if (settles and not ccy) else check_code(ccy, f"{path}.currency")
    amount: int = 0
    if bad:
        errors.append(bad)
    elif not (settles and raw.get("amount") in (None, 0, "0")):
        parsed = (
            parse_amount(raw.get("amount"), ccy, f"{path}.amount")
            if ccy
            else FieldError(f"{path}.amount", "give the currency with an amount")
        )
        if isinstance(parsed, FieldError):
            errors.append(parsed)
        else:
            amount = parsed
    timeout = raw.get("timeout_s", 0)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not 0 <= timeout <= 10**8:
        errors.append(FieldError(f"{path}.timeout_s", "must be a whole number of seconds, 0 to 100000000"))
    linked = raw.get("linked", False)
    if not isinstance(linked, bool):
        errors.append(FieldError(f"{path}.linked", "must be true or false"))
    pending_id = raw.get("pending_id")
    if pending_id is not None and not isinstance(pending_id, str):
        errors.append(FieldError(f"{path}.pending_id", "must be text"))
    t = Transfer(
        id=_text(raw, "id", path, errors),
        debit_account_id=_text(raw, "debit_account", path, errors, "" if settles else None),
        credit_account_id=_text(raw, "credit_account", path, errors, "" if settles else None),
        amount=amount,
        ledger=ccy,
        code=_text(raw, "code", path, errors, "payment"),
        kind=kind or TransferKind.SINGLE,
        linked=linked is True,
        pending_id=pending_id,
        timeout_s=timeout if isinstance(timeout, int) else 0,
        reference=_text(raw, "reference", path, errors, ""),
        fx=_quote(raw.get("fx"), f"{path}.fx", errors),
    )
    if errors:
        raise InvalidInput(errors)
    return t


def _quote(raw: Any, path: str, errors: list[FieldError]) -> FxQuote | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors.append(FieldError(path, "must be an object with base, quote, rate, effective and source"))
        return None
    try:
        rate = Decimal(str(raw["rate"])) if isinstance(raw.get("rate"), str) else None
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or rate <= 0:
        errors.append(FieldError(f"{path}.rate", "must be a positive decimal string"))
        return None
    return FxQuote(
        _text(raw, "base", path, errors),
        _text(raw, "quote", path, errors),
        rate,
        _text(raw, "effective", path, errors),
        _text(raw, "source", path, errors),
    )


def account(raw: Any, path: str) -> Account:
    if not isinstance(raw, dict):
        raise InvalidInput([FieldError(path, "must be an object")])
    errors = _unknown(raw, ACCOUNT_FIELDS, path)
    code_raw = raw.get("code")
    if code_raw not in {c.value for c in AccountCode}:
        errors.append(FieldError(f"{path}.code", f"must be one of {', '.join(c.value for c in AccountCode)}"))
    flags_raw = raw.get("flags", [])
    if not isinstance(flags_raw, list) or any(f not in FLAG_NAMES for f in flags_raw):
        errors.append(FieldError(f"{path}.flags", f"must be a list of {', '.join(FLAG_NAMES)}"))
        flags_raw = []
    ids = {n: raw.get(n) for n in ("bic", "iban")}
    for name, value in ids.items():
        if value is not None and not isinstance(value, str):
            errors.append(FieldError(f"{path}.{name}", "must be text"))
    acc = Account(
        id=_text(raw, "id", path, errors),
        ledger=_text(raw, "currency", path, errors),
        code=AccountCode(code_raw) if code_raw in {c.value for c in AccountCode} else AccountCode.CUSTOMER,
        holder=_text(raw, "holder", path, errors),
        name=_text(raw, "name", path, errors),
        flags=AccountFlags(**{f: f in flags_raw for f in FLAG_NAMES}),
        bic=ids["bic"] if isinstance(ids["bic"], str) else None,
        iban=ids["iban"] if isinstance(ids["iban"], str) else None,
        sample=raw.get("sample") is True,
    )
    if errors:
        raise InvalidInput(errors)
    return acc


class FxJson(TypedDict):
    base: str
    quote: str
    rate: str
    effective: str
    source: str


class TransferJson(TypedDict):
    """A transfer as the ledger's answers and the payment messages carry it."""

    id: str
    debit_account: str
    credit_account: str
    amount: str
    currency: str
    code: str
    kind: str
    linked: bool
    reference: str
    timestamp: NotRequired[str | None]  # not on the wire: each ledger stamps its own booking time
    pending_id: NotRequired[str]
    timeout_s: NotRequired[int]
    fx: NotRequired[FxJson]


def transfer_json(t: Transfer, ccy_format: AmountFormat) -> TransferJson:
    """A transfer as JSON; ``ccy_format(minor, ccy)`` renders amounts."""
    out: TransferJson = {
        "id": t.id,
        "debit_account": t.debit_account_id,
        "credit_account": t.credit_account_id,
        "amount": ccy_format(t.amount, t.ledger),
        "currency": t.ledger,
        "code": t.code,
        "kind": t.kind.value,
        "linked": t.linked,
        "reference": t.reference,
        "timestamp": t.timestamp.isoformat() if t.timestamp else None,
    }
    if t.pending_id:
        out["pending_id"] = t.pending_id
    if t.timeout_s:
        out["timeout_s"] = t.timeout_s
    if t.fx:
        out["fx"] = {
            "base": t.fx.base_ccy,
            "quote": t.fx.quote_ccy,
            "rate": str(t.fx.rate),
            "effective": t.fx.effective,
            "source": t.fx.source,
        }
    return out
