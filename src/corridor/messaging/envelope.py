"""Signed envelopes between nodes: RFC 8785 (JCS) canonical JSON signed with Ed25519.

An envelope is ``{"header": {...}, "body": {...}, "signature": "<base64url>"}``; the signature
covers the JCS canonical form of ``{"header": header, "body": body}``.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from corridor.messaging.jcs import canonical
from corridor.shared.jsondata import BadJson, loads

HEADER_FIELDS = ("message_id", "type", "sender", "recipient", "created", "key_id")
MAX_AGE = timedelta(minutes=10)
MAX_CLOCK_SKEW = timedelta(seconds=60)


class EnvelopeRejected(Exception):
    """The envelope must not take effect; ``field`` names what was wrong. ``transient``: the same
    message may pass later (the receiver has not imported the sender's key yet, or the clocks
    disagree), so the sender retries it with backoff; any other refusal is permanent."""

    def __init__(self, field: str, reason: str, *, transient: bool = False) -> None:
        self.field = field
        self.reason = reason
        self.transient = transient
        super().__init__(f"{field}: {reason}")


@dataclass(frozen=True, slots=True)
class Header:
    message_id: str
    type: str
    sender: str
    recipient: str
    created: str
    key_id: str

    def to_json(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in HEADER_FIELDS}


@dataclass(frozen=True, slots=True)
class Envelope:
    header: Header
    body: dict[str, Any]
    signature: str
    wire: bytes | None = field(default=None, compare=False)  # canonical bytes sealed or received, if known

    def to_json(self) -> dict[str, Any]:
        return {"header": self.header.to_json(), "body": self.body, "signature": self.signature}

    def to_bytes(self) -> bytes:
        """The wire form: the RFC 8785 canonical JSON of the whole envelope, so that a receiver can
        refuse any other spelling of the same content (see ``parse_wire``)."""
        return self.wire if self.wire is not None else canonical(self.to_json())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url: a text that does not re-encode to itself is refused, so that no two
    texts decode to the same signature."""
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url(data) != text:
        raise ValueError("non-canonical base64url")
    return data


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def signing_input(header: Header, body: dict[str, Any]) -> bytes:
    return canonical({"header": header.to_json(), "body": body})


def seal(
    *,
    private_key: Ed25519PrivateKey,
    key_id: str,
    message_type: str,
    sender: str,
    recipient: str,
    body: dict[str, Any],
    now: datetime,
    message_id: str | None = None,
) -> Envelope:
    header = Header(
        message_id=message_id or str(uuid.uuid4()),
        type=message_type,
        sender=sender,
        recipient=recipient,
        created=format_time(now),
        key_id=key_id,
    )
    signed = signing_input(header, body)
    signature = b64url(private_key.sign(signed))
    return Envelope(header, body, signature, wire=_wire(signed, signature))


def _wire(signed: bytes, signature: str) -> bytes:
    """The canonical form of the whole envelope, built from the canonical signing input: JCS sorts
    the members body < header < signature, so the signature member simply comes last."""
    return signed[:-1] + b',"signature":"' + signature.encode("ascii") + b'"}'


def _signed_part(wire: bytes) -> bytes:
    """The signing input inside canonical wire bytes (the inverse of ``_wire``)."""
    return wire[: wire.rindex(b',"signature":"')] + b"}"


def parse(raw: Any) -> Envelope:
    """Check the envelope's shape (not its signature); raise EnvelopeRejected naming the field."""
    if not isinstance(raw, dict):
        raise EnvelopeRejected("envelope", "must be a JSON object")
    extra = set(raw) - {"header", "body", "signature"}
    if extra:
        raise EnvelopeRejected(sorted(extra)[0], "unexpected member")
    header = raw.get("header")
    if not isinstance(header, dict):
        raise EnvelopeRejected("header", "missing or not an object")
    for name in HEADER_FIELDS:
        value = header.get(name)
        if not isinstance(value, str) or not value:
            raise EnvelopeRejected(f"header.{name}", "missing or not a non-empty string")
    unknown = set(header) - set(HEADER_FIELDS)
    if unknown:
        raise EnvelopeRejected(f"header.{sorted(unknown)[0]}", "unexpected member")
    body = raw.get("body")
    if not isinstance(body, dict):
        raise EnvelopeRejected("body", "missing or not an object")
    signature = raw.get("signature")
    if not isinstance(signature, str) or not signature:
        raise EnvelopeRejected("signature", "missing or not a string")
    return Envelope(Header(**{name: header[name] for name in HEADER_FIELDS}), body, signature)


def parse_wire(data: bytes) -> Envelope:
    """Parse received bytes; refuse them unless they are exactly the canonical form, so that no
    byte of a signed envelope can change (not even an escape's spelling) without rejection."""
    try:
        raw = loads(data)
    except BadJson as exc:
        if exc.path:  # parsed, but nested too deeply or holding text that can be neither stored nor signed
            raise EnvelopeRejected(exc.path, exc.reason) from None
        raise EnvelopeRejected("envelope", exc.reason) from None
    envelope = parse(raw)
    try:
        canonical_form = canonical(raw)
    except Exception as exc:  # rfc8785 refuses numbers and strings it cannot canonicalise
        raise EnvelopeRejected("envelope", f"cannot be canonicalised: {exc}") from exc
    if canonical_form != data:
        raise EnvelopeRejected("envelope", "is not in RFC 8785 canonical form")
    return Envelope(envelope.header, envelope.body, envelope.signature, wire=data)


def parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise EnvelopeRejected("header.created", "not an ISO 8601 date-time") from exc
    if moment.tzinfo is None:
        raise EnvelopeRejected("header.created", "has no time zone")
    return moment


def verify(
    envelope: Envelope,
    *,
    public_key: Ed25519PublicKey,
    expected_recipient: str,
    now: datetime,
    max_age: timedelta = MAX_AGE,
    max_skew: timedelta = MAX_CLOCK_SKEW,
) -> None:
    """Check recipient, freshness and signature; the caller has resolved the key from its trust list."""
    header = envelope.header
    if header.recipient != expected_recipient:
        raise EnvelopeRejected(
            "header.recipient", f"is {header.recipient!r}, this node is {expected_recipient!r}"
        )
    created = parse_time(header.created)
    if created - now > max_skew:
        raise EnvelopeRejected("header.created", "is in the future", transient=True)
    if now - created > max_age:
        # the sender's relay seals a message that waited anew, so a later attempt may pass
        raise EnvelopeRejected(
            "header.created", f"is older than {int(max_age.total_seconds())} s (stale)", transient=True
        )
    try:
        signature = b64url_decode(envelope.signature)
    except ValueError as exc:
        raise EnvelopeRejected("signature", "is not base64url") from exc
    if len(signature) != 64:
        raise EnvelopeRejected("signature", "is not a 64-byte Ed25519 signature")
    try:
        signed = (
            _signed_part(envelope.wire) if envelope.wire is not None else signing_input(header, envelope.body)
        )
        public_key.verify(signature, signed)
    except InvalidSignature as exc:
        raise EnvelopeRejected("signature", "does not verify with the sender's key") from exc
