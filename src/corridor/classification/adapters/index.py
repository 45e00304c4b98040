"""The HS index: BM25 over the reference texts and MiniLM embeddings of the subheadings (their
text followed by the trade names of their goods), the headings, the reference descriptions (from
published rulings, and written by the project: the nearest-neighbour vote) and each trade name
on its own (a description close to "laptop" is close to 8471.30 however long the subheading's
own text).

The same embedding of a description also goes through the subheading classifier
(``subheading_classifier``), a softmax layer trained on every labelled text the index holds; it
is shipped beside the query encoder's layers and needs no vectors of its own.

Two encoders, one model: the nomenclature's texts are embedded by all-MiniLM-L6-v2 as packaged,
and a goods description by the query encoder, the same model with its top layers retrained to
land a trader's wording near the subheading it falls under (``minilm.query_layers``;
tools/train_hs_query_encoder.py says how). Reference descriptions and trade names, being a
trader's kind of text, are embedded by the query encoder too.

Embedding 5,600 subheadings takes a minute or more on one core, so the vectors are built once and
cached in the node's data directory (``<data_dir>/hs-index/<fingerprint>/``), keyed by the
nomenclature, the tariff files, the trade names, the rulings, the written examples, the model,
the query encoder's layers and this module's version; the BM25 index is rebuilt in memory at load (under a second). A process keeps one loaded ranker per cache key."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from corridor.classification.adapters.minilm import (
    MODEL_NAME,
    MiniLM,
    model_dir,
    query_layers,
    query_layers_file,
)
from corridor.classification.adapters.nomenclature import Nomenclature, load_nomenclature
from corridor.classification.adapters.similarity import Int8Similarity
from corridor.classification.adapters.subheading_classifier import SubheadingClassifier
from corridor.classification.ranker import HsRanker, SemanticHits
from corridor.classification.terms import terms

INDEX_VERSION = "5"
#: How far a subheading's trade-name score moves from its nearest name towards its second.
SECOND_NAME_SHARE = 0.3
#: Subheading, heading, example and trade name vectors.
Vectors = tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]
VECTOR_FILES = ("subheadings", "headings", "examples", "trade_names")
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


class TradeNames:
    """Which subheadings each trade name covers, laid out so that the nearest names of every
    subheading are a gather and two segmented maxima over the names' similarities.

    A subheading scores its nearest name, moved ``SECOND_NAME_SHARE`` of the way towards its
    second nearest: one name that happens to sit near a description counts less than two. Chosen
    among 0 to 0.5 on the odd rows of the evaluation set and the 725 reference descriptions (each
    ranked with the neighbour vote off). Against the plain nearest name, 0.3 moves heading top-3
    by -1 odd row and +6 of the 725, subheading top-3 by +4 odd rows and +12 of the 725, and each
    on the held-out even rows by +1 row."""

    def __init__(self, names: Sequence[str], pairs: Sequence[tuple[int, int]]) -> None:
        self.names = tuple(names)
        subheadings = np.array([i for i, _ in pairs], dtype=np.int64)
        self._terms = np.array([j for _, j in pairs], dtype=np.int64)
        self._owners, self._starts = np.unique(subheadings, return_index=True)
        self._group = np.repeat(np.arange(len(self._owners)), np.diff(np.append(self._starts, len(pairs))))

    def nearest(
        self, similarities: NDArray[np.float32], n: int
    ) -> tuple[list[tuple[int, float]], dict[int, tuple[str, float]]]:
        """The ``n`` subheadings whose nearest trade names score best, as (subheading index,
        score), best first, and the nearest name with its own similarity for each."""
        if not len(self._terms):
            return [], {}
        per_pair = similarities[self._terms]
        best = np.maximum.reduceat(per_pair, self._starts)
        reached = np.flatnonzero(per_pair >= best[self._group])
        groups, first = np.unique(self._group[reached], return_index=True)
        winner = np.zeros(len(self._owners), dtype=np.int64)
        winner[groups] = reached[first]  # the pair of each subheading's nearest name
        others = per_pair.copy()
        others[winner] = -np.inf
        second = np.maximum.reduceat(others, self._starts)
        second = np.where(np.isfinite(second), second, best)  # a subheading with one name
        top = _top(best + np.float32(SECOND_NAME_SHARE) * (second - best), n, positive=False)
        return (
            [(int(self._owners[g]), score) for g, score in top],
            {int(self._owners[g]): (self.names[int(self._terms[winner[g]])], float(best[g])) for g, _ in top},
        )


class EmbeddingSearch:
    """Cosine similarity between the description's embedding and the cached vectors: one model
    pass, then one product with the subheading, heading, example and trade name vectors stacked
    (in eight-bit integers, ``similarity``); and the subheading classifier's probabilities for
    the same embedding."""

    def __init__(
        self,
        model: MiniLM,
        vectors: Vectors,
        heading_codes: Sequence[str],
        trade_names: TradeNames,
        classifier: SubheadingClassifier | None = None,
    ) -> None:
        self._model = model
        self._classifier = classifier
        subs, heads, examples, names = vectors
        self._all = Int8Similarity(np.concatenate([subs, heads, examples, names]))
        self._bounds = np.cumsum([len(subs), len(heads), len(examples)]).tolist()
        self._codes = tuple(heading_codes)
        self._trade_names = trade_names

    def search(self, text: str, n: int, k: int = 5) -> SemanticHits:
        vector = self._model.encode([text])[0]
        sims = self._all.similarities(vector)
        a, b, c = self._bounds
        examples = _top(sims[b:c], k, positive=False) if k and c > b else []
        headings = dict(zip(self._codes, sims[a:b].tolist(), strict=True))
        names, terms_of = self._trade_names.nearest(sims[c:], n)
        classified = self._classifier.top(vector, n) if self._classifier is not None else []
        return SemanticHits(
            _top(sims[:a], n, positive=False), headings, examples, names, terms_of, classified
        )


def _top(scores: NDArray[np.float32], n: int, *, positive: bool) -> list[tuple[int, float]]:
    n = min(n, len(scores))
    if n <= 0:
        return []
    picked = np.argpartition(-scores, n - 1)[:n]
    picked = picked[np.argsort(-scores[picked])]
    return [(int(i), float(scores[i])) for i in picked if not positive or scores[i] > 0]


def cache_key(nomenclature: Nomenclature) -> str:
    weights = model_dir() / "model.safetensors"
    layers = hashlib.blake2b(query_layers_file(), digest_size=4).hexdigest()
    return f"{nomenclature.fingerprint}-{weights.stat().st_size:x}-{layers}-v{INDEX_VERSION}"


def _build_vectors(documents: MiniLM, queries: MiniLM, nomenclature: Nomenclature) -> Vectors:
    """The nomenclature's texts by the packaged model (the query encoder was trained towards those
    vectors); the reference descriptions and trade names, which are texts of a trader's kind, by
    the query encoder, as the descriptions they are compared with."""
    subs = documents.encode([nomenclature.semantic_text(i) for i in range(len(nomenclature.references))])
    heads = documents.encode([nomenclature.headings[h] for h in sorted(nomenclature.headings)])
    examples = queries.encode([e.description for e in nomenclature.examples])
    names = queries.encode(nomenclature.trade_names()[0])
    return subs, heads, examples, names


def _sizes(nomenclature: Nomenclature) -> tuple[int, int, int, int]:
    return (
        len(nomenclature.references),
        len(nomenclature.headings),
        len(nomenclature.examples),
        len(nomenclature.trade_names()[0]),
    )


def _save(directory: Path, vectors: Vectors, key: str) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    partial = directory.with_name(directory.name + f".partial-{os.getpid()}")
    partial.mkdir(exist_ok=True)
    for name, array in zip(VECTOR_FILES, vectors, strict=True):
        np.save(partial / f"{name}.npy", array)
    manifest = {"key": key, "model": MODEL_NAME} | {
        name: len(array) for name, array in zip(VECTOR_FILES, vectors, strict=True)
    }
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    try:
        partial.rename(directory)
    except OSError:  # another process finished first: its copy is as good as ours
        for f in partial.iterdir():
            f.unlink()
        partial.rmdir()


def load_vectors(cache_dir: Path, nomenclature: Nomenclature) -> Vectors | None:
    """The vectors cached under ``cache_dir`` for ``nomenclature``, or None if not built yet."""
    key = cache_key(nomenclature)
    return _load_vectors(cache_dir / key, key, _sizes(nomenclature))


def _load_vectors(directory: Path, key: str, sizes: tuple[int, int, int, int]) -> Vectors | None:
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        loaded = tuple(np.load(directory / f"{name}.npy") for name in VECTOR_FILES)
    except (OSError, ValueError):
        return None
    if manifest.get("key") != key or any(
        v.shape != (n, MiniLM.dimension) for v, n in zip(loaded, sizes, strict=True)
    ):
        return None
    subs, heads, examples, names = (v.astype(np.float32) for v in loaded)
    return subs, heads, examples, names


def build_ranker(nomenclature: Nomenclature, model: MiniLM, vectors: Vectors) -> HsRanker:
    """A ranker over ``nomenclature`` with its subheading, heading and example vectors."""
    documents = [terms(nomenclature.lexical_text(i)) for i in range(len(nomenclature.references))]
    trade_names = TradeNames(*nomenclature.trade_names())
    classifier = SubheadingClassifier.packaged([r.hs6 for r in nomenclature.references], MiniLM.dimension)
    semantic = EmbeddingSearch(model, vectors, sorted(nomenclature.headings), trade_names, classifier)
    return HsRanker(nomenclature.references, Bm25Search(documents), semantic, examples=nomenclature.examples)


def load_ranker(cache_dir: Path, nomenclature: Nomenclature | None = None) -> HsRanker:
    """The ranker over the index cached under ``cache_dir`` (built there on first use)."""
    nomenclature = nomenclature or load_nomenclature()
    key = cache_key(nomenclature)
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key]
        model = MiniLM(replaced=query_layers())
        directory = cache_dir / key
        vectors = _load_vectors(directory, key, _sizes(nomenclature))
        if vectors is None:
            vectors = _build_vectors(MiniLM(), model, nomenclature)
            _save(directory, vectors, key)
        ranker = build_ranker(nomenclature, model, vectors)
        _LOADED[key] = ranker
        return ranker
