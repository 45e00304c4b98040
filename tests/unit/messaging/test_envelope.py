"""Envelopes: RFC 8785 canonical JSON, RFC 8032 Ed25519, tamper evidence and each rejection reason."""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.messaging.envelope import (
    HEADER_FIELDS,
    MAX_AGE,
    MAX_CLOCK_SKEW,
    Envelope,
    EnvelopeRejected,
    b64url,
    b64url_decode,
    canonical,
    format_time,
    parse,
    parse_wire,
    seal,
    signing_input,
    verify,
)

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
# fixed keys so that every run signs the same bytes
SENDER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def sealed(body: dict[str, Any] | None = None, *, now: datetime = NOW, **overrides: Any) -> Envelope:
    options: dict[str, Any] = {
        "private_key": SENDER_KEY,
        "key_id": "IN-test-1",
        "message_type": "customs.prearrival.v1",
        "sender": "IN",
        "recipient": "RU",
        "body": {"export_declaration_id": "25IN0123456789ABCD"} if body is None else body,
        "now": now,
        "message_id": "00000000-0000-4000-8000-000000000001",
    }
    options.update(overrides)
    return seal(**options)


def check(envelope: Envelope, *, now: datetime = NOW, recipient: str = "RU") -> None:
    verify(envelope, public_key=SENDER_KEY.public_key(), expected_recipient=recipient, now=now)


def receive(data: bytes) -> None:
    """The receiving pipeline: bytes -> canonical JSON and shape -> recipient, freshness, signature."""
    check(parse_wire(data))


# ---------------------------------------------------------------- RFC 8785 (JCS)


def test_rfc8785_numbers_example() -> None:
    text = '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001]}'
    assert canonical(json.loads(text)) == b'{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}'


def test_rfc8785_string_example() -> None:
    text = r'{"string":"\u20ac$\u000F\u000aA' + "'" + r'\u0042\u0022\u005c\\\"\/"}'
    expected = '{"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'.encode()
    assert canonical(json.loads(text)) == expected


def test_rfc8785_combined_example_sorts_members_and_keeps_literals() -> None:
    text = (
        '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],'
        r'"string":"\u20ac$\u000F\u000aA' + "'" + r'\u0042\u0022\u005c\\\"\/",'
        '"literals":[null,true,false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    ).encode()
    assert canonical(json.loads(text)) == expected


def test_rfc8785_property_sorting_by_utf16_code_units() -> None:
    value = json.loads(
        "{"
        r'"\u20ac":"Euro Sign",'
        r'"\r":"Carriage Return",'
        r'"\ufb33":"Hebrew Letter Dalet With Dagesh",'
        r'"1":"One",'
        r'"\ud83d\ude00":"Emoji: Grinning Face",'
        r'"\u0080":"Control",'
        r'"\u00f6":"Latin Small Letter O With Diaeresis"'
        "}"
    )
    expected = (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    ).encode("utf-8")
    assert canonical(value) == expected
    # U+1F600 (surrogates D83D DE00) sorts before U+FB33 although its code point is larger
    assert "\U0001f600" > "\ufb33"


@pytest.mark.parametrize(
    ("ieee_hex", "expected"),
    [  # RFC 8785 Appendix B
        ("0000000000000000", "0"),
        ("8000000000000000", "0"),
        ("0000000000000001", "5e-324"),
        ("8000000000000001", "-5e-324"),
        ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("ffefffffffffffff", "-1.7976931348623157e+308"),
        ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"),
        ("4430000000000000", "295147905179352830000"),
        ("44b52d02c7e14af5", "9.999999999999997e+22"),
        ("44b52d02c7e14af6", "1e+23"),
        ("44b52d02c7e14af7", "1.0000000000000001e+23"),
        ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("444b1ae4d6e2ef4f", "999999999999999900000"),
        ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
        ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("41b3de4355555553", "333333333.3333332"),
        ("41b3de4355555554", "333333333.33333325"),
        ("41b3de4355555555", "333333333.3333333"),
        ("41b3de4355555556", "333333333.3333334"),
        ("41b3de4355555557", "333333333.33333343"),
        ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ],
)
def test_rfc8785_appendix_b_number_serialisation(ieee_hex: str, expected: str) -> None:
    (number,) = struct.unpack(">d", bytes.fromhex(ieee_hex))
    assert canonical(number) == expected.encode("ascii")


any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
any_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
    max_leaves=16,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(value=any_json)
def test_canonical_agrees_with_the_reference_rfc8785_implementation(value: Any) -> None:
    assert canonical(value) == rfc8785.dumps(value)


@pytest.mark.parametrize(
    "keys",
    [
        ["\ufb33", "\U0001f600"],  # astral key sorts by its high surrogate D83D, before FB33
        ["\uffff", "\U00010000", "\ue000"],
        ["a\U0001f600", "a\uff5e"],
    ],
)
def test_canonical_sorts_astral_keys_by_utf16_code_units(keys: list[str]) -> None:
    value = {k: 1 for k in keys}
    assert canonical(value) == rfc8785.dumps(value)
    assert canonical({"outer": [value]}) == rfc8785.dumps({"outer": [value]})


@pytest.mark.parametrize("value", [2**53, -(2**53), "lone \ud800 surrogate", {"\udc00": 1}])
def test_canonical_refuses_what_jcs_cannot_represent(value: Any) -> None:
    with pytest.raises(ValueError):  # rfc8785.CanonicalizationError, or UnicodeEncodeError for a key
        canonical(value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_rfc8785_refuses_nan_and_infinity(value: float) -> None:
    with pytest.raises(ValueError):
        canonical({"x": value})


# ---------------------------------------------------------------- RFC 8032 Ed25519 (section 7.1)

RFC8032_VECTORS = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
]


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032_VECTORS)
def test_rfc8032_ed25519_vectors(secret: str, public: str, message: str, signature: str) -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
    public_raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert public_raw.hex() == public
    assert key.sign(bytes.fromhex(message)).hex() == signature
    key.public_key().verify(bytes.fromhex(signature), bytes.fromhex(message))


