"""Random selection is keyed with each node's own secret, kept in its data directory."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from corridor.config import Settings
from corridor.customs.domain.vocabulary import Flow
from corridor.customs.validation import validate_declaration
from corridor.demo.samples import SampleCorridor
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node
from corridor.node.selection_key import KEY_FILE, SelectionKeyError
from corridor.refdata.codelists import code_lists

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
IDS = [f"25IN{i:014X}" for i in range(1000)]  # a bounded sample: 2.5 % of imports are drawn at IN


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[Any]:
    opened: list[Node] = []

    def open_node(name: str, selection_key: bytes | None = None) -> Node:
        node = bootstrap_node("IN", tmp_path / name, InProcessTransport(), selection_key=selection_key)
        opened.append(node)
        return node

    yield open_node
    for node in opened:
        node.close()


def selected(node: Node, samples: SampleCorridor) -> set[str]:
    """The declaration ids the node's random selection draws, for one and the same declaration."""
    declaration = validate_declaration(samples.next("RU", NOW), code_lists()).Declaration
    assessor = node.bus.ctx.assessor
    return {
        declaration_id
        for declaration_id in IDS
        if any(
            fired.kind == "random_selection"
            for fired in assessor.risk(declaration, Flow.IMPORT, None, declaration_id, NOW).fired
        )
    }


def test_nodes_with_their_own_keys_select_different_declarations(nodes: Any, samples: SampleCorridor) -> None:
    first, second = selected(nodes("a"), samples), selected(nodes("b"), samples)

    assert first and second
    assert first != second, "a trader who knows one node's draws must not know another's"


def test_the_same_key_reproduces_the_same_selection(nodes: Any, samples: SampleCorridor) -> None:
    key = b"test-fixed-selection-key-00000000"

    once, again = selected(nodes("a", key), samples), selected(nodes("b", key), samples)
    other = selected(nodes("c", b"test-other-selection-key-0000000"), samples)

    assert once and once == again
    assert other != once


def test_the_key_is_made_once_private_and_reused_on_restart(
    nodes: Any, samples: SampleCorridor, tmp_path: Path
) -> None:
    before = selected(nodes("a"), samples)
    path = tmp_path / "a" / KEY_FILE
    key = path.read_bytes()

    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert selected(nodes("a"), samples) == before  # restarted on the same data directory
    assert path.read_bytes() == key


@pytest.mark.parametrize("content", [b"", b"short", b"k" * 65])
def test_a_key_file_of_the_wrong_length_is_refused(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "IN").mkdir()
    (tmp_path / "IN" / KEY_FILE).write_bytes(content)

    with pytest.raises(SelectionKeyError, match=f"{KEY_FILE}: a selection key has 16 to 64 bytes"):
        bootstrap_node("IN", tmp_path / "IN", InProcessTransport())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"selection_key": "s" * 15}, "16 to 64 bytes"),
        ({"selection_key": "s" * 65}, "16 to 64 bytes"),
        (
            {
                "env": "production",
                "db_url": "postgresql://db/c",
                "admin_api_key": "a" * 32,
                "selection_key": "s" * 31,
            },
            "at least 32 bytes in production",
        ),
    ],
)
def test_a_configured_key_must_be_long_enough(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**overrides)


def test_a_configured_key_is_secret_and_used_as_given() -> None:
    settings = Settings(selection_key="s" * 40)

    assert settings.selection_key_bytes() == b"s" * 40
    assert "s" * 40 not in repr(settings)
