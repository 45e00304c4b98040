"""The web pages in a real browser (Debian chromium driven by Playwright): each role logs in, a
trader files a declaration with an error, sees it beside the field, fixes it and sees the lane;
the officer decides it; the dashboard follows; another trader's consignment answers 404; a form
without its CSRF token is refused; five wrong passwords lock the account. Every page is checked
with axe-core and kept as a screenshot under tests/output/screenshots."""

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

from corridor.accounts.store import add_user
from corridor.api.app import create_app
from corridor.api.web.declaration_form import item_count, item_path, values_of
from corridor.customs.assessment import ReferenceAssessor
from corridor.customs.domain.risk import RiskDecision
from corridor.customs.domain.vocabulary import Lane
from corridor.demo.samples import SampleCorridor
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node
from tests.conftest import service_missing

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).resolve().parents[1] / "output" / "screenshots"
PASSWORD = "correct horse battery staple"


class YellowLane(ReferenceAssessor):
    def risk(self, *args: Any, **kwargs: Any) -> RiskDecision:
        return super().risk(*args, **kwargs).forced(Lane.YELLOW)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Node]]:
    node = bootstrap_node(
        "IN", tmp_path / "IN", InProcessTransport(),
        assessor=YellowLane.for_country("IN", b"test-node-selection-key-0000000000"),
    )  # fmt: skip
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


