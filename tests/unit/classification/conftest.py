"""A small fixed HS index for ranking tests: the real model and BM25 over the subheadings of the
corridor's goods headings and their near neighbours (about 200 subheadings, seconds to build).
Tests that need it skip, saying why, when the optional [hs] extra is not installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from corridor.classification.adapters.loader import missing_modules
from corridor.classification.ranker import HsRanker
from tests.conftest import service_missing

SMALL_HEADINGS = {
    "0303",
    "0304",
    "0306",
    "1605",  # seafood
    "0902",
    "2101",  # tea
    "1006",
    "1904",  # rice
    "2701",
    "2704",
    "2709",
    "2710",  # coal, crude oil and products
    "2924",
    "3003",
    "3004",  # pharmaceuticals
    "3102",
    "3105",  # fertilisers
    "1512",
    "1517",  # sunflower oil
    "7102",
    "7113",  # diamonds
    "7208",
    "7601",  # metals
    "4403",
    "4407",  # timber
    "6109",
    "6205",  # textiles
    "8413",
    "8471",
    "8473",
    "8517",  # machinery and electronics
}


def training_tool(name: str) -> ModuleType:
    """A script of tools/ (``name`` without ``.py``) loaded as a module, to test its parts."""
    path = Path(__file__).resolve().parents[3] / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def needs_extra() -> None:
    """Skip, saying why, without the [hs] extra (fail instead where CORRIDOR_REQUIRE_SERVICES=1)."""
    missing = missing_modules()
    if missing:
        service_missing(f"the optional [hs] extra is not installed (missing: {', '.join(missing)})")


@pytest.fixture(scope="session")
def small_ranker(tmp_path_factory: pytest.TempPathFactory) -> HsRanker:
    needs_extra()
    from corridor.classification.adapters.index import load_ranker
    from corridor.classification.adapters.nomenclature import load_nomenclature

    cache: Path = tmp_path_factory.mktemp("hs-index")
    return load_ranker(cache, load_nomenclature().subset(SMALL_HEADINGS))