# ---------------------------------------------------------------- base64url and time


def test_b64url_is_unpadded_and_round_trips() -> None:
    assert b64url(b"\xfb\xff") == "-_8"
    assert b64url_decode("-_8") == b"\xfb\xff"


@pytest.mark.parametrize("text", ["-_9", "-_8=", "-/8", "-_8\n", "A"])
def test_b64url_decode_refuses_non_canonical_text(text: str) -> None:
    with pytest.raises(ValueError):
        b64url_decode(text)


def test_format_time_is_utc_with_z_and_microseconds() -> None:
    ist = datetime(2025, 6, 2, 20, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert format_time(ist) == "2025-06-02T14:30:00.000000Z"


def test_seal_signs_the_canonical_header_and_body() -> None:
    envelope = sealed({"b": 1, "a": [True, None]})
    assert envelope.header.created == "2025-06-02T09:00:00.000000Z"
    assert envelope.header.to_json()["key_id"] == "IN-test-1"
    expected_input = canonical({"header": envelope.header.to_json(), "body": {"a": [True, None], "b": 1}})
    assert signing_input(envelope.header, envelope.body) == expected_input
    SENDER_KEY.public_key().verify(b64url_decode(envelope.signature), expected_input)
    # the transport form need not be canonical, but it must parse back to the same envelope
    assert json.loads(envelope.to_bytes()) == envelope.to_json()


# ---------------------------------------------------------------- hypothesis: round trip and tampering

# a receiver refuses lone surrogates (category Cs) and NUL anywhere in an envelope
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
scalars = st.none() | st.booleans() | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1) | texts
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)
bodies = st.dictionaries(texts, json_values, max_size=5)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(body=bodies)
def test_seal_serialise_parse_verify_round_trips(body: dict[str, Any]) -> None:
    envelope = sealed(body)
    data = envelope.to_bytes()

    parsed = parse(json.loads(data))

    assert parsed == envelope
    assert parsed.body == body
    check(parsed)
    assert parse_wire(data) == envelope


def must_be_refused(data: bytes) -> None:
    with pytest.raises(EnvelopeRejected):
        receive(data)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(body=bodies, data=st.data())
def test_any_single_byte_change_is_refused(body: dict[str, Any], data: st.DataObject) -> None:
    original = sealed(body).to_bytes()
    position = data.draw(st.integers(min_value=0, max_value=len(original) - 1), label="position")
    replacement = data.draw(
        st.integers(min_value=0, max_value=255).filter(lambda b: b != original[position]),
        label="replacement",
    )
    tampered = original[:position] + bytes([replacement]) + original[position + 1 :]

    must_be_refused(tampered)


