"""Cosine similarity of one unit vector with every stored vector, in eight-bit integers.

The index holds some 43,000 unit vectors (subheadings, headings, reference descriptions, trade
names): as float32 the product reads 66 MB per description, 3.6 ms on one core, and the
bandwidth, not the arithmetic, is what it costs. Each stored vector is kept instead as int8 with
its own scale (symmetric, per row), and the description's vector is quantised as it comes to
seven-bit codes (0 to 127, with a zero point); ONNX Runtime's integer product then reads 17 MB,
in about 0.8 ms. Seven bits, not eight: on x86 processors without VNNI the unsigned-by-signed
byte kernel adds pairs of products in sixteen bits, and 255 x 127 x 2 overflows them (cosines off
by 0.03 were seen on such a machine); 127 x 127 x 2 does not. The similarities differ from the
float32 ones by under 0.003 (``test_similarity.py`` holds them to 0.005) and the 100 nearest
vectors are the same ones."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from corridor.classification.adapters.onnx_graph import GraphWriter, OneThreadSession

QUERY, ZERO, SIMILARITY = "query", "query_zero", "similarity"
_BLOCK = 4096
#: The largest code of the quantised query (seven bits: see above).
QUERY_MAX_CODE = 127


def quantise_query(vector: NDArray[np.float32]) -> tuple[NDArray[np.uint8], np.uint8, float]:
    """``vector`` as codes 0..127, their zero point and their scale (value = scale x (code - zero))."""
    low, high = min(float(vector.min()), 0.0), max(float(vector.max()), 0.0)
    scale = (high - low) / QUERY_MAX_CODE or 1.0
    zero = np.uint8(round(-low / scale))
    codes = np.clip(np.rint(vector / scale) + int(zero), 0, QUERY_MAX_CODE).astype(np.uint8)
    return codes, zero, scale


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
        products = g.op("MatMulInteger", QUERY, g.constant("stored", stored), ZERO)
        scaled = g.op("Cast", products, to=1)  # to=1: float32
        g.op("Mul", scaled, g.constant("row_scales", scales.astype(np.float32)), output=SIMILARITY)
        model = g.model(
            "int8-cosine",
            [(QUERY, "UINT8", [1, self.dimension]), (ZERO, "UINT8", [])],
            [(SIMILARITY, "FLOAT", [1, self.rows])],
        )
        self._session = OneThreadSession(model)

    def similarities(self, vector: NDArray[np.float32]) -> NDArray[np.float32]:
        codes, zero, scale = quantise_query(vector.reshape(1, self.dimension))
        out: NDArray[np.float32] = self._session.run({QUERY: codes, ZERO: np.array(zero)})[0]
        return out * np.float32(scale)
