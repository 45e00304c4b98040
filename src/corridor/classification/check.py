"""Does a declared HS code fit its goods description? The logic of the risk rule
``hs_description_mismatch``: the declaration's heading is compared with the headings the
classifier ranks first for the description. Only a confident disagreement counts: the declared
heading is not among the ``top_headings`` best and the best heading's confidence reaches
``min_confidence`` (set from measured precision, see ``benchmarks/hs_accuracy.py``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from corridor.classification.domain import Classifier, HsUnavailable, Suggestion
from corridor.shared.errors import InvalidInput

#: With the declared heading outside the best 5 and the best heading at least 0.35 sure, the rule
#: flagged 1.9 % of correct declarations and caught 94.3 % of misclassified ones on the held-out
#: half of benchmarks/data/hs_eval.csv (benchmarks/hs_accuracy.py; 0.35 is the smallest threshold
#: keeping false flags at or below 5 % on the other half). The confidences are calibrated (the
#: softmax temperature minimises the log-loss of the true heading), so 0.35 means what it says;
#: before the subheading classifier it was 0.3 (3.2 % / 91.8 %), before the written examples 0.45
#: (1.9 % / 73.4 %), before the query encoder 0.35 (2.5 % / 74.7 %), before the trade names were
#: doubled 0.4 (3.8 % / 67.1 %), and before the calibration 0.9995 (4.4 % / 55.7 %).
DEFAULT_TOP_HEADINGS = 5
MEASURED_MIN_CONFIDENCE = 0.35
#: Suggestions kept by the check, most recently used first: traders declare the same goods again
#: and again, and a kept suggestion costs a dictionary look-up instead of a model pass.
CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the check found for one goods item; ``available`` is False when it could not run."""

    available: bool
    flagged: bool
    detail: str
    suggested: tuple[str, ...] = ()  # the best subheadings, for the officer

    @classmethod
    def unavailable(cls, reason: str) -> Verdict:
        return cls(False, False, f"HS description check not run: {reason}")


def judge(suggestion: Suggestion, declared_code: str, min_confidence: float, top_headings: int) -> Verdict:
    """Flag when the declared heading is outside the best ``top_headings`` and the best heading
    is at least ``min_confidence`` sure."""
    declared_heading = declared_code[:4]
    ranked = [h for h, _ in suggestion.headings]
    best = suggestion.candidates[:3]
    shown = ", ".join(f"{c.hs6[:4]}.{c.hs6[4:]}" for c in best)
    suggested = tuple(c.hs6 for c in best)
    if not ranked:
        return Verdict(True, False, "no heading suggested", suggested)
    top_heading, top_confidence = suggestion.headings[0]
    if declared_heading in ranked[:top_headings]:
        rank = ranked.index(declared_heading) + 1
        return Verdict(True, False, f"declared heading {declared_heading} is suggestion {rank}", suggested)
    if top_confidence < min_confidence:
        return Verdict(
            True,
            False,
            f"declared heading {declared_heading} not suggested, but the best ({top_heading}, "
            f"{top_confidence:.2f}) is below {min_confidence:.2f}",
            suggested,
        )
    detail = (
        f"declared HS {declared_code} (heading {declared_heading}) does not fit the description; "
        f"suggested {shown} (heading {top_heading}, confidence {top_confidence:.2f})"
    )
    return Verdict(True, True, detail, suggested)


class SuggestionCache:
    """A bounded least-recently-used map from a description (whitespace collapsed) to its
    suggestion; safe to share between threads. ``size`` 0 keeps nothing."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        if size < 0:
            raise ValueError("cache size must be 0 or more")
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[str, Suggestion] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(description: str) -> str:
        return " ".join(description.split())

    def get(self, description: str) -> Suggestion | None:
        key = self.key(description)
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found

    def put(self, description: str, suggestion: Suggestion) -> None:
        if self.size == 0:
            return
        key = self.key(description)
        with self._lock:
            self._items[key] = suggestion
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class DescriptionCheck:
    """The check over a classifier: ``check(description, declared_code, min_confidence)``.
    Suggestions are kept in a bounded LRU cache (``cache_size`` descriptions; 0 for none): only
    the suggestion is kept, the verdict is judged afresh against each declared code."""

    def __init__(
        self,
        classifier: Classifier | None,
        reason: str = "",
        top_headings: int = DEFAULT_TOP_HEADINGS,
        cache_size: int = CACHE_SIZE,
    ):
        self._classifier = classifier
        self._reason = reason
        self.top_headings = top_headings
        self.cache = SuggestionCache(cache_size)

    def unavailable_reason(self) -> str | None:
        if self._classifier is None:
            return self._reason or "no HS classifier"
        probe = getattr(self._classifier, "unavailable_reason", None)
        return probe() if callable(probe) else None

    def check(self, description: str, declared_code: str, min_confidence: float) -> Verdict:
        if self._classifier is None:
            return Verdict.unavailable(self._reason)
        suggestion = self.cache.get(description) if isinstance(description, str) else None
        try:
            if suggestion is None:
                suggestion = self._classifier.suggest(description, 5)
                self.cache.put(description, suggestion)
        except HsUnavailable as exc:
            return Verdict.unavailable(str(exc))
        except InvalidInput as exc:
            return Verdict.unavailable(f"the description cannot be classified ({exc})")
        if suggestion.confidence == "low" and suggestion.notes:
            return Verdict(True, False, f"not judged: {suggestion.notes[0]}", ())
        return judge(suggestion, declared_code, min_confidence, self.top_headings)