def test_every_position_of_a_signed_envelope_is_tamper_evident() -> None:
    body = {
        "export_declaration_id": "25IN0123456789ABCD",
        "amount": {"value": "32162.68", "currencyID": "USD"},
        "items": [1, -20, 300, True, False, None, "Ω€😀", 'tab\tquote"back\\slash\u0001\u001f'],
    }
    original = sealed(body).to_bytes()
    receive(original)  # the untouched envelope is accepted
    checked = 0
    for position, byte in enumerate(original):
        for replacement in {byte ^ 0x01, byte ^ 0x20, byte ^ 0x80, 0x20, 0x30, 0x41, 0x7B} - {byte}:
            must_be_refused(original[:position] + bytes([replacement]) + original[position + 1 :])
            checked += 1
    assert checked > 6 * len(original)


def test_the_signature_has_one_text_only() -> None:
    """The last character of an 86-character signature carries 2 bits and 4 padding bits; the other
    15 characters that decode to the same bytes are refused."""
    envelope = sealed()
    last = envelope.signature[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    same_bits = [c for c in alphabet if alphabet.index(c) >> 4 == alphabet.index(last) >> 4 and c != last]
    assert len(same_bits) == 15
    for c in same_bits:
        variant = Envelope(envelope.header, envelope.body, envelope.signature[:-1] + c)
        with pytest.raises(EnvelopeRejected) as raised:
            check(variant)
        assert raised.value.field == "signature"
        assert "base64url" in raised.value.reason


def test_parse_wire_accepts_exactly_the_canonical_bytes() -> None:
    envelope = sealed({"note": "unit\x1fseparator", "n": 10})
    data = envelope.to_bytes()
    assert data == canonical(envelope.to_json())
    assert parse_wire(data) == envelope


@pytest.mark.parametrize(
    "respell",
    [
        lambda data: data.replace(b"\\u001f", b"\\u001F"),  # same string, other escape spelling
        lambda data: json.dumps(json.loads(data)).encode(),  # spaces after separators
        lambda data: data + b"\n",
        lambda data: b" " + data,
        lambda data: json.dumps(json.loads(data), ensure_ascii=True).encode(),
        lambda data: data.replace(b'"n":10', b'"n":1e1'),
    ],
)
def test_parse_wire_refuses_other_spellings_of_the_same_envelope(respell: Any) -> None:
    data = sealed({"note": "unit\x1fseparator \u20ac", "n": 10}).to_bytes()
    variant = respell(data)
    assert variant != data
    assert json.loads(variant) == json.loads(data)

    with pytest.raises(EnvelopeRejected) as raised:
        parse_wire(variant)

    assert raised.value.field == "envelope"


@pytest.mark.parametrize("data", [b"", b"{", b"\xff\xfe{}", b'{"header":1e400}', b"[]"])
def test_parse_wire_refuses_what_is_not_an_envelope(data: bytes) -> None:
    with pytest.raises(EnvelopeRejected) as raised:
        parse_wire(data)
    assert raised.value.field in ("envelope", "header")


@pytest.mark.parametrize("depth", [100, 10_000, 100_000])
def test_parse_wire_refuses_deep_nesting_with_a_reason(depth: int) -> None:
    data = b'{"body":{"x":' + b"[" * depth + b"]" * depth + b'},"header":{},"signature":"x"}'
    with pytest.raises(EnvelopeRejected) as raised:
        parse_wire(data)
    assert "nested deeper than" in raised.value.reason


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b'{"body":{"note":"a\\ud800"},"header":{},"signature":"x"}', "body.note"),
        (b'{"body":{"a\\udc00":1},"header":{},"signature":"x"}', "body"),
        (b'{"body":{"note":["a\\u0000"]},"header":{},"signature":"x"}', "body.note[0]"),
    ],
)
def test_parse_wire_refuses_text_that_cannot_be_stored_or_signed(data: bytes, field: str) -> None:
    with pytest.raises(EnvelopeRejected) as raised:
        parse_wire(data)
    assert raised.value.field == field
    assert "surrogate" in raised.value.reason or "NUL" in raised.value.reason


# ---------------------------------------------------------------- each rejection reason


def reason_of(envelope: Envelope, **kwargs: Any) -> EnvelopeRejected:
    with pytest.raises(EnvelopeRejected) as raised:
        check(envelope, **kwargs)
    return raised.value


def test_a_valid_envelope_verifies() -> None:
    check(sealed())


def test_wrong_recipient() -> None:
    rejected = reason_of(sealed(), recipient="IN")
    assert rejected.field == "header.recipient"
    assert "'RU'" in rejected.reason and "'IN'" in rejected.reason


def test_stale_just_past_max_age_but_not_at_it() -> None:
    check(sealed(), now=NOW + MAX_AGE)
    rejected = reason_of(sealed(), now=NOW + MAX_AGE + timedelta(microseconds=1))
    assert rejected.field == "header.created"
    assert "stale" in rejected.reason


