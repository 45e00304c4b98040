"""The node's log: standard ``logging``, plain text or JSON lines, each record carrying the ids of
what is being handled (node, declaration, message and the consignment's correlation id) when
known. The ids live in context variables, set where a command or an envelope is handled, so that
every record logged underneath carries them without passing them around."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Literal

LogFormat = Literal["text", "json"]

# The ids a record carries, in the order they are shown.
IDS = ("node", "declaration_id", "message_id", "correlation_id")
_ids: dict[str, ContextVar[str | None]] = {name: ContextVar(name, default=None) for name in IDS}
# An id may come from a peer's message: only a plain one goes into the log (no line breaks, no
# control characters, bounded), any other is left out.
_PLAIN_ID = re.compile(r"[A-Za-z0-9._:-]{1,80}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@contextmanager
def log_context(**ids: str | None) -> Iterator[None]:
    """Within the block, records carry these ids (``None``, or a value that is not a plain id,
    leaves the outer value)."""
    unknown = set(ids) - set(IDS)
    if unknown:
        raise TypeError(f"unknown log ids: {', '.join(sorted(unknown))}")
    tokens = [
        _ids[name].set(value)
        for name, value in ids.items()
        if isinstance(value, str) and _PLAIN_ID.fullmatch(value)
    ]
    try:
        yield
    finally:
        for token in reversed(tokens):
            token.var.reset(token)


def current_ids() -> dict[str, str]:
    return {name: value for name, var in _ids.items() if (value := var.get()) is not None}


class ContextIds(logging.Filter):
    """Puts the ids of the current context on each record (an id given as ``extra`` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in current_ids().items():
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the ids it has."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in IDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class TextWithIds(logging.Formatter):
    """``time level logger: message [node=IN declaration_id=...]``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        # a line break or other control character from a peer's text must not start a line of its own
        record.message = _CONTROL.sub(lambda m: repr(m.group())[1:-1], record.message)
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = " ".join(f"{n}={v}" for n in IDS if (v := getattr(record, n, None)) is not None)
        return f"{text} [{ids}]" if ids else text


class NodeLogHandler(logging.StreamHandler[IO[str]]):
    """Writes records with the ids of their context, in ``log_format``."""

    def __init__(self, log_format: LogFormat = "text", stream: IO[str] | None = None) -> None:
        super().__init__(stream if stream is not None else sys.stderr)
        self.addFilter(ContextIds())
        self.setFormatter(JsonLines() if log_format == "json" else TextWithIds())


def configure_logging(log_format: LogFormat = "text", level: str = "INFO") -> None:
    """The ``corridor`` loggers write to standard error in ``log_format``, from ``level`` up (and no
    longer through the root logger); configuring again replaces what was set before."""
    logger = logging.getLogger("corridor")
    for old in [h for h in logger.handlers if isinstance(h, NodeLogHandler)]:
        logger.removeHandler(old)
    logger.addHandler(NodeLogHandler(log_format))
    logger.setLevel(level)
    logger.propagate = False
