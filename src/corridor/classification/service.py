"""HS suggestions as a service the node, the API and the command line share: the ranker is loaded
on first use (a node that never classifies never pays for it) and, when the optional ``[hs]``
extra is not installed, every use says so in one line instead of failing deep inside."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from corridor.classification.domain import Classifier, HsUnavailable, Suggestion


class HsService:
    """One lazily loaded classifier; ``loader`` raises ``HsUnavailable`` when it cannot load."""

    def __init__(self, loader: Callable[[], Classifier]) -> None:
        self._loader = loader
        self._classifier: Classifier | None = None
        self._failure: str | None = None
        self._warmed_up = False  # a warm-up was started
        self._lock = threading.Lock()

    def classifier(self) -> Classifier:
        with self._lock:
            if self._classifier is not None:
                return self._classifier
            if self._failure is not None:
                raise HsUnavailable(self._failure)
            try:
                self._classifier = self._loader()
            except HsUnavailable as exc:
                self._failure = str(exc)
                raise
            return self._classifier

    def unavailable_reason(self) -> str | None:
        """Why the classifier cannot run, or None if it can (loads it to find out)."""
        try:
            self.classifier()
        except HsUnavailable as exc:
            return str(exc)
        return None

    def warm_up(self, then: Callable[[], None] | None = None) -> threading.Thread:
        """Load the classifier in the background, then call ``then`` (if given): a server whose
        description check is on calls this at start, so that its first filings do not wait for
        the model (or for the index, where it still has to be built)."""

        def load() -> None:
            self.unavailable_reason()
            if then is not None:
                then()

        worker = threading.Thread(target=load, name="hs-warm-up", daemon=True)
        self._warmed_up = True
        worker.start()
        return worker

    def warm_up_state(self) -> str | None:
        """Where the warm-up stands (for readiness): None when none was started (the classifier
        loads on first use), ``"loading"``, ``"ok"`` once loaded, or ``"unavailable: ..."``."""
        if not self._warmed_up:
            return None
        if self._classifier is not None:
            return "ok"
        if self._failure is not None:
            return f"unavailable: {self._failure}"
        return "loading"

    def suggest(self, description: object, top: object = 5) -> Suggestion:
        return self.classifier().suggest(description, top)

    def suggest_many(self, descriptions: Sequence[object], top: object = 5) -> list[Suggestion]:
        classifier = self.classifier()
        return [classifier.suggest(d, top) for d in descriptions]
