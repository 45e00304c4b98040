"""The receiver skips the walk over a parsed envelope only where its bytes show nothing the walk
could refuse: with and without that shortcut, every input gets the same answer."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import pytest

from corridor.messaging import envelope
from corridor.messaging.envelope import EnvelopeRejected, parse_wire


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
    with patch.object(envelope, "_plainly_safe", lambda _data: False):
        slow = _answer(data)
    assert fast == slow


def test_the_shortcut_is_taken_for_a_plain_envelope_and_not_for_a_deep_one() -> None:
    assert envelope._plainly_safe(CASES[0])
    assert envelope._plainly_safe(CASES[14])  # words and exponent-like text inside strings
    assert envelope._plainly_safe(CASES[9])
    assert not envelope._plainly_safe(CASES[10])  # the walk must look, and refuses it
    assert _answer(CASES[10])[0] == "rejected" and _answer(CASES[9])[0] == "parsed"
    assert not envelope._plainly_safe(CASES[12])  # brackets inside a string do not hide depth
