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

import copy
import functools
import json
from pathlib import Path
from typing import Any, NotRequired, TypedDict

from corridor.settlement.domain.model import Account, AccountCode, AccountFlags

SAMPLE_BANKS = Path(__file__).resolve().parents[1] / "data" / "sample_banks.json"


class Bank(TypedDict):
    id: str  # BIC
    name: str


class Correspondent(Bank):
    srva_at: str  # the BIC of the Indian bank holding its Special Rupee Vostro Account


class TraderEntry(TypedDict):
    id: str  # IEC or INN
    name: str
    country: str
    bank: str  # the BIC of the trader's bank


class SampleBanks(TypedDict):
    """The shape of ``sample_banks.json``."""

    _comment: NotRequired[str]
    indian_ad_banks: list[Bank]
    russian_correspondents: list[Correspondent]
    traders: list[TraderEntry]


NO_OVERDRAFT = AccountFlags(debits_must_not_exceed_credits=True)
HOME_CURRENCY = {"IN": "INR", "RU": "RUB"}


def srva_id(ru_bank: str, in_bank: str) -> str:
    return f"srva:{ru_bank}@{in_bank}"


def correspondent_id(in_bank: str, ru_bank: str) -> str:
    return f"corr:{in_bank}@{ru_bank}"


def customer_id(party: str, ccy: str) -> str:
    return f"cust:{party}:{ccy}"


def customs_id(country: str, ccy: str | None = None) -> str:
    """The customs revenue account of ``country``: in its home currency ``customs:IN``, in another
    currency (duties assessed in it) ``customs:IN:USD``."""
    if ccy is None or ccy == HOME_CURRENCY.get(country):
        return f"customs:{country}"
    return f"customs:{country}:{ccy}"


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


FREE = AccountFlags()  # may go below zero: where money enters the ledger, hubs and conversion accounts


def _account(id_: str, ccy: str, code: AccountCode, holder: str, name: str, **kw: Any) -> Account:
    return Account(id_, ccy, code, holder, name, kw.get("flags", NO_OVERDRAFT), bic=kw.get("bic"))


def _corridor_accounts() -> list[Account]:
    out = []
    for ccy in ("INR", "RUB"):
        out.append(
            _account(
                funding_id(ccy), ccy, AccountCode.FUNDING, "corridor", f"Funds entering in {ccy}", flags=FREE
            )
        )
        out.append(
            _account(
                settlement_id(ccy),
                ccy,
                AccountCode.SETTLEMENT,
                "corridor",
                f"Net settlement in {ccy}",
                flags=FREE,
            )
        )
    for country, ccy in HOME_CURRENCY.items():
        out.append(
            _account(
                customs_id(country),
                ccy,
                AccountCode.CUSTOMS_REVENUE,
                f"customs:{country}",
                f"Customs revenue {country}",
            )
        )
    return out  # fmt: skip


def _bank_accounts(names: dict[str, str]) -> list[Account]:
    out = []
    for bank, name in names.items():
        for ccy in ("INR", "RUB"):
            out.append(
                _account(
                    fx_id(bank, ccy),
                    ccy,
                    AccountCode.FX,
                    bank,
                    f"{name}: conversion {ccy}",
                    flags=FREE,
                    bic=bank,
                )
            )
            out.append(
                _account(
                    liquidity_id(bank, ccy),
                    ccy,
                    AccountCode.SETTLEMENT,
                    bank,
                    f"{name}: net settlement {ccy}",
                    bic=bank,
                )
            )
    return out  # fmt: skip


def _srva_accounts(ru: Correspondent, names: dict[str, str]) -> list[Account]:
    ru_bank, in_bank = ru["id"], ru["srva_at"]
    return [
        _account(srva_id(ru_bank, in_bank), "INR", AccountCode.SRVA, ru_bank, f"SRVA of {ru['name']} at {names[in_bank]}", bic=in_bank),
        _account(correspondent_id(in_bank, ru_bank), "RUB", AccountCode.CORRESPONDENT, in_bank,
                 f"Rouble account of {names[in_bank]} at {ru['name']}", bic=ru_bank),
        _account(investment_id(ru_bank), "INR", AccountCode.INVESTMENT, ru_bank,
                 f"SRVA surplus of {ru['name']} invested in Indian government securities", bic=in_bank),
    ]  # fmt: skip


