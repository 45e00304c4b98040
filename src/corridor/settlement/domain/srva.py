"""The corridor's chart of accounts for rupee-rouble trade settlement.

RBI A.P. (DIR Series) Circular No. 10 of 11 July 2022 ("International Trade Settlement in Indian
Rupees (INR)"): an Indian authorised-dealer (AD) bank opens a Special Rupee Vostro Account (SRVA)
for a correspondent bank of the partner country; Indian importers pay the rupee value of imports
into it, Indian exporters are paid their export proceeds from it, and surplus balances may be
invested (Government of India Treasury Bills and securities; corporate bonds and commercial paper
since RBI A.P. (DIR Series) Circular No. 14 of 3 October 2025).

Per bank and currency the ledger keeps: the SRVA (INR, at the Indian AD bank, held by the Russian
bank), the Indian bank's rouble correspondent account at the Russian bank, each trader's settlement
account, each country's customs revenue account, the SRVA surplus investment account, a conversion
(FX) account per bank and currency, a funding account per currency where money enters the ledger,
and a settlement account per currency through which net positions are paid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from corridor.settlement.domain.model import Account, AccountCode, AccountFlags

SAMPLE_BANKS = Path(__file__).resolve().parents[1] / "data" / "sample_banks.json"
NO_OVERDRAFT = AccountFlags(debits_must_not_exceed_credits=True)
HOME_CURRENCY = {"IN": "INR", "RU": "RUB"}


def srva_id(ru_bank: str, in_bank: str) -> str:
    return f"srva:{ru_bank}@{in_bank}"


def correspondent_id(in_bank: str, ru_bank: str) -> str:
    return f"corr:{in_bank}@{ru_bank}"


def customer_id(party: str, ccy: str) -> str:
    return f"cust:{party}:{ccy}"


def customs_id(country: str) -> str:
    return f"customs:{country}"


def investment_id(ru_bank: str) -> str:
    return f"invest:{ru_bank}"


def fx_id(bank: str, ccy: str) -> str:
    return f"fx:{bank}:{ccy}"


def funding_id(ccy: str) -> str:
    return f"funding:{ccy}"


def settlement_id(ccy: str) -> str:
    return f"settle:{ccy}"


def liquidity_id(bank: str, ccy: str) -> str:
    """A bank's liquidity account at the settlement hub, from which it pays its net debit."""
    return f"liq:{bank}:{ccy}"


def chart(banks: dict[str, Any], sample: bool) -> list[Account]:
    """Every account of the structure for ``banks`` (the shape of ``sample_banks.json``)."""
    accounts: list[Account] = []

    def add(
        id_: str,
        ccy: str,
        code: AccountCode,
        holder: str,
        name: str,
        flags: AccountFlags = NO_OVERDRAFT,
        bic: str | None = None,
    ) -> None:
        accounts.append(Account(id_, ccy, code, holder, name, flags, bic=bic, sample=sample))

    for ccy in ("INR", "RUB"):
        add(
            funding_id(ccy),
            ccy,
            AccountCode.FUNDING,
            "corridor",
            f"Funds entering the ledger in {ccy}",
            AccountFlags(),
        )
        add(
            settlement_id(ccy),
            ccy,
            AccountCode.SETTLEMENT,
            "corridor",
            f"Net settlement in {ccy}",
            AccountFlags(),
        )
    for country, ccy in HOME_CURRENCY.items():
        add(
            customs_id(country),
            ccy,
            AccountCode.CUSTOMS_REVENUE,
            f"customs:{country}",
            f"Customs revenue {country}",
        )
    names = {b["id"]: b["name"] for b in banks["indian_ad_banks"] + banks["russian_correspondents"]}
    for bank in names:
        for ccy in ("INR", "RUB"):
            add(
                fx_id(bank, ccy),
                ccy,
                AccountCode.FX,
                bank,
                f"{names[bank]}: conversion {ccy}",
                AccountFlags(),
                bic=bank,
            )
            name = f"{names[bank]}: net settlement {ccy}"
            add(liquidity_id(bank, ccy), ccy, AccountCode.SETTLEMENT, bank, name, bic=bank)
    for ru in banks["russian_correspondents"]:
        in_bank = ru["srva_at"]
        add(
            srva_id(ru["id"], in_bank),
            "INR",
            AccountCode.SRVA,
            ru["id"],
            f"SRVA of {ru['name']} at {names[in_bank]}",
            bic=in_bank,
        )
        add(
            correspondent_id(in_bank, ru["id"]),
            "RUB",
            AccountCode.CORRESPONDENT,
            in_bank,
            f"Rouble account of {names[in_bank]} at {ru['name']}",
            bic=ru["id"],
        )
        add(
            investment_id(ru["id"]),
            "INR",
            AccountCode.INVESTMENT,
            ru["id"],
            f"SRVA surplus of {ru['name']} invested in Indian government securities",
            bic=in_bank,
        )
    for trader in banks["traders"]:
        for ccy in ("INR", "RUB"):
            add(
                customer_id(trader["id"], ccy),
                ccy,
                AccountCode.CUSTOMER,
                trader["id"],
                f"{trader['name']} ({ccy})",
                bic=trader["bank"],
            )
    return accounts


def sample_chart() -> list[Account]:
    """The chart for the sample banks and traders (all marked ``sample``)."""
    return chart(json.loads(SAMPLE_BANKS.read_text(encoding="utf-8")), sample=True)
