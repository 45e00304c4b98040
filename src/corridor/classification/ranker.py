"""The HS ranker: retrieve with both retrievers, fuse, explain. Retrievers are ports (protocols) so
the ranking can be tested with small fixed ones and run with BM25 and MiniLM in production."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple, Protocol

from corridor.classification.domain import (
    DEFAULT_WEIGHTS,
    MIN_LATIN_SHARE,
    Candidate,
    Example,
    Reference,
    Suggestion,
    Weights,
    check_description,
    check_top,
    confidence_label,
    fuse,
    latin_share,
    matched_terms,
)
from corridor.classification.terms import terms

#: How many references each retriever hands to the fusion.
POOL = 100
#: How many headings (with their confidences) a suggestion keeps for the mismatch check.
KEPT_HEADINGS = 10
#: How many nearest reference descriptions vote.
NEIGHBOURS = 5


class LexicalSearch(Protocol):
    def search(self, query_terms: Sequence[str], n: int) -> list[tuple[int, float]]:
        """References as (index, score), best first; scores are non-negative."""
        ...

    def document_terms(self, i: int) -> frozenset[str]:
        """The terms reference ``i`` was indexed with."""
        ...


class SemanticHits(NamedTuple):
    subheadings: list[tuple[int, float]]  # (reference index, cosine similarity), best first
    headings: dict[str, float]  # every heading text's similarity
    examples: list[tuple[int, float]]  # (example index, cosine similarity), best first
    # (reference index, score of its nearest trade names), best first, and for each the nearest
    # trade name with its own similarity
    trade_names: Sequence[tuple[int, float]] = ()
    trade_name_terms: Mapping[int, tuple[str, float]] = MappingProxyType({})
    # (reference index, the subheading classifier's probability), most probable first
    classified: Sequence[tuple[int, float]] = ()


class SemanticSearch(Protocol):
    def search(self, text: str, n: int, k: int = NEIGHBOURS) -> SemanticHits:
        """The ``n`` nearest subheadings, every heading's similarity, the ``k`` nearest examples."""
        ...


class HsRanker:
    """Suggests HS 2022 subheadings for goods descriptions."""

    def __init__(
        self,
        references: Sequence[Reference],
        lexical: LexicalSearch,
        semantic: SemanticSearch,
        weights: Weights = DEFAULT_WEIGHTS,
        examples: Sequence[Example] = (),
    ) -> None:
        self.references = tuple(references)
        self.lexical = lexical
        self.semantic = semantic
        self.weights = weights
        self.examples = tuple(examples)
        index = {r.hs6: i for i, r in enumerate(self.references)}
        self.example_reference = tuple(index.get(e.hs6, -1) for e in self.examples)

    def suggest(self, description: object, top: object = 5) -> Suggestion:
        """The ``top`` best subheadings for ``description``; ``InvalidInput`` for a description
        that is not text, blank, too long or without letters, or a ``top`` outside 1..20."""
        text = check_description(description)
        k = check_top(top)
        query_terms = terms(text)
        hits = self.semantic.search(text, POOL, NEIGHBOURS if self.examples else 0)
        semantic = hits.subheadings
        neighbours = [(self.example_reference[j], sim) for j, sim in hits.examples]
        neighbours = [(i, sim) for i, sim in neighbours if i >= 0]
        lexical = self.lexical.search(query_terms, POOL) if query_terms else []
        fused = fuse(
            self.references,
            semantic,
            lexical,
            hits.headings,
            self.weights,
            neighbours,
            hits.trade_names,
            hits.classified,
        )
        order = sorted(fused.subheading, key=lambda i: fused.subheading[i], reverse=True)[:k]
        headings = sorted(fused.heading_confidence.items(), key=lambda hc: hc[1], reverse=True)
        similarity = dict(semantic)
        probability = dict(hits.classified)
        nearest: dict[int, list[tuple[Example, float]]] = {}
        for j, sim in hits.examples:
            nearest.setdefault(self.example_reference[j], []).append((self.examples[j], sim))
        candidates = tuple(
            Candidate(
                hs6=self.references[i].hs6,
                description=self.references[i].description,
                path=self.references[i].path,
                score=fused.subheading[i],
                heading_confidence=fused.heading_confidence[self.references[i].heading],
                matched_terms=matched_terms(query_terms, self.lexical.document_terms(i)),
                semantic_similarity=similarity.get(i, 0.0),
                nearest_references=tuple(nearest.get(i, ())),
                trade_name=hits.trade_name_terms.get(i),
                probability=probability.get(i, 0.0),
            )
            for i in order
        )
        notes: list[str] = []
        label = confidence_label(headings[0][1]) if headings else "low"
        if latin_share(text) < MIN_LATIN_SHARE:
            label = "low"
            notes.append(
                "the description is not in Latin script; the model reads English descriptions, "
                "so these suggestions are unreliable"
            )
        if not lexical:
            notes.append("no word of the description occurs in the HS nomenclature")
        if label == "low" and not notes:
            notes.append("no heading stands out; describe the goods' material, form and use")
        return Suggestion(text, candidates, label, tuple(notes), tuple(headings[:KEPT_HEADINGS]))
