"""The OpenAttestation v2 algorithm: JS number/string formatting, salting, flattening, digests
and the sorted Merkle tree, including a known-answer vector made by the npm library."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.documents.oa import (
    MerkleTree,
    OAFormatError,
    check_proof,
    digest_document,
    get_data,
    obfuscate_document,
    wrap_documents,
    wrap_salted,
)
from corridor.documents.oa.hashing import _keccak256_public, keccak256, keccak256_text
from corridor.documents.oa.jsjson import js_number, js_string
from corridor.documents.oa.merkle import combine
from corridor.documents.oa.salting import UUID_V4, is_salted, salt_source, typed_string, unsalt

ISSUER = {"name": "Sample Chamber", "identityProof": {"type": "DNS-TXT", "location": "example.org"}}


def test_keccak_is_the_ethereum_variant_not_sha3() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256_text("abc") == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"


@given(st.binary(max_size=600))
def test_fast_keccak_equals_the_public_api(data: bytes) -> None:
    assert keccak256(data) == _keccak256_public(data)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "1"),
        (0, "0"),
        (-0.0, "0"),
        (100, "100"),
        (0.1, "0.1"),
        (1.5, "1.5"),
        (-2.25, "-2.25"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (123e-20, "1.23e-18"),
        (1.5e300, "1.5e+300"),
        (5e-324, "5e-324"),
        (2**53 + 2, "9007199254740994"),
        (12345678901234567890, "12345678901234567000"),
        (123456789.125, "123456789.125"),
        (10**400, "Infinity"),
    ],
)
def test_numbers_print_like_javascript(value: float, expected: str) -> None:
    assert js_number(value) == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_js_number_round_trips(x: float) -> None:
    assert float(js_number(x)) == x


def test_strings_escape_like_json_stringify() -> None:
    assert js_string('a"b\\c') == '"a\\"b\\\\c"'
    assert js_string("\n\t\x01\x1f") == '"\\n\\t\\u0001\\u001f"'
    assert js_string("é日本😀\u2028\x7f") == '"é日本😀\u2028\x7f"'
    assert js_string("x\ud800y") == '"x\\ud800y"'
    assert js_string("\ud83d\ude00") == '"😀"'  # a pair held as two code points is one character


def test_salts_are_uuid_v4_and_unique() -> None:
    salt = salt_source(block=3)
    salts = [salt() for _ in range(1000)]
    assert len(set(salts)) == 1000
    assert all(UUID_V4.match(s) for s in salts)


def test_typed_strings_and_unsalt() -> None:
    assert typed_string("x:y") == "string:x:y"
    assert typed_string(True) == "boolean:true"
    assert typed_string(None) == "null:null"
    assert typed_string(7.0) == "number:7"
    u = "4b9a2d8e-8c3f-4a7b-9e1d-2f6c5b8a7d90"
    assert unsalt(f"{u}:string:a:b") == "a:b"
    assert unsalt(f"{u}:number:1.5") == 1.5
    assert unsalt(f"{u}:number:12") == 12
    assert unsalt(f"{u}:boolean:false") is False
    assert unsalt(f"{u}:null:null") is None
    assert unsalt("not-salted") == "not-salted"
    assert is_salted(f"{u}:string:") and not is_salted(f"{u}:date:x") and not is_salted("x")


def test_known_answer_vector_from_the_npm_library(node_vector: list[dict[str, Any]]) -> None:
    for doc in node_vector:
        assert digest_document(doc) == doc["signature"]["targetHash"]
    again = wrap_salted([d["data"] for d in node_vector])
    assert [d["signature"] for d in again] == [d["signature"] for d in node_vector]


def test_known_vector_detects_any_change(node_vector: list[dict[str, Any]]) -> None:
    doc = copy.deepcopy(node_vector[0])
    doc["data"]["n"][0] = doc["data"]["n"][0].replace("1.5", "1.6")
    assert digest_document(doc) != doc["signature"]["targetHash"]


def test_wrap_round_trips_the_data() -> None:
    raw = {"issuers": [ISSUER], "a": {"b": [1, "two", None, True, {"c": 2.5}]}, "e": [], "o": {}}
    wrapped = wrap_documents([raw])[0]
    assert get_data(wrapped) == raw
    assert wrapped["signature"]["merkleRoot"] == wrapped["signature"]["targetHash"]
    assert wrapped["signature"]["proof"] == []
    assert digest_document(wrapped) == wrapped["signature"]["targetHash"]
    assert wrapped["data"]["e"] == [] and wrapped["data"]["o"] == {}


def test_salts_differ_between_wraps() -> None:
    raw = {"issuers": [ISSUER]}
    assert (
        wrap_documents([raw])[0]["signature"]["targetHash"]
        != wrap_documents([raw])[0]["signature"]["targetHash"]
    )


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33])
def test_batch_proofs_lead_to_the_root(n: int) -> None:
    docs = [{"issuers": [ISSUER], "i": i} for i in range(n)]
    wrapped = wrap_documents(docs)
    roots = {w["signature"]["merkleRoot"] for w in wrapped}
    assert len(roots) == 1
    root = bytes.fromhex(roots.pop())
    for w in wrapped:
        sig = w["signature"]
        proof = [bytes.fromhex(p) for p in sig["proof"]]
        assert check_proof(proof, root, bytes.fromhex(sig["targetHash"]))
        assert len(proof) <= max(1, (n - 1).bit_length())
        if proof:
            assert not check_proof(proof[:-1], root, bytes.fromhex(sig["targetHash"]))


def test_merkle_tree_sorts_leaves_and_promotes_the_odd_node() -> None:
    a, b, c = (bytes([x]) * 32 for x in (3, 1, 2))
    tree = MerkleTree([a, b, c])
    assert tree.elements == [b, c, a]
    assert tree.layers[1] == [combine(b, c), a]
    assert tree.root == combine(combine(b, c), a)
    assert combine(a, b) == keccak256(b + a)
    assert tree.proof_for_input(0) == [combine(b, c)]
    assert tree.proof_for_input(1) == [c, a]


def test_dotted_keys_are_refused_with_the_path() -> None:
    with pytest.raises(OAFormatError) as err:
        wrap_documents([{"issuers": [ISSUER], "items": [{"hs.code": "3004"}]}])
    assert err.value.errors[0].path == "data.items[0].hs.code"
    assert '"."' in err.value.errors[0].reason


def test_raw_documents_must_follow_the_v2_schema() -> None:
    with pytest.raises(OAFormatError) as err:
        wrap_documents([{"issuers": [{"name": "x", "identityProof": {"type": "EMAIL"}}]}, {"no": "issuers"}])
    paths = {e.path for e in err.value.errors}
    assert "documents[0].issuers[0].identityProof.type" in paths
    with pytest.raises(OAFormatError, match="non-empty array"):
        wrap_documents([{"issuers": []}])
    with pytest.raises(OAFormatError):
        wrap_documents([])


def test_obfuscation_keeps_the_target_hash() -> None:
    raw = {
        "issuers": [ISSUER],
        "items": [{"hs": "300490", "price": 1.5}, {"hs": "300410", "q": 3}],
        "secret": {"x": 1},
    }
    wrapped = wrap_documents([raw])[0]
    hidden = obfuscate_document(wrapped, ["items[0].price", "secret"])
    assert "price" not in hidden["data"]["items"][0] and "secret" not in hidden["data"]
    assert len(hidden["privacy"]["obfuscatedData"]) == 2
    assert digest_document(hidden) == wrapped["signature"]["targetHash"]
    again = obfuscate_document(hidden, "items.1.hs")
    assert digest_document(again) == wrapped["signature"]["targetHash"]
    assert len(again["privacy"]["obfuscatedData"]) == 3


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("items[0]", "array element"),
        ("only.x", "last visible field"),
        ("nope", "no such field"),
        ("items[5].hs", "no such field"),
    ],
)
def test_obfuscation_refuses_paths_that_would_break_verification(field: str, reason: str) -> None:
    wrapped = wrap_documents([{"issuers": [ISSUER], "items": [{"hs": "1", "q": 2}], "only": {"x": 1}}])[0]
    with pytest.raises(OAFormatError, match=reason):
        obfuscate_document(wrapped, field)


def test_wrapped_json_is_plain_json() -> None:
    wrapped = wrap_documents([{"issuers": [ISSUER], "u": "日本 ✓"}])[0]
    text = json.dumps(wrapped, ensure_ascii=False)
    assert re.search(r'"[0-9a-f-]{36}:string:日本 ✓"', text)
