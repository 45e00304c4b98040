"""Applying a batch of transfers to a book of accounts, with TigerBeetle's invariants
(docs.tigerbeetle.com, reference "Transfers" and "Requests: create_transfers"):

- a transfer debits one account and credits another, different one, on the ledger both keep;
- its amount is positive (TigerBeetle allows zero since 0.16; here zero is refused);
- an id is used once: an identical retry has no second effect, the same id with other content fails;
- ``linked`` transfers form a chain that succeeds or fails as a whole, in order;
- a pending transfer reserves its amount (``*_pending`` balances) until it is posted (in full or in
  part), voided, or its timeout passes; each can happen once;
- an account flagged ``debits_must_not_exceed_credits`` never has pending plus posted debits above
  its posted credits (and the mirror rule for ``credits_must_not_exceed_debits``).

Every change goes through ``apply``, so the in-memory book and the SQL adapters share one rule set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from corridor.settlement.domain.currency import MAX_MINOR, currency, known
from corridor.settlement.domain.model import (
    ID_PATTERN,
    ID_RULE,
    Account,
    PendingState,
    Transfer,
    TransferKind,
    TransferResult,
)

BALANCE_LIMIT = 2**63 - 1  # balances are signed 64-bit integers in SQL


class Book(Protocol):
    """What applying a batch reads: accounts, earlier transfers and the state of pending ones.
    The accounts it returns are the caller's copies: ``apply`` changes their balances in place."""

    def account(self, account_id: str) -> Account | None: ...

    def transfer(self, transfer_id: str) -> Transfer | None: ...

    def pending_state(self, transfer_id: str) -> PendingState | None: ...


class Refused(Exception):
    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass
class Outcome:
    results: list[TransferResult] = field(default_factory=list)
    created: list[Transfer] = field(default_factory=list)
    accounts: dict[str, Account] = field(default_factory=dict)  # touched, with their new balances
    states: dict[str, PendingState] = field(default_factory=dict)  # pending transfers settled or expired

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)


class _Work:
    """The batch's view of the book: its own transfers and state changes, an undo log for chains."""

    def __init__(self, book: Book, outcome: Outcome) -> None:
        self.book = book
        self.out = outcome
        self.new: dict[str, Transfer] = {}
        self.undo: list[tuple[str, str, object]] = []

    def account(self, account_id: str, path: str) -> Account:
        acc = self.out.accounts.get(account_id)
        if acc is None:
            acc = self.book.account(account_id)
            if acc is None:
                raise Refused(path, f"no account {account_id!r} in this ledger")
            self.out.accounts[account_id] = acc
        return acc

    def transfer(self, transfer_id: str) -> Transfer | None:
        return self.new.get(transfer_id) or self.book.transfer(transfer_id)

    def state(self, transfer_id: str) -> PendingState | None:
        return self.out.states.get(transfer_id) or self.book.pending_state(transfer_id)

    def move(self, acc: Account, dp: int, dq: int, cp: int, cq: int) -> None:
        """Add to the debits pending / posted and credits pending / posted of ``acc``."""
        self.undo.append(("balance", acc.id, acc.balances()))
        acc.debits_pending += dp
        acc.debits_posted += dq
        acc.credits_pending += cp
        acc.credits_posted += cq

    def set_state(self, transfer_id: str, state: PendingState) -> None:
        self.undo.append(("state", transfer_id, self.out.states.get(transfer_id)))
        self.out.states[transfer_id] = state

    def create(self, transfer: Transfer) -> None:
        self.undo.append(("new", transfer.id, None))
        self.new[transfer.id] = transfer
        self.out.created.append(transfer)

    def rollback_to(self, mark: int) -> None:
        while len(self.undo) > mark:
            what, key, old = self.undo.pop()
            if what == "balance":
                self.out.accounts[key].set_balances(old)  # type: ignore[arg-type]
            elif what == "state":
                if old is None:
                    del self.out.states[key]
                else:
                    self.out.states[key] = old  # type: ignore[assignment]
            else:
                del self.new[key]
                self.out.created.pop()


