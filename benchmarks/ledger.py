"""Ledger transfers per second on SQLite and PostgreSQL, single and batched, and the time to net a
settlement window; each against a plain-Python baseline measured in the same run.

    python benchmarks/ledger.py [--skip-postgres] [--obligations N] [--banks B]

Transfers: random payments among 100 funded accounts that forbid overdraft, each checked and
applied by the ledger engine and written in the unit of work's transaction: one transfer per
transaction ("single"), then batches of 100 and 8,000 transfers per transaction. Baseline: the same
transfers applied to a Python dict of balances with the overdraft check and nothing else (no
validation, no idempotency, no storage).

Netting: N obligations among B banks in two currencies; ``net_positions`` computes gross,
bilateral and multilateral positions in one pass. Baseline: a plain loop summing only the
multilateral positions.
"""

from __future__ import annotations

import argparse
import random
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from _postgres import PG_URL, reachable
from sqlalchemy import Engine, create_engine, text

from corridor.adapters.database import make_engine, migrate
from corridor.adapters.settlement_store import SqlSettlementUnitOfWork
from corridor.settlement.domain.model import Account, AccountCode, AccountFlags, Transfer
from corridor.settlement.domain.netting import Obligation, net_positions

NOW = datetime.now(UTC)
ACCOUNTS = [f"acc-{i:03d}" for i in range(100)]
SAFE = AccountFlags(debits_must_not_exceed_credits=True)
PLAN = [(1, 300), (100, 20), (8000, 3)]  # (batch size, batches)


def payments(count: int, seed: int, prefix: str) -> list[Transfer]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        dr, cr = rng.sample(ACCOUNTS, 2)
        out.append(Transfer(f"{prefix}-{i}", dr, cr, rng.randint(1, 10_000), "INR", "payment"))
    return out


def prepare(engine: Engine) -> None:
    migrate(engine)
    with SqlSettlementUnitOfWork(engine) as uow:
        uow.ledger.create_accounts(
            [Account("world", "INR", AccountCode.FUNDING, "bench", "outside")]
            + [Account(a, "INR", AccountCode.CUSTOMER, "bench", a, SAFE) for a in ACCOUNTS],
            NOW,
        )
        fund = [Transfer(f"fund-{a}", "world", a, 10**12, "INR") for a in ACCOUNTS]
        assert uow.ledger.create_transfers(fund, NOW).ok
        uow.commit()


def run_batches(engine: Engine, size: int, batches: int, tag: str) -> float:
    """Transfers per second, ``batches`` transactions of ``size`` transfers each."""
    work = [payments(size, hash((tag, size, b)) & 0xFFFF, f"{tag}-{size}-{b}") for b in range(batches)]
    start = time.perf_counter()
    for batch in work:
        with SqlSettlementUnitOfWork(engine) as uow:
            outcome = uow.ledger.create_transfers(batch, NOW)
            uow.commit()
        assert outcome.ok, [r for r in outcome.results if not r.ok][:1]
    return size * batches / (time.perf_counter() - start)


def baseline_transfers(count: int) -> float:
    balances = dict.fromkeys(ACCOUNTS, 10**12)
    work = payments(count, 7, "base")
    start = time.perf_counter()
    for t in work:
        if balances[t.debit_account_id] >= t.amount:
            balances[t.debit_account_id] -= t.amount
            balances[t.credit_account_id] += t.amount
    return count / (time.perf_counter() - start)


def bench_database(name: str, engine: Engine, baseline: float) -> None:
    prepare(engine)
    for size, batches in PLAN:
        rate = run_batches(engine, size, batches, secrets.token_hex(3))
        print(
            f"{name:10} batch {size:>5}: {rate:>10,.0f} transfers/s  ({rate / baseline:.3f} of the baseline)"
        )


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def bench_netting(count: int, banks: int) -> None:
    rng = random.Random(11)
    names = [f"BANK{i:02d}" for i in range(banks)]
    obligations = []
    for i in range(count):
        payer, payee = rng.sample(names, 2)
        obligations.append(
            Obligation(f"o{i}", payer, payee, "INR" if i % 3 else "RUB", rng.randint(100, 10**9))
        )

    def plain() -> None:
        positions: dict[tuple[str, str], int] = {}
        for o in obligations:
            positions[(o.currency, o.payer)] = positions.get((o.currency, o.payer), 0) - o.amount
            positions[(o.currency, o.payee)] = positions.get((o.currency, o.payee), 0) + o.amount

    ours = timed(lambda: net_positions(obligations))
    base = timed(plain)
    nets = net_positions(obligations)
    reduction = {ccy: f"{n.reduction_basis_points() / 100:.2f} %" for ccy, n in nets.items()}
    print(f"netting {count:,} obligations among {banks} banks: {ours * 1000:.0f} ms "
          f"(baseline multilateral-only loop {base * 1000:.0f} ms, ratio {ours / base:.2f}); "
          f"gross-to-net reduction {reduction}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--obligations", type=int, default=100_000)
    parser.add_argument("--banks", type=int, default=50)
    args = parser.parse_args()
    baseline = baseline_transfers(200_000)
    print(f"baseline (Python dict, overdraft check only): {baseline:,.0f} transfers/s")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'ledger.sqlite'}")
        bench_database("SQLite", engine, baseline)
        engine.dispose()
    if args.skip_postgres or not reachable():
        print("PostgreSQL: skipped" + ("" if args.skip_postgres else f" (not reachable at {PG_URL})"))
    else:
        schema = f"bench_ledger_{secrets.token_hex(4)}"
        engine = make_engine(PG_URL, schema)
        try:
            bench_database("PostgreSQL", engine, baseline)
        finally:
            engine.dispose()
            cleanup = create_engine(PG_URL)
            with cleanup.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            cleanup.dispose()
    bench_netting(args.obligations, args.banks)


if __name__ == "__main__":
    main()
