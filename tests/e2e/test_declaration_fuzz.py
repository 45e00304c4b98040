"""Hostile values at every string and number field of the declaration, through the API (SQLite and
PostgreSQL) and the CLI: never a server error or a traceback, and whatever is stored can be served
back, listed, cleared, canonicalised and signed."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corridor.api.app import create_app
from corridor.cli.main import app as cli
from corridor.customs.domain.wco import DeclarationDocument
from corridor.demo.samples import SampleCorridor
from corridor.messaging.envelope import parse_wire, seal, verify
from corridor.messaging.jcs import canonical
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import Node, bootstrap_node
from corridor.service.auth import create_api_key

NOW = datetime.now(UTC)
BAD_VALUES: list[Any] = [
    "\ud800",
    "ab\udfffcd",
    "a\x00b",
    "\x00",
    "bell\x07",
    "line\nbreak",
    "\x1b[31m",
    "x" * 100_000,
    "",
    "   ",
    "\t",
    True,
    False,
    None,
    0,
    -1,
    2**63,
    10**30,
    1.5,
    1e308,
    float("nan"),
    float("inf"),
    "NaN",
    "Infinity",
    "-Infinity",
    "1E+1000000",
    "-1E+1000000",
    "1E-1000000",
    "1" * 5000,
    {"a": 1},
    ["x"],
    [],
    1_700_000_000,
]
Path_ = tuple[str | int, ...]


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _leaf_paths(schema: dict[str, Any], node: dict[str, Any], prefix: Path_) -> Iterator[Path_]:
    """Every scalar field of the schema (lists at index 0), optional ones included."""
    node = _resolve(schema, node)
    if "anyOf" in node:
        for option in node["anyOf"]:
            if option.get("type") != "null":
                yield from _leaf_paths(schema, option, prefix)
        return
    if node.get("type") == "object" or "properties" in node:
        for name, child in node.get("properties", {}).items():
            yield from _leaf_paths(schema, child, (*prefix, name))
    elif node.get("type") == "array":
        yield from _leaf_paths(schema, node["items"], (*prefix, 0))
    else:
        yield prefix


def field_paths() -> list[Path_]:
    schema = DeclarationDocument.model_json_schema()
    return sorted(set(_leaf_paths(schema, schema, ())), key=str)


def mutated(document: dict[str, Any], path: Path_, value: Any) -> dict[str, Any] | None:
    """The document with ``value`` at ``path``, or None when a parent on the path is absent."""
    out = copy.deepcopy(document)
    parent: Any = out
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return None
    last = path[-1]
    if isinstance(parent, list) and (not isinstance(last, int) or last >= len(parent)):
        return None
    parent[last] = value
    return out


def _body(document: dict[str, Any]) -> bytes:
    # ensure_ascii escapes lone surrogates as \ud800 and allow_nan writes NaN, as a client might
    return json.dumps(document, ensure_ascii=True, allow_nan=True).encode("ascii")


class Corridor:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.client = TestClient(create_app(node))
        self.officer = {"x-api-key": create_api_key(node.uow(), "officer", "IN-OFFICER-Z", "fuzz", NOW)}
        self.base = SampleCorridor(seed=5).next("IN", NOW)
        self.counter = itertools.count()

    def post(self, path: Path_, value: Any) -> int | None:
        document = mutated(self.base, path, value)
        if document is None:
            return None
        if path != ("Declaration", "FunctionalReferenceID"):
            document["Declaration"]["FunctionalReferenceID"] = f"FUZZ-{next(self.counter)}"
        response = self.client.post(
            "/v1/declarations",
            content=_body(document),
            headers={**self.officer, "content-type": "application/json"},
        )
        where = f"{'.'.join(map(str, path))} = {str(value)[:40]!r}"
        assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
        assert response.headers["content-type"].startswith("application/json"), where
        if response.status_code == 201:
            self.served_back(response.json()["id"], where)
        return response.status_code

    def served_back(self, declaration_id: str, where: str) -> None:
        get = self.client.get
        for url in (
            f"/v1/declarations/{declaration_id}",
            f"/v1/declarations/{declaration_id}/timeline",
            "/v1/declarations?limit=500",
            "/v1/queue",
        ):
            response = get(url, headers=self.officer)
            assert response.status_code == 200, (
                f"{where}: GET {url} {response.status_code} {response.text[:200]}"
            )
        cleared = self.client.post(
            f"/v1/declarations/{declaration_id}/clear", json={"findings": "fuzz"}, headers=self.officer
        )
        assert cleared.status_code in (200, 409), f"{where}: clear {cleared.status_code} {cleared.text[:200]}"
        with self.node.uow() as uow:
            stored = uow.declarations.get(declaration_id)
            stages = uow.declarations.stages(declaration_id)
        assert stored is not None
        body = {"document": stored.document_json(), "stages": [s.to_json() for s in stages]}
        canonical(body)  # RFC 8785 refuses what cannot be signed
        key = Ed25519PrivateKey.generate()
        envelope = seal(
            private_key=key, key_id="k", message_type="t", sender="IN", recipient="RU", body=body, now=NOW
        )
        received = parse_wire(envelope.to_bytes())
        verify(received, public_key=key.public_key(), expected_recipient="RU", now=NOW)


@pytest.fixture(params=["sqlite", "postgresql"])
def corridor(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Corridor]:
    options: dict[str, Any] = {}
    if request.param == "postgresql":
        options = {
            "db_url": request.getfixturevalue("pg_available"),
            "db_schema": request.getfixturevalue("pg_schema"),
        }
    node = bootstrap_node("IN", tmp_path / "IN", InProcessTransport(), **options)
    yield Corridor(node)
    node.close()


BOUNDING = {"maxLength", "enum", "const", "format", "pattern"}


def _unbounded_texts(node: Any, where: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        if {"type": "number"} in node.get("anyOf", []):
            return  # a decimal as a JSON number or a numeric string (bounded in digits)
        plain = node.get("type") == "string" and not BOUNDING & set(node)
        if plain:
            yield where
        for name, child in node.items():
            yield from _unbounded_texts(child, f"{where}.{name}")
    elif isinstance(node, list):
        for child in node:
            yield from _unbounded_texts(child, where)


def test_the_schema_names_every_field_and_bounds_every_text() -> None:
    paths = field_paths()
    assert ("Declaration", "Exporter", "Address", "CityName") in paths
    assert ("Declaration", "GoodsShipment", "Consignment", "TransportEquipment", 0, "Seal", 0, "ID") in paths
    assert list(_unbounded_texts(DeclarationDocument.model_json_schema())) == []


def test_every_field_refuses_hostile_values_without_a_server_error(corridor: Corridor) -> None:
    statuses = []
    for path in field_paths():
        for value in BAD_VALUES:
            statuses.append(corridor.post(path, value))
    assert 201 in statuses and 422 in statuses
    assert corridor.post(("Declaration", "Exporter", "Address", "CityName"), "Mumbai\u20ac") == 201


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_text_or_number_at_any_field(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    node = _hypothesis_node(tmp_path_factory)
    path = data.draw(st.sampled_from(field_paths()), label="path")
    value = data.draw(
        st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=40)
        | st.integers()
        | st.floats()
        | st.decimals().map(str)
        | st.booleans()
        | st.none(),
        label="value",
    )
    node.post(path, value)


_NODES: dict[str, Corridor] = {}


def _hypothesis_node(factory: pytest.TempPathFactory) -> Corridor:
    """One SQLite node for all examples of the property (closed at interpreter exit)."""
    if "sqlite" not in _NODES:
        _NODES["sqlite"] = Corridor(bootstrap_node("IN", factory.mktemp("fuzz") / "IN", InProcessTransport()))
    return _NODES["sqlite"]


@pytest.mark.parametrize(
    "path",
    [
        ("Declaration", "FunctionalReferenceID"),
        ("Declaration", "Exporter", "Name"),
        ("Declaration", "Exporter", "Address", "CityName"),
        ("Declaration", "IssueDateTime"),
        ("Declaration", "InvoiceAmount", "value"),
        ("Declaration", "GoodsShipment", "GovernmentAgencyGoodsItem", 0, "SequenceNumeric"),
    ],
)
def test_cli_validate_answers_every_hostile_value_with_an_exit_code(path: Path_, tmp_path: Path) -> None:
    base = SampleCorridor(seed=5).next("IN", NOW)
    runner = CliRunner()
    for i, value in enumerate(BAD_VALUES):
        document = mutated(base, path, value)
        assert document is not None
        file = tmp_path / f"d{i}.json"
        file.write_bytes(_body(document))
        result = runner.invoke(cli, ["validate", str(file)])
        assert result.exit_code in (0, 1, 2), f"{value!r}: {result.output[:300]}"
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        if result.exit_code == 2:
            assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("error: ")


@pytest.mark.parametrize(
    "url",
    [
        "/v1/declarations/a%00b",
        "/v1/declarations/a%00b/timeline",
        "/v1/declarations?status=a%00",
        "/v1/consignments/a%00/timeline",
    ],
)
def test_a_nul_in_a_url_is_refused_not_a_server_error(corridor: Corridor, url: str) -> None:
    response = corridor.client.get(url, headers=corridor.officer)
    assert response.status_code == 422, response.text
    assert "NUL" in response.json()["errors"][0]["reason"]
