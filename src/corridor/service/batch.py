"""Commands run together in one transaction (group commit): a bulk filing pays for one commit, one
read of the signing key and one multi-row statement per table instead of one of each per command.

Each command's handler runs as it always does, entering its unit of work and committing it; here
that unit of work is a member of the batch's open transaction. The batch is first run without
savepoints; should one command be refused, or should the batch's rows conflict when they go out at
the commit, the transaction is rolled back and the batch run again with each command in a savepoint
of its own, whose rows go out at the command's own commit, so a refused command leaves the others
untouched and is answered with its own error."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Self

from corridor.service.ports import CommitConflict, UnitOfWork
from corridor.shared.errors import CorridorError

Handler = Callable[[Any, UnitOfWork, Any], Any]

#: The most declarations a bulk filing (the API's, the command line's) may carry: each is about
#: 2-3 kB of JSON, so a full bulk stays well under the request body limit.
MAX_BULK = 100


@dataclass(frozen=True, slots=True)
class Refused:
    """A command of a batch that did not take effect, and why (the others did)."""

    error: CorridorError


class _Abandoned(Exception):
    """A command of a batch run without savepoints was refused: the batch runs again, carefully."""


class _Uncommitted(Exception):
    """The handler returned without committing: what it did is undone, as a unit of work does."""


class MemberOfBatch(UnitOfWork):
    """A command's unit of work inside a batch: the batch's open transaction, with the command's
    own bounds. Entering it starts the command; committing it hands the command's events to their
    handlers and, in the careful run, sends its queued rows inside its savepoint, so that a
    conflict is this command's and its handler answers it as it would alone."""

    def __init__(self, batch: UnitOfWork, *, careful: bool) -> None:
        self.__dict__["_batch"] = batch
        self.__dict__["careful"] = careful
        self.__dict__["committed"] = False
        self.__dict__["event_handlers"] = batch.event_handlers

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_batch"], name)

    @property
    def _batch(self) -> UnitOfWork:
        batch: UnitOfWork = self.__dict__["_batch"]
        return batch

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        """Nothing to roll back here: the batch undoes a refused command (its savepoint)."""

    def publish(self, *events: Any) -> None:
        self._batch.publish(*events)

    def collect_new_events(self) -> list[Any]:
        return self._batch.collect_new_events()

    def dispatch_events(self) -> None:
        self._batch.dispatch_events()

    def forget_declarations(self) -> None:
        self._batch.forget_declarations()

    def commit(self) -> None:
        self._batch.dispatch_events()
        if self.careful:
            self._batch.flush()
        self.__dict__["committed"] = True

    def _commit(self) -> None:  # pragma: no cover - commit() above never calls it
        raise AssertionError("a member of a batch commits with the batch")

    def rollback(self) -> None:
        """The batch's savepoint undoes a command; a handler's own rollback leaves it to that."""

    def savepoint(self) -> AbstractContextManager[None]:
        return self._batch.savepoint()


ReadAhead = Callable[[UnitOfWork], None]


def run_batch(
    handlers: Sequence[Handler],
    commands: Sequence[Any],
    uow_factory: Callable[[], UnitOfWork],
    ctx: Any,
    read_ahead: ReadAhead | None = None,
) -> list[Any]:
    """Each command's result, or ``Refused`` with the error that refused it, in the commands'
    order, all committed in one transaction; ``read_ahead`` first reads together what the
    commands will look up. ``ConcurrentUpdate`` (a race lost: the caller runs the batch again)
    and errors that are not a command's fault propagate."""
    try:
        return _run(handlers, commands, uow_factory(), ctx, read_ahead, careful=False)
    except (_Abandoned, CommitConflict):
        return _run(handlers, commands, uow_factory(), ctx, read_ahead, careful=True)


def _run(
    handlers: Sequence[Handler],
    commands: Sequence[Any],
    uow: UnitOfWork,
    ctx: Any,
    read_ahead: ReadAhead | None,
    *,
    careful: bool,
) -> list[Any]:
    outcomes: list[Any] = []
    with uow:
        if read_ahead is not None:
            read_ahead(uow)
        for handler, command in zip(handlers, commands, strict=True):
            if careful:
                outcomes.append(_carefully(handler, command, uow, ctx))
            else:
                outcomes.append(_optimistically(handler, command, uow, ctx))
        uow.commit()
    return outcomes


def _optimistically(handler: Handler, command: Any, uow: UnitOfWork, ctx: Any) -> Any:
    member = MemberOfBatch(uow, careful=False)
    try:
        result = handler(command, member, ctx)
    except CorridorError as exc:
        raise _Abandoned from exc
    if not member.committed:
        raise _Abandoned
    return result


def _carefully(handler: Handler, command: Any, uow: UnitOfWork, ctx: Any) -> Any:
    member = MemberOfBatch(uow, careful=True)
    try:
        with uow.savepoint():
            result = handler(command, member, ctx)
            if not member.committed:
                raise _Uncommitted
    except _Uncommitted:
        return result
    except CorridorError as exc:
        return Refused(exc)
    return result


def each(outcomes: Sequence[Any]) -> Iterator[tuple[Any, CorridorError | None]]:
    """The outcomes as (result, None) or (None, error)."""
    for outcome in outcomes:
        if isinstance(outcome, Refused):
            yield None, outcome.error
        else:
            yield outcome, None