@pytest.fixture
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        service_missing("chromium is not installed (apt-get install chromium)")
    if not AXE.exists():
        service_missing("axe-core is not installed (npm ci --prefix tests/e2e/axe)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def new_page(browser: Any) -> Any:
    """A page in a context of its own (its own cookies); the pages' CSP is bypassed only so that
    axe-core can be injected."""
    return browser.new_context(bypass_csp=True).new_page()


def checked(page: Any, name: str) -> None:
    """No axe-core violation on the page (WCAG 2 A and AA rules); a screenshot kept."""
    page.add_script_tag(content=AXE.read_text("utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert result == [], f"{name}: {result}"


def log_in(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(url + "/ui/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def users(node: Node, exporter: str) -> None:
    now = datetime.now(UTC)
    add_user(node.engine, "trader1", PASSWORD, "trader", exporter, now)
    add_user(node.engine, "trader2", PASSWORD, "trader", "AAACZ9999Z", now)
    add_user(node.engine, "officer1", PASSWORD, "officer", "IN-OFFICER-7", now)
    add_user(node.engine, "analyst1", PASSWORD, "analyst", "MOC-ANALYST", now)
    add_user(node.engine, "carrier1", PASSWORD, "carrier", "SOLU", now)


def test_roles_file_decide_and_see_the_dashboard(served: tuple[str, Node], browser: Any) -> None:
    url, node = served
    samples = SampleCorridor(11)
    sample = samples.next("IN", datetime.now(UTC))
    while len(sample["Declaration"]["GoodsShipment"]["GovernmentAgencyGoodsItem"]) != 1:  # the form's shape
        sample = samples.next("IN", datetime.now(UTC))
    values = values_of(sample)
    exporter = values["Declaration.Exporter.ID"]
    users(node, exporter)
    analyst = new_page(browser)
    log_in(analyst, url, "analyst1")
    analyst.wait_for_url("**/ui/dashboard")
    assert "yellow" not in analyst.inner_text("#panel-lanes table")  # nothing filed yet

    page = new_page(browser)
    page.goto(url + "/ui/login")
    checked(page, "login")
    log_in(page, url, "trader1")
    page.wait_for_url("**/ui/trader")
    checked(page, "trader")
    page.goto(url + "/ui/trader/declare")
    checked(page, "declare-empty")
    container = "Declaration.GoodsShipment.Consignment.TransportEquipment[0].ID"
    for path, value in values.items():
        page.fill(f'[name="{path}"]', "MSCU1234560" if path == container else value)
    page.click("#file")
    error = page.locator(f'p.field-error[data-path="{container}"]')
    error.wait_for()
    assert "check digit" in error.inner_text().lower()
    field_id = page.get_attribute(f'[name="{container}"]', "id")
    assert page.locator(f'#form-errors a[href="#{field_id}"]').count() == 1  # the summary links to it
    assert page.get_attribute(f'[name="{container}"]', "aria-invalid") == "true"
    checked(page, "declare-error")
    page.fill(f'[name="{container}"]', values[container])
    page.click("#file")
    page.wait_for_url("**/ui/consignments/*")
    assert page.inner_text("#lane").lower() == "yellow"
    declaration_id = page.url.rsplit("/", 1)[1]
    checked(page, "consignment")

    other = new_page(browser)
    log_in(other, url, "trader2")
    other.wait_for_url("**/ui/trader")
    assert other.goto(f"{url}/ui/consignments/{declaration_id}").status == 404

    officer = new_page(browser)
    log_in(officer, url, "officer1")
    officer.wait_for_url("**/ui/officer")
    officer.locator(f"tr[data-id='{declaration_id}']").wait_for()
    checked(officer, "officer-queue")
    officer.click(f"a[href='/ui/officer/{declaration_id}']")
    checked(officer, "officer-decide")
    officer.fill("#reason", "documents checked, conform")
    officer.click("#clear")
    officer.wait_for_url("**/ui/officer?done=*")
    assert officer.locator(f"tr[data-id='{declaration_id}']").count() == 0

    analyst.reload()  # the dashboard follows the filing and the decision
    lanes = analyst.inner_text("#panel-lanes table")
    assert "export" in lanes and "yellow" in lanes
    assert analyst.locator("#panel-target").inner_text().count("2024-25") >= 1
    checked(analyst, "dashboard")
    csv = analyst.request.get(url + "/ui/dashboard/target.csv")
    assert csv.status == 200 and csv.text().startswith("fiscal_year,series")

    carrier = new_page(browser)
    log_in(carrier, url, "carrier1")
    carrier.wait_for_url("**/ui/carrier")
    checked(carrier, "carrier")
    assert declaration_id in carrier.inner_text("table")
    carrier.select_option("#ref", declaration_id)
    carrier.select_option("#step", "loading")
    carrier.fill("#place", values["Declaration.GoodsShipment.Consignment.LoadingLocation.ID"])
    carrier.fill("#at", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M"))
    carrier.click("#post")
    carrier.locator("#message").wait_for()
    assert "loading" in carrier.inner_text("#message")

    page.reload()  # the trader follows the consignment's milestones on its timeline
    assert "loading" in page.inner_text("table[aria-label=timeline]")


def test_form_without_csrf_token_is_refused(served: tuple[str, Node], browser: Any) -> None:
    url, node = served
    users(node, "AAACZ0000A")
    page = new_page(browser)
    log_in(page, url, "officer1")
    page.wait_for_url("**/ui/officer")
    answer = page.request.post(url + "/ui/logout", form={"csrf_token": "forged"})
    assert answer.status == 403
    page.goto(url + "/ui/officer")
    assert page.url.endswith("/ui/officer")  # still logged in: the forged logout did nothing


def test_five_wrong_passwords_lock_the_account(served: tuple[str, Node], browser: Any) -> None:
    url, node = served
    users(node, "AAACZ0000A")
    page = new_page(browser)
    for _ in range(5):
        log_in(page, url, "analyst1", "wrong password here")
        page.locator("#login-error").wait_for()
    assert "locked" in page.inner_text("#login-error")
    checked(page, "login-locked")
    log_in(page, url, "analyst1")
    page.locator("#login-error").wait_for()
    assert "locked" in page.inner_text("#login-error")
    assert "/ui/dashboard" not in page.url


def test_a_trader_files_several_goods_items(served: tuple[str, Node], browser: Any) -> None:
    """Without a script: "Add a goods item" posts the form back with one more item and what was
    typed kept; an error in the second item shows beside that item's field; fixed, it is filed."""
    url, node = served
    samples = SampleCorridor(12)
    sample = samples.next("IN", datetime.now(UTC))
    while item_count(sample) != 2:
        sample = samples.next("IN", datetime.now(UTC))
    values = values_of(sample)
    users(node, values["Declaration.Exporter.ID"])
    context = browser.new_context(bypass_csp=True, java_script_enabled=False)
    page = context.new_page()
    log_in(page, url, "trader1")
    page.wait_for_url("**/ui/trader")
    page.goto(url + "/ui/trader/declare")
    assert page.locator("#item-2").count() == 0
    for path, value in values.items():
        if "GovernmentAgencyGoodsItem[1]" not in path:
            page.fill(f'[name="{path}"]', value)
    with page.expect_navigation():
        page.click("#add-item")
    assert page.locator("#item-2").count() == 1
    first = item_path(0, "Commodity.Description")
    assert page.input_value(f'[name="{first}"]') == values[first]  # item 1 kept
    code = item_path(1, "Commodity.Classification[0].ID")
    for path, value in values.items():
        if "GovernmentAgencyGoodsItem[1]" in path:
            page.fill(f'[name="{path}"]', "12" if path == code else value)
    with page.expect_navigation():
        page.click("#file")
    error = page.locator(f'p.field-error[data-path="{code}"]')
    assert error.count() == 1
    assert page.locator("#item-2").locator(f'p.field-error[data-path="{code}"]').count() == 1
    assert page.locator("#item-1 p.field-error").count() == 0
    field_id = page.get_attribute(f'[name="{code}"]', "id")
    assert "Goods item 2" in page.inner_text(f'#form-errors a[href="#{field_id}"]')
    context.close()
    checked_page = new_page(browser)  # axe needs the page's script: the same form, rendered again
    log_in(checked_page, url, "trader1")
    checked_page.wait_for_url("**/ui/trader")
    checked_page.goto(url + "/ui/trader/declare")
    for path, value in values.items():
        if "GovernmentAgencyGoodsItem[1]" not in path:
            checked_page.fill(f'[name="{path}"]', value)
    checked_page.click("#add-item")
    checked_page.locator("#item-2").wait_for()
    for path, value in values.items():
        if "GovernmentAgencyGoodsItem[1]" in path:
            checked_page.fill(f'[name="{path}"]', "12" if path == code else value)
    checked_page.click("#file")
    checked_page.locator(f'p.field-error[data-path="{code}"]').wait_for()
    checked(checked_page, "declare-two-items-error")
    checked_page.fill(f'[name="{code}"]', values[code])
    checked_page.click("#file")
    checked_page.wait_for_url("**/ui/consignments/*")
    declaration_id = checked_page.url.rsplit("/", 1)[1]
    with node.uow() as uow:
        stored = uow.declarations.get(declaration_id)
    assert stored is not None and item_count(stored.document_json()) == 2
