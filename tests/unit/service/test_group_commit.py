"""Group commit: concurrent submissions share a run, each is answered with its own outcome."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from corridor.service.batch import Refused
from corridor.service.group_commit import GroupCommit
from corridor.shared.errors import Conflict


class SlowRunner:
    """Runs a group by answering each command with its double; the first group waits until the
    test lets it go, so that the others pile up behind it."""

    def __init__(self) -> None:
        self.groups: list[list[Any]] = []
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, commands: Sequence[Any]) -> list[Any]:
        self.groups.append(list(commands))
        if len(self.groups) == 1:
            self.started.set()
            assert self.release.wait(10)
        return [Refused(Conflict(f"refused {c}")) if c < 0 else c * 2 for c in commands]


def piled_up(
    group: GroupCommit, runner: SlowRunner, pool: ThreadPoolExecutor, commands: list[int]
) -> list[Future[Any]]:
    """Submit 1, then ``commands`` while 1 is running, and let 1 finish once all wait behind it:
    the futures of 1 and of ``commands``, in that order."""
    first = pool.submit(group.submit, 1)
    assert runner.started.wait(10)
    waiting = [pool.submit(group.submit, n) for n in commands]
    while len(group._waiting) < len(commands):
        threading.Event().wait(0.001)
    runner.release.set()
    return [first, *waiting]


def test_a_lone_command_runs_at_once_by_itself() -> None:
    runner = SlowRunner()
    runner.release.set()
    group = GroupCommit(runner, max_group=50)
    assert group.submit(21) == 42
    assert runner.groups == [[21]]


def test_commands_arriving_during_a_run_share_the_next_and_each_gets_its_own_answer() -> None:
    runner = SlowRunner()
    sizes: list[int] = []
    group = GroupCommit(runner, max_group=50, observe=sizes.append)
    with ThreadPoolExecutor(max_workers=12) as pool:
        first, *waiting = piled_up(group, runner, pool, list(range(2, 12)))
        assert first.result(10) == 2
        assert [w.result(10) for w in waiting] == [n * 2 for n in range(2, 12)]
    assert runner.groups[0] == [1]
    assert sorted(runner.groups[1]) == list(range(2, 12))  # one group, one commit, for the ten
    assert sizes == [1, 10]


def test_a_group_takes_at_most_max_group_and_the_rest_follow() -> None:
    runner = SlowRunner()
    group = GroupCommit(runner, max_group=4)
    with ThreadPoolExecutor(max_workers=11) as pool:
        futures = piled_up(group, runner, pool, list(range(2, 12)))
        assert [f.result(10) for f in futures] == [n * 2 for n in range(1, 12)]
    assert [len(g) for g in runner.groups] == [1, 4, 4, 2]


def test_a_refused_command_raises_its_error_in_its_own_thread_only() -> None:
    runner = SlowRunner()
    group = GroupCommit(runner, max_group=50)
    with ThreadPoolExecutor(max_workers=4) as pool:
        first, refused, accepted = piled_up(group, runner, pool, [-5, 5])
        assert first.result(10) == 2 and accepted.result(10) == 10
        with pytest.raises(Conflict, match="refused -5"):
            refused.result(10)


def test_a_failure_of_the_whole_group_reaches_each_of_its_commands_and_the_next_group_runs() -> None:
    calls: list[list[int]] = []

    def failing_once(commands: Sequence[int]) -> list[int]:
        calls.append(list(commands))
        if len(calls) == 1:
            raise RuntimeError("database unreachable")
        return list(commands)

    group = GroupCommit(failing_once, max_group=50)
    with pytest.raises(RuntimeError, match="unreachable"):
        group.submit(1)
    assert group.submit(2) == 2
    assert not group._running and group._waiting == []


def test_a_group_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_group"):
        GroupCommit(lambda commands: list(commands), max_group=0)


class DefectiveRunner(SlowRunner):
    """As SlowRunner, but a group holding ``bad`` meets a defect (not a refusal) and fails whole."""

    def __init__(self, bad: int, failure: Exception) -> None:
        super().__init__()
        self.bad, self.failure = bad, failure

    def __call__(self, commands: Sequence[Any]) -> list[Any]:
        answers = super().__call__(commands)
        if self.bad in commands:
            raise self.failure
        return answers


def test_a_defect_one_command_meets_fails_that_request_alone() -> None:
    runner = DefectiveRunner(7, TypeError("a defect met by command 7"))
    group = GroupCommit(runner, max_group=50)
    with ThreadPoolExecutor(max_workers=6) as pool:
        first, *waiting = piled_up(group, runner, pool, [5, 7, 9, 11])
        assert first.result(10) == 2
        answers = {n: f.exception(10) or f.result(10) for n, f in zip([5, 7, 9, 11], waiting, strict=True)}
    assert answers[5] == 10 and answers[9] == 18 and answers[11] == 22
    assert isinstance(answers[7], TypeError)
    assert sorted(runner.groups[1]) == [5, 7, 9, 11]  # the group, then each alone
    assert sorted(map(tuple, runner.groups[2:])) == [(5,), (7,), (9,), (11,)]


def test_a_failure_no_command_causes_is_heard_by_all_after_two_tries_alone() -> None:
    calls: list[list[int]] = []

    def unreachable(commands: Sequence[int]) -> list[int]:
        calls.append(list(commands))
        if len(calls) == 1:
            runner.started.set()
            assert runner.release.wait(10)
            return list(commands)
        raise ConnectionError("database unreachable")

    runner = SlowRunner()  # only its events: the first run waits on them
    group = GroupCommit(unreachable, max_group=50)
    with ThreadPoolExecutor(max_workers=6) as pool:
        first = pool.submit(group.submit, 1)
        assert runner.started.wait(10)
        waiting = [pool.submit(group.submit, n) for n in (2, 3, 4, 5)]
        while len(group._waiting) < 4:
            threading.Event().wait(0.001)
        runner.release.set()
        assert first.result(10) == 1
        assert all(isinstance(f.exception(10), ConnectionError) for f in waiting)
    assert len(calls) == 1 + 1 + 2  # the first, the group of four, then two of them alone
