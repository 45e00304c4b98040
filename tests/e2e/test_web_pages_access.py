"""Who may open which page under /ui: without a session every page but the login sends to the
login; each role opens its own pages and gets 403 on the others'; every form needs its CSRF
token. (The API-key matrix is tests/e2e/test_api_authorization.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from corridor.accounts.store import add_user
from corridor.api.app import create_app
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node

PASSWORD = "correct horse battery staple"
ROLES = ("trader", "officer", "carrier", "analyst", "bank")
GET_PAGES = {
    "/ui/dashboard": {"analyst", "officer"},
    "/ui/dashboard/target.csv": {"analyst", "officer"},
    "/ui/trader": {"trader"},
    "/ui/trader/declare": {"trader"},
    "/ui/officer": {"officer"},
    "/ui/officer/26INFFFFFFFFFFFFFF": {"officer"},
    "/ui/consignments/26INFFFFFFFFFFFFFF": {"trader", "officer"},
    "/ui/carrier": {"carrier"},
    "/ui/bank": {"bank"},
}
POSTS = ("/ui/logout", "/ui/trader/declare", "/ui/officer/26INFFFFFFFFFFFFFF/decide", "/ui/carrier/events")


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    found = bootstrap_node("IN", Path(tmp_path_factory.mktemp("web")) / "IN", InProcessTransport())
    for role in ROLES:
        add_user(found.engine, role, PASSWORD, role, f"PARTY-{role.upper()}", datetime.now(UTC))
    yield found
    found.close()


def logged_in(app: FastAPI, role: str) -> tuple[TestClient, str]:
    client = TestClient(app, follow_redirects=False)
    page = client.get("/ui/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post(
        "/ui/login", data={"csrf_token": token.group(1), "username": role, "password": PASSWORD}
    )
    assert answer.status_code == 303, answer.text
    home = client.get(answer.headers["location"])
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf is not None
    return client, csrf.group(1)


def test_without_a_session_every_page_sends_to_the_login(node: Node) -> None:
    client = TestClient(create_app(node), follow_redirects=False)
    assert client.get("/ui/login").status_code == 200
    for path in [*GET_PAGES, "/ui/"]:
        answer = client.get(path)
        assert (answer.status_code, answer.headers.get("location")) == (303, "/ui/login"), path
    for path in POSTS:
        answer = client.post(path, data={"csrf_token": "x"})
        assert (answer.status_code, answer.headers.get("location")) == (303, "/ui/login"), path


def test_login_form_needs_its_token(node: Node) -> None:
    client = TestClient(create_app(node), follow_redirects=False)
    answer = client.post("/ui/login", data={"username": "analyst", "password": PASSWORD})
    assert answer.status_code == 403 and "corridor_session" not in answer.headers.get("set-cookie", "")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_only_its_pages(node: Node, role: str) -> None:
    client, _csrf = logged_in(create_app(node), role)
    for path, allowed in GET_PAGES.items():
        status = client.get(path).status_code
        if role in allowed:
            assert status in (200, 404), f"{role} {path}: {status}"  # 404: no such declaration
        else:
            assert status == 403, f"{role} {path}: {status}"
    for path in POSTS[1:]:
        assert client.post(path, data={}).status_code in (403, 404), f"{role} {path} without a token"


def test_session_cookie_flags(node: Node) -> None:
    client = TestClient(create_app(node), follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ui/login").text)
    assert token is not None
    answer = client.post(
        "/ui/login", data={"csrf_token": token.group(1), "username": "analyst", "password": PASSWORD}
    )
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("corridor_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie


def test_hostile_form_input_is_named_never_a_5xx(node: Node) -> None:
    from corridor.api.web.declaration_form import values_of
    from corridor.demo.samples import SampleCorridor

    app = create_app(node)
    trader, token = logged_in(app, "trader")
    values = values_of(SampleCorridor(3).next("IN", datetime.now(UTC)))
    for bad in ("bad\x00name", "bad\x07name"):
        answer = trader.post(
            "/ui/trader/declare", data={**values, "Declaration.Exporter.Name": bad, "csrf_token": token}
        )
        assert answer.status_code == 422, bad
        assert 'data-path="Declaration.Exporter.Name"' in answer.text
    answer = trader.post("/ui/trader/declare", data={"csrf_token": token, "documents": '[{"a": NaN}]'})
    assert answer.status_code == 422 and "documents" in answer.text
    long_name = {**values, "Declaration.Exporter.Name": "x" * 2001, "csrf_token": token}
    answer = trader.post("/ui/trader/declare", data=long_name)  # refused whole, never cut and filed
    assert answer.status_code == 422 and "must be at most 2000 characters, got 2001" in answer.text
    assert 'data-path="Declaration.Exporter.Name"' in answer.text
    long_list = (
        "[" + ", ".join(['{"version": "https://schema.openattestation.com/2.0/schema.json"}'] * 40) + "]"
    )
    answer = trader.post("/ui/trader/declare", data={**values, "documents": long_list, "csrf_token": token})
    # read whole (cut at 2,000 characters it was "not JSON"): the filing itself then answers
    assert answer.status_code in (409, 422) and "is not JSON" not in answer.text
    carrier, token = logged_in(app, "carrier")
    answer = carrier.post(
        "/ui/carrier/events",
        data={
            "csrf_token": token,
            "ref": "26INFFFFFFFFFFFFFF",
            "step": "loading",
            "place": "IN\x00SA",
            "at": "x",
        },
    )
    assert answer.status_code == 422 and "must be a date and time" in answer.text
    answer = carrier.post(
        "/ui/carrier/events",
        data={
            "csrf_token": token,
            "ref": "26INFFFFFFFFFFFFFF",
            "step": "loading",
            "place": "IN\x00SA",
            "at": "2026-12-01T10:00",
        },
    )
    assert answer.status_code == 422 and "place: must be a UN/LOCODE" in answer.text


def test_bank_sees_the_accounts_it_holds(tmp_path: Path) -> None:
    from corridor.node.settlement import NodeSettlement
    from corridor.settlement.commands import OpenSampleChart

    found = bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    try:
        NodeSettlement(found).handle(OpenSampleChart())
        add_user(found.engine, "bank", PASSWORD, "bank", "SAMAINBBXXX", datetime.now(UTC))  # a sample AD bank
        client, _ = logged_in(create_app(found), "bank")
        page = client.get("/ui/bank")
        assert page.status_code == 200
        held = re.findall(r"<tr><td>([^<]+?)(?: \(sample\))?</td>", page.text)
        assert held, page.text[:2500]
        with NodeSettlement(found).uow() as uow:
            own = {a.id for a in uow.ledger.accounts() if a.holder == "SAMAINBBXXX"}
        assert set(held) == own
    finally:
        found.close()


def test_the_officers_decisions_need_a_sound_reason(tmp_path: Path) -> None:

    from corridor.customs.assessment import ReferenceAssessor
    from corridor.customs.domain.risk import RiskDecision
    from corridor.customs.domain.vocabulary import Lane
    from corridor.demo.samples import SampleCorridor
    from corridor.service.commands import FileDeclaration

    class YellowLane(ReferenceAssessor):
        def risk(self, *args: Any, **kwargs: Any) -> RiskDecision:
            return super().risk(*args, **kwargs).forced(Lane.YELLOW)

    assessor = YellowLane.for_country("IN", b"test-node-selection-key-0000000000")
    found = bootstrap_node("IN", tmp_path / "IN", InProcessTransport(), assessor=assessor)
    try:
        add_user(found.engine, "officer", PASSWORD, "officer", "IN-OFFICER-3", datetime.now(UTC))
        declaration = found.handle(FileDeclaration(SampleCorridor(8).next("IN", datetime.now(UTC))))
        client, token = logged_in(create_app(found), "officer")
        decide = f"/ui/officer/{declaration.id}/decide"
        for action, reason, why in (
            ("release", "", "reason: must not be blank"),
            ("release", "   ", "reason: must not be blank"),
            ("hold", "", "reason: must not be blank"),
            ("release", "r" * 2001, "reason: must be at most 2000 characters"),
            ("release", "paid\x00", "reason: contains a NUL character"),
            ("hold", "seal\x07", "reason: contains a control character"),
            ("clear", "c" * 2001, "findings: must be at most 2000 characters"),
        ):
            answer = client.post(decide, data={"csrf_token": token, "action": action, "reason": reason})
            assert answer.status_code == 422, (action, reason, answer.status_code)
            assert why in answer.text.replace("&#39;", "'"), (action, reason)
        # a sound reason reaches the declaration, which refuses an export's release (409)
        answer = client.post(decide, data={"csrf_token": token, "action": "release", "reason": "paid"})
        assert answer.status_code == 409 and "cleared, not released" in answer.text
        answer = client.post(decide, data={"csrf_token": token, "action": "hold", "reason": "seal broken"})
        assert answer.status_code == 303
        timeline = client.get(f"/ui/consignments/{declaration.id}").text
        assert "reason: seal broken" in timeline and "officer: IN-OFFICER-3" in timeline
    finally:
        found.close()


def _two_item_sample() -> dict[str, Any]:
    from corridor.api.web.declaration_form import item_count
    from corridor.demo.samples import SampleCorridor

    samples = SampleCorridor(5)
    sample = samples.next("IN", datetime.now(UTC))
    while item_count(sample) != 2:
        sample = samples.next("IN", datetime.now(UTC))
    return sample


def test_the_trader_files_several_goods_items_each_error_beside_its_item(tmp_path: Path) -> None:
    from corridor.api.web.declaration_form import item_path, values_of

    found = bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    try:
        sample = _two_item_sample()
        values = values_of(sample)
        add_user(
            found.engine, "trader", PASSWORD, "trader", values["Declaration.Exporter.ID"], datetime.now(UTC)
        )
        client, token = logged_in(create_app(found), "trader")
        first_item = {k: v for k, v in values.items() if "GovernmentAgencyGoodsItem[1]" not in k}
        grown = client.post(
            "/ui/trader/declare", data={**first_item, "csrf_token": token, "action": "add_item"}
        )
        assert grown.status_code == 200 and 'name="items" value="2"' in grown.text
        assert f'name="{item_path(1, "Commodity.Description")}" value=""' in grown.text  # item 2, empty
        assert f'value="{values[item_path(0, "Commodity.Description")]}"' in grown.text  # item 1 kept
        assert "autofocus" in grown.text and 'id="remove-item"' in grown.text
        code = item_path(1, "Commodity.Classification[0].ID")
        posted = {**values, code: "12", "csrf_token": token, "items": "2", "action": "file"}
        refused = client.post("/ui/trader/declare", data=posted)
        assert refused.status_code == 422
        assert f'data-path="{code}"' in refused.text  # beside item 2's code, not item 1's
        assert f'data-path="{item_path(0, "Commodity.Classification[0].ID")}"' not in refused.text
        assert "Goods item 2: " in refused.text  # the summary names the item
        shrunk = client.post("/ui/trader/declare", data={**posted, "action": "remove_item"})
        assert shrunk.status_code == 200 and 'name="items" value="1"' in shrunk.text
        assert item_path(1, "Commodity.Description") not in shrunk.text
        for bad in ("0", "21", "abc", "1e3", "2\x00", "-1"):
            answer = client.post("/ui/trader/declare", data={**posted, "items": bad})
            assert answer.status_code == 422 and "must be a whole number from 1 to 20" in answer.text, bad
        filed = client.post("/ui/trader/declare", data={**posted, code: values[code]})
        assert filed.status_code == 303, filed.text[-2000:]
        declaration_id = filed.headers["location"].rsplit("/", 1)[1]
        with found.uow() as uow:
            stored = uow.declarations.get(declaration_id)
        assert stored is not None
        goods = stored.document_json()["Declaration"]["GoodsShipment"]["GovernmentAgencyGoodsItem"]
        assert [g["SequenceNumeric"] for g in goods] == [1, 2]
        assert stored.document_json()["Declaration"]["GoodsItemQuantity"] == 2
    finally:
        found.close()
