"""all-MiniLM-L6-v2 written out as an ONNX graph (opset 20) from the weights its package ships.

The graph is the BERT encoder (6 layers, hidden size 384, 12 heads, exact erf GELU) followed by
mean pooling over the attention mask and L2 normalisation: what sentence-transformers computes
for this model. It is laid out for speed: the query, key and value projections are one matrix
product with the query pre-scaled by 1/sqrt(head size), every weight is transposed once, and the
token-type row (always type 0) is folded into the position embeddings. Built in memory at load
(under a second) from ``model.safetensors`` and ``config.json``; no exported model file is
downloaded or kept; the weight matrices stay outside the serialised graph (``onnx_graph``).
``tests/unit/classification/test_minilm.py`` checks its vectors against a plain float64 forward
pass written the textbook way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.classification.adapters.onnx_graph import GraphWriter, OnnxModel

INPUT_IDS, MASK, OUTPUT = "input_ids", "attention_mask", "sentence_embedding"


def encoder_graph(weights: dict[str, NDArray[np.float32]], config: dict[str, Any]) -> OnnxModel:
    """The ONNX model: ``input_ids`` (int64, batch x tokens) and ``attention_mask`` (float32, 1
    for a token, 0 for padding) in, unit-length ``sentence_embedding`` rows out."""
    encoder = _Encoder(weights, config)
    x = encoder.embeddings()
    for layer in range(int(config["num_hidden_layers"])):
        x = encoder.layer(x, f"encoder.layer.{layer}.")
    encoder.mean_pool_and_normalise(x)
    return encoder.g.model(
        "all-MiniLM-L6-v2",
        [(INPUT_IDS, "INT64", ["batch", "tokens"]), (MASK, "FLOAT", ["batch", "tokens"])],
        [(OUTPUT, "FLOAT", ["batch", encoder.hidden])],
    )


class _Encoder:
    """Writes the BERT encoder's parts into a graph, reading the weights by their names in
    ``model.safetensors``."""

    def __init__(self, weights: dict[str, NDArray[np.float32]], config: dict[str, Any]) -> None:
        self.w = weights
        self.g = g = GraphWriter()
        heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])
        self.scale = np.float32(1.0 / math.sqrt(self.hidden // heads))
        self.split = g.constant("shape_qkv", np.array([0, 0, 3, heads, self.hidden // heads], np.int64))
        self.merged = g.constant("shape_context", np.array([0, 0, self.hidden], np.int64))
        self.parts = [g.constant(f"part_{i}", np.array(i, np.int64)) for i in range(3)]
        padding = g.op("Sub", g.constant("one_f", np.array(1.0, np.float32)), MASK)
        self.mask_bias = g.op(  # -1e9 on padding, broadcast over heads and query tokens
            "Unsqueeze",
            g.op("Mul", padding, g.constant("masked", np.array(-1e9, np.float32))),
            g.constant("axes_1_2", np.array([1, 2], np.int64)),
        )

    def norm(self, x: str, prefix: str) -> str:
        gamma = self.g.constant(prefix + ".weight", self.w[prefix + ".weight"])
        beta = self.g.constant(prefix + ".bias", self.w[prefix + ".bias"])
        return self.g.op("LayerNormalization", x, gamma, beta, axis=-1, epsilon=self.eps)

    def dense(self, x: str, name: str, weight: NDArray[np.float32], bias: NDArray[np.float32]) -> str:
        product = self.g.op("MatMul", x, self.g.constant(name + ".w", weight.T))
        return self.g.op("Add", product, self.g.constant(name + ".b", bias))

    def linear(self, x: str, prefix: str) -> str:
        """The dense layer stored under ``prefix`` (``.weight``, ``.bias``)."""
        return self.dense(x, prefix, self.w[prefix + ".weight"], self.w[prefix + ".bias"])

    def embeddings(self) -> str:
        """Word plus position embeddings (the token-type-0 row folded into the positions), normed."""
        g, w = self.g, self.w
        words = g.op(
            "Gather", g.constant("word_embeddings", w["embeddings.word_embeddings.weight"]), INPUT_IDS
        )
        one = g.constant("one_i", np.array(1, np.int64))
        tokens = g.op("Gather", g.op("Shape", INPUT_IDS), one)
        positions = g.op("Range", g.constant("zero_i", np.array(0, np.int64)), tokens, one)
        table = w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
        placed = g.op("Gather", g.constant("position_embeddings", table), positions)
        return self.norm(g.op("Add", words, placed), "embeddings.LayerNorm")

    def layer(self, x: str, p: str) -> str:
        """One encoder layer: self-attention with one fused projection, then the feed-forward."""
        g = self.g
        names = ("query", "key", "value")
        weight = [self.w[p + f"attention.self.{n}.weight"] for n in names]
        bias = [self.w[p + f"attention.self.{n}.bias"] for n in names]
        weight[0], bias[0] = weight[0] * self.scale, bias[0] * self.scale
        qkv = self.dense(x, p + "qkv", np.concatenate(weight), np.concatenate(bias))
        qkv = g.op("Transpose", g.op("Reshape", qkv, self.split), perm=[2, 0, 3, 1, 4])  # 3, b, h, n, d
        q, k, v = (g.op("Gather", qkv, part, axis=0) for part in self.parts)
        scores = g.op("Add", g.op("MatMul", q, g.op("Transpose", k, perm=[0, 1, 3, 2])), self.mask_bias)
        context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
        context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), self.merged)
        attended = self.linear(context, p + "attention.output.dense")
        x = self.norm(g.op("Add", attended, x), p + "attention.output.LayerNorm")
        up = g.op("Gelu", self.linear(x, p + "intermediate.dense"))
        return self.norm(g.op("Add", self.linear(up, p + "output.dense"), x), p + "output.LayerNorm")

    def mean_pool_and_normalise(self, x: str) -> None:
        g = self.g
        tokens_axis = g.constant("axis_1", np.array([1], np.int64))
        mask = g.op("Unsqueeze", MASK, g.constant("axis_2", np.array([2], np.int64)))
        summed = g.op("ReduceSum", g.op("Mul", x, mask), tokens_axis, keepdims=0)
        pooled = g.op("Div", summed, g.op("ReduceSum", MASK, tokens_axis, keepdims=1))
        tiny = g.constant("tiny", np.array(1e-12, np.float32))
        length = g.op("Max", g.op("ReduceL2", pooled, tokens_axis, keepdims=1), tiny)
        g.op("Div", pooled, length, output=OUTPUT)