def chart(banks: SampleBanks, sample: bool) -> list[Account]:
    """Every account of the structure for ``banks`` (the shape of ``sample_banks.json``)."""
    names = {b["id"]: b["name"] for b in banks["indian_ad_banks"] + banks["russian_correspondents"]}
    accounts = _corridor_accounts() + _bank_accounts(names)
    for ru in banks["russian_correspondents"]:
        accounts += _srva_accounts(ru, names)
    for trader in banks["traders"]:
        for ccy in ("INR", "RUB"):
            accounts.append(_account(customer_id(trader["id"], ccy), ccy, AccountCode.CUSTOMER, trader["id"],
                                     f"{trader['name']} ({ccy})", bic=trader["bank"]))  # fmt: skip
    for acc in accounts:
        acc.sample = sample
    return accounts


def sample_chart() -> list[Account]:
    """The chart for the sample banks and traders (all marked ``sample``)."""
    return chart(_sample_banks(), sample=True)


@functools.cache
def _sample_banks() -> SampleBanks:
    """The packaged sample file, read once (callers only read it)."""
    found: SampleBanks = json.loads(SAMPLE_BANKS.read_text(encoding="utf-8"))
    return found


@functools.cache
def sample_conversion_bank() -> str:
    """The bank whose conversion accounts convert when a node names none: the first Indian
    authorised dealer bank of the labelled sample chart."""
    return _sample_banks()["indian_ad_banks"][0]["id"]


@functools.cache
def _sample_bank_names() -> dict[str, str]:
    banks = _sample_banks()
    return {b["id"]: b["name"] for b in banks["indian_ad_banks"] + banks["russian_correspondents"]}


@functools.cache
def _sample_chart_by_id() -> dict[str, Account]:
    return {account.id: account for account in sample_chart()}


def node_account(account_id: str) -> Account | None:
    """The definition of a corridor or bank account of the sample chart (marked sample), or of its
    like in a currency the chart does not list (funding, settlement hub, a sample bank's liquidity,
    customs revenue in a foreign currency); None for any other id."""
    known = _sample_chart_by_id().get(account_id)
    if known is not None:
        return copy.copy(known)
    parts = account_id.split(":")
    if parts[0] == "funding" and len(parts) == 2 and len(parts[1]) == 3:
        account = _account(account_id, parts[1], AccountCode.FUNDING, "corridor", f"Funds entering in {parts[1]}",
                           flags=FREE)  # fmt: skip
    elif parts[0] == "settle" and len(parts) == 2 and len(parts[1]) == 3:
        account = _account(account_id, parts[1], AccountCode.SETTLEMENT, "corridor", f"Net settlement in {parts[1]}",
                           flags=FREE)  # fmt: skip
    elif parts[0] == "liq" and len(parts) == 3 and parts[1] in _sample_bank_names() and len(parts[2]) == 3:
        account = _account(account_id, parts[2], AccountCode.SETTLEMENT, parts[1],
                           f"{_sample_bank_names()[parts[1]]}: net settlement {parts[2]}", bic=parts[1])  # fmt: skip
    elif parts[0] == "fx" and len(parts) == 3 and parts[1] in _sample_bank_names() and len(parts[2]) == 3:
        account = _account(account_id, parts[2], AccountCode.FX, parts[1],
                           f"{_sample_bank_names()[parts[1]]}: conversion {parts[2]}", flags=FREE, bic=parts[1])  # fmt: skip
    elif parts[0] == "customs" and len(parts) == 3 and parts[1] in HOME_CURRENCY and len(parts[2]) == 3:
        account = _account(account_id, parts[2], AccountCode.CUSTOMS_REVENUE, f"customs:{parts[1]}",
                           f"Customs revenue {parts[1]} ({parts[2]})")  # fmt: skip
    else:
        return None
    account.sample = True  # of the sample chart, as the accounts next to it
    return account


def trader_account(party: str, ccy: str, country: str) -> Account:
    """A trader's settlement account in ``ccy``: the sample chart's when the trader is one of its
    sample traders, else one at the first sample bank of ``country`` (IN or RU), marked sample as
    the bank is; no overdraft."""
    known = node_account(customer_id(party, ccy))
    if known is not None:
        return known
    banks = _sample_banks()
    listed = banks["indian_ad_banks"] if country == "IN" else banks["russian_correspondents"]
    account = _account(customer_id(party, ccy), ccy, AccountCode.CUSTOMER, party,
                       f"Settlement account of {party} ({ccy})", bic=listed[0]["id"])  # fmt: skip
    account.sample = True
    return account
