"""The HS index: BM25 over the reference texts and MiniLM embeddings of the subheadings and
headings. Embedding 5,600 subheadings takes minutes on one core, so the vectors are built once and
cached in the node's data directory (``<data_dir>/hs-index/<fingerprint>/``), keyed by the
nomenclature, the tariff files, the model and this module's version; the BM25 index is rebuilt
in memory at load (under a second). A process keeps one loaded ranker per cache key."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from corridor.classification.adapters.minilm import MODEL_NAME, MiniLM, model_dir
from corridor.classification.adapters.nomenclature import Nomenclature, load_nomenclature
from corridor.classification.domain import terms
from corridor.classification.ranker import HsRanker

INDEX_VERSION = "1"
_LOADED: dict[str, HsRanker] = {}
_LOCK = threading.Lock()


class Bm25Search:
    """BM25 (``bm25s``) over the lexical text of every subheading."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        import bm25s

        self._terms = [frozenset(d) for d in documents]
        self._bm25 = bm25s.BM25()
        self._bm25.index([list(d) for d in documents], show_progress=False)

    def search(self, query_terms: Sequence[str], n: int) -> list[tuple[int, float]]:
        scores = np.asarray(self._bm25.get_scores(list(query_terms)), dtype=np.float32)
        return _top(scores, n, positive=True)

    def document_terms(self, i: int) -> frozenset[str]:
        return self._terms[i]


class EmbeddingSearch:
    """Cosine similarity between the description's embedding and the cached reference vectors."""

    def __init__(
        self,
        model: MiniLM,
        subheadings: NDArray[np.float32],
        headings: NDArray[np.float32],
        heading_codes: Sequence[str],
    ) -> None:
        self._model = model
        self._sub = subheadings
        self._head = headings
        self._codes = tuple(heading_codes)

    def search(self, text: str, n: int) -> tuple[list[tuple[int, float]], dict[str, float]]:
        vector = self._model.encode([text])[0]
        sims = self._sub @ vector
        heads = self._head @ vector
        return _top(sims, n, positive=False), dict(zip(self._codes, heads.tolist(), strict=True))


def _top(scores: NDArray[np.float32], n: int, *, positive: bool) -> list[tuple[int, float]]:
    n = min(n, len(scores))
    picked = np.argpartition(-scores, n - 1)[:n]
    picked = picked[np.argsort(-scores[picked])]
    return [(int(i), float(scores[i])) for i in picked if not positive or scores[i] > 0]


def cache_key(nomenclature: Nomenclature) -> str:
    weights = model_dir() / "model.safetensors"
    return f"{nomenclature.fingerprint}-{weights.stat().st_size:x}-v{INDEX_VERSION}"


def _build_vectors(
    model: MiniLM, nomenclature: Nomenclature
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    subs = model.encode([r.description for r in nomenclature.references])
    heads = model.encode([nomenclature.headings[h] for h in sorted(nomenclature.headings)])
    return subs, heads


def _save(directory: Path, subs: NDArray[np.float32], heads: NDArray[np.float32], key: str) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    partial = directory.with_name(directory.name + f".partial-{os.getpid()}")
    partial.mkdir(exist_ok=True)
    np.save(partial / "subheadings.npy", subs)
    np.save(partial / "headings.npy", heads)
    manifest = {"key": key, "model": MODEL_NAME, "subheadings": len(subs), "headings": len(heads)}
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    try:
        partial.rename(directory)
    except OSError:  # another process finished first: its copy is as good as ours
        for f in partial.iterdir():
            f.unlink()
        partial.rmdir()


def _load_vectors(
    directory: Path, key: str, n_sub: int, n_head: int
) -> tuple[NDArray[np.float32], NDArray[np.float32]] | None:
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        subs = np.load(directory / "subheadings.npy")
        heads = np.load(directory / "headings.npy")
    except (OSError, ValueError):
        return None
    if (
        manifest.get("key") != key
        or subs.shape != (n_sub, MiniLM.dimension)
        or heads.shape != (n_head, MiniLM.dimension)
    ):
        return None
    return subs.astype(np.float32), heads.astype(np.float32)


def build_ranker(
    nomenclature: Nomenclature, model: MiniLM, vectors: tuple[NDArray[np.float32], NDArray[np.float32]]
) -> HsRanker:
    """A ranker over ``nomenclature`` with its subheading and heading vectors."""
    documents = [terms(nomenclature.lexical_text(i)) for i in range(len(nomenclature.references))]
    semantic = EmbeddingSearch(model, vectors[0], vectors[1], sorted(nomenclature.headings))
    return HsRanker(nomenclature.references, Bm25Search(documents), semantic)


def embed(model: MiniLM, nomenclature: Nomenclature) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Vectors of every subheading text and every heading text (in code order)."""
    return _build_vectors(model, nomenclature)


def load_ranker(cache_dir: Path, nomenclature: Nomenclature | None = None) -> HsRanker:
    """The ranker over the index cached under ``cache_dir`` (built there on first use)."""
    nomenclature = nomenclature or load_nomenclature()
    key = cache_key(nomenclature)
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key]
        model = MiniLM()
        directory = cache_dir / key
        codes = sorted(nomenclature.headings)
        vectors = _load_vectors(directory, key, len(nomenclature.references), len(codes))
        if vectors is None:
            vectors = _build_vectors(model, nomenclature)
            _save(directory, *vectors, key)
        ranker = build_ranker(nomenclature, model, vectors)
        _LOADED[key] = ranker
        return ranker
