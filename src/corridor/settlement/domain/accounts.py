"""Checking an account's definition before a ledger keeps it: its id, currency, purpose, flags, and
the bank identifiers it carries (BIC per ISO 9362 and IBAN per ISO 13616, checked with schwifty)."""

from __future__ import annotations

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from corridor.settlement.domain.currency import check_code
from corridor.settlement.domain.model import ID_PATTERN, ID_RULE, Account, AccountCode
from corridor.shared.errors import FieldError


def check_bic(value: str, path: str) -> FieldError | None:
    try:
        BIC(value)
    except SchwiftyException as exc:
        return FieldError(path, f"{value!r} is not a valid BIC (ISO 9362): {exc}")
    return None


def check_iban(value: str, path: str) -> FieldError | None:
    try:
        IBAN(value)
    except SchwiftyException as exc:
        return FieldError(path, f"{value!r} is not a valid IBAN (ISO 13616): {exc}")
    return None


def account_problems(account: Account, prefix: str = "") -> list[FieldError]:
    """Everything wrong with ``account``'s definition, each naming the field."""
    p = f"{prefix}." if prefix else ""
    problems: list[FieldError] = []
    if not isinstance(account.id, str) or not ID_PATTERN.match(account.id):
        problems.append(FieldError(f"{p}id", ID_RULE))
    bad_ccy = check_code(account.ledger, f"{p}ledger")
    if bad_ccy:
        problems.append(bad_ccy)
    if not isinstance(account.code, AccountCode):
        problems.append(FieldError(f"{p}code", f"must be one of {', '.join(c.value for c in AccountCode)}"))
    for name in ("holder", "name"):
        value = getattr(account, name)
        if not isinstance(value, str) or not value.strip() or len(value) > 140:
            problems.append(FieldError(f"{p}{name}", "must be 1 to 140 characters"))
    if account.flags.debits_must_not_exceed_credits and account.flags.credits_must_not_exceed_debits:
        problems.append(
            FieldError(
                f"{p}flags",
                "debits_must_not_exceed_credits and credits_must_not_exceed_debits exclude each other",
            )
        )
    if account.bic is not None:
        problems += [e for e in [check_bic(account.bic, f"{p}bic")] if e]
    if account.iban is not None:
        problems += [e for e in [check_iban(account.iban, f"{p}iban")] if e]
    if any(account.balances()):
        problems.append(
            FieldError(f"{p}balances", "an account starts at zero; only transfers change balances")
        )
    return problems
