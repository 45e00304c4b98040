"""Filing in bulk: several commands in one transaction (in-memory unit of work, fake assessor).
Each command is answered as it would be alone; a refused one leaves the others filed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from corridor.customs.domain.vocabulary import Status
from corridor.service.batch import MemberOfBatch, Refused, run_batch
from corridor.service.commands import ClearDeclaration, Command, FileDeclaration
from corridor.service.ports import UnitOfWork
from corridor.shared.errors import Conflict, InvalidInput, NotFound
from tests.unit.service.conftest import Node


def exports(samples: Any, n: int, origin: str = "IN") -> list[dict[str, Any]]:
    from tests.unit.service.conftest import NOW

    return [copy.deepcopy(samples.next(origin, NOW)) for _ in range(n)]


def stages(node: Node, declaration_id: str) -> list[str]:
    return [s.name for s in node.store.stages[declaration_id]]


def test_a_bulk_of_filings_is_stored_in_one_commit_each_as_if_filed_alone(
    india: Node, make_node: Any, samples: Any
) -> None:
    documents = exports(samples, 3)
    alone = make_node("IN")
    one_by_one = [alone.handle(FileDeclaration(copy.deepcopy(d))) for d in documents]

    outcomes = india.handle_many([FileDeclaration(d) for d in documents])

    assert len(india.commits) == 1
    assert [d.lrn for d in outcomes] == [d["Declaration"]["FunctionalReferenceID"] for d in documents]
    for bulk, single in zip(outcomes, one_by_one, strict=True):
        stored = india.store.declarations[bulk.id]
        assert (stored.lane, stored.status) == (single.lane, single.status)
        assert stages(india, bulk.id) == stages(alone, single.id)
    assert len(india.outbox()) == len(alone.outbox()) == 3
    assert india.store.traders[outcomes[0].trader_id].declarations == sum(
        d.trader_id == outcomes[0].trader_id for d in outcomes
    )


def test_a_refused_filing_is_answered_alone_and_the_others_are_filed(india: Node, samples: Any) -> None:
    documents = exports(samples, 3)
    documents[1]["Declaration"]["FunctionalReferenceID"] = " "

    outcomes = india.handle_many([FileDeclaration(d) for d in documents])

    assert isinstance(outcomes[1], Refused) and isinstance(outcomes[1].error, InvalidInput)
    assert "Declaration.FunctionalReferenceID" in {e.path for e in outcomes[1].error.errors}
    filed = [outcomes[0], outcomes[2]]
    assert sorted(india.store.declarations) == sorted(d.id for d in filed)
    assert len(india.outbox()) == 2
    assert len(india.commits) == 1  # the run without savepoints was rolled back, not committed


def test_the_same_lrn_twice_in_a_bulk_files_the_first_and_refuses_the_second(
    india: Node, samples: Any
) -> None:
    [document] = exports(samples, 1)

    first, second = india.handle_many([FileDeclaration(document), FileDeclaration(copy.deepcopy(document))])

    assert not isinstance(first, Refused) and first.id in india.store.declarations
    assert isinstance(second, Refused) and isinstance(second.error, Conflict)
    assert "FunctionalReferenceID" in str(second.error)
    assert len(india.store.declarations) == 1 and len(india.outbox()) == 1


def test_a_bulk_refuses_a_declaration_filed_before(india: Node, samples: Any) -> None:
    [document] = exports(samples, 1)
    india.handle(FileDeclaration(copy.deepcopy(document)))

    [again] = india.handle_many([FileDeclaration(document)])

    assert isinstance(again, Refused) and isinstance(again.error, Conflict)
    assert len(india.store.declarations) == 1


def test_a_bulk_of_clearances_clears_each_and_names_the_one_not_found(make_node: Any, samples: Any) -> None:
    india = make_node("IN", lane="yellow")
    filed = india.handle_many([FileDeclaration(d) for d in exports(samples, 2)])
    assert {d.status for d in filed} == {Status.UNDER_CONTROL}

    outcomes = india.handle_many(
        [ClearDeclaration(d.id, "OFFICER-1", "goods conform") for d in filed]
        + [ClearDeclaration("26IN00000000000404", "OFFICER-1", "goods conform")]
    )

    assert [india.store.declarations[d.id].status for d in filed] == [Status.CLEARED, Status.CLEARED]
    assert isinstance(outcomes[2], Refused) and isinstance(outcomes[2].error, NotFound)
    assert len(india.outbox()) == 2


def test_an_empty_bulk_does_nothing_and_an_unknown_command_is_refused_before_any(
    india: Node, samples: Any
) -> None:
    assert india.handle_many([]) == []
    assert india.commits == []

    class Unknown(Command):
        pass

    with pytest.raises(LookupError, match="Unknown"):
        india.handle_many([FileDeclaration(exports(samples, 1)[0]), Unknown()])
    assert india.store.declarations == {}


def test_what_a_handler_does_without_committing_is_undone(india: Node, samples: Any) -> None:
    """A member of a batch behaves as a unit of work: leaving it without commit keeps nothing."""
    [document] = exports(samples, 1)

    def writes_without_commit(_cmd: Any, uow: UnitOfWork, _ctx: Any) -> str:
        with uow:
            uow.traders.record_filing("AAACS1234F", "Sample exporter", "IN", aeo=False)
        return "not committed"

    def files(cmd: Any, uow: UnitOfWork, ctx: Any) -> Any:
        handler = india.bus.handlers[FileDeclaration]
        return handler(cmd, uow, ctx)

    outcomes = run_batch(
        [writes_without_commit, files],
        [None, FileDeclaration(document)],
        india.bus._unit_of_work,
        india.ctx,
    )

    assert outcomes[0] == "not committed"
    assert india.store.traders.keys() == {document["Declaration"]["Exporter"]["ID"]}
    assert india.store.traders[document["Declaration"]["Exporter"]["ID"]].declarations == 1


def test_a_member_of_a_batch_shares_the_batch_transaction(india: Node) -> None:
    with india.bus._unit_of_work() as outer:
        member = MemberOfBatch(outer, careful=False)
        with member:
            assert member.declarations is outer.declarations
            assert member.outbox is outer.outbox
            member.commit()
        assert member.committed
