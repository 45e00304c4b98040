"""Receive an envelope from a peer: verify it, apply it once, record why when it is refused."""

from __future__ import annotations

from typing import Any

from corridor.messaging.envelope import EnvelopeRejected, parse, parse_wire, verify
from corridor.service.commands import ReceiveEnvelope
from corridor.service.context import NodeContext
from corridor.service.ports import CommitConflict, UnitOfWork
from corridor.shared.errors import CorridorError, InvalidInput


def receive_envelope(cmd: ReceiveEnvelope, uow: UnitOfWork, ctx: NodeContext) -> dict[str, Any]:
    """Returns the outcome: ``status`` is accepted/stored (applied now), duplicate (applied before,
    no second effect) or rejected (with ``field`` and ``reason``)."""
    now = ctx.clock()
    raw = cmd.envelope
    header: dict[str, str] = {}
    try:
        if isinstance(raw, bytes | str):
            envelope = parse_wire(raw.encode("utf-8") if isinstance(raw, str) else raw)
        else:
            envelope = parse(raw)
        header = envelope.header.to_json()
        if envelope.header.sender == ctx.country:
            raise EnvelopeRejected("header.sender", "a node does not accept its own messages")
        if cmd.from_party is not None and envelope.header.sender != cmd.from_party:
            raise EnvelopeRejected(
                "header.sender", f"is {envelope.header.sender!r}, the caller is {cmd.from_party!r}"
            )
        try:
            public_key = ctx.keys.resolve(envelope.header.key_id, envelope.header.sender)
        except LookupError as exc:
            raise EnvelopeRejected("header.key_id", str(exc)) from exc
        verify(envelope, public_key=public_key, expected_recipient=ctx.country, now=now)
        handler = ctx.body_handlers.get(envelope.header.type)
        if handler is None:
            raise EnvelopeRejected("header.type", f"unknown message type {envelope.header.type!r}")
    except EnvelopeRejected as exc:
        return _reject(uow, ctx, header, exc.field, exc.reason)

    try:
        with uow:
            previous = uow.inbox.outcome(header["message_id"])
            if previous is not None:
                return {"status": "duplicate", "message_id": header["message_id"], "first_outcome": previous}
            outcome = handler(envelope.body, header, uow, ctx)
            uow.inbox.add(header["message_id"], header["sender"], header["type"], now, outcome)
            uow.commit()
    except InvalidInput as exc:
        first = exc.errors[0]
        return _reject(uow, ctx, header, first.path, first.reason, all_errors=exc.errors)
    except CommitConflict:
        return {"status": "duplicate", "message_id": header["message_id"]}
    except CorridorError as exc:  # the message is sound but cannot take effect here (e.g. a conflict)
        return _reject(uow, ctx, header, "body", f"{type(exc).__name__}: {exc}")
    return {"message_id": header["message_id"], **outcome}


def _reject(
    uow: UnitOfWork, ctx: NodeContext, header: dict[str, str], field: str, reason: str, all_errors: Any = None
) -> dict[str, Any]:
    with uow:
        uow.rejections.add(header.get("message_id"), header.get("sender"), field, reason, ctx.clock())
        uow.commit()
    result: dict[str, Any] = {"status": "rejected", "field": field, "reason": reason}
    if header.get("message_id"):
        result["message_id"] = header["message_id"]
    if all_errors:
        result["errors"] = [e.to_json() for e in all_errors]
    return result
