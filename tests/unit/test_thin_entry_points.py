"""The entry points stay thin: small modules of short functions (routes and commands translate;
the rules live in the service layer)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "corridor"
ENTRY_POINTS = sorted(p for folder in ("api", "cli") for p in (SRC / folder).rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


@pytest.mark.parametrize("module", ENTRY_POINTS, ids=lambda p: str(p.relative_to(SRC)))
def test_entry_point_modules_and_functions_are_small(module: Path) -> None:
    text = module.read_text("utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_the_entry_points_are_found() -> None:
    assert {p.name for p in ENTRY_POINTS} >= {"app.py", "deps.py", "main.py", "common.py"}
