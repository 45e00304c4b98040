"""The key ring: own signing keys (PEM, 0600) and the trust list of public keys, kept in the
node's database (here the in-memory fake), so every process of the node sees a change at once."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from corridor.adapters.memory import MemoryStore, MemoryUnitOfWork
from corridor.messaging.keys import ACTIVE, RETIRED, REVOKED, KeyringError, NodeKeys, public_key_text

Opener = Callable[..., NodeKeys]


def raw_public(key: Ed25519PublicKey) -> str:
    return public_key_text(key)


def by_id(ring: NodeKeys) -> dict[str, Any]:
    return {k.key_id: k for k in ring.trusted()}


@pytest.fixture
def open_ring(tmp_path: Path) -> Opener:
    """Open a node's keys as a process would: the same name means the same data directory and the
    same database, so opening again is a restart, or a second process of the node."""
    stores: dict[str, MemoryStore] = {}

    def open_(name: str, node: str) -> NodeKeys:
        store = stores.setdefault(name, MemoryStore())
        return NodeKeys.open(tmp_path / name, node, lambda: MemoryUnitOfWork(store))

    return open_


@pytest.fixture
def india(open_ring: Opener) -> NodeKeys:
    return open_ring("in", "IN")


@pytest.fixture
def russia(open_ring: Opener) -> NodeKeys:
    return open_ring("ru", "RU")


def test_a_new_ring_has_one_active_key_and_a_private_key_file_readable_by_the_owner_only(
    tmp_path: Path, india: NodeKeys
) -> None:
    key_id = india.active_key_id()
    assert key_id is not None and key_id.startswith("IN-")
    [entry] = india.trusted()
    assert (entry.key_id, entry.node, entry.status) == (key_id, "IN", ACTIVE)
    pem = tmp_path / "in" / "keys" / f"{key_id}.pem"
    assert pem.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert not (tmp_path / "in" / "trust.json").exists()  # the trust list is in the database
    # the trust list holds the public half of the signing key
    signing_id, private = india.signing_key()
    assert signing_id == key_id
    assert entry.public_key == raw_public(private.public_key())


def test_reopening_loads_the_same_key_and_makes_no_new_one(
    tmp_path: Path, open_ring: Opener, india: NodeKeys
) -> None:
    key_id, private = india.signing_key()

    again = open_ring("in", "IN")

    assert again.active_key_id() == key_id
    assert len(again.trusted()) == 1
    assert len(list((tmp_path / "in" / "keys").glob("*.pem"))) == 1
    signature = again.signing_key()[1].sign(b"message")
    private.public_key().verify(signature, b"message")


def test_rotate_retires_the_old_key_which_still_verifies(open_ring: Opener, india: NodeKeys) -> None:
    old_id, old_private = india.signing_key()

    new = india.rotate()

    assert new.key_id != old_id
    assert india.active_key_id() == new.key_id
    assert india.signing_key()[0] == new.key_id
    statuses = {k.key_id: k.status for k in india.trusted()}
    assert statuses == {old_id: RETIRED, new.key_id: ACTIVE}
    # the old key still verifies what it signed before the rotation
    old_public = india.resolve(old_id, "IN")
    old_public.verify(old_private.sign(b"before"), b"before")
    # the new key signs from now on, and the choice survives a restart
    again = open_ring("in", "IN")
    assert again.active_key_id() == new.key_id
    assert {k.key_id: k.status for k in again.trusted()} == statuses


def test_revoke_makes_resolve_refuse_the_key(india: NodeKeys, russia: NodeKeys) -> None:
    india.import_public(russia.export_public())
    peer_id = russia.active_key_id()
    assert peer_id is not None
    india.resolve(peer_id, "RU")

    revoked = india.revoke(peer_id)

    assert revoked.status == REVOKED
    with pytest.raises(LookupError, match="revoked"):
        india.resolve(peer_id, "RU")


def test_revoke_persists(open_ring: Opener, india: NodeKeys, russia: NodeKeys) -> None:
    india.import_public(russia.export_public())
    peer_id = russia.active_key_id()
    assert peer_id is not None
    india.revoke(peer_id)

    again = open_ring("in", "IN")

    with pytest.raises(LookupError, match="revoked"):
        again.resolve(peer_id, "RU")


def test_revoking_an_unknown_key_is_an_error(india: NodeKeys) -> None:
    with pytest.raises(KeyringError, match="not in the trust list"):
        india.revoke("RU-nope")


def test_revoking_the_own_active_key_stops_signing_and_a_restart_makes_a_new_key(
    open_ring: Opener, india: NodeKeys
) -> None:
    old_id = india.active_key_id()
    assert old_id is not None
    india.revoke(old_id)

    with pytest.raises(KeyringError, match="no active signing key"):
        india.signing_key()
    again = open_ring("in", "IN")
    assert again.active_key_id() not in (None, old_id)
    assert by_id(again)[old_id].status == REVOKED


def test_import_public_adds_the_peer_keys_for_that_peer_only(india: NodeKeys, russia: NodeKeys) -> None:
    russia.rotate()
    document = russia.export_public()
    assert document["node"] == "RU"
    assert len(document["keys"]) == 2

    imported = india.import_public(document)

    assert {k.key_id for k in imported} == {k["key_id"] for k in document["keys"]}
    for entry in document["keys"]:
        resolved = india.resolve(entry["key_id"], "RU")
        assert raw_public(resolved) == entry["public_key"]
        assert by_id(india)[entry["key_id"]].status == entry["status"]
    # a peer's keys are not exported as this node's own
    assert {k["node"] for k in india.export_public()["keys"]} == {"IN"}


def test_imported_keys_survive_a_restart(open_ring: Opener, india: NodeKeys, russia: NodeKeys) -> None:
    india.import_public(russia.export_public())
    peer_id = russia.active_key_id()
    assert peer_id is not None

    again = open_ring("in", "IN")

    assert raw_public(again.resolve(peer_id, "RU")) == by_id(russia)[peer_id].public_key


def test_import_refuses_a_key_claiming_to_be_this_nodes_own(open_ring: Opener, india: NodeKeys) -> None:
    impostor = open_ring("impostor", "IN")  # another ring that calls itself IN

    with pytest.raises(KeyringError, match="this node's own key"):
        india.import_public(impostor.export_public())

    assert impostor.active_key_id() not in by_id(india)


def test_import_refuses_a_changed_public_key_for_a_known_key_id(
    open_ring: Opener, india: NodeKeys, russia: NodeKeys
) -> None:
    india.import_public(russia.export_public())
    peer_id = russia.active_key_id()
    assert peer_id is not None
    other = open_ring("other", "RU")
    forged = {"node": "RU", "keys": [{**by_id(other)[other.active_key_id()].to_json(), "key_id": peer_id}]}

    with pytest.raises(KeyringError, match="different public key"):
        india.import_public(forged)

    assert raw_public(india.resolve(peer_id, "RU")) == by_id(russia)[peer_id].public_key


def test_a_revoked_key_stays_revoked_when_the_peer_exports_it_again(
    india: NodeKeys, russia: NodeKeys
) -> None:
    india.import_public(russia.export_public())
    peer_id = russia.active_key_id()
    assert peer_id is not None
    india.revoke(peer_id)

    india.import_public(russia.export_public())  # the peer still lists it as active

    assert by_id(india)[peer_id].status == REVOKED
    with pytest.raises(LookupError):
        india.resolve(peer_id, "RU")


def test_resolve_refuses_a_key_of_another_sender(india: NodeKeys, russia: NodeKeys) -> None:
    india.import_public(russia.export_public())
    peer_id = russia.active_key_id()
    own_id = india.active_key_id()
    assert peer_id is not None and own_id is not None

    with pytest.raises(LookupError, match="belongs to node 'RU'"):
        india.resolve(peer_id, "CN")
    with pytest.raises(LookupError, match="belongs to node 'IN'"):
        india.resolve(own_id, "RU")


def test_resolve_refuses_an_unknown_key(india: NodeKeys) -> None:
    with pytest.raises(LookupError, match="not in the trust list"):
        india.resolve("RU-unknown", "RU")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "list 'keys'"),
        ({"keys": "all"}, "list 'keys'"),
        ({"keys": [1]}, "keys[0]: must be an object"),
    ],
)
def test_import_refuses_a_malformed_document(india: NodeKeys, document: Any, message: str) -> None:
    with pytest.raises(KeyringError) as raised:
        india.import_public(document)
    assert message in str(raised.value)


def test_a_refused_import_changes_nothing(open_ring: Opener, india: NodeKeys, russia: NodeKeys) -> None:
    impostor = open_ring("impostor", "IN")
    document = {"keys": russia.export_public()["keys"] + impostor.export_public()["keys"]}

    with pytest.raises(KeyringError):
        india.import_public(document)

    peer_id = russia.active_key_id()
    assert peer_id is not None
    with pytest.raises(LookupError):
        india.resolve(peer_id, "RU")


def test_import_refuses_to_re_label_this_nodes_own_key(india: NodeKeys) -> None:
    own = by_id(india)[india.active_key_id()].to_json()

    with pytest.raises(KeyringError, match="trusted as a key of node IN"):
        india.import_public({"node": "RU", "keys": [{**own, "node": "RU"}]})

    assert india.signing_key()[0] == own["key_id"]


def write_trust(directory: Path, payload: Any) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    text = payload if isinstance(payload, str) else json.dumps(payload)
    (directory / "trust.json").write_text(text, "utf-8")


GOOD_ENTRY = {
    "key_id": "RU-1",
    "node": "RU",
    "public_key": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    "status": "active",
    "created": "2025-06-02T09:00:00+00:00",
}


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ("{not json", "trust.json: not JSON"),
        ([], "trust.json: keys must be a list"),
        ({"keys": {}}, "trust.json: keys must be a list"),
        ({"keys": ["RU-1"]}, "keys[0]: must be an object"),
        ({"keys": [GOOD_ENTRY, {**GOOD_ENTRY, "key_id": ""}]}, "keys[1].key_id"),
        ({"keys": [{k: v for k, v in GOOD_ENTRY.items() if k != "node"}]}, "keys[0].node"),
        ({"keys": [{**GOOD_ENTRY, "created": 20250602}]}, "keys[0].created"),
        ({"keys": [{**GOOD_ENTRY, "status": "trusted"}]}, "keys[0].status"),
        ({"keys": [{**GOOD_ENTRY, "public_key": "not base64!"}]}, "keys[0].public_key"),
        ({"keys": [{**GOOD_ENTRY, "public_key": "AAAA"}]}, "keys[0].public_key"),
    ],
)
def test_a_corrupt_legacy_trust_list_names_the_field_and_changes_nothing(
    tmp_path: Path, open_ring: Opener, payload: Any, names: str
) -> None:
    write_trust(tmp_path / "in", payload)

    with pytest.raises(KeyringError) as raised:
        open_ring("in", "IN")

    assert names in str(raised.value)
    assert (tmp_path / "in" / "trust.json").exists()  # left for the operator to mend
    assert not (tmp_path / "in" / "keys").exists()  # no key made, nothing half-written


def test_a_valid_hand_written_legacy_trust_list_loads(tmp_path: Path, open_ring: Opener) -> None:
    write_trust(tmp_path / "in", {"keys": [GOOD_ENTRY]})

    ring = open_ring("in", "IN")

    # RFC 8032 TEST 1 public key, base64url
    assert raw_public(ring.resolve("RU-1", "RU")) == GOOD_ENTRY["public_key"]
    assert ring.active_key_id() is not None  # a ring with no own key makes one


def legacy_node(directory: Path, node: str = "IN") -> tuple[str, str]:
    """A data directory as earlier versions left it: a PEM file and trust.json; returns the own
    key id and its public key."""
    private = Ed25519PrivateKey.generate()
    key_id = f"{node}-20250101000000-0000abcd"
    (directory / "keys").mkdir(parents=True)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (directory / "keys" / f"{key_id}.pem").write_bytes(pem)
    public = raw_public(private.public_key())
    own = {"key_id": key_id, "node": node, "public_key": public, "status": ACTIVE, "created": "2025-01-01"}
    write_trust(directory, {"keys": [own, GOOD_ENTRY]})
    return key_id, public


def test_a_legacy_trust_list_moves_into_the_database_once_and_nothing_is_lost(
    tmp_path: Path, open_ring: Opener
) -> None:
    key_id, public = legacy_node(tmp_path / "in")

    ring = open_ring("in", "IN")

    assert ring.signing_key()[0] == key_id  # the same signing key, no new one
    assert {k.key_id: (k.status, k.public_key) for k in ring.trusted()} == {
        key_id: (ACTIVE, public),
        "RU-1": (ACTIVE, GOOD_ENTRY["public_key"]),
    }
    assert not (tmp_path / "in" / "trust.json").exists()
    assert (tmp_path / "in" / "trust.json.migrated").exists()
    # the database is the trust list from now on: a revoke is kept, and the old file, should it
    # come back (a crash before the rename), neither undoes it nor adds anything twice
    ring.revoke("RU-1")
    (tmp_path / "in" / "trust.json.migrated").rename(tmp_path / "in" / "trust.json")
    again = open_ring("in", "IN")
    assert {k.key_id: k.status for k in again.trusted()} == {key_id: ACTIVE, "RU-1": REVOKED}
    assert again.signing_key()[0] == key_id


def test_a_legacy_own_active_key_without_its_private_key_is_retired_and_a_new_one_made(
    tmp_path: Path, open_ring: Opener
) -> None:
    key_id, _ = legacy_node(tmp_path / "in")
    (tmp_path / "in" / "keys" / f"{key_id}.pem").unlink()

    ring = open_ring("in", "IN")

    assert by_id(ring)[key_id].status == RETIRED
    assert ring.signing_key()[0] not in (None, key_id)


def test_a_change_by_one_process_counts_at_once_in_another(open_ring: Opener, russia: NodeKeys) -> None:
    server, operator = open_ring("in", "IN"), open_ring("in", "IN")  # two processes, one database
    server.import_public(russia.export_public())
    peer_id = russia.active_key_id()
    assert peer_id is not None
    server.resolve(peer_id, "RU")
    old_id = server.signing_key()[0]

    operator.revoke(peer_id)
    rotated = operator.rotate()

    with pytest.raises(LookupError, match="revoked"):
        server.resolve(peer_id, "RU")
    new_id, private = server.signing_key()
    assert (new_id, rotated.status) == (rotated.key_id, ACTIVE)
    assert raw_public(private.public_key()) == rotated.public_key
    assert by_id(server)[old_id].status == RETIRED


def test_a_node_whose_active_private_key_is_missing_cannot_sign_and_says_why(
    tmp_path: Path, india: NodeKeys, open_ring: Opener
) -> None:
    key_id = india.active_key_id()
    assert key_id is not None
    (tmp_path / "in" / "keys" / f"{key_id}.pem").unlink()

    another_process = open_ring("in", "IN")

    with pytest.raises(KeyringError, match=f"private key of the active signing key {key_id} is missing"):
        another_process.signing_key()
    another_process.rotate()  # the way out: a new key, which signs at once
    assert india.signing_key()[0] != key_id


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{**GOOD_ENTRY, "key_id": "K" * 101}], "keys[0].key_id: longer than 100 characters"),
        ([{**GOOD_ENTRY, "node": "RUSSIA-FED"}], "keys[0].node: longer than 8 characters"),
        (
            [GOOD_ENTRY, {**GOOD_ENTRY, "public_key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}],
            "RU-1 is already trusted with a different public key",
        ),
    ],
)
def test_import_refuses_entries_the_trust_list_cannot_hold(
    india: NodeKeys, entries: list[dict[str, str]], message: str
) -> None:
    before = india.trusted()

    with pytest.raises(KeyringError) as raised:
        india.import_public({"node": "RU", "keys": entries})

    assert message in str(raised.value)
    assert india.trusted() == before


def test_the_same_key_twice_in_one_document_is_imported_once(india: NodeKeys) -> None:
    india.import_public({"node": "RU", "keys": [GOOD_ENTRY, {**GOOD_ENTRY, "status": RETIRED}]})

    assert by_id(india)["RU-1"].status == RETIRED


def test_a_key_id_that_is_no_file_name_is_refused(tmp_path: Path) -> None:
    from corridor.messaging.keys import PrivateKeys

    with pytest.raises(KeyringError, match="not usable as a key file name"):
        PrivateKeys(tmp_path).load("../../etc/passwd")
