"""A transport that misbehaves like a network, around any real one: it drops a request, drops the
answer after the peer took the message, duplicates, delays (delivers on a later pass), reorders a
batch, and injects a copy with one character changed. Seeded, so a failing run can be replayed."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from corridor.messaging.transport import Delivery, Transport

FAULTS = ("drop", "drop_answer", "duplicate", "delay", "reorder", "corrupt")


@dataclass
class FaultPlan:
    """The chance of each fault per envelope (``reorder``: per batch)."""

    drop: float = 0.10
    drop_answer: float = 0.10
    duplicate: float = 0.10
    delay: float = 0.10
    reorder: float = 0.50
    corrupt: float = 0.05


def corrupted(text: str, rng: random.Random) -> str:
    """``text`` with one character replaced by another printable ASCII character."""
    at = rng.randrange(len(text))
    choices = [chr(c) for c in range(33, 127) if chr(c) != text[at]]
    return text[:at] + rng.choice(choices) + text[at + 1 :]


@dataclass
class FaultyTransport:
    inner: Transport
    rng: random.Random
    plan: FaultPlan = field(default_factory=FaultPlan)
    injected: Counter[str] = field(default_factory=Counter)
    held: list[tuple[str, str]] = field(default_factory=list)  # delayed: (recipient, envelope)
    enabled: bool = True

    def deliver(self, recipient: str, envelope: str) -> Delivery:
        return self.deliver_many(recipient, [envelope])[0]

    def _send(self, recipient: str, envelopes: list[str]) -> list[Delivery]:
        many = getattr(self.inner, "deliver_many", None)
        if many is not None:
            return list(many(recipient, envelopes))
        answers = []
        for envelope in envelopes:
            try:
                answers.append(self.inner.deliver(recipient, envelope))
            except Exception as exc:  # a garbled envelope the transport itself cannot read
                answers.append(Delivery(False, detail=f"{type(exc).__name__}: {exc}"))
        return answers

    def _hit(self, fault: str) -> bool:
        if self.enabled and self.rng.random() < getattr(self.plan, fault):
            self.injected[fault] += 1
            return True
        return False

    def deliver_many(self, recipient: str, envelopes: list[str]) -> list[Delivery]:
        """Each envelope meets its faults; the ones that reach the peer go in one batch, in an
        order that may be shuffled, after any delayed earlier envelopes."""
        released, self.held = (
            [e for r, e in self.held if r == recipient],
            [h for h in self.held if h[0] != recipient],
        )
        answers: list[Delivery | None] = [None] * len(envelopes)
        wire: list[tuple[int | None, str]] = [(None, e) for e in released]
        for index, envelope in enumerate(envelopes):
            if self._hit("corrupt"):
                wire.append((None, corrupted(envelope, self.rng)))  # a garbled copy reaches the peer too
            if self._hit("drop"):
                answers[index] = Delivery(False, detail="fault: request lost")
                continue
            if self._hit("delay"):
                self.held.append((recipient, envelope))  # taken by the network, delivered later
                answers[index] = Delivery(True, detail="fault: delayed")
                continue
            wire.append((index, envelope))
            if self._hit("duplicate"):
                wire.append((None, envelope))
        if len(wire) > 1 and self._hit("reorder"):
            self.rng.shuffle(wire)
        outcomes = self._send(recipient, [e for _, e in wire]) if wire else []
        for (index, _), outcome in zip(wire, outcomes, strict=True):
            if index is None or answers[index] is not None:
                continue
            answers[index] = (
                Delivery(False, detail="fault: answer lost") if self._hit("drop_answer") else outcome
            )
        return [a if a is not None else Delivery(False, detail="fault: no answer") for a in answers]

    def flush(self) -> int:
        """Deliver everything still held back (the network's queue drains)."""
        held, self.held = self.held, []
        for recipient in {r for r, _ in held}:
            self._send(recipient, [e for r, e in held if r == recipient])
        return len(held)
