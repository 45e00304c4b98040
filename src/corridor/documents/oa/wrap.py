"""Wrapping raw documents into OpenAttestation v2 wrapped documents.

``targetHash`` = keccak256(JSON.stringify(sorted field hashes)), where a field hash is
keccak256(JSON.stringify({flattened key: salted value})) and hidden fields contribute the hashes
listed in ``privacy.obfuscatedData``. A batch shares one Merkle root; each document carries the
proof from its targetHash to that root."""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import Any

from corridor.documents.oa.errors import OAFormatError
from corridor.documents.oa.flatten import display_path, iter_leaves
from corridor.documents.oa.hashing import keccak256, utf8
from corridor.documents.oa.jsjson import js_string, js_stringify
from corridor.documents.oa.merkle import MerkleTree
from corridor.documents.oa.salting import salt_source, typed_string
from corridor.documents.oa.schema import validate_raw_v2

SCHEMA_V2 = "https://schema.openattestation.com/2.0/schema.json"
SIGNATURE_TYPE = "SHA3MerkleProof"


def field_hash(key: str, value: Any) -> str:
    """keccak256(JSON.stringify({key: value})) as hex."""
    return keccak256(utf8("{" + js_string(key) + ":" + js_stringify(value) + "}")).hex()


def field_hashes(salted_data: Any) -> list[str]:
    return [field_hash(k, v) for k, v in iter_leaves(salted_data)]


def digest_hashes(hashes: Sequence[str]) -> str:
    """keccak256 of the JSON array of the sorted hashes (they are hex, so no escaping)."""
    return keccak256(('["' + '","'.join(sorted(hashes)) + '"]').encode("ascii")).hex()


def digest_document(wrapped: dict[str, Any]) -> str:
    """``digestDocument``: the targetHash that ``data`` and ``privacy.obfuscatedData`` produce."""
    privacy = wrapped.get("privacy")
    hidden = privacy.get("obfuscatedData", []) if isinstance(privacy, dict) else []
    return digest_hashes([*hidden, *field_hashes(wrapped.get("data"))])


def _dotted_key_path(data: Any, parts: tuple[str | int, ...] = ()) -> str | None:
    """The display path of the first key containing ``.`` (only walked when wrapping failed)."""
    if isinstance(data, dict):
        for k, v in data.items():
            if not isinstance(k, str) or "." in k:
                return display_path((*parts, str(k)))
            found = _dotted_key_path(v, (*parts, k))
            if found:
                return found
    elif isinstance(data, list):
        for i, v in enumerate(data):
            found = _dotted_key_path(v, (*parts, i))
            if found:
                return found
    return None


class _DottedKey(Exception):
    pass