def test_future_beyond_clock_skew_but_not_within_it() -> None:
    check(sealed(now=NOW + MAX_CLOCK_SKEW))
    rejected = reason_of(sealed(now=NOW + MAX_CLOCK_SKEW + timedelta(microseconds=1)))
    assert rejected.field == "header.created"
    assert "future" in rejected.reason


@pytest.mark.parametrize(
    ("created", "reason"),
    [("yesterday", "ISO 8601"), ("2025-06-02T09:00:00", "time zone")],
)
def test_created_that_is_not_an_aware_date_time(created: str, reason: str) -> None:
    envelope = sealed()
    raw = envelope.to_json()
    raw["header"]["created"] = created
    rejected = reason_of(parse(raw))
    assert rejected.field == "header.created"
    assert reason in rejected.reason


def test_bad_signature_from_another_key() -> None:
    envelope = sealed(private_key=OTHER_KEY)
    rejected = reason_of(envelope)
    assert rejected.field == "signature"
    assert "does not verify" in rejected.reason


def test_signature_over_a_changed_body() -> None:
    envelope = sealed()
    changed = Envelope(envelope.header, {"export_declaration_id": "25IN0123456789ABCE"}, envelope.signature)
    assert reason_of(changed).field == "signature"


@pytest.mark.parametrize("length", [0, 1, 32, 63, 65, 128])
def test_signature_of_the_wrong_length(length: int) -> None:
    envelope = sealed()
    wrong = Envelope(envelope.header, envelope.body, b64url(b"\x01" * length) or "A")
    rejected = reason_of(wrong)
    assert rejected.field == "signature"
    if length:
        assert "64-byte" in rejected.reason


def test_signature_not_base64url() -> None:
    envelope = sealed()
    rejected = reason_of(Envelope(envelope.header, envelope.body, "not base64!"))
    assert (rejected.field, rejected.reason) == ("signature", "is not base64url")


def shape_error(raw: Any) -> EnvelopeRejected:
    with pytest.raises(EnvelopeRejected) as raised:
        parse(raw)
    return raised.value


@pytest.mark.parametrize("name", HEADER_FIELDS)
@pytest.mark.parametrize("value", ["<missing>", None, 7, "", ["IN"], {"a": "b"}])
def test_header_field_missing_or_not_a_non_empty_string(name: str, value: Any) -> None:
    raw = sealed().to_json()
    if value == "<missing>":
        del raw["header"][name]
    else:
        raw["header"][name] = value
    rejected = shape_error(raw)
    assert rejected.field == f"header.{name}"
    assert "non-empty string" in rejected.reason


def test_header_with_an_unexpected_member() -> None:
    raw = sealed().to_json()
    raw["header"]["priority"] = "high"
    rejected = shape_error(raw)
    assert (rejected.field, rejected.reason) == ("header.priority", "unexpected member")


@pytest.mark.parametrize("header", ["<missing>", None, "IN", [], 1])
def test_header_missing_or_not_an_object(header: Any) -> None:
    raw = sealed().to_json()
    if header == "<missing>":
        del raw["header"]
    else:
        raw["header"] = header
    assert shape_error(raw).field == "header"


@pytest.mark.parametrize("body", ["<missing>", None, [], "text", 1, True])
def test_body_not_an_object(body: Any) -> None:
    raw = sealed().to_json()
    if body == "<missing>":
        del raw["body"]
    else:
        raw["body"] = body
    rejected = shape_error(raw)
    assert rejected.field == "body"
    assert "not an object" in rejected.reason


@pytest.mark.parametrize("signature", ["<missing>", None, "", 64, ["a"]])
def test_signature_missing_or_not_a_string(signature: Any) -> None:
    raw = sealed().to_json()
    if signature == "<missing>":
        del raw["signature"]
    else:
        raw["signature"] = signature
    assert shape_error(raw).field == "signature"


def test_envelope_with_an_unexpected_member() -> None:
    raw = sealed().to_json()
    raw["attachments"] = []
    rejected = shape_error(raw)
    assert (rejected.field, rejected.reason) == ("attachments", "unexpected member")


@pytest.mark.parametrize("raw", [None, [], "envelope", 3])
def test_envelope_not_an_object(raw: Any) -> None:
    assert shape_error(raw).field == "envelope"


def test_rejection_message_names_field_and_reason() -> None:
    error = EnvelopeRejected("header.type", "unknown")
    assert (error.field, error.reason, str(error)) == ("header.type", "unknown", "header.type: unknown")
