"""JSON from outside (a peer's envelope, a request body) skips the walk over its parsed value only
where its bytes show nothing the walk could refuse: with and without that shortcut, every input
gets the same answer."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.messaging.envelope import EnvelopeRejected, parse_wire
from corridor.shared import jsondata
from corridor.shared.jsondata import json_problem, plainly_sound


def _wrap(body: str) -> bytes:
    header = '{"created":"2026-01-01T00:00:00.000000Z","key_id":"k","message_id":"m","recipient":"RU","sender":"IN","type":"t"}'
    return ('{"body":' + body + ',"header":' + header + ',"signature":"c2ln"}').encode(
        "utf-8", "surrogatepass"
    )


CASES = [
    _wrap('{"a":"plain text","n":[1,2,3],"f":12.5}'),
    _wrap('{"a":"\\u0000"}'),
    _wrap('{"a":"\\ud800"}'),
    _wrap('{"a":"\ud800"}'),
    _wrap('{"a":"\\ud83d\\ude00"}'),
    _wrap('{"a":NaN}'),
    _wrap('{"a":-Infinity}'),
    _wrap('{"a":1e400}'),
    _wrap('{"a":' + "9" * 400 + ".0}"),
    _wrap('{"a":' + "[" * 62 + "]" * 62 + "}"),  # 64 levels with the envelope and the body
    _wrap('{"a":' + "[" * 63 + "]" * 63 + "}"),  # 65: one too deep
    _wrap('{"a":"' + "[" * 80 + '"}'),
    _wrap('{"a":"' + "]" * 80 + '","b":' + "[" * 70 + "]" * 70 + "}"),
    _wrap('{"a":"\\"[[["}'),
    _wrap('{"a":true,"b":false,"c":null,"id":"5e3f-1E9","n":-0.5}'),
    b'{"body":{},"header":',
    b"\xff\xfe",
]


def _answer(data: bytes) -> tuple[str, Any]:
    try:
        parsed = parse_wire(data)
    except EnvelopeRejected as exc:
        return "rejected", (exc.field, exc.reason)
    return "parsed", parsed.to_json()


@pytest.mark.parametrize("data", CASES)
def test_the_shortcut_changes_no_answer(data: bytes) -> None:
    fast = _answer(data)
    with patch.object(jsondata, "plainly_sound", lambda _data, _depth=0: False):
        slow = _answer(data)
    assert fast == slow


def test_the_shortcut_is_taken_for_a_plain_envelope_and_not_for_a_deep_one() -> None:
    assert plainly_sound(CASES[0])
    assert plainly_sound(CASES[14])  # words and exponent-like text inside strings
    assert plainly_sound(CASES[9])
    assert not plainly_sound(CASES[10])  # the walk must look, and refuses it
    assert _answer(CASES[10])[0] == "rejected" and _answer(CASES[9])[0] == "parsed"
    assert not plainly_sound(CASES[12])  # brackets inside a string do not hide depth


_TEXT = st.text(st.characters(codec="utf-8") | st.sampled_from(["\x00", "\ud800", "\udfff", "[", "{", '"']))
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=20,
)


@given(_JSON, st.booleans())
def test_bytes_judged_plainly_sound_never_hold_what_the_walk_refuses(value: Any, ascii_only: bool) -> None:
    data = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    if plainly_sound(data):
        assert json_problem(json.loads(data)) is None


def test_deep_nesting_is_left_to_the_walk() -> None:
    deep = ("[" * 70 + "]" * 70).encode()
    assert not plainly_sound(deep) and json_problem(json.loads(deep)) is not None
