"""A receiver batch reads the inbox once, applies a message repeated in it once, and runs again when
another process stored one of its messages first."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from corridor.adapters.memory import MemoryStore, MemoryUnitOfWork
from corridor.customs.handlers import PREARRIVAL
from corridor.demo.samples import SampleCorridor
from corridor.messaging.envelope import parse
from corridor.node.bootstrap import COMMAND_HANDLERS
from corridor.service.bus import MessageBus
from corridor.service.commands import FileDeclaration, ReceiveEnvelopes
from corridor.service.ports import CommitConflict, Trader
from corridor.shared.errors import FieldError, InvalidInput
from tests.unit.service.conftest import NOW


def _prearrival(india: Any, document: dict[str, Any]) -> str:
    india.handle(FileDeclaration(document))
    [message] = india.outbox(PREARRIVAL)
    return str(message.envelope)


def test_a_message_twice_in_one_batch_takes_effect_once(
    india: Any, russia: Any, export_in: dict[str, Any]
) -> None:
    text = _prearrival(india, export_in)
    first, second = russia.bus.handle(ReceiveEnvelopes([text, text]))
    assert first["status"] == "accepted"
    assert second["status"] == "duplicate"
    assert second["first_outcome"]["import_declaration_id"] == first["import_declaration_id"]
    assert len(russia.store.declarations) == 1 and len(russia.store.inbox) == 1


class _LosesTheRace(MemoryUnitOfWork):
    """Its first commit finds that another process stored the message meanwhile."""

    races = 0

    def __init__(self, store: MemoryStore, message_id: str) -> None:
        super().__init__(store)
        self.message_id = message_id

    def _commit(self) -> None:
        if _LosesTheRace.races == 0:
            _LosesTheRace.races += 1
            self.store.inbox[self.message_id] = {"outcome": {"status": "accepted", "by": "the other"}}
            raise CommitConflict(f"message {self.message_id} is already in the inbox")
        super()._commit()


def test_a_batch_that_lost_a_race_runs_again_and_finds_the_message_applied(
    india: Any, russia: Any, export_in: dict[str, Any]
) -> None:
    text = _prearrival(india, export_in)
    message_id = parse(json.loads(text)).header.message_id
    bus = MessageBus(lambda: _LosesTheRace(russia.store, message_id), russia.ctx, COMMAND_HANDLERS)
    [outcome] = bus.handle(ReceiveEnvelopes([text]))
    assert _LosesTheRace.races == 1
    assert outcome == {
        "status": "duplicate",
        "message_id": message_id,
        "first_outcome": {"status": "accepted", "by": "the other"},
    }
    assert russia.store.declarations == {}  # the lost attempt left nothing behind


PARTIAL = "test.partial.v1"


def _half_written(body: Any, header: dict[str, str], uow: Any, ctx: Any) -> dict[str, Any]:
    """Writes a trader, then refuses the message: the write must not survive."""
    uow.traders.upsert(Trader(body["trader"], "half written", ctx.country, False, 0))
    raise InvalidInput([FieldError("body.trader", "refused after a write")])


def test_a_message_refused_in_a_batch_leaves_nothing_and_the_others_take_effect(
    india: Any, russia: Any, samples: SampleCorridor
) -> None:
    russia.ctx.body_handlers[PARTIAL] = _half_written
    for _ in range(2):
        india.handle(FileDeclaration(json.loads(json.dumps(samples.next("IN", NOW)))))
    first, second = (str(m.envelope) for m in india.outbox(PREARRIVAL))
    with MemoryUnitOfWork(india.store) as uow:
        refused = india.keyring.ring.seal(
            uow.keys, message_type=PARTIAL, recipient="RU", body={"trader": "IN-HALF-WRITTEN"}, now=NOW
        ).envelope
    commits = len(russia.commits)
    outcomes = russia.bus.handle(ReceiveEnvelopes([first, refused, second]))
    assert [o["status"] for o in outcomes] == ["accepted", "rejected", "accepted"]
    assert outcomes[1]["field"] == "body.trader" and outcomes[1]["retryable"] is False
    assert "IN-HALF-WRITTEN" not in russia.store.traders
    assert len(russia.store.declarations) == 2 and len(russia.store.inbox) == 2
    assert len(russia.store.rejections) == 1
    assert len(russia.commits) == commits + 1  # the batch still commits once


def test_each_envelope_of_a_batch_is_judged_fresh_at_the_moment_its_store_stamped_it(
    india: Any, russia: Any, samples: SampleCorridor
) -> None:
    """A stream-fed batch: one envelope was stored 15 minutes after it was sealed (stale when
    stored), the other as it was sealed; only the first is refused as stale."""
    for _ in range(2):
        india.handle(FileDeclaration(json.loads(json.dumps(samples.next("IN", NOW)))))
    late, prompt = (str(m.envelope) for m in india.outbox(PREARRIVAL))
    stamps = [NOW + timedelta(minutes=15), NOW]
    outcomes = russia.bus.handle(ReceiveEnvelopes([late, prompt], stored_at=stamps))
    assert [o["status"] for o in outcomes] == ["rejected", "accepted"]
    assert outcomes[0]["field"] == "header.created" and "stale" in outcomes[0]["reason"]
