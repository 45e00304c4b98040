"""Random transfers, retries, posts, voids and timeouts: the ledger's invariants hold after each step."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from corridor.settlement.domain.ledger import MemoryLedger
from corridor.settlement.domain.model import (
    Account,
    AccountCode,
    AccountFlags,
    PendingState,
    Transfer,
    TransferKind,
)
from corridor.settlement.domain.netting import Obligation, net_positions, settlement_transfers
from corridor.settlement.domain.srva import liquidity_id, settlement_id

ACCOUNTS = ["a", "b", "c", "d"]
BANKS = ["BANKA", "BANKB", "BANKC"]
T0 = datetime(2026, 3, 2, tzinfo=UTC)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.book = MemoryLedger()
        self.now = T0
        self.sent: list[Transfer] = []
        self.n = 0
        self.book.create_account(Account("world", "INR", AccountCode.FUNDING, "x", "outside"), T0)
        for name in ACCOUNTS:
            flags = AccountFlags(debits_must_not_exceed_credits=name != "d")
            self.book.create_account(Account(name, "INR", AccountCode.CUSTOMER, name, name, flags), T0)
        safe = AccountFlags(debits_must_not_exceed_credits=True)
        self.book.create_account(
            Account(settlement_id("INR"), "INR", AccountCode.SETTLEMENT, "hub", "hub"), T0
        )
        for bank in BANKS:
            self.book.create_account(
                Account(liquidity_id(bank, "INR"), "INR", AccountCode.SETTLEMENT, bank, bank, safe), T0
            )
            self._send(Transfer(self._id(), "world", liquidity_id(bank, "INR"), 50_000, "INR"))
        self.obligations: list[Obligation] = []
        self.windows = 0

    def _send(self, *batch: Transfer) -> None:
        self.sent.extend(batch)
        self.book.create_transfers(list(batch), self.now)

    def _id(self) -> str:
        self.n += 1
        return f"t{self.n}"

    @rule(to=st.sampled_from(ACCOUNTS), amount=st.integers(1, 10_000))
    def fund(self, to: str, amount: int) -> None:
        self._send(Transfer(self._id(), "world", to, amount, "INR"))

    @rule(
        dr=st.sampled_from(ACCOUNTS),
        cr=st.sampled_from(ACCOUNTS),
        amount=st.integers(-5, 20_000),
        pending=st.booleans(),
        timeout=st.sampled_from([0, 10, 60]),
    )
    def transfer(self, dr: str, cr: str, amount: int, pending: bool, timeout: int) -> None:
        kind = TransferKind.PENDING if pending else TransferKind.SINGLE
        self._send(
            Transfer(self._id(), dr, cr, amount, "INR", kind=kind, timeout_s=timeout if pending else 0)
        )

    @rule(first=st.integers(1, 9_000), second=st.integers(1, 9_000), dr=st.sampled_from(ACCOUNTS))
    def linked_pair(self, first: int, second: int, dr: str) -> None:
        self._send(
            Transfer(self._id(), dr, "world", first, "INR", linked=True),
            Transfer(self._id(), dr, "world", second, "INR"),
        )

    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        if self.sent:
            self._send(data.draw(st.sampled_from(self.sent)))

    @rule(data=st.data(), void=st.booleans(), part=st.integers(0, 20_000))
    def settle(self, data: st.DataObject, void: bool, part: int) -> None:
        pending = [t for t in self.sent if t.kind is TransferKind.PENDING]
        if pending:
            p = data.draw(st.sampled_from(pending))
            kind = TransferKind.VOID if void else TransferKind.POST
            self._send(Transfer(self._id(), "", "", 0 if void else part, "", kind=kind, pending_id=p.id))

    @rule(seconds=st.integers(1, 90))
    def time_passes(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)
        self.book.expire_due(self.now)

    @rule(payer=st.sampled_from(BANKS), payee=st.sampled_from(BANKS), amount=st.integers(1, 40_000))
    def obligation(self, payer: str, payee: str, amount: int) -> None:
        if payer != payee:
            self.obligations.append(Obligation(self._id(), payer, payee, "INR", amount))

    @rule()
    def close_window(self) -> None:
        self.windows += 1
        for net in net_positions(self.obligations).values():
            chain = settlement_transfers(f"w{self.windows}", net)
            outcome = self.book.create_transfers(chain, self.now)
            assert len({r.ok for r in outcome.results}) == 1  # the whole chain, or none of it
            if outcome.ok:
                self.obligations = []
                self.sent.extend(chain)

    @invariant()
    def the_settlement_account_ends_where_it_began(self) -> None:
        hub = self.book.accounts[settlement_id("INR")]
        assert hub.credit_balance == 0 and hub.debits_pending == hub.credits_pending == 0

    @invariant()
    def balances_are_the_sum_of_their_postings(self) -> None:
        want: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for t in self.book.transfers.values():
            if t.posts:
                want[t.debit_account_id][1] += t.amount
                want[t.credit_account_id][3] += t.amount
            elif t.kind is TransferKind.PENDING and self.book.states[t.id] is PendingState.PENDING:
                want[t.debit_account_id][0] += t.amount
                want[t.credit_account_id][2] += t.amount
        for acc in self.book.accounts.values():
            assert list(acc.balances()) == want[acc.id], acc.id

    @invariant()
    def debits_equal_credits(self) -> None:
        accs = self.book.accounts.values()
        assert sum(a.debits_posted for a in accs) == sum(a.credits_posted for a in accs)
        assert sum(a.debits_pending for a in accs) == sum(a.credits_pending for a in accs)

    @invariant()
    def no_overdraft_where_forbidden(self) -> None:
        for acc in self.book.accounts.values():
            if acc.flags.debits_must_not_exceed_credits:
                assert acc.debits_posted + acc.debits_pending <= acc.credits_posted, acc.id
                assert acc.available >= 0


TestLedger = LedgerMachine.TestCase
TestLedger.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
