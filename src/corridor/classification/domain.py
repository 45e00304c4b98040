"""HS classification suggestions: the pure part.

A goods description is checked (text, length, script), then two retrievers rank the HS 2022
reference documents for it: a lexical one (BM25 over the nomenclature, its hierarchy and the
national tariff lines) and a semantic one (sentence embeddings, and a classifier's subheading
probabilities over the same embedding). This module fuses their ranked lists into scored
subheadings, rolls them up to headings and turns the heading scores into
confidences (a softmax), so that "how sure" is a number a risk rule can hold a threshold against.

Nothing here does I/O or knows the retrievers' libraries: they arrive as ranked lists.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeAlias

from corridor.shared.errors import CorridorError, FieldError, InvalidInput
from corridor.shared.text import text_reason

MAX_DESCRIPTION_CHARS = 2000
MAX_TOP = 20
#: Below this share of Latin letters the description is not in a language the model reads.
MIN_LATIN_SHARE = 0.5

Confidence: TypeAlias = Literal["high", "medium", "low"]
EXTRA_MISSING = "HS suggestions need the optional [hs] extra: pip install -e '.[hs]'"


class HsUnavailable(CorridorError):
    """The classifier cannot run here (the ``[hs]`` extra is missing or its model cannot load)."""


@dataclass(frozen=True, slots=True)
class Reference:
    """One HS 2022 subheading as the retrievers index it."""

    hs6: str
    description: str  # the subheading's own text
    path: str  # chapter > heading > subheading texts, for display and indexing

    @property
    def heading(self) -> str:
        return self.hs6[:4]


@dataclass(frozen=True, slots=True)
class Example:
    """A goods description with its subheading: a reference the description's nearest neighbours
    vote with. Either a real one from a published ruling (``source`` cites it) or one the project
    wrote for the purpose (``written``; ``source`` says so)."""

    description: str
    hs6: str
    source: str  # e.g. "US CBP ruling NY N024266"
    written: bool = False


@dataclass(frozen=True, slots=True)
class Weights:
    """How the retrievers' scores combine (set in one place: ``DEFAULT_WEIGHTS``)."""

    semantic: float
    lexical: float
    heading: float  # share of the heading's own score in a subheading's final score
    temperature: float  # softmax temperature over heading scores
    heading_semantic: float = 0.0  # weight of the heading text's own similarity in its score
    neighbours: float = 0.0  # weight of the nearest reference descriptions' votes
    neighbour_floor: float = 0.5  # a neighbour votes its similarity above this floor
    trade_names: float = 0.0  # weight of the nearest trade name of a subheading's goods
    trade_name_floor: float = 0.3  # a trade name counts its similarity above this floor
    classifier: float = 0.0  # weight of the subheading classifier's log-probability above a floor