def apply(book: Book, batch: Sequence[Transfer], now: datetime) -> Outcome:
    """Apply ``batch`` in order; each transfer (or linked chain) is created or refused on its own."""
    outcome = Outcome()
    work = _Work(book, outcome)
    chain: list[int] = []
    failed: tuple[int, str, str] | None = None
    mark = 0
    for index, transfer in enumerate(batch):
        if not chain:
            mark, failed = len(work.undo), None
        chain.append(index)
        status = "failed"
        if failed is None:
            try:
                status = _one(work, transfer, now)
            except Refused as exc:
                failed = (index, exc.path, exc.reason)
        outcome.results.append(TransferResult(index, transfer.id, status))
        if transfer.linked and index < len(batch) - 1:
            continue
        if transfer.linked and failed is None:
            failed = (
                index,
                "linked",
                "the batch ends inside a linked chain (its last transfer has linked set)",
            )
        if failed is not None:
            work.rollback_to(mark)
            _fail_chain(outcome, chain, failed)
        work.undo.clear()  # the chain stands: nothing to undo any more
        chain = []
    return outcome


def _fail_chain(outcome: Outcome, chain: list[int], failed: tuple[int, str, str]) -> None:
    at, path, reason = failed
    for index in chain:
        old = outcome.results[index]
        if index == at:
            outcome.results[index] = old._replace(status="failed", path=path, reason=reason)
        else:
            outcome.results[index] = old._replace(
                status="failed", path="linked", reason=f"linked transfer [{at}] failed: {path}: {reason}"
            )


def _one(work: _Work, t: Transfer, now: datetime) -> str:
    if not ID_PATTERN.match(t.id):
        raise Refused("id", ID_RULE)
    if t.kind in (TransferKind.POST, TransferKind.VOID):
        t = _resolve(work, t)
    earlier = work.transfer(t.id)
    if earlier is not None:
        differ = earlier.same_request(t)
        if differ:
            raise Refused("id", f"already used by a transfer with other {', '.join(differ)}")
        return "exists"
    t = _stamped(t, now)
    if t.kind in (TransferKind.POST, TransferKind.VOID):
        _settle_pending(work, t, now)
    else:
        _fresh(work, t)
    work.create(t)
    return "created"


def _stamped(t: Transfer, now: datetime) -> Transfer:
    """``t`` with its creation time (``dataclasses.replace`` costs several times this)."""
    return Transfer(t.id, t.debit_account_id, t.credit_account_id, t.amount, t.ledger, t.code, t.kind, t.linked,
                    t.pending_id, t.timeout_s, t.reference, t.fx, now)  # fmt: skip


def _fresh(work: _Work, t: Transfer) -> None:
    if t.pending_id is not None:
        raise Refused("pending_id", f"only a post or void names a pending transfer, not a {t.kind} one")
    if t.timeout_s and t.kind is not TransferKind.PENDING:
        raise Refused("timeout_s", "only a pending transfer has a timeout")
    if t.timeout_s < 0:
        raise Refused("timeout_s", "must not be negative")
    _check_amount(t.amount)
    debit, credit = _accounts(work, t)
    _room(debit, credit, t.amount)
    if t.kind is TransferKind.PENDING:
        work.move(debit, t.amount, 0, 0, 0)
        work.move(credit, 0, 0, t.amount, 0)
    else:
        work.move(debit, 0, t.amount, 0, 0)
        work.move(credit, 0, 0, 0, t.amount)


def _room(debit: Account, credit: Account, amount: int) -> None:
    """Refuse before anything moves when ``amount`` more debits / credits would break a limit."""
    debits = debit.debits_pending + debit.debits_posted + amount
    credits = credit.credits_pending + credit.credits_posted + amount
    if debit.flags.debits_must_not_exceed_credits and debits > debit.credits_posted:
        raise Refused(
            "amount",
            f"would overdraw account {debit.id!r}: available {_money(debit.available, debit.ledger)}, "
            f"transfer {_money(amount, debit.ledger)}",
        )
    if credit.flags.credits_must_not_exceed_debits and credits > credit.debits_posted:
        raise Refused(
            "amount", f"would take account {credit.id!r} past its debits (credits_must_not_exceed_debits)"
        )
    if debits > BALANCE_LIMIT or credits > BALANCE_LIMIT:
        raise Refused("amount", "would overflow a balance of the accounts")


def _check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise Refused("amount", "must be an integer number of minor units")
    if amount <= 0:
        raise Refused("amount", "must be greater than zero")
    if amount > MAX_MINOR:
        raise Refused("amount", f"must not exceed {MAX_MINOR} minor units")


