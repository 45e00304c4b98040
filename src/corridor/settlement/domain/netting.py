"""Deferred net settlement after Mojaloop's settlement model (docs.mojaloop.io, "Settlement
Management": settlement windows that are open, then closed, and net positions of each participant
per currency): obligations between banks accumulate in a window; closing it computes bilateral and
multilateral net positions per currency and the transfers that settle them through a settlement
account, so far less money moves than the gross sum of the obligations."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypedDict

from corridor.settlement.domain.model import Transfer
from corridor.settlement.domain.srva import liquidity_id, settlement_id

NETTING = "netting"


@dataclass(frozen=True, slots=True)
class Obligation:
    id: str
    payer: str  # bank that owes
    payee: str  # bank that is owed
    currency: str
    amount: int  # minor units
    reference: str = ""
    window_id: str = ""
    at: datetime | None = None


@dataclass(slots=True)
class Window:
    id: str
    opened_at: datetime
    state: str = "open"  # open, closed (its settlement transfers posted)
    closed_at: datetime | None = None
    report: dict[str, CurrencyReport] = field(default_factory=dict)  # per currency, once closed


@dataclass(frozen=True, slots=True)
class CurrencyNet:
    currency: str
    gross: int  # sum of every obligation
    count: int
    multilateral: dict[str, int]  # bank -> net position (positive: receives)
    bilateral: list[tuple[str, str, int]]  # (debtor, creditor, amount) per pair, amount > 0

    @property
    def net(self) -> int:
        """What moves when settling multilaterally: the sum of the net debit positions."""
        return sum(-v for v in self.multilateral.values() if v < 0)

    @property
    def bilateral_net(self) -> int:
        return sum(a for _, _, a in self.bilateral)

    def reduction_basis_points(self) -> int:
        """The gross-to-net reduction in hundredths of a percent (integer arithmetic)."""
        return 0 if not self.gross else (self.gross - self.net) * 10_000 // self.gross


def net_positions(obligations: Iterable[Obligation]) -> dict[str, CurrencyNet]:
    """Gross, bilateral and multilateral positions per currency, in one pass over the obligations."""
    gross: dict[str, int] = {}
    count: dict[str, int] = {}
    multi: dict[str, dict[str, int]] = {}
    pairs: dict[str, dict[tuple[str, str], int]] = {}
    for o in obligations:
        ccy = o.currency
        gross[ccy] = gross.get(ccy, 0) + o.amount
        count[ccy] = count.get(ccy, 0) + 1
        m = multi.setdefault(ccy, {})
        m[o.payer] = m.get(o.payer, 0) - o.amount
        m[o.payee] = m.get(o.payee, 0) + o.amount
        p = pairs.setdefault(ccy, {})
        if o.payer < o.payee:  # the pair's value: what the first (smaller) bank owes the second
            key, signed = (o.payer, o.payee), o.amount
        else:
            key, signed = (o.payee, o.payer), -o.amount
        p[key] = p.get(key, 0) + signed
    out = {}
    for ccy in gross:
        bilateral = [(a, b, v) if v > 0 else (b, a, -v) for (a, b), v in sorted(pairs[ccy].items()) if v]
        out[ccy] = CurrencyNet(ccy, gross[ccy], count[ccy], dict(sorted(multi[ccy].items())), bilateral)
    return out


def settlement_transfers(window_id: str, net: CurrencyNet) -> list[Transfer]:
    """One linked chain per currency: each net debtor pays its position into the settlement
    account, which pays each net creditor; the settlement account ends where it began."""
    ccy, hub = net.currency, settlement_id(net.currency)
    chain = [
        Transfer(
            f"{window_id}:{ccy}:{bank}",
            liquidity_id(bank, ccy),
            hub,
            -v,
            ccy,
            NETTING,
            linked=True,
            reference=window_id,
        )
        for bank, v in net.multilateral.items()
        if v < 0
    ] + [
        Transfer(
            f"{window_id}:{ccy}:{bank}",
            hub,
            liquidity_id(bank, ccy),
            v,
            ccy,
            NETTING,
            linked=True,
            reference=window_id,
        )
        for bank, v in net.multilateral.items()
        if v > 0
    ]
    if chain:
        last = chain[-1]
        chain[-1] = Transfer(
            last.id,
            last.debit_account_id,
            last.credit_account_id,
            last.amount,
            ccy,
            NETTING,
            reference=window_id,
        )
    return chain


class BilateralNet(TypedDict):
    debtor: str
    creditor: str
    amount: str


class CurrencyReport(TypedDict):
    """A closed window's figures in one currency, amounts rendered in major units."""

    obligations: int
    gross: str
    bilateral_net: str
    multilateral_net: str
    reduction_percent: str
    positions: dict[str, str]  # bank -> net position (positive: receives)
    bilateral: list[BilateralNet]


class ObligationRecorded(TypedDict):
    window: str
    recorded: bool  # False: the same obligation id was recorded before


class WindowClosed(TypedDict):
    window: str
    closed_at: str
    currencies: dict[str, CurrencyReport]


def report(nets: dict[str, CurrencyNet], fmt: Callable[[int, str], str]) -> dict[str, CurrencyReport]:
    """The window's figures per currency; ``fmt(minor, ccy)`` renders amounts."""
    return {
        ccy: {
            "obligations": n.count,
            "gross": fmt(n.gross, ccy),
            "bilateral_net": fmt(n.bilateral_net, ccy),
            "multilateral_net": fmt(n.net, ccy),
            "reduction_percent": f"{n.reduction_basis_points() // 100}.{n.reduction_basis_points() % 100:02d}",
            "positions": {bank: fmt(v, ccy) for bank, v in n.multilateral.items()},
            "bilateral": [{"debtor": d, "creditor": c, "amount": fmt(a, ccy)} for d, c, a in n.bilateral],
        }
        for ccy, n in sorted(nets.items())
    }
