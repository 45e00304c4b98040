"""Group commit: commands submitted by concurrent requests share a transaction.

While one group is being committed, the commands that arrive wait and form the next; when the
group is done, the first of them leads the next group, taking up to ``max_group`` of the waiting
commands with it. A command that arrives when no group is running runs at once, alone: nothing
ever waits for company, so a lightly loaded node answers as fast as before, and a loaded one pays
for one commit per group instead of one per request. Each command is answered as it would be
alone (``MessageBus.handle_many``): its result, or the error that refused it alone.

A group can also fail for a reason that refuses no one command (an error that is not a
refusal): then its commands run again one by one, so that a defect one of them meets fails that
request alone. Should two in a row fail alone as the group did, the cause is not theirs (the
database is down, the node cannot sign): the rest hear the same failure without running again."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from corridor.service.batch import Refused

RunMany = Callable[[Sequence[Any]], list[Any]]


class _Slot:
    __slots__ = ("command", "failure", "leads", "outcome", "ready")

    def __init__(self, command: Any) -> None:
        self.command = command
        self.ready = threading.Event()
        self.leads = False
        self.outcome: Any = None
        self.failure: BaseException | None = None

    def answer(self) -> Any:
        if self.failure is not None:
            raise self.failure
        if isinstance(self.outcome, Refused):
            raise self.outcome.error
        return self.outcome


class GroupCommit:
    """Submit commands from any number of threads; see the module's description."""

    def __init__(
        self, run_many: RunMany, max_group: int, observe: Callable[[int], None] | None = None
    ) -> None:
        """``observe`` is told the size of each group once it has run (the node's metrics)."""
        if max_group < 1:
            raise ValueError("max_group: at least 1")
        self._run_many = run_many
        self._observe = observe
        self.max_group = max_group
        self._lock = threading.Lock()
        self._waiting: list[_Slot] = []
        self._running = False

    def submit(self, command: Any) -> Any:
        """The command's result, or the error that refused it (raised here, in the caller's thread)."""
        slot = _Slot(command)
        with self._lock:
            self._waiting.append(slot)
            leads = not self._running
            self._running = True
        if not leads:
            slot.ready.wait()
            if not slot.leads:
                return slot.answer()
        self._lead()
        return slot.answer()

    def _lead(self) -> None:
        with self._lock:
            group = self._waiting[: self.max_group]
            del self._waiting[: self.max_group]
        try:
            outcomes = self._run_many([slot.command for slot in group])
            for slot, outcome in zip(group, outcomes, strict=True):
                slot.outcome = outcome
        except Exception as exc:
            self._one_by_one(group, exc)
        except BaseException as exc:  # the process is stopping: all hear it
            for slot in group:
                slot.failure = exc
        finally:
            with self._lock:
                if self._waiting:
                    following = self._waiting[0]
                    following.leads = True
                    following.ready.set()
                else:
                    self._running = False
            for slot in group:
                slot.ready.set()
            if self._observe is not None:
                self._observe(len(group))

    def _one_by_one(self, group: list[_Slot], failure: Exception) -> None:
        """The group failed with ``failure``, which refused no command in particular: each command
        runs alone, until two in a row fail as the group did; the rest are told that failure."""
        if len(group) == 1:
            group[0].failure = failure
            return
        alike = 0
        for slot in group:
            if alike >= 2:
                slot.failure = failure
                continue
            try:
                slot.outcome = self._run_many([slot.command])[0]
                alike = 0
            except Exception as exc:
                slot.failure = exc
                alike = alike + 1 if type(exc) is type(failure) else 0