class _NotJson(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


_KEY_CACHE: dict[str, str] = {}
_KEY_CACHE_LIMIT = 200_000


def _key_open(key: str) -> str:
    """``{"<key>":`` with the key escaped like JSON.stringify; cached, since a batch of documents
    of one kind repeats the same flattened keys."""
    text = _KEY_CACHE.get(key)
    if text is None:
        if len(_KEY_CACHE) > _KEY_CACHE_LIMIT:
            _KEY_CACHE.clear()
        text = _KEY_CACHE[key] = "{" + js_string(key) + ":"
    return text


def _salt_and_hash(data: dict[str, Any], salt: Callable[[], str]) -> tuple[dict[str, Any], list[str]]:
    """Salt ``data`` and hash its fields in one walk (the hot path of a batch wrap)."""
    hashes: list[str] = []
    append = hashes.append
    h = keccak256
    eb = encode_basestring
    cache = _KEY_CACHE
    key_open = _key_open

    def walk(value: Any, key: str) -> Any:
        t = type(value)
        if t is str:
            salted = salt() + ":string:" + value
            quoted = eb(salted)
            if not quoted.isascii():
                quoted = js_string(salted)
            append(h(((cache.get(key) or key_open(key)) + quoted + "}").encode()).hex())
            return salted
        if t is dict:
            if not value:
                append(h((key_open(key) + "{}}").encode()).hex())
                return {}
            out: dict[str, Any] = {}
            for k, v in value.items():
                if type(k) is not str or "." in k:
                    raise _DottedKey
                out[k] = walk(v, key + "." + k)
            return out
        if t is list:
            if not value:
                append(h((key_open(key) + "[]}").encode()).hex())
                return []
            return [walk(v, f"{key}.{i}") for i, v in enumerate(value)]
        try:
            salted = salt() + ":" + typed_string(value)
        except TypeError:
            raise _NotJson(key) from None
        append(h((key_open(key) + js_string(salted) + "}").encode()).hex())
        return salted

    out: dict[str, Any] = {}
    try:
        for k, v in data.items():
            if type(k) is not str or "." in k:
                raise _DottedKey
            out[k] = walk(v, k)
    except _DottedKey:
        raise OAFormatError.single(
            _dotted_key_path(data) or "data",
            'field names must not contain "." (OpenAttestation flattens paths with dots)',
        ) from None
    except _NotJson as e:
        raise OAFormatError.single(
            "data." + e.key, "must be JSON: a string, number, boolean or null"
        ) from None
    return out, hashes


def _check_raw(data: Any, index: int | None) -> None:
    root = "data" if index is None else f"documents[{index}]"
    if not isinstance(data, dict):
        raise OAFormatError.single(root, "a document must be a JSON object")
    errors = validate_raw_v2(data, root)
    if errors:
        raise OAFormatError(errors)


def _assemble(
    salted: Sequence[dict[str, Any]], target_hashes: Sequence[str], schema_id: str | None
) -> list[dict[str, Any]]:
    tree = MerkleTree([bytes.fromhex(h) for h in target_hashes])
    root = tree.root.hex()
    out = []
    for data, target, proof in zip(salted, target_hashes, tree.all_proofs(), strict=True):
        doc: dict[str, Any] = {"version": SCHEMA_V2, "data": data}
        if schema_id:
            doc["schema"] = schema_id
        doc["signature"] = {
            "type": SIGNATURE_TYPE,
            "targetHash": target,
            "proof": [p.hex() for p in proof],
            "merkleRoot": root,
        }
        out.append(doc)
    return out


def wrap_documents(
    documents: Sequence[dict[str, Any]],
    *,
    salt: Callable[[], str] | None = None,
    schema_id: str | None = None,
    validate: bool = True,
) -> list[dict[str, Any]]:
    """``wrapDocuments``: salt, hash and put a batch of raw documents under one Merkle root."""
    if not documents:
        raise OAFormatError.single("documents", "a batch needs at least one document")
    source = salt or salt_source()
    salted: list[dict[str, Any]] = []
    targets: list[str] = []
    # A large batch allocates millions of small strings that the cyclic GC would scan in vain.
    pause_gc = len(documents) >= 1000 and gc.isenabled()
    if pause_gc:
        gc.disable()
    try:
        for i, raw in enumerate(documents):
            if validate:
                _check_raw(raw, i if len(documents) > 1 else None)
            elif not isinstance(raw, dict):
                raise OAFormatError.single(f"documents[{i}]", "a document must be a JSON object")
            try:
                data, hashes = _salt_and_hash(raw, source)
            except OAFormatError as e:
                if len(documents) > 1:
                    raise OAFormatError(
                        [type(err)(f"documents[{i}].{err.path}", err.reason) for err in e.errors]
                    ) from None
                raise
            salted.append(data)
            targets.append(digest_hashes(hashes))
        return _assemble(salted, targets, schema_id)
    finally:
        if pause_gc:
            gc.enable()


def wrap_document(
    document: dict[str, Any], *, salt: Callable[[], str] | None = None, schema_id: str | None = None
) -> dict[str, Any]:
    """``wrapDocument``: a batch of one, whose merkleRoot is its targetHash and proof is empty."""
    return wrap_documents([document], salt=salt, schema_id=schema_id)[0]


def wrap_salted(
    salted_documents: Sequence[dict[str, Any]], *, obfuscated: Sequence[Sequence[str]] | None = None
) -> list[dict[str, Any]]:
    """Wrap documents whose data is already salted (e.g. taken from another implementation), so
    that targetHashes, merkleRoot and proofs can be compared byte for byte."""
    if not salted_documents:
        raise OAFormatError.single("documents", "a batch needs at least one document")
    hidden = obfuscated or [[] for _ in salted_documents]
    targets = [digest_hashes([*h, *field_hashes(d)]) for d, h in zip(salted_documents, hidden, strict=True)]
    wrapped = _assemble(salted_documents, targets, None)
    for doc, h in zip(wrapped, hidden, strict=True):
        if h:
            doc["privacy"] = {"obfuscatedData": list(h)}
    return wrapped
