"""The sorted Merkle tree of OpenAttestation v2.

Leaves are the 32-byte target hashes sorted bytewise (``Buffer.compare``); a parent is
keccak-256 of its two children sorted bytewise and concatenated; the last node of an odd layer is
promoted unchanged. A proof lists the sibling of the node on the path at every layer where it has
one. Proofs for a whole batch are built in O(n log n): each document's leaf position is known
from the sort, so no per-document search of the tree is needed."""

from __future__ import annotations

from collections.abc import Sequence

from corridor.documents.oa.hashing import keccak256


def combine(a: bytes, b: bytes) -> bytes:
    return keccak256(a + b if a <= b else b + a)


def next_layer(layer: Sequence[bytes]) -> list[bytes]:
    n = len(layer)
    out = [combine(layer[i], layer[i + 1]) for i in range(0, n - 1, 2)]
    if n % 2:
        out.append(layer[-1])
    return out


class MerkleTree:
    """A tree over 32-byte leaves; ``elements`` are the sorted leaves."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        if not leaves:
            raise ValueError("a Merkle tree needs at least one leaf")
        if any(len(leaf) != 32 for leaf in leaves):
            raise ValueError("Merkle leaves must be 32 bytes")
        order = sorted(range(len(leaves)), key=leaves.__getitem__)
        self.elements = [leaves[i] for i in order]
        # Position of each input leaf in the sorted layer; equal leaves share the first position,
        # as OpenAttestation's findIndex does.
        self._position = [0] * len(leaves)
        for pos, original in enumerate(order):
            if pos and self.elements[pos] == self.elements[pos - 1]:
                self._position[original] = self._position[order[pos - 1]]
            else:
                self._position[original] = pos
        self.layers: list[list[bytes]] = [self.elements]
        while len(self.layers[-1]) > 1:
            self.layers.append(next_layer(self.layers[-1]))

    @property
    def root(self) -> bytes:
        return self.layers[-1][0]

    def proof_at(self, position: int) -> list[bytes]:
        proof: list[bytes] = []
        i = position
        for layer in self.layers[:-1]:
            sibling = i ^ 1
            if sibling < len(layer):
                proof.append(layer[sibling])
            i >>= 1
        return proof

    def proof_for_input(self, index: int) -> list[bytes]:
        """The proof of the ``index``-th leaf as given to the constructor."""
        return self.proof_at(self._position[index])

    def all_proofs(self) -> list[list[bytes]]:
        """Proofs for every input leaf in input order, O(n log n) in total."""
        return [self.proof_at(p) for p in self._position]


def check_proof(proof: Sequence[bytes], root: bytes, leaf: bytes) -> bool:
    node = leaf
    for sibling in proof:
        node = combine(node, sibling)
    return node == root
