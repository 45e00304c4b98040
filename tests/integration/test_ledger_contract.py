"""One contract for settlement's stores: in memory, SQLite and PostgreSQL behave alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from corridor.adapters.database import make_engine, migrate
from corridor.adapters.settlement_memory import MemorySettlementUnitOfWork, SettlementState
from corridor.adapters.unit_of_work import SqlUnitOfWork
from corridor.settlement.domain.model import (
    Account,
    AccountCode,
    AccountFlags,
    FxQuote,
    PendingState,
    Transfer,
    TransferKind,
)
from corridor.settlement.domain.netting import Obligation
from corridor.settlement.domain.srva import sample_chart
from corridor.settlement.ports import Claim, SettlementUnitOfWork
from corridor.shared.errors import FieldError

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
UowFactory = Callable[[], SettlementUnitOfWork]
SAFE = AccountFlags(debits_must_not_exceed_credits=True)
QUOTE = FxQuote("INR", "RUB", Decimal("0.9350"), "2026-01-01", "illustrative figure (sample)")


def accounts() -> list[Account]:
    return [
        Account("world", "INR", AccountCode.FUNDING, "x", "outside"),
        Account("imp", "INR", AccountCode.CUSTOMER, "IMP", "importer", SAFE, bic="SAMAINBBXXX"),
        Account("exp", "INR", AccountCode.CUSTOMER, "EXP", "exporter", SAFE),
    ]


def seeded(uow: UowFactory, funds: int = 100_00) -> None:
    with uow() as u:
        assert u.ledger.create_accounts(accounts(), T0) == ["created"] * 3
        assert u.ledger.create_transfers([Transfer("fund", "world", "imp", funds, "INR")], T0).ok
        u.commit()


class LedgerContract:
    def test_accounts_are_kept_with_their_definition(self, uow: UowFactory) -> None:
        seeded(uow)
        with uow() as u:
            imp = u.ledger.account("imp")
            assert imp is not None and imp.bic == "SAMAINBBXXX" and imp.flags == SAFE
            assert imp.credit_balance == 100_00 and imp.created_at == T0
            assert [a.id for a in u.ledger.accounts("INR")] == ["exp", "imp", "world"]
            again = u.ledger.create_accounts(accounts()[:1], T0)
            other = u.ledger.create_accounts([Account("imp", "RUB", AccountCode.CUSTOMER, "IMP", "x")], T0)
        assert again == ["exists"]
        assert isinstance(other[0], FieldError) and other[0].path == "accounts[0].id"

    def test_existing_names_the_accounts_held_and_forgets_those_of_a_rollback(self, uow: UowFactory) -> None:
        with uow() as u:
            assert u.ledger.existing(["world", "imp"]) == set()
            u.ledger.create_accounts(accounts()[:1], T0)
            assert u.ledger.existing(["world", "imp"]) == {"world"}  # as this transaction sees it
        with uow() as u:  # that transaction was rolled back
            assert u.ledger.existing(["world", "imp"]) == set()
        seeded(uow)
        with uow() as u:
            assert u.ledger.existing(["world", "imp", "nobody"]) == {"world", "imp"}
        with uow() as u:  # asked again, as remembered
            assert u.ledger.existing(["imp", "nobody", "exp"]) == {"imp", "exp"}
            assert u.ledger.create_accounts(
                [*accounts()[:1], Account("new", "INR", AccountCode.CUSTOMER, "N", "n")], T0
            ) == ["exists", "created"]
            assert u.ledger.existing(["new"]) == {"new"}

    def test_the_sample_chart_is_accepted(self, uow: UowFactory) -> None:
        with uow() as u:
            assert set(u.ledger.create_accounts(sample_chart(), T0)) == {"created"}

    def test_transfers_are_kept_and_retries_have_no_second_effect(self, uow: UowFactory) -> None:
        seeded(uow)
        t = Transfer("pay-1", "imp", "exp", 40_00, "INR", "invoice", reference="UCR-1", fx=QUOTE)
        with uow() as u:
            assert u.ledger.create_transfers([t], T0).results[0].status == "created"
            u.commit()
        with uow() as u:
            assert u.ledger.create_transfers([t], T0).results[0].status == "exists"
            changed = u.ledger.create_transfers([Transfer("pay-1", "imp", "exp", 41_00, "INR")], T0).results[
                0
            ]
            u.commit()
        assert changed.status == "failed" and changed.path == "id"
        with uow() as u:
            stored = u.ledger.transfer("pay-1")
            exp = u.ledger.account("exp")
            assert exp is not None and exp.credit_balance == 40_00
            assert stored is not None and stored.fx == QUOTE and stored.timestamp == T0
            assert [x.id for x in u.ledger.by_reference("UCR-1")] == ["pay-1"]

    def test_text_is_kept_exactly(self, uow: UowFactory) -> None:
        seeded(uow)
        odd = "UCR\\1\t«накладная» \\N 🚢"
        quote = FxQuote("INR", "RUB", Decimal("0.9350"), "2026-01-01", "source with \\ and \t")
        with uow() as u:
            assert u.ledger.create_transfers(
                [Transfer("odd", "imp", "exp", 1, "INR", odd, reference=odd, fx=quote)], T0
            ).ok
            u.commit()
        with uow() as u:
            stored = u.ledger.transfer("odd")
        assert stored is not None and (stored.code, stored.reference, stored.fx) == (odd, odd, quote)
        assert (
            stored.same_request(Transfer("odd", "imp", "exp", 1, "INR", odd, reference=odd, fx=quote)) == []
        )

    def test_nothing_is_kept_without_commit(self, uow: UowFactory) -> None:
        seeded(uow)
        with uow() as u:
            u.ledger.create_transfers([Transfer("pay-1", "imp", "exp", 40_00, "INR")], T0)
        with uow() as u:
            assert u.ledger.transfer("pay-1") is None
            imp = u.ledger.account("imp")
            assert imp is not None and imp.credit_balance == 100_00

    def test_linked_chain_and_overdraft_refused_in_storage_too(self, uow: UowFactory) -> None:
        seeded(uow)
        chain = [
            Transfer("a", "imp", "exp", 60_00, "INR", linked=True),
            Transfer("b", "imp", "exp", 60_00, "INR"),
        ]
        with uow() as u:
            out = u.ledger.create_transfers(chain, T0)
            u.commit()
        assert [r.status for r in out.results] == ["failed", "failed"]
        with uow() as u:
            assert u.ledger.transfer("a") is None

    def test_pending_post_void_and_expiry_are_stored(self, uow: UowFactory) -> None:
        seeded(uow)
        with uow() as u:
            u.ledger.create_transfers(
                [
                    Transfer("p1", "imp", "exp", 30_00, "INR", kind=TransferKind.PENDING),
                    Transfer("p2", "imp", "exp", 30_00, "INR", kind=TransferKind.PENDING, timeout_s=60),
                    Transfer("p3", "imp", "exp", 30_00, "INR", kind=TransferKind.PENDING),
                ],
                T0,
            )
            u.commit()
        with uow() as u:
            post = Transfer("x1", "", "", 10_00, "", kind=TransferKind.POST, pending_id="p1")
            void = Transfer("x3", "", "", 0, "", kind=TransferKind.VOID, pending_id="p3")
            assert u.ledger.create_transfers([post, void], T0).ok
            assert u.ledger.expire_due(T0 + timedelta(seconds=61)) == 1
            u.commit()
        with uow() as u:
            states = [u.ledger.pending_state(p) for p in ("p1", "p2", "p3")]
            imp = u.ledger.account("imp")
            assert states == [PendingState.POSTED, PendingState.EXPIRED, PendingState.VOIDED]
            assert imp is not None and imp.balances() == (0, 10_00, 0, 100_00)
            assert [t.id for t in u.ledger.postings("imp")] == ["fund", "x1"]
            assert u.ledger.postings("imp", start=T0 + timedelta(seconds=1)) == []

    def test_claims_windows_obligations_and_records(self, uow: UowFactory) -> None:
        claim = Claim(
            "c1", "export_invoice", "26IN1", "IMP", "EXP", "INR", 500_00, date(2026, 3, 1), "UCR-1", "INV-1"
        )
        with uow() as u:
            u.records.add_claim(claim)
            window = u.records.open_window(T0)
            assert u.records.open_window(T0).id == window.id
            ob = Obligation("o1", "BANKA", "BANKB", "INR", 5_00, "r", window.id, T0)
            assert u.records.add_obligation(ob) and not u.records.add_obligation(ob)
            u.records.add_record("26IN1", {"signed": True}, T0)
            u.commit()
        with uow() as u:
            assert u.records.claims("export_invoice") == [claim]
            assert u.records.claims("duty") == []
            assert u.records.obligations(window.id) == [ob]
            window.state, window.closed_at, window.report = "closed", T0, {"INR": {"gross": "5.00"}}
            u.records.close_window(window)
            u.commit()
        with uow() as u:
            assert u.records.windows()[0].report == {"INR": {"gross": "5.00"}}
            assert u.records.open_window(T0).id != window.id
            assert u.records.record("26IN1") == {"signed": True}


class TestMemoryLedger(LedgerContract):
    @pytest.fixture
    def uow(self) -> UowFactory:
        state = SettlementState()
        return lambda: MemorySettlementUnitOfWork(state)


class TestSqliteLedger(LedgerContract):
    @pytest.fixture
    def uow(self, tmp_path: Path) -> UowFactory:
        engine = make_engine(f"sqlite:///{tmp_path / 'node.sqlite'}")
        migrate(engine)
        return lambda: SqlUnitOfWork(engine)


@pytest.mark.postgres
class TestPostgresLedger(LedgerContract):
    @pytest.fixture
    def uow(self, pg_available: str, pg_schema: str) -> UowFactory:
        engine = make_engine(pg_available, pg_schema)
        migrate(engine)
        return lambda: SqlUnitOfWork(engine)
