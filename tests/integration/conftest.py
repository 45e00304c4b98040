"""Fixtures of the integration tests that use NATS JetStream on 127.0.0.1:4222."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from corridor.messaging.nats_transport import NatsJetStream
from tests.conftest import service_missing

NATS_URL = "nats://127.0.0.1:4222"


@pytest.fixture
def stream() -> Iterator[tuple[str, str]]:
    """A JetStream stream of its own (name, subject prefix), deleted afterwards."""
    name, prefix = f"CORRIDOR_T_{secrets.token_hex(4).upper()}", f"corridor-t-{secrets.token_hex(4)}"
    try:
        probe = NatsJetStream(NATS_URL, name, prefix, timeout=3)
    except Exception as exc:  # not reachable here
        service_missing(f"NATS JetStream not reachable at {NATS_URL}: {type(exc).__name__}")
    yield name, prefix
    probe.delete_stream()
    probe.close()