def _accounts(work: _Work, t: Transfer) -> tuple[Account, Account]:
    if not known(t.ledger):
        raise Refused("ledger", f"{t.ledger!r} is not a currency this ledger keeps")
    if t.debit_account_id == t.credit_account_id:
        raise Refused("credit_account_id", "debit and credit accounts must differ")
    debit = work.account(t.debit_account_id, "debit_account_id")
    credit = work.account(t.credit_account_id, "credit_account_id")
    for acc, path in ((debit, "debit_account_id"), (credit, "credit_account_id")):
        if acc.ledger != t.ledger:
            raise Refused(
                "ledger", f"transfer in {t.ledger}, but account {acc.id!r} ({path}) keeps {acc.ledger}"
            )
    return debit, credit


def _limits(debit: Account, credit: Account, amount: int) -> None:
    if debit.flags.debits_must_not_exceed_credits and (
        debit.debits_pending + debit.debits_posted > debit.credits_posted
    ):
        raise Refused(
            "amount",
            f"would overdraw account {debit.id!r}: available {_money(debit.available + amount, debit.ledger)}, "
            f"transfer {_money(amount, debit.ledger)}",
        )
    if credit.flags.credits_must_not_exceed_debits and (
        credit.credits_pending + credit.credits_posted > credit.debits_posted
    ):
        raise Refused(
            "amount", f"would take account {credit.id!r} past its debits (credits_must_not_exceed_debits)"
        )
    for acc in (debit, credit):
        if max(acc.balances()) > BALANCE_LIMIT:
            raise Refused("amount", f"would overflow a balance of account {acc.id!r}")


def _money(minor: int, ccy: str) -> str:
    return f"{currency(ccy).format(minor)} {ccy}"


def _resolve(work: _Work, t: Transfer) -> Transfer:
    """A post or void with the accounts, ledger and amount of its pending transfer filled in
    (blank accounts and ledger, amount 0 mean "as pending"); others must match it."""
    if not t.pending_id:
        raise Refused("pending_id", f"a {t.kind} names the pending transfer it settles")
    pending = work.transfer(t.pending_id)
    if pending is None or pending.kind is not TransferKind.PENDING:
        raise Refused("pending_id", f"no pending transfer {t.pending_id!r}")
    for name in ("debit_account_id", "credit_account_id", "ledger"):
        given = getattr(t, name)
        if given and given != getattr(pending, name):
            raise Refused(name, f"differs from the pending transfer's ({getattr(pending, name)!r})")
    amount = t.amount or pending.amount
    if t.kind is TransferKind.VOID and amount != pending.amount:
        raise Refused("amount", "a void releases the whole pending amount (give 0 or that amount)")
    if amount < 0 or amount > pending.amount:
        raise Refused("amount", f"a post takes between 1 and the pending {pending.amount} minor units")
    return t._replace(
        debit_account_id=pending.debit_account_id,
        credit_account_id=pending.credit_account_id,
        ledger=pending.ledger,
        amount=amount,
    )


def _settle_pending(work: _Work, t: Transfer, now: datetime) -> None:
    assert t.pending_id is not None
    pending = work.transfer(t.pending_id)
    assert pending is not None
    state = work.state(pending.id)
    deadline = pending.expires_at()
    if state is PendingState.PENDING and deadline is not None and deadline <= now:
        _expire(work, pending)
        state = PendingState.EXPIRED
    if state is not PendingState.PENDING:
        raise Refused("pending_id", f"the pending transfer {pending.id!r} is already {state}")
    debit = work.account(pending.debit_account_id, "debit_account_id")
    credit = work.account(pending.credit_account_id, "credit_account_id")
    posted = t.amount if t.kind is TransferKind.POST else 0
    work.move(debit, -pending.amount, posted, 0, 0)
    work.move(credit, 0, 0, -pending.amount, posted)
    work.set_state(pending.id, PendingState.POSTED if t.kind is TransferKind.POST else PendingState.VOIDED)
    _limits(debit, credit, posted)


def _expire(work: _Work, pending: Transfer) -> None:
    debit = work.account(pending.debit_account_id, "debit_account_id")
    credit = work.account(pending.credit_account_id, "credit_account_id")
    work.move(debit, -pending.amount, 0, 0, 0)
    work.move(credit, 0, 0, -pending.amount, 0)
    work.set_state(pending.id, PendingState.EXPIRED)


def expire(book: Book, due: Iterable[Transfer], now: datetime) -> Outcome:
    """Release the reservations of the pending transfers in ``due`` whose timeout has passed."""
    outcome = Outcome()
    work = _Work(book, outcome)
    for pending in due:
        deadline = pending.expires_at()
        if deadline is not None and deadline <= now and work.state(pending.id) is PendingState.PENDING:
            _expire(work, pending)
    return outcome
