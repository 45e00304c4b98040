"""all-MiniLM-L6-v2 written out as an ONNX graph (opset 20) from the weights its package ships.

The graph is the BERT encoder (6 layers, hidden size 384, 12 heads, exact erf GELU) followed by
mean pooling over the attention mask and L2 normalisation: what sentence-transformers computes
for this model. It is laid out for speed: the query, key and value projections are one matrix
product with the query pre-scaled by 1/sqrt(head size), every weight is transposed once, and the
token-type row (always type 0) is folded into the position embeddings. Built in memory at load
(under a second) from ``model.safetensors`` and ``config.json``; no exported model file is
downloaded or kept. The weight matrices stay outside the serialised graph (ONNX external data,
handed to ONNX Runtime as arrays it uses in place), so loading holds one copy of them, not three. ``tests/unit/classification/test_minilm.py`` checks its vectors against a
plain float64 forward pass written the textbook way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

OPSET = 20  # the first opset with a Gelu operator
INPUT_IDS, MASK, OUTPUT = "input_ids", "attention_mask", "sentence_embedding"
#: Constants of at least this many elements are kept outside the serialised graph.
EXTERNAL_FROM = 1024


class EncoderGraph(NamedTuple):
    model: bytes  # the serialised ONNX model, its large constants marked as external data
    external: dict[str, NDArray[Any]]  # those constants by name, C-contiguous


class _Graph:
    """Nodes and initialisers of a graph being written, each output given a fresh name."""

    def __init__(self) -> None:
        from onnx import TensorProto, helper, numpy_helper

        self._onnx = TensorProto, helper, numpy_helper
        self.nodes: list[Any] = []
        self.initialisers: list[Any] = []
        self.external: dict[str, NDArray[Any]] = {}

    def constant(self, name: str, value: NDArray[Any]) -> str:
        tensor_proto, helper, numpy_helper = self._onnx
        array = np.asarray(value).copy(order="C")
        if array.size < EXTERNAL_FROM:
            self.initialisers.append(numpy_helper.from_array(array, name))
            return name
        tensor = tensor_proto(name=name, data_type=helper.np_dtype_to_tensor_dtype(array.dtype))
        tensor.dims.extend(array.shape)
        tensor.data_location = tensor_proto.EXTERNAL
        for key, text in (("location", name), ("offset", "0"), ("length", str(array.nbytes))):
            tensor.external_data.add(key=key, value=text)
        self.initialisers.append(tensor)
        self.external[name] = array
        return name

    def op(self, op_type: str, *inputs: str, output: str | None = None, **attributes: Any) -> str:
        name = output or f"{op_type.lower()}_{len(self.nodes)}"
        self.nodes.append(self._onnx[1].make_node(op_type, list(inputs), [name], **attributes))
        return name


def encoder_graph(weights: dict[str, NDArray[np.float32]], config: dict[str, Any]) -> EncoderGraph:
    """The ONNX model: ``input_ids`` (int64, batch x tokens) and ``attention_mask`` (float32, 1
    for a token, 0 for padding) in, unit-length ``sentence_embedding`` rows out."""
    from onnx import TensorProto, helper

    heads = int(config["num_attention_heads"])
    hidden = int(config["hidden_size"])
    eps = float(config["layer_norm_eps"])
    g = _Graph()

    def norm(x: str, prefix: str) -> str:
        gamma = g.constant(prefix + ".weight", weights[prefix + ".weight"])
        beta = g.constant(prefix + ".bias", weights[prefix + ".bias"])
        return g.op("LayerNormalization", x, gamma, beta, axis=-1, epsilon=eps)

    def dense(x: str, name: str, weight: NDArray[np.float32], bias: NDArray[np.float32]) -> str:
        product = g.op("MatMul", x, g.constant(name + ".w", weight.T))
        return g.op("Add", product, g.constant(name + ".b", bias))

    x = _embeddings(g, weights, norm)
    mask_bias = g.op(
        "Unsqueeze",
        g.op(
            "Mul",
            g.op("Sub", g.constant("one_f", np.array(1.0, np.float32)), MASK),
            g.constant("masked", np.array(-1e9, np.float32)),
        ),
        g.constant("axes_1_2", np.array([1, 2], np.int64)),
    )
    split = g.constant("shape_qkv", np.array([0, 0, 3, heads, hidden // heads], np.int64))
    merged = g.constant("shape_context", np.array([0, 0, hidden], np.int64))
    which = [g.constant(f"part_{i}", np.array(i, np.int64)) for i in range(3)]
    scale = np.float32(1.0 / math.sqrt(hidden // heads))
    for layer in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{layer}."
        w = {n: weights[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")}
        b = {n: weights[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")}
        qkv = dense(
            x,
            p + "qkv",
            np.concatenate([w["query"] * scale, w["key"], w["value"]]),
            np.concatenate([b["query"] * scale, b["key"], b["value"]]),
        )
        qkv = g.op("Transpose", g.op("Reshape", qkv, split), perm=[2, 0, 3, 1, 4])  # 3, b, h, n, d
        q, k, v = (g.op("Gather", qkv, part, axis=0) for part in which)
        scores = g.op("Add", g.op("MatMul", q, g.op("Transpose", k, perm=[0, 1, 3, 2])), mask_bias)
        context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
        context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), merged)
        attended = dense(
            context,
            p + "out",
            weights[p + "attention.output.dense.weight"],
            weights[p + "attention.output.dense.bias"],
        )
        x = norm(g.op("Add", attended, x), p + "attention.output.LayerNorm")
        up = dense(
            x, p + "up", weights[p + "intermediate.dense.weight"], weights[p + "intermediate.dense.bias"]
        )
        down = dense(
            g.op("Gelu", up), p + "down", weights[p + "output.dense.weight"], weights[p + "output.dense.bias"]
        )
        x = norm(g.op("Add", down, x), p + "output.LayerNorm")
    _mean_pool_and_normalise(g, x)
    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info(INPUT_IDS, TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info(MASK, TensorProto.FLOAT, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", hidden])],
        g.initialisers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    return EncoderGraph(model.SerializeToString(), g.external)


def _embeddings(g: _Graph, weights: dict[str, NDArray[np.float32]], norm: Callable[[str, str], str]) -> str:
    """Word plus position embeddings (the token-type-0 row folded into the positions), normed."""
    words = g.op(
        "Gather", g.constant("word_embeddings", weights["embeddings.word_embeddings.weight"]), INPUT_IDS
    )
    one = g.constant("one_i", np.array(1, np.int64))
    tokens = g.op("Gather", g.op("Shape", INPUT_IDS), one)
    positions = g.op("Range", g.constant("zero_i", np.array(0, np.int64)), tokens, one)
    table = (
        weights["embeddings.position_embeddings.weight"]
        + weights["embeddings.token_type_embeddings.weight"][0]
    )
    placed = g.op("Gather", g.constant("position_embeddings", table), positions)
    return norm(g.op("Add", words, placed), "embeddings.LayerNorm")


def _mean_pool_and_normalise(g: _Graph, x: str) -> None:
    tokens_axis = g.constant("axis_1", np.array([1], np.int64))
    mask = g.op("Unsqueeze", MASK, g.constant("axis_2", np.array([2], np.int64)))
    summed = g.op("ReduceSum", g.op("Mul", x, mask), tokens_axis, keepdims=0)
    pooled = g.op("Div", summed, g.op("ReduceSum", MASK, tokens_axis, keepdims=1))
    length = g.op(
        "Max",
        g.op("ReduceL2", pooled, tokens_axis, keepdims=1),
        g.constant("tiny", np.array(1e-12, np.float32)),
    )
    g.op("Div", pooled, length, output=OUTPUT)
