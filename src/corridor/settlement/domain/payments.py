"""Payments the corridor makes, as transfers: an invoice paid in its own or another currency (two
linked transfers through a bank's conversion accounts, the rate stored on both, after TigerBeetle's
"currency exchange" recipe), and duties and taxes paid to a customs revenue account."""

from __future__ import annotations

from corridor.settlement.domain.fx import convert
from corridor.settlement.domain.model import FxQuote, Transfer
from corridor.settlement.domain.srva import customs_id, fx_id

DUTY = "duty"
INVOICE = "invoice"
FX = "fx"


def invoice_payment(
    transfer_id: str,
    *,
    payer: str,
    payer_ccy: str,
    payee: str,
    payee_ccy: str,
    amount: int,
    amount_ccy: str,
    reference: str,
    fx_bank: str,
    quote: FxQuote | None = None,
) -> list[Transfer]:
    """Transfers that pay ``amount`` (minor units of ``amount_ccy``, the invoice currency, which is
    the payer's or the payee's) from ``payer`` to ``payee``; a conversion goes through ``fx_bank``'s
    conversion accounts at ``quote`` and the chain is linked (all or nothing)."""
    if payer_ccy == payee_ccy:
        return [Transfer(transfer_id, payer, payee, amount, payer_ccy, INVOICE, reference=reference)]
    if quote is None:
        raise ValueError(f"paying {payer_ccy} to a {payee_ccy} account needs an exchange rate")
    if amount_ccy == payer_ccy:
        debit_amount, credit_amount = amount, convert(amount, payer_ccy, payee_ccy, quote)
    elif amount_ccy == payee_ccy:
        debit_amount, credit_amount = convert(amount, payee_ccy, payer_ccy, quote), amount
    else:
        raise ValueError(f"the invoice currency {amount_ccy} is neither {payer_ccy} nor {payee_ccy}")
    return [
        Transfer(
            f"{transfer_id}:in",
            payer,
            fx_id(fx_bank, payer_ccy),
            debit_amount,
            payer_ccy,
            INVOICE,
            linked=True,
            reference=reference,
            fx=quote,
        ),
        Transfer(
            f"{transfer_id}:out",
            fx_id(fx_bank, payee_ccy),
            payee,
            credit_amount,
            payee_ccy,
            INVOICE,
            reference=reference,
            fx=quote,
        ),
    ]


def duty_payment(
    transfer_id: str, *, payer: str, country: str, amount: int, ccy: str, declaration_id: str
) -> Transfer:
    """The importer's payment of assessed duties and taxes to ``country``'s customs revenue account."""
    return Transfer(transfer_id, payer, customs_id(country, ccy), amount, ccy, DUTY, reference=declaration_id)


def linked(transfers: list[Transfer]) -> list[Transfer]:
    """``transfers`` as one chain: all but the last carry ``linked``."""
    return [t._replace(linked=i < len(transfers) - 1) for i, t in enumerate(transfers)]
