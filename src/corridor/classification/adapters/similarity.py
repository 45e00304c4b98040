"""Cosine similarity of one unit vector with every stored vector, in eight-bit integers.

The index holds some 43,000 unit vectors (subheadings, headings, reference descriptions, trade
names): as float32 the product reads 66 MB per description, 3.6 ms on one core, and the
bandwidth, not the arithmetic, is what it costs. Each stored vector is kept instead as int8 with
its own scale (symmetric, per row), and the description's vector is quantised to uint8 as it
comes (``DynamicQuantizeLinear``); ONNX Runtime's integer product then reads 17 MB, in about
0.8 ms. The similarities differ from the float32 ones by under 0.003 (``test_similarity.py``
holds them to 0.005) and the 100 nearest vectors are the same ones."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from corridor.classification.adapters.onnx_graph import GraphWriter, OneThreadSession

QUERY, SIMILARITY = "query", "similarity"
_BLOCK = 4096


class Int8Similarity:
    """``similarities(vector)``: the cosine of ``vector`` with each row of ``vectors``."""

    def __init__(self, vectors: NDArray[np.float32]) -> None:
        self.rows, self.dimension = vectors.shape
        scales = np.abs(vectors).max(axis=1) / np.float32(127.0)
        scales[scales == 0] = 1.0
        stored = np.empty((self.dimension, self.rows), dtype=np.int8)  # transposed, for the product
        for start in range(0, self.rows, _BLOCK):  # a block at a time: no float copy of the whole
            block = slice(start, start + _BLOCK)
            stored[:, block] = np.rint(vectors[block] / scales[block, None]).T
        g = GraphWriter()
        q, q_scale, q_zero = g.op_with_outputs(
            "DynamicQuantizeLinear", [QUERY], ["query_q", "query_scale", "query_zero"]
        )
        products = g.op("MatMulInteger", q, g.constant("stored", stored), q_zero)
        scaled = g.op("Mul", g.op("Cast", products, to=1), q_scale)  # to=1: float32
        g.op("Mul", scaled, g.constant("row_scales", scales.astype(np.float32)), output=SIMILARITY)
        model = g.model(
            "int8-cosine", [(QUERY, "FLOAT", [1, self.dimension])], [(SIMILARITY, "FLOAT", [1, self.rows])]
        )
        self._session = OneThreadSession(model)

    def similarities(self, vector: NDArray[np.float32]) -> NDArray[np.float32]:
        out: NDArray[np.float32] = self._session.run({QUERY: vector.reshape(1, self.dimension)})[0]
        return out
