"""Receive envelopes from a peer: verify them, apply each once, record why one is refused."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from corridor.messaging.envelope import Envelope, EnvelopeRejected, parse, parse_wire, verify
from corridor.service.commands import ReceiveEnvelope, ReceiveEnvelopes
from corridor.service.context import BodyHandler, NodeContext
from corridor.service.correlation import correlation_id
from corridor.service.ports import CommitConflict, KeyRepository, UnitOfWork
from corridor.shared.errors import CorridorError, FieldError, InvalidInput, NotYet
from corridor.shared.logs import log_context

log = logging.getLogger(__name__)


@dataclass
class _Checked:
    """An envelope after the checks before its effect: verified, or why it is refused."""

    header: dict[str, str] = field(default_factory=dict)
    envelope: Envelope | None = None
    handler: BodyHandler | None = None
    refusal: EnvelopeRejected | None = None


def _check(
    raw: Any,
    ctx: NodeContext,
    keys: KeyRepository,
    from_party: str | None,
    stored_at: datetime | None,
    now: datetime,
) -> _Checked:
    """Freshness is judged at ``stored_at`` (when the node's durable inbox stored the envelope)
    when given, else ``now``."""
    checked = _Checked()
    try:
        if isinstance(raw, bytes | str):
            # surrogatepass: a lone surrogate becomes bytes that parse_wire refuses as not UTF-8
            envelope = parse_wire(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
        else:
            envelope = parse(raw)
        checked.header = envelope.header.to_json()
        if envelope.header.sender == ctx.country:
            raise EnvelopeRejected("header.sender", "a node does not accept its own messages")
        if from_party is not None and envelope.header.sender != from_party:
            raise EnvelopeRejected(
                "header.sender", f"is {envelope.header.sender!r}, the caller is {from_party!r}"
            )
        try:
            public_key = ctx.keys.resolve(keys, envelope.header.key_id, envelope.header.sender)
        except LookupError as exc:
            # the peer may not have imported a rotated key yet: the sender retries
            raise EnvelopeRejected("header.key_id", str(exc), transient=True) from exc
        try:
            verify(envelope, public_key=public_key, expected_recipient=ctx.country, now=stored_at or now)
        except EnvelopeRejected as exc:
            if stored_at is None or exc.field != "header.created":
                raise
            # judged at the fixed moment the inbox stored it: a later try gives the same answer
            raise EnvelopeRejected(exc.field, exc.reason) from exc
        handler = ctx.body_handlers.get(envelope.header.type)
        if handler is None:
            raise EnvelopeRejected("header.type", f"unknown message type {envelope.header.type!r}")
    except EnvelopeRejected as exc:
        checked.refusal = exc
        return checked
    checked.envelope, checked.handler = envelope, handler
    return checked


def _apply(
    uow: UnitOfWork, ctx: NodeContext, checked: _Checked, now: datetime, applied: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Inside an open unit of work: the outcome, or an exception that undoes the message's effect.
    ``applied`` holds the outcomes of the batch's messages already in the inbox (read once for the
    batch) and gains this one's."""
    assert checked.envelope is not None and checked.handler is not None
    header = checked.header
    previous = applied.get(header["message_id"])
    if previous is not None:
        return {"status": "duplicate", "message_id": header["message_id"], "first_outcome": previous}
    outcome = checked.handler(checked.envelope.body, header, uow, ctx)
    uow.dispatch_events()  # the reactions belong to this message: refused with it if they fail
    uow.inbox.add(header["message_id"], header["sender"], header["type"], now, outcome)
    applied[header["message_id"]] = dict(outcome)
    return {"message_id": header["message_id"], **outcome}


def _refusal(exc: Exception) -> tuple[str, str, list[FieldError] | None, bool]:
    """Where, why, the field errors, and whether the sender should retry (``EnvelopeRejected.transient``)."""
    if isinstance(exc, EnvelopeRejected):
        return exc.field, exc.reason, None, exc.transient
    if isinstance(exc, NotYet):
        return exc.error.path, exc.error.reason, None, True
    if isinstance(exc, InvalidInput):
        return exc.errors[0].path, exc.errors[0].reason, exc.errors, False
    return "body", f"{type(exc).__name__}: {exc}", None, False  # sound message that cannot take effect here


def _record(uow: UnitOfWork, ctx: NodeContext, header: dict[str, str], exc: Exception) -> dict[str, Any]:
    where, reason, errors, transient = _refusal(exc)
    uow.rejections.add(header.get("message_id"), header.get("sender"), where, reason, ctx.clock())
    result: dict[str, Any] = {"status": "rejected", "field": where, "reason": reason, "retryable": transient}
    if header.get("message_id"):
        result["message_id"] = header["message_id"]
    if errors:
        result["errors"] = [e.to_json() for e in errors]
    return result


def receive_envelope(cmd: ReceiveEnvelope, uow: UnitOfWork, ctx: NodeContext) -> dict[str, Any]:
    """The outcome: ``status`` is accepted/stored/processed (applied now), duplicate (applied
    before, no second effect) or rejected (with ``field``, ``reason`` and ``retryable``: whether
    the sender should try the same message again later)."""
    stored_at = None if cmd.stored_at is None else [cmd.stored_at]
    return receive_envelopes(ReceiveEnvelopes([cmd.envelope], cmd.from_party, stored_at), uow, ctx)[0]


def receive_envelopes(cmd: ReceiveEnvelopes, uow: UnitOfWork, ctx: NodeContext) -> list[dict[str, Any]]:
    """Apply a batch in one transaction, so the batch costs one commit. The messages are first
    applied one after the other without savepoints; should one of them be refused, that
    transaction is rolled back and the batch run again with each message in a savepoint of its
    own, so that a refused message leaves the others untouched. Keys are looked up in the same
    transaction, so a key revoked by any process of the node is refused from then on. A row that
    conflicts when the batch's queued rows go out at its commit (another process stored one of
    the messages first, or the declaration a message makes exists) also sends the batch to the
    run with savepoints, where each message's rows go out inside its own; should even that
    commit fail, the batch runs once more and finds the other process's messages applied."""
    try:
        checked, outcomes = _receive_batch(cmd, uow, ctx)
    except CommitConflict:
        checked, outcomes = _receive_batch(cmd, uow, ctx)
    for item, outcome in zip(checked, outcomes, strict=True):  # once the outcomes are committed
        with _about(ctx, item):
            _log_received(item.header, outcome)
    return outcomes


class _Refused(Exception):
    """A message of a batch applied without savepoints was refused: the batch runs again, each
    message in a savepoint."""


def _receive_batch(
    cmd: ReceiveEnvelopes, uow: UnitOfWork, ctx: NodeContext
) -> tuple[list[_Checked], list[dict[str, Any]]]:
    try:
        return _run_batch(cmd, uow, ctx, careful=False)
    except (_Refused, CommitConflict):
        return _run_batch(cmd, uow, ctx, careful=True)


def _run_batch(
    cmd: ReceiveEnvelopes, uow: UnitOfWork, ctx: NodeContext, *, careful: bool
) -> tuple[list[_Checked], list[dict[str, Any]]]:
    now = ctx.clock()
    outcomes: list[dict[str, Any]] = []
    with uow:
        stamps = [None] * len(cmd.envelopes) if cmd.stored_at is None else cmd.stored_at
        checked = [
            _check(raw, ctx, uow.keys, cmd.from_party, stored_at, now)
            for raw, stored_at in zip(cmd.envelopes, stamps, strict=True)
        ]
        applied = uow.inbox.outcomes([item.header["message_id"] for item in checked if item.refusal is None])
        _prefetch(uow, ctx, checked, applied)
        for item in checked:
            with _about(ctx, item):
                if careful:
                    outcomes.append(_outcome(uow, ctx, item, now, applied))
                else:
                    outcomes.append(_optimistic(uow, ctx, item, now, applied))
        uow.commit()
    return checked, outcomes


def _prefetch(
    uow: UnitOfWork, ctx: NodeContext, checked: list[_Checked], applied: dict[str, dict[str, Any]]
) -> None:
    """What the batch's new messages will look up is read in one statement each, not one message
    at a time by the handlers: by the consignment they name (their correlation id), this node's
    declarations (an acknowledgement names the export declaration it answers; the unit of work
    hands the handlers the same objects) and the logistics events already received (a pre-arrival
    message's import declaration is told them); and what a message type's own read-ahead asks
    for (the importers whose filings pre-arrival messages count)."""
    new = [
        item.envelope
        for item in checked
        if item.envelope is not None and item.header["message_id"] not in applied
    ]
    ids = [ref for envelope in new if (ref := correlation_id(envelope.body)) is not None]
    if ids:
        uow.declarations.get_many(ids)
        uow.events.read_ahead(ids)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for envelope in new:
        if envelope.header.type in ctx.read_ahead:
            by_type.setdefault(envelope.header.type, []).append(envelope.body)
    for kind, bodies in by_type.items():
        ctx.read_ahead[kind](bodies, uow)


def _about(ctx: NodeContext, item: _Checked) -> AbstractContextManager[None]:
    """Records logged while handling ``item`` carry its message id and, once its signature has
    verified, the correlation id its body names."""
    body = item.envelope.body if item.envelope is not None else None
    return log_context(
        node=ctx.country, message_id=item.header.get("message_id"), correlation_id=correlation_id(body)
    )


def _optimistic(
    uow: UnitOfWork, ctx: NodeContext, item: _Checked, now: datetime, applied: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The outcome of a message applied without a savepoint; ``_Refused`` when it cannot take
    effect (the caller's transaction then holds a partial effect, and must be rolled back)."""
    if item.refusal is not None:
        return _record(uow, ctx, item.header, item.refusal)
    try:
        return _apply(uow, ctx, item, now, applied)
    except (CommitConflict, CorridorError) as exc:
        raise _Refused from exc


def _outcome(
    uow: UnitOfWork, ctx: NodeContext, item: _Checked, now: datetime, applied: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    if item.refusal is not None:
        return _record(uow, ctx, item.header, item.refusal)
    try:
        with uow.savepoint():
            return _apply(uow, ctx, item, now, applied)
    except CommitConflict:
        return {"status": "duplicate", "message_id": item.header["message_id"]}
    except CorridorError as exc:
        return _record(uow, ctx, item.header, exc)


def _log_received(header: dict[str, str], outcome: dict[str, Any]) -> None:
    kind, sender, status = header.get("type"), header.get("sender"), outcome.get("status")
    if status == "rejected":
        retry = "the sender retries" if outcome.get("retryable") else "for good"
        log.warning("envelope refused (%s): %s: %s", retry, outcome.get("field"), outcome.get("reason"))
        return
    with log_context(declaration_id=outcome.get("import_declaration_id")):
        log.info("envelope received: %s from %s, %s", kind, sender, status)
