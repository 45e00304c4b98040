"""outbox list / requeue: see what a node has not delivered and send it again once mended."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from corridor.cli.common import (
    DEFAULT_DATA_DIR,
    Country,
    DataDir,
    DbSchema,
    DbUrl,
    emit,
    fail,
    local_node,
    old_spellings,
)

app = typer.Typer(
    help="A node's outbox: messages waiting, delivered or refused by the peer.",
    context_settings={"token_normalize_func": old_spellings},
)


@app.command("list")
def list_(
    status: Annotated[str, typer.Option(help="pending, sent or dead")] = "dead",
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    node: Country = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
) -> None:
    """Messages with a status, oldest first, with the last delivery error."""
    if status not in ("pending", "sent", "dead"):
        raise fail("--status: must be pending, sent or dead", 2)
    with local_node(data_dir, node, db, db_schema) as local, local.uow() as uow:
        messages = uow.outbox.with_status(status=status, limit=limit)
    emit(
        [
            {
                "message_id": m.message_id,
                "type": m.type,
                "recipient": m.recipient,
                "attempts": m.attempts,
                "last_error": m.last_error,
                "created_at": m.created_at,
            }
            for m in messages
        ]
    )


@app.command("requeue")
def requeue(
    message_ids: Annotated[
        list[str] | None, typer.Argument(help="Message ids (default: every dead message)")
    ] = None,
    node: Country = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
) -> None:
    """Send refused messages again, e.g. after the peer imported a rotated key."""
    with local_node(data_dir, node, db, db_schema) as local, local.uow() as uow:
        ids = message_ids or [m.message_id for m in uow.outbox.with_status(status="dead", limit=100_000)]
        moved = uow.outbox.requeue(ids, datetime.now(UTC))
        uow.commit()
    emit({"requeued": moved})


@app.command("dead-letters")
def dead_letters(
    nats_url: Annotated[
        str, typer.Option(help="NATS JetStream server [env CORRIDOR_NATS_URL]", envvar="CORRIDOR_NATS_URL")
    ],
    node: Country = "IN",
    stream: Annotated[
        str, typer.Option(help="JetStream stream [env CORRIDOR_NATS_STREAM]", envvar="CORRIDOR_NATS_STREAM")
    ] = "CORRIDOR",
    subject_prefix: Annotated[
        str,
        typer.Option(
            help="Subject prefix [env CORRIDOR_NATS_SUBJECT_PREFIX]", envvar="CORRIDOR_NATS_SUBJECT_PREFIX"
        ),
    ] = "corridor",
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
) -> None:
    """What this node's JetStream consumer refused for good, with why (oldest first); the
    envelope's message id and type when it could be read."""
    from nats.errors import Error as NatsError

    from corridor.messaging.nats_transport import NatsJetStream

    try:
        jetstream = NatsJetStream(nats_url, stream, subject_prefix)
    except (OSError, TimeoutError, NatsError) as exc:
        raise fail(f"--nats-url: cannot reach {nats_url} ({type(exc).__name__})") from None
    try:
        kept = jetstream.dead_letters(node, limit)
    finally:
        jetstream.close()
    emit(
        [
            {**_header_of(d.envelope), "field": d.field, "reason": d.reason, "deliveries": d.deliveries}
            for d in kept
        ]
    )


def _header_of(envelope: bytes) -> dict[str, object]:
    """The message id and type of a dead letter's envelope, where its text is a JSON envelope."""
    try:
        header = json.loads(envelope)["header"]
        return {"message_id": str(header["message_id"])[:200], "type": str(header["type"])[:200]}
    except (ValueError, KeyError, TypeError):
        return {"message_id": None, "type": None}
