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


# Refusals that may pass later: the peer has not imported a rotated key yet, the clocks disagree
# (the relay seals the message anew on a later attempt), or a hold notice overtook the pre-arrival
# message it is about.
TRANSIENT_FIELDS = frozenset({"header.key_id", "header.created", "body.prearrival_message_id"})


def delivery_from_outcome(outcome: dict[str, Any]) -> Delivery:
    if outcome.get("status") == "rejected":
        return Delivery(
            False,
            permanent=outcome.get("field") not in TRANSIENT_FIELDS,
            detail=f"{outcome.get('field')}: {outcome.get('reason')}",
            outcome=outcome,
        )
    return Delivery(True, outcome=outcome)


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
        if response.status_code >= 500 or response.status_code in (401, 403, 408, 429):
            return Delivery(False, detail=f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            outcome = response.json()
        except ValueError:
            return Delivery(False, detail=f"HTTP {response.status_code}: not JSON")
        if response.status_code >= 400:
            return Delivery(
                False, permanent=True, detail=f"HTTP {response.status_code}: {outcome}", outcome=outcome
            )
        return delivery_from_outcome(outcome)

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
            outcomes = response.json()["outcomes"] if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            return [Delivery(False, detail=f"{type(exc).__name__}: {exc}")] * len(envelopes)
        if not isinstance(outcomes, list) or len(outcomes) != len(envelopes):
            return [Delivery(False, detail=f"HTTP {response.status_code}: {response.text[:200]}")] * len(
                envelopes
            )
        return [delivery_from_outcome(o) for o in outcomes]

    def close(self) -> None:
        self.client.close()
