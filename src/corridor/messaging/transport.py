"""Transports carry sealed envelopes from a node's outbox to a peer node."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx


@dataclass(frozen=True, slots=True)
class Delivery:
    """``ok``: the peer took it (applied, duplicate); ``permanent``: the peer refused it for good."""

    ok: bool
    permanent: bool = False
    detail: str = ""
    outcome: dict[str, Any] | None = None


class Transport(Protocol):
    def deliver(self, recipient: str, envelope: str) -> Delivery: ...


Receiver = Callable[[str], dict[str, Any]]
BatchReceiver = Callable[[list[str]], list[dict[str, Any]]]


def retryable(outcome: dict[str, Any]) -> bool:
    """The one rule for every transport and for the HTTP answer: the receiver refused the message
    for a reason that may pass later (``EnvelopeRejected.transient``: a key the peer has not
    imported yet, clocks that disagree), so the sender retries it with backoff."""
    return outcome.get("status") == "rejected" and outcome.get("retryable") is True


def answer_status(outcome: dict[str, Any]) -> int:
    """The HTTP status of a receiver's outcome: 202 taken, 409 refused for now (retry later),
    422 refused for good."""
    if outcome.get("status") != "rejected":
        return 202
    return 409 if retryable(outcome) else 422


def delivery_from_outcome(outcome: dict[str, Any]) -> Delivery:
    if outcome.get("status") == "rejected":
        return Delivery(
            False,
            permanent=not retryable(outcome),
            detail=f"{outcome.get('field')}: {outcome.get('reason')}",
            outcome=outcome,
        )
    return Delivery(True, outcome=outcome)


# Answers without an outcome that may pass later, besides network errors and 5xx: a timeout, too
# many requests, a peer busy with concurrent changes (409), and this node's API key refused at the
# peer (401/403), which the operator fixes without losing the messages waiting meanwhile.
TRANSIENT_HTTP = frozenset({401, 403, 408, 409, 425, 429})


def http_failure(status: int, text: str) -> Delivery:
    """An HTTP answer that carries no outcome: transient unless it is a 4xx not in TRANSIENT_HTTP."""
    permanent = 400 <= status < 500 and status not in TRANSIENT_HTTP
    return Delivery(False, permanent=permanent, detail=f"HTTP {status}: {text[:200]}")


class InProcessTransport:
    """Nodes in one process: the peer's receive function is called directly."""

    def __init__(self) -> None:
        self.receivers: dict[str, Receiver] = {}
        self.batch_receivers: dict[str, BatchReceiver] = {}
        self.offline: set[str] = set()

    def register(self, country: str, receiver: Receiver, batch_receiver: BatchReceiver | None = None) -> None:
        self.receivers[country] = receiver
        if batch_receiver is not None:
            self.batch_receivers[country] = batch_receiver

    def deliver(self, recipient: str, envelope: str) -> Delivery:
        return self.deliver_many(recipient, [envelope])[0]

    def deliver_many(self, recipient: str, envelopes: list[str]) -> list[Delivery]:
        """All of one relay pass for a peer at once: the peer applies them in one transaction."""
        receiver = self.receivers.get(recipient)
        if receiver is None or recipient in self.offline:
            return [Delivery(False, detail=f"node {recipient} is not reachable")] * len(envelopes)
        batch = self.batch_receivers.get(recipient)
        outcomes = batch(envelopes) if batch is not None else [receiver(e) for e in envelopes]
        return [delivery_from_outcome(o) for o in outcomes]


class HttpTransport:
    """POST the envelope to ``<peer url>/v1/envelopes`` with this node's API key at the peer."""

    def __init__(self, peers: dict[str, str], api_keys: dict[str, str], timeout: float = 10.0) -> None:
        self.peers = peers
        self.api_keys = api_keys
        self.client = httpx.Client(timeout=timeout)

    def deliver(self, recipient: str, envelope: str) -> Delivery:
        base = self.peers.get(recipient)
        if base is None:
            return Delivery(False, permanent=True, detail=f"no URL configured for node {recipient}")
        try:
            response = self.client.post(
                f"{base.rstrip('/')}/v1/envelopes",
                content=envelope.encode("utf-8"),
                headers={"content-type": "application/json", "x-api-key": self.api_keys.get(recipient, "")},
            )
        except httpx.HTTPError as exc:
            return Delivery(False, detail=f"{type(exc).__name__}: {exc}")
        try:
            outcome = response.json()
        except ValueError:
            outcome = None
        if response.status_code in (200, 202, 409, 422) and isinstance(outcome, dict) and "status" in outcome:
            return delivery_from_outcome(outcome)  # the receiver's own verdict, whatever the status
        return http_failure(response.status_code, response.text)

    def deliver_many(self, recipient: str, envelopes: list[str]) -> list[Delivery]:
        """One request for a relay pass: ``POST /v1/envelopes/batch`` with the envelopes' wire texts;
        the peer answers one outcome per envelope, in order."""
        if len(envelopes) == 1:
            return [self.deliver(recipient, envelopes[0])]
        base = self.peers.get(recipient)
        if base is None:
            return [Delivery(False, permanent=True, detail=f"no URL configured for node {recipient}")] * len(
                envelopes
            )
        try:
            response = self.client.post(
                f"{base.rstrip('/')}/v1/envelopes/batch",
                json={"envelopes": envelopes},
                headers={"x-api-key": self.api_keys.get(recipient, "")},
            )
        except httpx.HTTPError as exc:
            return [Delivery(False, detail=f"{type(exc).__name__}: {exc}")] * len(envelopes)
        try:
            outcomes = response.json()["outcomes"] if response.status_code == 200 else None
        except (ValueError, KeyError, TypeError):
            outcomes = None
        if isinstance(outcomes, list) and len(outcomes) == len(envelopes):
            return [
                delivery_from_outcome(o) if isinstance(o, dict) else http_failure(502, "not an outcome")
                for o in outcomes
            ]
        failure = http_failure(response.status_code, response.text)
        if failure.permanent:  # the request as a whole was refused: let each envelope meet its own fate
            return [self.deliver(recipient, envelope) for envelope in envelopes]
        return [failure] * len(envelopes)

    def close(self) -> None:
        self.client.close()
