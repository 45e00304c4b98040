"""The API keys the gate found a moment ago: remembered for a few seconds, never the unknown ones."""

from __future__ import annotations

from corridor.api.recent_keys import RecentKeys
from corridor.service.auth import Principal

OFFICER = Principal("key-1", "officer", "IN-OFFICER-1")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_key_found_is_taken_as_found_until_its_time_is_up() -> None:
    clock = Clock()
    recent = RecentKeys(ttl_s=2.0, clock=clock)
    recent.put("secret-1", OFFICER)
    clock.now += 1.9
    assert recent.get("secret-1") == OFFICER
    clock.now += 0.1
    assert recent.get("secret-1") is None


def test_only_the_key_itself_finds_its_caller() -> None:
    recent = RecentKeys(ttl_s=2.0)
    recent.put("secret-1", OFFICER)
    assert recent.get("secret-2") is None
    assert recent.get("") is None
    assert recent.get(None) is None
    assert "secret-1" not in repr(recent._found)  # kept by its hash, not in the clear


def test_a_time_of_zero_remembers_nothing() -> None:
    recent = RecentKeys(ttl_s=0)
    recent.put("secret-1", OFFICER)
    assert recent.get("secret-1") is None


def test_the_oldest_key_goes_when_the_cache_is_full() -> None:
    recent = RecentKeys(ttl_s=60, size=2)
    for i in range(3):
        recent.put(f"secret-{i}", Principal(f"key-{i}", "trader", f"T{i}"))
    assert recent.get("secret-0") is None
    assert recent.get("secret-1") is not None and recent.get("secret-2") is not None
