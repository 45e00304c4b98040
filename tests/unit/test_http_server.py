"""The API is served by uvicorn's C HTTP parser and event loop, not its pure-Python fallbacks:
uvicorn picks them only when installed, and they halve a request's cost (docs/SCALING.md)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI


def test_uvicorn_serves_the_api_with_httptools_and_uvloop() -> None:
    config = uvicorn.Config(FastAPI())  # the defaults `corridor node serve` runs with
    config.load()
    assert config.http_protocol_class.__module__ == "uvicorn.protocols.http.httptools_impl"
    assert config.get_loop_factory().__module__.startswith("uvloop")
