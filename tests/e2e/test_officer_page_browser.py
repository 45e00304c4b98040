"""The officer's page in a real browser (Debian chromium driven by Playwright)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from corridor.api.app import create_app
from corridor.customs.assessment import ReferenceAssessor
from corridor.customs.domain.risk import RiskDecision
from corridor.customs.domain.vocabulary import Lane
from corridor.demo.samples import SampleCorridor
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node
from corridor.service.auth import create_api_key
from corridor.service.commands import FileDeclaration
from tests.conftest import service_missing

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class YellowLane(ReferenceAssessor):
    def risk(self, *args: Any, **kwargs: Any) -> RiskDecision:
        return super().risk(*args, **kwargs).forced(Lane.YELLOW)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Node]]:
    node = bootstrap_node(
        "IN",
        tmp_path / "IN",
        InProcessTransport(),
        assessor=YellowLane.for_country("IN", b"test-node-selection-key-0000000000"),
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(node), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield url, node
    server.should_exit = True
    thread.join(timeout=10)
    node.close()


def test_officer_clears_a_queued_declaration_in_the_browser(served: tuple[str, Node], tmp_path: Path) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        service_missing("chromium is not installed (apt-get install chromium)")
    url, node = served
    declaration = node.handle(FileDeclaration(SampleCorridor(8).next("IN", datetime.now(UTC))))
    assert declaration.status == "under_control"
    officer_key = create_api_key(node.uow(), "officer", "IN-OFFICER-9", "browser test", datetime.now(UTC))
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(url + "/")
            page.fill("#key", "ck_wrong_key")
            page.click("#load")
            page.wait_for_function("document.getElementById('error').textContent.includes('401')")
            page.fill("#key", officer_key)
            page.click("#load")
            row = page.locator(f"#queue tbody tr[data-id='{declaration.id}']")
            row.wait_for()
            assert "yellow" in row.inner_text().lower()
            assert page.inner_text("#node") == "node IN"
            row.click()
            page.wait_for_selector("#timeline tbody tr")
            assert "registration" in page.inner_text("#timeline")
            page.fill("#findings", "documents checked, conform")
            page.click("#clear")
            page.wait_for_function(
                "document.getElementById('detail-status').textContent.startsWith('cleared')"
            )
            page.locator("#empty").wait_for(state="visible")
            page.screenshot(path=str(tmp_path / "officer.png"), full_page=True)
        finally:
            browser.close()
    with node.uow() as uow:
        cleared = uow.declarations.get(declaration.id)
        assert cleared is not None and cleared.status == "cleared"
        assert uow.outbox.count() == 1  # the pre-arrival message left with the Let Export Order
