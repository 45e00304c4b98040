"""The node's log records: ids from the context, JSON lines or text, nothing a peer can forge."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.config import Settings
from corridor.service.correlation import correlation_id
from corridor.shared.logs import LogFormat, NodeLogHandler, configure_logging, current_ids, log_context


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    test_logger = logging.getLogger("corridor.test_logs")
    test_logger.setLevel(logging.INFO)
    test_logger.propagate = False
    yield test_logger
    test_logger.handlers.clear()


def lines(logger: logging.Logger, log_format: LogFormat, emit: Callable[[], None]) -> list[str]:
    stream = io.StringIO()
    logger.addHandler(NodeLogHandler(log_format, stream))
    emit()
    return stream.getvalue().splitlines()


def test_records_carry_the_ids_of_their_context_and_nested_contexts_restore_the_outer(
    logger: logging.Logger,
) -> None:
    def emit() -> None:
        with log_context(node="IN", declaration_id="26IN0123456789ABCD"):
            with log_context(message_id="m-1", correlation_id="26IN0123456789ABCD", declaration_id=None):
                logger.info("inner")
            logger.info("outer")
        logger.info("none")

    inner, outer, none = (json.loads(line) for line in lines(logger, "json", emit))
    assert inner["message"] == "inner" and inner["level"] == "INFO" and inner["logger"] == logger.name
    assert {k: inner[k] for k in ("node", "declaration_id", "message_id", "correlation_id")} == {
        "node": "IN",
        "declaration_id": "26IN0123456789ABCD",
        "message_id": "m-1",
        "correlation_id": "26IN0123456789ABCD",
    }
    assert "message_id" not in outer and outer["declaration_id"] == "26IN0123456789ABCD"
    assert not {"node", "declaration_id", "message_id", "correlation_id"} & set(none)
    assert current_ids() == {}


@pytest.mark.parametrize("bad", ["x\nFAKE level=ERROR", "", "a" * 81, "ü", "id with space", 7])
def test_an_id_that_is_not_plain_is_left_out(logger: logging.Logger, bad: object) -> None:
    def emit() -> None:
        with log_context(correlation_id=bad):  # type: ignore[arg-type]
            logger.info("peer message")

    [line] = lines(logger, "text", emit)
    assert "correlation_id" not in line


def test_a_line_break_in_a_message_does_not_start_a_line_of_its_own(logger: logging.Logger) -> None:
    def emit() -> None:
        logger.warning("envelope refused: %s", "body: bad\n2026-01-01 ERROR forged\x1b[31m")

    [line] = lines(logger, "text", emit)
    assert "bad\\n2026-01-01 ERROR forged\\x1b[31m" in line
    [json_line] = lines(logger, "json", emit)[-1:]
    assert json.loads(json_line)["message"].endswith("forged\x1b[31m")


def test_an_unknown_id_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="lane"), log_context(lane="green"):
        pass


def test_configuring_again_replaces_the_handler() -> None:
    corridor = logging.getLogger("corridor")
    before = list(corridor.handlers), corridor.level, corridor.propagate
    try:
        configure_logging("text")
        configure_logging("json", "WARNING")
        mine = [h for h in corridor.handlers if isinstance(h, NodeLogHandler)]
        assert len(mine) == 1 and corridor.level == logging.WARNING
    finally:
        corridor.handlers[:] = before[0]
        corridor.setLevel(before[1])
        corridor.propagate = before[2]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"export_declaration_id": "26IN0123456789ABCD", "status": "accepted"}, "26IN0123456789ABCD"),
        (
            {"epcis": {}, "containers": {"MSCU1234565": ["26IN01", "IN"], "MSCU7654321": ["26IN01", "IN"]}},
            "26IN01",
        ),
        (
            {"epcis": {}, "containers": {"MSCU1234565": ["26IN01", "IN"], "MSCU7654321": ["26IN02", "IN"]}},
            None,
        ),
        ({"containers": {"MSCU1234565": "26IN01"}}, None),
        ({"export_declaration_id": 5}, None),
        ({"document": {}}, None),
        (["not", "a", "body"], None),
    ],
)
def test_the_correlation_id_of_a_message_is_the_one_consignment_it_names(
    body: object, expected: str | None
) -> None:
    assert correlation_id(body) == expected


def test_the_log_format_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().log_format == "text"
    monkeypatch.setenv("CORRIDOR_LOG_FORMAT", "json")
    assert Settings().log_format == "json"
    monkeypatch.setenv("CORRIDOR_LOG_FORMAT", "xml")
    with pytest.raises(ValidationError, match="log_format"):
        Settings()


def test_node_serve_refuses_an_unknown_log_format_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["node", "serve", "--country", "IN", "--data-dir", str(tmp_path), "--log-format", "xml"]
    )
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: log_format: Input should be 'text' or 'json'"), line
