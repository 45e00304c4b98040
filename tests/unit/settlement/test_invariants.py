"""One test per ledger invariant (TigerBeetle's, as docs/SETTLEMENT.md states them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from corridor.settlement.domain.currency import currency, parse_amount
from corridor.settlement.domain.ledger import MemoryLedger
from corridor.settlement.domain.model import (
    Account,
    AccountCode,
    AccountFlags,
    PendingState,
    Transfer,
    TransferKind,
)
from corridor.shared.errors import FieldError

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
NO_OVERDRAFT = AccountFlags(debits_must_not_exceed_credits=True)


def ledger() -> MemoryLedger:
    book = MemoryLedger()
    for acc in (
        Account("funding:INR", "INR", AccountCode.FUNDING, "corridor", "funding"),
        Account("importer", "INR", AccountCode.CUSTOMER, "IMP", "importer", NO_OVERDRAFT),
        Account("exporter", "INR", AccountCode.CUSTOMER, "EXP", "exporter", NO_OVERDRAFT),
        Account("rub", "RUB", AccountCode.CUSTOMER, "IMP", "rouble account", NO_OVERDRAFT),
    ):
        assert book.create_account(acc, T0) == "created"
    fund(book, "importer", 100_00)
    return book


def fund(book: MemoryLedger, account: str, amount: int) -> None:
    out = book.create_transfers(
        [Transfer(f"fund-{account}-{amount}", "funding:INR", account, amount, "INR")], T0
    )
    assert out.ok, out.results


def pay(id_: str = "t1", amount: int = 40_00, **kw: object) -> Transfer:
    return Transfer(id_, "importer", "exporter", amount, "INR", **kw)  # type: ignore[arg-type]


def only(book: MemoryLedger, *batch: Transfer, now: datetime = T0) -> tuple[str, str, str]:
    r = book.create_transfers(list(batch), now).results[0]
    return r.status, r.path, r.reason


def test_a_transfer_debits_one_account_and_credits_another() -> None:
    book = ledger()
    assert only(book, pay())[0] == "created"
    assert book.accounts["importer"].credit_balance == 60_00
    assert book.accounts["exporter"].credit_balance == 40_00


def test_debits_equal_credits_across_the_ledger() -> None:
    book = ledger()
    book.create_transfers([pay("a"), pay("b", 10_00)], T0)
    debits = sum(a.debits_posted for a in book.accounts.values() if a.ledger == "INR")
    credits = sum(a.credits_posted for a in book.accounts.values() if a.ledger == "INR")
    assert debits == credits == 150_00


def test_an_identical_retry_has_no_second_effect() -> None:
    book = ledger()
    assert only(book, pay())[0] == "created"
    assert only(book, pay())[0] == "exists"
    assert book.accounts["exporter"].credit_balance == 40_00


def test_the_same_id_with_other_content_is_refused_naming_the_field() -> None:
    book = ledger()
    only(book, pay())
    status, path, reason = only(book, pay(amount=41_00))
    assert (status, path) == ("failed", "id") and "amount" in reason


@pytest.mark.parametrize(
    ("transfer", "path"),
    [
        (Transfer("x", "importer", "nobody", 1, "INR"), "credit_account_id"),
        (Transfer("x", "ghost", "importer", 1, "INR"), "debit_account_id"),
        (Transfer("x", "importer", "importer", 1, "INR"), "credit_account_id"),
        (Transfer("x", "importer", "rub", 1, "INR"), "ledger"),
        (Transfer("x", "importer", "exporter", 1, "RUB"), "ledger"),
        (Transfer("x", "importer", "exporter", 0, "INR"), "amount"),
        (Transfer("x", "importer", "exporter", -5, "INR"), "amount"),
        (Transfer("bad id!", "importer", "exporter", 1, "INR"), "id"),
        (Transfer("x", "importer", "exporter", 1, "INR", timeout_s=5), "timeout_s"),
    ],
)
def test_unsound_transfers_are_refused_naming_the_field(transfer: Transfer, path: str) -> None:
    book = ledger()
    status, got, _ = only(book, transfer)
    assert (status, got) == ("failed", path)
    assert book.accounts["importer"].credit_balance == 100_00


def test_an_account_that_forbids_overdraft_is_never_overdrawn() -> None:
    book = ledger()
    status, path, reason = only(book, pay(amount=100_01))
    assert (status, path) == ("failed", "amount") and "overdraw" in reason
    assert only(book, pay(amount=100_00))[0] == "created"
    assert book.accounts["importer"].credit_balance == 0


def test_linked_transfers_commit_all_or_nothing() -> None:
    book = ledger()
    chain = [pay("a", 60_00, linked=True), pay("b", 60_00)]  # together they overdraw
    results = book.create_transfers(chain, T0).results
    assert [r.status for r in results] == ["failed", "failed"]
    assert results[0].path == "linked" and results[1].path == "amount"
    assert book.accounts["importer"].credit_balance == 100_00 and "a" not in book.transfers


def test_a_batch_ending_inside_a_chain_is_refused() -> None:
    book = ledger()
    results = book.create_transfers([pay("a", 1_00, linked=True)], T0).results
    assert results[0].status == "failed" and results[0].path == "linked"


def test_unlinked_transfers_of_a_batch_stand_alone() -> None:
    book = ledger()
    results = book.create_transfers([pay("a", 60_00), pay("b", 60_00)], T0).results
    assert [r.status for r in results] == ["created", "failed"]


def test_pending_reserves_then_post_moves_at_most_the_reserved_amount() -> None:
    book = ledger()
    assert only(book, pay("p", 70_00, kind=TransferKind.PENDING))[0] == "created"
    assert book.accounts["importer"].available == 30_00
    assert only(book, pay("other", 30_01))[2].startswith("would overdraw")
    post = Transfer("post", "", "", 50_00, "", kind=TransferKind.POST, pending_id="p")
    assert only(book, post)[0] == "created"
    imp = book.accounts["importer"]
    assert (imp.debits_pending, imp.debits_posted, imp.available) == (0, 50_00, 50_00)
    assert book.states["p"] is PendingState.POSTED
    again = Transfer("post2", "", "", 0, "", kind=TransferKind.POST, pending_id="p")
    assert "already posted" in only(book, again)[2]


def test_void_releases_the_reservation() -> None:
    book = ledger()
    only(book, pay("p", 70_00, kind=TransferKind.PENDING))
    assert only(book, Transfer("v", "", "", 0, "", kind=TransferKind.VOID, pending_id="p"))[0] == "created"
    assert book.accounts["importer"].available == 100_00 and book.states["p"] is PendingState.VOIDED


def test_a_post_cannot_take_more_than_was_reserved() -> None:
    book = ledger()
    only(book, pay("p", 70_00, kind=TransferKind.PENDING))
    assert only(book, Transfer("x", "", "", 70_01, "", kind=TransferKind.POST, pending_id="p"))[1] == "amount"


def test_a_pending_transfer_expires_after_its_timeout() -> None:
    book = ledger()
    only(book, pay("p", 70_00, kind=TransferKind.PENDING, timeout_s=60))
    late = T0 + timedelta(seconds=60)
    status, path, reason = only(
        book, Transfer("x", "", "", 0, "", kind=TransferKind.POST, pending_id="p"), now=late
    )
    assert (status, path) == ("failed", "pending_id") and "expired" in reason
    assert book.expire_due(late) == 1
    assert book.accounts["importer"].available == 100_00 and book.states["p"] is PendingState.EXPIRED


def test_a_post_before_the_timeout_succeeds() -> None:
    book = ledger()
    only(book, pay("p", 70_00, kind=TransferKind.PENDING, timeout_s=60))
    post = Transfer("x", "", "", 0, "", kind=TransferKind.POST, pending_id="p")
    assert only(book, post, now=T0 + timedelta(seconds=59))[0] == "created"


def test_an_account_with_the_same_id_and_other_definition_is_refused() -> None:
    book = ledger()
    again = Account("importer", "INR", AccountCode.CUSTOMER, "IMP", "importer", NO_OVERDRAFT)
    assert book.create_account(again, T0) == "exists"
    other = Account("importer", "RUB", AccountCode.CUSTOMER, "IMP", "importer", NO_OVERDRAFT)
    result = book.create_account(other, T0)
    assert isinstance(result, FieldError) and result.path == "accounts[0].id"


def test_bic_and_iban_are_checked() -> None:
    book = MemoryLedger()
    bad = Account("a", "INR", AccountCode.CUSTOMER, "x", "x", bic="SAMA1NBB")
    result = book.create_account(bad, T0)
    assert isinstance(result, FieldError) and result.path == "accounts[0].bic"
    bad_iban = Account("b", "EUR", AccountCode.CUSTOMER, "x", "x", iban="DE89370400440532013001")
    result = book.create_account(bad_iban, T0)
    assert isinstance(result, FieldError) and result.path == "accounts[0].iban"
    good = Account(
        "c", "EUR", AccountCode.CUSTOMER, "x", "x", bic="SAMAINBBXXX", iban="DE89370400440532013000"
    )
    assert book.create_account(good, T0) == "created"


@pytest.mark.parametrize(
    ("raw", "ccy", "expected"),
    [
        ("1234.50", "INR", 123450),
        ("12", "INR", 1200),
        (12, "JPY", 12),
        ("0.001", "KWD", 1),
        ("5.5", "RUB", 550),
    ],
)
def test_amounts_become_exact_minor_units(raw: object, ccy: str, expected: int) -> None:
    assert parse_amount(raw, ccy, "amount") == expected


@pytest.mark.parametrize(
    ("raw", "ccy", "reason"),
    [
        ("12.345", "INR", "2 decimal places"),
        ("1.5", "JPY", "0 decimal places"),
        (12.5, "INR", "not a binary number"),
        ("0", "INR", "greater than zero"),
        ("0.00", "INR", "greater than zero"),
        ("-1", "INR", "positive decimal"),
        ("1e3", "INR", "positive decimal"),
        (True, "INR", "not a binary number"),
        ("99999999999999999", "INR", "positive decimal"),
    ],
)
def test_unsound_amounts_are_refused_with_the_reason(raw: object, ccy: str, reason: str) -> None:
    result = parse_amount(raw, ccy, "transfers[0].amount")
    assert isinstance(result, FieldError) and reason in result.reason
    assert result.path == "transfers[0].amount"


def test_currencies_format_with_their_minor_units() -> None:
    assert currency("INR").format(123405) == "1234.05"
    assert currency("JPY").format(12) == "12"
    assert currency("KWD").format(-1) == "-0.001"
