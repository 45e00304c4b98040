"""A server loads the classifier in the background at start: the first filing then finds it
loaded, and a classifier that cannot load is said so on use, never raised in the thread."""

from __future__ import annotations

from corridor.classification.domain import Classifier, HsUnavailable
from corridor.classification.service import HsService


class _Loaded:
    def suggest(self, description: object, top: object = 5) -> object:
        return description


def test_warm_up_loads_the_classifier_once_in_the_background() -> None:
    calls: list[int] = []

    def load() -> Classifier:
        calls.append(1)
        return _Loaded()  # type: ignore[return-value]

    service = HsService(load)
    service.warm_up().join(timeout=5)
    assert calls == [1]
    service.classifier()
    assert calls == [1]  # already loaded: the request does not load it again


def test_a_classifier_that_cannot_load_is_reported_on_use() -> None:
    def load() -> Classifier:
        raise HsUnavailable("the [hs] extra is not installed")

    service = HsService(load)
    service.warm_up().join(timeout=5)
    assert service.unavailable_reason() == "the [hs] extra is not installed"


def test_what_follows_the_warm_up_runs_once_the_classifier_is_loaded() -> None:
    order: list[str] = []

    def load() -> Classifier:
        order.append("loaded")
        return _Loaded()  # type: ignore[return-value]

    service = HsService(load)
    service.warm_up(then=lambda: order.append("then")).join(timeout=5)
    assert order == ["loaded", "then"]


def test_what_follows_a_failed_warm_up_still_runs() -> None:
    followed: list[bool] = []

    def load() -> Classifier:
        raise HsUnavailable("the [hs] extra is not installed")

    HsService(load).warm_up(then=lambda: followed.append(True)).join(timeout=5)
    assert followed == [True]


def test_the_warm_up_state_says_loading_then_ok_and_nothing_without_a_warm_up() -> None:
    import threading

    go = threading.Event()

    def load() -> Classifier:
        assert go.wait(5)
        return _Loaded()  # type: ignore[return-value]

    service = HsService(load)
    assert service.warm_up_state() is None  # loads on first use: nothing to wait for
    worker = service.warm_up()
    assert service.warm_up_state() == "loading"
    go.set()
    worker.join(timeout=5)
    assert service.warm_up_state() == "ok"


def test_the_warm_up_state_names_a_classifier_that_cannot_load() -> None:
    def load() -> Classifier:
        raise HsUnavailable("the [hs] extra is not installed")

    service = HsService(load)
    service.warm_up().join(timeout=5)
    assert service.warm_up_state() == "unavailable: the [hs] extra is not installed"