#: Chosen on the odd rows of benchmarks/data/hs_eval.csv, best heading plus subheading top-3
#: (``hs_accuracy.py --grid`` prints the grid over the classifier's, the heading's, the lexical
#: and the trade names' weights); benchmarks/hs_accuracy.py reports the even rows apart. With the
#: subheading classifier, a heading's own score no longer helps (0.3 before it, 0 now: it cost
#: held-out subheading rows), and the lexical and trade-name weights stay where earlier grids put
#: them (the best of this grid gains one odd row with lexical 0.5 and trade names 1.0, and loses
#: one held-out row). The temperature is the one whose heading confidences best predict the odd
#: rows' true headings (least log-loss, ``--grid`` prints it per temperature), so a confidence of
#: 0.9 means about that; the classifier's log-probabilities widened the scores, so it rose from
#: 0.7 to 2.0.
DEFAULT_WEIGHTS = Weights(
    semantic=1.0,
    lexical=1.0,
    heading=0.0,
    temperature=2.0,
    heading_semantic=0.0,
    neighbours=3.0,
    neighbour_floor=0.4,
    trade_names=2.0,
    trade_name_floor=0.3,
    classifier=2.0,
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A suggested subheading: its score, its heading's confidence and why it was suggested."""

    hs6: str
    description: str
    path: str
    score: float
    heading_confidence: float
    matched_terms: tuple[str, ...]
    semantic_similarity: float
    nearest_references: tuple[tuple[Example, float], ...] = ()  # voting neighbours, similarity
    trade_name: tuple[str, float] | None = None  # its goods' trade name nearest the description
    probability: float = 0.0  # the subheading classifier's probability for it

    @property
    def heading(self) -> str:
        return self.hs6[:4]

    def to_json(self) -> dict[str, Any]:
        return {
            "hs6": self.hs6,
            "heading": self.heading,
            "description": self.description,
            "path": self.path,
            "score": round(self.score, 4),
            "heading_confidence": round(self.heading_confidence, 4),
            "why": {
                "matched_terms": list(self.matched_terms),
                "semantic_similarity": round(self.semantic_similarity, 4),
                "classifier_probability": round(self.probability, 4),
                "trade_name": (
                    {"term": self.trade_name[0], "similarity": round(self.trade_name[1], 4)}
                    if self.trade_name
                    else None
                ),
                "nearest_references": [
                    {"description": e.description, "source": e.source, "similarity": round(sim, 4)}
                    for e, sim in self.nearest_references
                ],
            },
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The ranked candidates for one description, with an honest statement of confidence."""

    description: str
    candidates: tuple[Candidate, ...]
    confidence: Confidence
    notes: tuple[str, ...] = ()
    headings: tuple[tuple[str, float], ...] = field(default=())  # heading, confidence; best first

    def heading_confidence(self, heading: str) -> float:
        return dict(self.headings).get(heading, 0.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "confidence": self.confidence,
            "notes": list(self.notes),
            "candidates": [c.to_json() for c in self.candidates],
        }


class Classifier(Protocol):
    def suggest(self, description: object, top: object = 5) -> Suggestion: ...


# ---------------------------------------------------------------------------------------------
# Checking the description
# ---------------------------------------------------------------------------------------------


def check_description(value: object, path: str = "description") -> str:
    """The description as text, or ``InvalidInput`` naming ``path`` and the reason."""
    if not isinstance(value, str):
        raise InvalidInput([FieldError(path, f"must be text, got {type(value).__name__}")])
    reason = text_reason(value, multiline=True)
    if reason is None and len(value) > MAX_DESCRIPTION_CHARS:
        reason = f"is {len(value)} characters long; at most {MAX_DESCRIPTION_CHARS} are read"
    if reason is None and not any(ch.isalpha() for ch in value):
        reason = "has no letters to classify"
    if reason is not None:
        raise InvalidInput([FieldError(path, reason)])
    return " ".join(value.split())


def check_top(value: object, path: str = "top") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TOP:
        raise InvalidInput([FieldError(path, f"must be a whole number from 1 to {MAX_TOP}")])
    return value


def latin_share(text: str) -> float:
    """Share of the letters in ``text`` that are Latin script (1.0 when it has no letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 1.0
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin / len(letters)


# ---------------------------------------------------------------------------------------------
# Fusing ranked lists
# ---------------------------------------------------------------------------------------------

# (reference index, score), best first
Ranked: TypeAlias = Sequence[tuple[int, float]]


def _normalised(ranked: Ranked) -> dict[int, float]:
    """Scores divided by the best one (0..1); an empty or all-zero list gives nothing."""
    if not ranked:
        return {}
    best = max(score for _, score in ranked)
    if best <= 0:
        return {}
    return {i: max(score, 0.0) / best for i, score in ranked}


def softmax(scores: Mapping[str, float], temperature: float) -> dict[str, float]:
    if not scores:
        return {}
    top = max(scores.values())
    exps = {k: math.exp((v - top) / temperature) for k, v in scores.items()}
    total = sum(exps.values())
    return {k: v / total for k, v in exps.items()}


@dataclass(frozen=True, slots=True)
class Fused:
    """Subheading and heading scores of one query, before they become candidates."""

    subheading: dict[int, float]
    heading: dict[str, float]
    heading_confidence: dict[str, float]


def neighbour_votes(neighbours: Ranked, floor: float) -> dict[int, float]:
    """Votes per subheading from the nearest reference descriptions, given as (subheading index,
    similarity): each neighbour adds its similarity above ``floor``."""
    votes: dict[int, float] = {}
    for i, similarity in neighbours:
        if similarity > floor:
            votes[i] = votes.get(i, 0.0) + similarity - floor
    return votes


#: The classifier's log-probability counts from here up: a subheading under e^-6 (0.25 %) gains
#: nothing, one at 1 % gains 1.4, one at 50 % gains 5.3 (times ``Weights.classifier``). Its plain
#: probability, added too, chose no better on the odd rows (``hs_accuracy.py --grid``).
CLASSIFIER_LOG_FLOOR = -6.0


def classifier_scores(classified: Ranked) -> dict[int, float]:
    """Per subheading, the classifier's log-probability above the floor (0 below it)."""
    return {i: max(math.log(max(p, 1e-12)) - CLASSIFIER_LOG_FLOOR, 0.0) for i, p in classified}


def trade_name_scores(trade_names: Ranked, floor: float) -> dict[int, float]:
    """Per subheading, the similarity of its nearest trade name above ``floor``, scaled to 0..1."""
    return {i: (s - floor) / (1.0 - floor) for i, s in trade_names if s > floor}


def fuse(
    references: Sequence[Reference],
    semantic: Ranked,
    lexical: Ranked,
    heading_semantic: Mapping[str, float],
    weights: Weights = DEFAULT_WEIGHTS,
    neighbours: Ranked = (),
    trade_names: Ranked = (),
    classified: Ranked = (),
) -> Fused:
    """Combine the retrievers' lists: a subheading scores ``semantic·cos + lexical·bm25/max``
    plus ``weights.neighbours`` times the votes of the nearest reference descriptions,
    ``weights.trade_names`` times the similarity of its nearest trade name (above a floor) and
    ``weights.classifier`` times the subheading classifier's log-probability above a floor;
    a heading scores its best subheading plus ``heading_semantic`` times its own text's
    similarity; the final subheading score adds ``weights.heading`` times its heading's score."""
    sem = {i: max(s, 0.0) for i, s in semantic}
    lex = _normalised(lexical)
    votes = neighbour_votes(neighbours, weights.neighbour_floor) if weights.neighbours else {}
    names = trade_name_scores(trade_names, weights.trade_name_floor) if weights.trade_names else {}
    learnt = classifier_scores(classified) if weights.classifier else {}
    base = {
        i: weights.semantic * sem.get(i, 0.0)
        + weights.lexical * lex.get(i, 0.0)
        + weights.neighbours * votes.get(i, 0.0)
        + weights.trade_names * names.get(i, 0.0)
        + weights.classifier * learnt.get(i, 0.0)
        for i in sem.keys() | lex.keys() | votes.keys() | names.keys() | learnt.keys()
    }
    best: dict[str, float] = {}
    for i, score in base.items():
        head = references[i].heading
        if score > best.get(head, -1.0):
            best[head] = score
    heading = {h: s + weights.heading_semantic * heading_semantic.get(h, 0.0) for h, s in best.items()}
    sub = {i: s + weights.heading * heading[references[i].heading] for i, s in base.items()}
    return Fused(sub, heading, softmax(heading, weights.temperature))


def confidence_label(top: float) -> Confidence:
    if top >= 0.6:
        return "high"
    if top >= 0.3:
        return "medium"
    return "low"


def matched_terms(query_terms: Iterable[str], document_terms: Iterable[str]) -> tuple[str, ...]:
    """Query terms found in the document, in query order, once each."""
    present = set(document_terms)
    seen: list[str] = []
    for term in query_terms:
        if term in present and term not in seen:
            seen.append(term)
    return tuple(seen)
