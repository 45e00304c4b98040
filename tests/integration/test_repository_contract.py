"""One contract, three adapters: in-memory fakes, SQLite and PostgreSQL must behave alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from corridor.adapters.database import make_engine, migrate
from corridor.adapters.memory import MemoryStore, MemoryUnitOfWork
from corridor.adapters.unit_of_work import SqlUnitOfWork
from corridor.customs.domain.filed_document import FiledDocument
from corridor.customs.domain.model import CustomsDeclaration
from corridor.customs.domain.vocabulary import Flow
from corridor.customs.domain.wco import DeclarationDocument
from corridor.demo.samples import SampleCorridor
from corridor.documents.issuers import Issuer
from corridor.documents.revocation import RevocationRecord
from corridor.service.ports import (
    ApiKey,
    CommitConflict,
    ConcurrentUpdate,
    OutboxMessage,
    StoredEvent,
    Trader,
    TrustedKey,
    UnitOfWork,
)
from corridor.settlement.domain.model import Account, AccountCode
from corridor.shared.errors import Conflict

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def sample_document(lrn: str) -> DeclarationDocument:
    """A sample declaration (labelled sample data) with its own LRN and a Cyrillic importer name."""
    document = SampleCorridor(7).next("IN", T0)
    document["Declaration"]["FunctionalReferenceID"] = lrn
    document["Declaration"]["GoodsShipment"]["Importer"]["Name"] = "ООО «Два»"
    return DeclarationDocument.model_validate(document)


def declaration(
    declaration_id: str = "26IN0000000000000A", trader: str = "AAACS1234F", lrn: str = "LRN-1"
) -> CustomsDeclaration:
    d = CustomsDeclaration(
        id=declaration_id,
        node="IN",
        flow=Flow.EXPORT,
        lrn=lrn,
        trader_id=trader,
        exporter_id=trader,
        importer_id="7707083893",
        filed=FiledDocument.of(sample_document(lrn)),
        created_at=T0,
    )
    d.record("registration", T0, office="INNSA")
    return d


def message(message_id: str, at: datetime = T0) -> OutboxMessage:
    return OutboxMessage(
        message_id=message_id, recipient="RU", type="customs.prearrival.v1", envelope='{"x":1}', created_at=at
    )


def issuer(issuer_id: str, public_key: str = "A" * 43, active: bool = True) -> Issuer:
    return Issuer(
        id=issuer_id,
        name="Sample Chamber of Commerce",
        country="IN",
        role="chamber of commerce",
        key_id="key-0123456789abcdef",
        public_key=public_key,
        registered_at="2026-03-02T09:30:00Z",
        node="IN",
        active=active,
    )


def revocation(
    hash_hex: str, issuer_id: str, kind: str = "document", at: str = "2026-03-02T09:30:00Z"
) -> RevocationRecord:
    return RevocationRecord.model_validate(
        {
            "kind": kind,
            "hash": hash_hex,
            "issuer_id": issuer_id,
            "reason": "issued in error — выдан ошибочно",
            "revoked_at": at,
            "verification_method": f"{issuer_id}#key-0123456789abcdef",
            "signature": "s" * 86,
        }
    )


def change_elsewhere(uow: Callable[[], UnitOfWork], declaration_id: str) -> None:
    """Another transaction clears the declaration and commits."""
    with uow() as other:
        changed = other.declarations.get(declaration_id)
        assert changed is not None
        changed.status = "cleared"
        other.declarations.save(changed)
        other.commit()


class RepositoryContract:
    @pytest.fixture
    def uow(self) -> Callable[[], UnitOfWork]:
        raise NotImplementedError  # each adapter's test class provides it

    def test_declaration_round_trip_with_stages(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            u.declarations.add(declaration())
            u.commit()
        with uow() as u:
            got = u.declarations.get("26IN0000000000000A")
            stages = u.declarations.stages("26IN0000000000000A")
        assert got is not None
        assert got.document_json() == declaration().document_json()
        assert got.document.Declaration.GoodsShipment.Importer.Name == "ООО «Два»"
        assert got.created_at == T0
        assert got.version == 1
        assert [(s.name, s.at, s.detail) for s in stages] == [("registration", T0, {"office": "INNSA"})]

    def test_declarations_read_together_are_the_objects_a_get_returns(
        self, uow: Callable[[], UnitOfWork]
    ) -> None:
        with uow() as u:
            u.declarations.add(declaration())
            u.declarations.add(declaration("26IN0000000000000B", lrn="LRN-2"))
            u.commit()
        with uow() as u:
            found = u.declarations.get_many(
                ["26IN0000000000000B", "26RU0000000000000X", "26IN0000000000000A"]
            )
            assert sorted(d.id for d in found) == ["26IN0000000000000A", "26IN0000000000000B"]
            assert all(u.declarations.get(d.id) is d for d in found)  # one object per declaration
            assert u.declarations.get_many([]) == []

    def test_uncommitted_work_is_lost(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            u.declarations.add(declaration())
            u.outbox.add(message("m-1"))
        with uow() as u:
            assert u.declarations.get("26IN0000000000000A") is None
            assert u.outbox.count() == 0

    def test_a_savepoint_undoes_only_what_was_done_inside_it(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            u.outbox.add(message("kept"))
            with pytest.raises(RuntimeError), u.savepoint():
                u.outbox.add(message("undone"))
                u.declarations.add(declaration())
                raise RuntimeError("the handler failed")
            with u.savepoint():
                u.outbox.add(message("also kept"))
            u.commit()
        with uow() as u:
            assert sorted(m.message_id for m in u.outbox.with_status(status="pending")) == [
                "also kept",
                "kept",
            ]
            assert u.declarations.get("26IN0000000000000A") is None

    def test_a_declaration_changed_in_an_undone_savepoint_is_read_afresh(
        self, uow: Callable[[], UnitOfWork]
    ) -> None:
        """A refused message's changes to a declaration it was handed are undone with its
        savepoint, and the next message of the batch is handed the declaration as stored."""
        with uow() as u:
            u.declarations.add(declaration())
            u.commit()
        with uow() as u:
            held = u.declarations.get("26IN0000000000000A")
            assert held is not None
            with pytest.raises(Conflict), u.savepoint():
                held.status = "cleared"
                u.declarations.save(held)
                raise Conflict("the message is refused")
            again = u.declarations.get("26IN0000000000000A")
            assert again is not None and (again.status, again.version) == ("filed", 1)
            again.status = "released"
            u.declarations.save(again)
            u.commit()
        with uow() as u:
            stored = u.declarations.get("26IN0000000000000A")
        assert stored is not None and (stored.status, stored.version) == ("released", 2)

    def test_an_account_opened_in_an_undone_savepoint_is_not_held(
        self, uow: Callable[[], UnitOfWork]
    ) -> None:
        funding = Account("funding-inr", "INR", AccountCode.FUNDING, "x", "outside")
        with uow() as u:
            with pytest.raises(RuntimeError), u.savepoint():
                assert u.ledger.create_accounts([funding], T0) == ["created"]
                assert u.ledger.existing([funding.id]) == {funding.id}
                raise RuntimeError("the handler failed")
            assert u.ledger.existing([funding.id]) == set()
            u.commit()
        with uow() as u:
            assert u.ledger.existing([funding.id]) == set()
            assert u.ledger.create_accounts([funding], T0) == ["created"]
            u.commit()
        with uow() as u:
            assert u.ledger.existing([funding.id]) == {funding.id}

    def test_stale_save_is_refused(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            u.declarations.add(declaration())
            u.commit()
        change_elsewhere(uow, "26IN0000000000000A")
        with uow() as u:
            stale = u.declarations.get("26IN0000000000000A")
            assert stale is not None
            stale.version -= 1
            with pytest.raises(ConcurrentUpdate):
                u.declarations.save(stale)
                u.commit()  # writes sent together are checked by then at the latest

    def test_a_refusal_after_a_stale_save_is_a_concurrent_update(self, uow: Callable[[], UnitOfWork]) -> None:
        """What a command refuses after saving a declaration someone else changed meanwhile may come
        from the stale state: the command is run again on fresh reads rather than refused."""
        with uow() as u:
            u.declarations.add(declaration())
            u.commit()
        with uow() as u:
            stale = u.declarations.get("26IN0000000000000A")
        change_elsewhere(uow, "26IN0000000000000A")
        assert stale is not None
        with pytest.raises(ConcurrentUpdate), uow() as u:
            u.declarations.save(stale)
            raise Conflict("status: refused on what the stale read showed")
        with uow() as u:
            fresh = u.declarations.get("26IN0000000000000A")
            assert fresh is not None
            stale.version = 1  # as read, before the save above counted it up
            with pytest.raises(ConcurrentUpdate), u.savepoint():
                u.declarations.save(stale)
                raise Conflict("status: refused on what the stale read showed")
            fresh.status = "released"  # the savepoint's rollback left the transaction usable
            u.declarations.save(fresh)
            u.commit()
        with uow() as u:
            final = u.declarations.get("26IN0000000000000A")
        assert final is not None and final.status == "released"

    def test_a_stale_declaration_among_others_saved_together_undoes_them_all(
        self, uow: Callable[[], UnitOfWork]
    ) -> None:
        with uow() as u:
            for n in "ABC":
                u.declarations.add(declaration(f"26IN0000000000000{n}", lrn=f"L{n}"))
            u.commit()
        with uow() as u:
            fresh = [u.declarations.get(f"26IN0000000000000{n}") for n in "ABC"]
        change_elsewhere(uow, "26IN0000000000000B")
        with uow() as u, pytest.raises(ConcurrentUpdate):
            for d in fresh:
                assert d is not None
                d.status = "released"
                u.declarations.save(d)
            u.commit()
        with uow() as u:
            statuses = {n: u.declarations.get(f"26IN0000000000000{n}") for n in "ABC"}
        assert {n: d.status if d else None for n, d in statuses.items()} == {
            "A": "filed",
            "B": "cleared",
            "C": "filed",
        }

    def test_find_by_lrn_and_list_by_trader(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            u.declarations.add(declaration("26IN0000000000000A", "AAACS1234F", "L1"))
            u.declarations.add(declaration("26IN0000000000000B", "AAACS1234F", "L2"))
            u.declarations.add(declaration("26IN0000000000000C", "BBBCS1234F", "L1"))
            u.commit()
        with uow() as u:
            found = u.declarations.find_by_lrn(Flow.EXPORT, "BBBCS1234F", "L1")
            assert found is not None and found.id == "26IN0000000000000C"
            assert u.declarations.find_by_lrn(Flow.EXPORT, "BBBCS1234F", "L2") is None
            mine = u.declarations.query(trader_id="AAACS1234F")
            assert sorted(d.id for d in mine) == ["26IN0000000000000A", "26IN0000000000000B"]
            assert len(u.declarations.query(limit=2)) == 2
            assert len(u.declarations.query(limit=2, offset=2)) == 1
            assert [d.id for d in u.declarations.query(lrn="L2")] == ["26IN0000000000000B"]
            mine_l1 = u.declarations.query(trader_id="AAACS1234F", lrn="L1")
            assert [d.id for d in mine_l1] == ["26IN0000000000000A"]
            assert u.declarations.query(trader_id="BBBCS1234F", lrn="L2") == []

    def test_outbox_due_sent_retry_dead(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            for i in range(3):
                u.outbox.add(message(f"m-{i}", T0 + timedelta(seconds=i)))
            u.commit()
        with uow() as u:
            assert [m.message_id for m in u.outbox.due(T0 + timedelta(minutes=1), 10)] == [
                "m-0",
                "m-1",
                "m-2",
            ]
            u.outbox.mark_sent(["m-0"], T0)
            u.outbox.mark_retry("m-1", "peer down", T0 + timedelta(hours=1))
            u.outbox.mark_dead("m-2", "refused: signature")
            u.commit()
        with uow() as u:
            assert u.outbox.due(T0 + timedelta(minutes=1), 10) == []
            later = u.outbox.due(T0 + timedelta(hours=2), 10)
            assert [(m.message_id, m.attempts, m.last_error) for m in later] == [("m-1", 1, "peer down")]
            assert u.outbox.count("dead") == 1 and u.outbox.count("sent") == 1 and u.outbox.count() == 3
            assert [m.message_id for m in u.outbox.with_status(status="dead")] == ["m-2"]

    def test_claimed_messages_are_not_due_again_until_the_lease_ends(
        self, uow: Callable[[], UnitOfWork]
    ) -> None:
        with uow() as u:
            for i in range(3):
                u.outbox.add(message(f"m-{i}", T0))
            u.commit()
        with uow() as u:
            first = u.outbox.claim(T0, 2, timedelta(seconds=60))
            u.commit()
        with uow() as u:
            second = u.outbox.claim(T0 + timedelta(seconds=1), 10, timedelta(seconds=60))
            u.commit()
        assert [m.message_id for m in first] == ["m-0", "m-1"]
        assert [m.message_id for m in second] == ["m-2"]  # another relay takes only what is left
        with uow() as u:
            assert u.outbox.claim(T0 + timedelta(seconds=30), 10, timedelta(seconds=60)) == []
            again = u.outbox.claim(T0 + timedelta(seconds=61), 10, timedelta(seconds=60))
        assert [m.message_id for m in again] == ["m-0", "m-1", "m-2"]  # a dead relay's messages come back

    def test_dead_messages_can_be_requeued(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            u.outbox.add(message("m-1"))
            u.outbox.add(message("m-2"))
            u.outbox.mark_dead("m-1", "refused")
            u.commit()
        with uow() as u:
            assert u.outbox.requeue(["m-1", "m-2", "m-9"], T0 + timedelta(hours=1)) == 1  # only the dead one
            u.commit()
        with uow() as u:
            assert u.outbox.count("dead") == 0
            assert [m.message_id for m in u.outbox.due(T0 + timedelta(hours=1), 10)] == ["m-1", "m-2"]

    def test_mandates_and_declarant_queries(self, uow: Callable[[], UnitOfWork]) -> None:
        filed = declaration("26IN0000000000000M", "AAACS1234F", "L-M")
        filed.declarant_id = "AAACB1234Z"
        with uow() as u:
            u.mandates.grant("AAACB1234Z", "AAACS1234F", T0)
            u.mandates.grant("AAACB1234Z", "AAACS1234F", T0)  # again: no effect
            u.declarations.add(filed)
            u.commit()
        with uow() as u:
            assert u.mandates.exists("AAACB1234Z", "AAACS1234F")
            assert not u.mandates.exists("AAACS1234F", "AAACB1234Z")
            assert [d.id for d in u.declarations.query(trader_id="AAACB1234Z")] == ["26IN0000000000000M"]
            got = u.declarations.get("26IN0000000000000M")
            assert got is not None and got.declarant_id == "AAACB1234Z"

    def test_trust_list_lookups_statuses_and_the_active_key(self, uow: Callable[[], UnitOfWork]) -> None:
        def key(key_id: str, node: str, created: str, status: str = "active") -> TrustedKey:
            return TrustedKey(key_id, node, "p" * 43, status, created)

        with uow() as u:
            assert u.keys.get("IN-1") is None and u.keys.active("IN") is None and u.keys.all() == []
            u.keys.add(key("IN-2", "IN", "2026-03-02T09:30:00+00:00"))
            u.keys.add(key("IN-1", "IN", "2026-03-01T09:30:00+00:00", "retired"))
            u.keys.add(key("RU-1", "RU", "2026-03-01T10:00:00+00:00"))
            u.commit()
        with uow() as u:
            assert u.keys.get("IN-1") == key("IN-1", "IN", "2026-03-01T09:30:00+00:00", "retired")
            assert [k.key_id for k in u.keys.all()] == ["IN-1", "RU-1", "IN-2"]  # oldest first
            active = u.keys.active("IN")
            assert active is not None and active.key_id == "IN-2"
            u.keys.add(key("IN-3", "IN", "2026-03-03T09:30:00+00:00"))
            u.keys.set_status("RU-1", "revoked")
            active = u.keys.active("IN")
            assert active is not None and active.key_id == "IN-3"  # the newest active one signs
            u.keys.set_status("IN-3", "revoked")
            active = u.keys.active("IN")
            assert active is not None and active.key_id == "IN-2"
            assert u.keys.active("RU") is None
            u.commit()
        with uow() as u:
            got = u.keys.get("RU-1")
            assert got is not None and got.status == "revoked"
            with pytest.raises(CommitConflict):
                u.keys.add(key("RU-1", "RU", "2026-03-04T00:00:00+00:00"))
                u.commit()
        with uow() as u:
            assert len(u.keys.all()) == 4

    def test_inbox_keys_on_message_id(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            u.inbox.add("m-1", "RU", "customs.acknowledgement.v1", T0, {"status": "stored"})
            u.commit()
        with uow() as u:
            assert u.inbox.outcome("m-1") == {"status": "stored"}
            assert u.inbox.outcome("m-2") is None
            with pytest.raises(CommitConflict):
                u.inbox.add("m-1", "RU", "customs.acknowledgement.v1", T0, {"status": "again"})
                u.commit()
        with uow() as u:
            assert u.inbox.count() == 1

    def test_a_message_stored_first_elsewhere_undoes_the_whole_transaction(
        self, uow: Callable[[], UnitOfWork]
    ) -> None:
        with uow() as u:
            u.inbox.add("m-1", "RU", "customs.acknowledgement.v1", T0, {"status": "stored"})
            u.commit()
        with uow() as u, pytest.raises(CommitConflict):  # the rows may go out together at commit
            u.outbox.add(message("answer"))
            u.declarations.add(declaration("26IN0000000000000A", "AAACS1234F", "L1"))
            u.inbox.add("m-1", "RU", "customs.acknowledgement.v1", T0, {"status": "again"})
            u.commit()
        with uow() as u:
            assert u.outbox.count() == 0 and u.inbox.count() == 1
            assert u.declarations.get("26IN0000000000000A") is None
            assert u.inbox.outcome("m-1") == {"status": "stored"}

    def test_rejections_traders_and_api_keys(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            u.rejections.add("m-9", "RU", "signature", "does not verify", T0)
            u.traders.upsert(Trader("AAACS1234F", "Sample Exports", "IN", True, 1))
            u.traders.upsert(Trader("AAACS1234F", "Sample Exports", "IN", True, 2))
            u.api_keys.add(ApiKey("key-1", "ab" * 32, "trader", "AAACS1234F", "t", T0))
            u.commit()
        with uow() as u:
            assert u.rejections.count() == 1
            assert u.rejections.recent()[0]["field"] == "signature"
            trader = u.traders.get("AAACS1234F")
            assert trader is not None and trader.declarations == 2 and trader.aeo
            key = u.api_keys.by_hash("ab" * 32)
            assert key is not None and key.role == "trader" and key.party_id == "AAACS1234F"
            assert u.api_keys.by_hash("cd" * 32) is None

    def test_an_api_key_revoked_stays_listed_and_is_found_revoked(
        self, uow: Callable[[], UnitOfWork]
    ) -> None:
        later = T0 + timedelta(minutes=1)
        with uow() as u:
            u.api_keys.add(ApiKey("key-2", "cd" * 32, "officer", "IN-OFFICER-1", "o", later))
            u.api_keys.add(ApiKey("key-1", "ab" * 32, "trader", "AAACS1234F", "t", T0))
            u.commit()
        with uow() as u:
            revoked = u.api_keys.revoke("key-1")
            assert revoked is not None and revoked.revoked and revoked.party_id == "AAACS1234F"
            assert u.api_keys.revoke("key-none") is None
            u.commit()
        with uow() as u:
            assert [(k.id, k.revoked) for k in u.api_keys.all()] == [("key-1", True), ("key-2", False)]
            found = u.api_keys.by_hash("ab" * 32)
            assert found is not None and found.revoked
            again = u.api_keys.revoke("key-1")  # revoking again changes nothing
            assert again is not None and again.revoked

    def test_record_filing_returns_the_trader_before_it(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            first = u.traders.record_filing("7707083893", "Sample Trading LLC", "RU", False)
            second = u.traders.record_filing("7707083893", "Sample Trading LLC", "RU", True)
            third = u.traders.record_filing("7707083893", "Sample Trading LLC", "RU", False)
            u.commit()
        assert (first.declarations, first.aeo) == (0, False)
        assert (second.declarations, second.aeo) == (1, True)
        assert (third.declarations, third.aeo) == (2, True)  # AEO status, once known, stays
        with uow() as u:
            stored = u.traders.get("7707083893")
        assert stored is not None and stored.declarations == 3

    def test_filings_of_traders_read_ahead_count_as_the_others(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            u.traders.record_filing("AAACS1234F", "Sample Exports Pvt Ltd", "IN", False)
            u.commit()
        with uow() as u:
            u.traders.read_ahead(["AAACS1234F", "7707083893", "AAACS1234F"])
            seen = [
                u.traders.record_filing("AAACS1234F", "Sample Exports Pvt Ltd", "IN", False),
                u.traders.record_filing("7707083893", "Sample Trading LLC", "RU", True),
                u.traders.record_filing("AAACS1234F", "Sample Exports Pvt Ltd", "IN", True),
                u.traders.record_filing("7707083893", "Sample Trading LLC", "RU", False),
            ]
            u.commit()
        assert [(t.declarations, t.aeo) for t in seen] == [(1, False), (0, True), (2, True), (1, True)]
        with uow() as u:
            stored = [u.traders.get("AAACS1234F"), u.traders.get("7707083893")]
        assert [(t.declarations, t.aeo) if t else None for t in stored] == [(3, True), (2, True)]

    def test_a_filing_undone_with_its_savepoint_is_not_counted(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            u.traders.read_ahead(["7707083893"])
            u.traders.record_filing("7707083893", "Sample Trading LLC", "RU", False)
            with pytest.raises(Conflict), u.savepoint():
                u.traders.record_filing("7707083893", "Sample Trading LLC", "RU", False)
                raise Conflict("the message is refused")
            after = u.traders.record_filing("7707083893", "Sample Trading LLC", "RU", False)
            u.commit()
        assert after.declarations == 1
        with uow() as u:
            stored = u.traders.get("7707083893")
        assert stored is not None and stored.declarations == 2

    def test_duplicate_declaration_is_a_conflict(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            u.declarations.add(declaration("26IN0000000000000A", "AAACS1234F", "L1"))
            u.commit()
        with uow() as u, pytest.raises(CommitConflict):
            u.declarations.add(declaration("26IN0000000000000B", "AAACS1234F", "L1"))
            u.commit()

    def test_a_duplicate_declaration_in_a_savepoint_is_that_savepoints_conflict(
        self, uow: Callable[[], UnitOfWork]
    ) -> None:
        """A receiver batch applies each message in a savepoint when one fails: the queued rows go
        out inside it, so a declaration that exists fails there, and what came before stays."""
        with uow() as u:
            u.declarations.add(declaration("26IN0000000000000A", "AAACS1234F", "L1"))
            u.commit()
        with uow() as u:
            u.outbox.add(message("before"))
            u.declarations.add(declaration("26IN0000000000000B", "AAACS1234F", "L2"))
            with pytest.raises(CommitConflict), u.savepoint():
                u.outbox.add(message("inside"))
                u.declarations.add(declaration("26IN0000000000000C", "AAACS1234F", "L1"))
            u.commit()
        with uow() as u:
            assert [m.message_id for m in u.outbox.with_status(status="pending")] == ["before"]
            assert u.declarations.get("26IN0000000000000B") is not None
            assert u.declarations.get("26IN0000000000000C") is None

    def test_a_declaration_added_then_changed_in_one_transaction_is_saved(
        self, uow: Callable[[], UnitOfWork]
    ) -> None:
        with uow() as u:
            d = declaration()
            u.declarations.add(d)
            d.record("assessment", T0, lane="green")
            u.declarations.save(d)  # its insert went out first: the save finds the row
            u.commit()
        with uow() as u:
            got = u.declarations.get(d.id)
            assert got is not None and got.version == 2
            assert [stage.name for stage in u.declarations.stages(d.id)] == ["registration", "assessment"]

    def test_events_and_container_assignments(self, uow: Callable[[], UnitOfWork]) -> None:
        def event(event_id: str, ref: str, step: str, hours: int) -> StoredEvent:
            return StoredEvent(
                event_id,
                ref,
                step,
                "INNSA",
                T0 + timedelta(hours=hours),
                ("MSCU1234565",),
                {"eventID": event_id},
                "carrier",
            )

        with uow() as u:
            u.events.assign("C-1", ["MSCU1234565", "CSQU3054383"], "INNSA", T0)
            u.events.assign("C-1", ["MSCU1234565"], "INNSA", T0)  # again: no effect
            u.events.assign("C-2", ["MSCU1234565"], "INMUN", T0 + timedelta(days=40))  # the box's next trip
            u.events.add_many([event("e-2", "C-1", "departing", 2), event("e-1", "C-1", "loading", 1)], T0)
            u.commit()
        with uow() as u:
            assert u.events.consignment_of("MSCU1234565") == ("C-2", "INMUN")
            assert u.events.consignment_of("CSQU3054383") == ("C-1", "INNSA")
            assert u.events.consignment_of("TGHU0000000") is None
            assert [e.event_id for e in u.events.for_consignment("C-1")] == ["e-1", "e-2"]
            assert [e.event_id for e in u.events.for_container("MSCU1234565")] == ["e-1", "e-2"]
            assert u.events.existing(["e-1", "e-9"]) == {"e-1"}
            assert u.events.for_consignment("C-1")[0].event_time == T0 + timedelta(hours=1)
        with uow() as u:  # read ahead: the same answers, and an event stored since is seen
            u.events.read_ahead(["C-1", "C-9", "C-1"])
            assert [e.event_id for e in u.events.for_consignment("C-1")] == ["e-1", "e-2"]
            assert u.events.for_consignment("C-9") == []
            u.events.add_many([event("e-0", "C-9", "loading", 0), event("e-3", "C-1", "arriving", 3)], T0)
            assert [e.event_id for e in u.events.for_consignment("C-9")] == ["e-0"]
            assert [e.event_id for e in u.events.for_consignment("C-1")] == ["e-1", "e-2", "e-3"]

    def test_trade_documents_by_target_hash(self, uow: Callable[[], UnitOfWork]) -> None:
        doc = {"signature": {"targetHash": "a" * 64, "merkleRoot": "b" * 64}, "data": {"x": "s:string:1"}}
        changed = {"signature": {"targetHash": "a" * 64, "merkleRoot": "b" * 64}, "data": {"x": "s:string:2"}}
        with uow() as u:
            u.documents.add_many([doc], T0)
            u.documents.add_many([changed], T0)  # a known targetHash keeps its first document
            u.commit()
        with uow() as u:
            assert u.documents.get_many(["a" * 64, "c" * 64]) == [doc]
            assert u.documents.get_many([]) == []

    def test_issuer_registry(self, uow: Callable[[], UnitOfWork]) -> None:
        with uow() as u:
            assert u.issuers.get("did:corridor:in:a") is None and u.issuers.list_issuers() == []
            u.issuers.add(issuer("did:corridor:ru:b", active=False), "imported")
            u.issuers.add(issuer("did:corridor:in:a"), "registered here")
            u.commit()
        with uow() as u:
            assert u.issuers.get("did:corridor:in:a") == issuer("did:corridor:in:a")
            assert u.issuers.get("did:corridor:ru:b") == issuer("did:corridor:ru:b", active=False)
            assert [i.id for i in u.issuers.list_issuers()] == ["did:corridor:in:a", "did:corridor:ru:b"]
            u.issuers.add(issuer("did:corridor:in:a"))  # the same issuer again: no change
            with pytest.raises(Conflict):
                u.issuers.add(issuer("did:corridor:in:a", public_key="B" * 43))
            assert u.issuers.get("did:corridor:in:a") == issuer("did:corridor:in:a")
            u.commit()
        with uow() as u:
            u.issuers.add(issuer("did:corridor:in:c"))
        with uow() as u:
            assert len(u.issuers.list_issuers()) == 2  # not committed: lost

    def test_revocations_by_hash_and_issuer(self, uow: Callable[[], UnitOfWork]) -> None:
        doc, root = "a" * 64, "b" * 64
        with uow() as u:
            assert u.revocations.find(doc, root, {"did:corridor:in:a"}) is None
            assert u.revocations.add(revocation(root, "did:corridor:in:a", "batch")) is True
            assert u.revocations.add(revocation(root, "did:corridor:in:a", "batch")) is False  # replay
            u.commit()
        with uow() as u:
            found = u.revocations.find(doc, root, {"did:corridor:in:a", "did:corridor:ru:b"})
            assert found == revocation(root, "did:corridor:in:a", "batch")
            assert u.revocations.find(doc, root, {"did:corridor:ru:b"}) is None  # not that issuer's
            assert u.revocations.find(doc, root, set()) is None
            assert u.revocations.add(revocation(doc, "did:corridor:in:a", at="2026-03-03T00:00:00Z")) is True
            u.commit()
        with uow() as u:
            found = u.revocations.find(doc, root, {"did:corridor:in:a"})
            assert found is not None and found.kind == "document"  # the document's own comes first
            assert [(r.kind, r.hash) for r in u.revocations.list_records()] == [
                ("batch", root),
                ("document", doc),
            ]
            assert u.revocations.add(revocation("c" * 64, "did:corridor:in:a")) is True
        with uow() as u:
            assert len(u.revocations.list_records()) == 2  # not committed: lost


class TestMemoryAdapters(RepositoryContract):
    @pytest.fixture
    def uow(self) -> Callable[[], UnitOfWork]:
        store = MemoryStore()
        return lambda: MemoryUnitOfWork(store)


class TestSqliteAdapters(RepositoryContract):
    @pytest.fixture
    def uow(self, tmp_path: Path) -> Callable[[], UnitOfWork]:
        engine = make_engine(f"sqlite:///{tmp_path / 'node.sqlite'}")
        migrate(engine)
        return lambda: SqlUnitOfWork(engine)


@pytest.mark.postgres
class TestPostgresAdapters(RepositoryContract):
    @pytest.fixture
    def uow(self, pg_available: str, pg_schema: str) -> Callable[[], UnitOfWork]:
        engine = make_engine(pg_available, pg_schema)
        migrate(engine)
        return lambda: SqlUnitOfWork(engine)
