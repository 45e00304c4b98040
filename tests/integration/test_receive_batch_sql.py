"""A receiver batch on the SQL adapters, whose inserts go out together: a pre-arrival message sealed
again under a new message id (the same export declaration) conflicts on the import declaration when
the batch's rows go out; it is answered as a duplicate and the other messages of the batch take
effect."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from corridor.customs.domain.vocabulary import Status
from corridor.customs.handlers import PREARRIVAL
from corridor.demo.run import Corridor
from corridor.demo.samples import SampleCorridor
from corridor.service.commands import ClearDeclaration, FileDeclaration, ReceiveEnvelopes


def test_a_prearrival_sealed_again_in_one_batch_is_a_duplicate_and_the_others_take_effect(
    tmp_path: Path,
) -> None:
    corridor = Corridor.embedded(tmp_path)
    india, russia = corridor.nodes["IN"], corridor.nodes["RU"]
    try:
        samples, now = SampleCorridor(21), datetime.now(UTC)
        for _ in range(2):
            declaration = india.handle(FileDeclaration(samples.next("IN", now)))
            if declaration.status == Status.UNDER_CONTROL:
                india.handle(ClearDeclaration(declaration.id, "IN-OFFICER-1", "checked"))
        with india.uow() as uow:
            first, second = (m.envelope for m in uow.outbox.due(now.replace(year=now.year + 1), 10))
            body = json.loads(first)["body"]
            again = india.keyring.ring.seal(
                uow.keys, message_type=PREARRIVAL, recipient="RU", body=body, now=datetime.now(UTC)
            ).envelope
        outcomes = russia.handle(ReceiveEnvelopes([first, again, second]))
        assert [o["status"] for o in outcomes] == ["accepted", "duplicate", "accepted"]
        with russia.uow() as uow:
            assert uow.inbox.count() == 2
            assert len(uow.declarations.query()) == 2
    finally:
        corridor.close()
