"""The eight-bit similarity product gives the float32 cosines to within 0.005, so the nearest
vectors it finds are nearest by float32 too, up to ties closer than that."""

from __future__ import annotations

import numpy as np

from tests.unit.classification.conftest import needs_extra


def _unit_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    rows = rng.standard_normal((n, 384)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_int8_cosines_are_within_half_a_hundredth_of_float32() -> None:
    needs_extra()
    from corridor.classification.adapters.similarity import Int8Similarity

    rng = np.random.default_rng(7)
    stored = _unit_rows(rng, 3000)
    product = Int8Similarity(stored)
    for query in [*_unit_rows(rng, 5), stored[42] + 0.1 * _unit_rows(rng, 1)[0]]:
        query = (query / np.linalg.norm(query)).astype(np.float32)
        exact = stored @ query
        approx = product.similarities(query)
        assert approx.shape == exact.shape and approx.dtype == np.float32
        assert np.abs(approx - exact).max() < 0.005
        found = np.argsort(-approx)[:10]
        assert exact[found].min() >= np.sort(exact)[-10] - 0.01
    assert int(np.argmax(product.similarities(stored[42]))) == 42


def test_a_zero_row_scores_zero() -> None:
    needs_extra()
    from corridor.classification.adapters.similarity import Int8Similarity

    stored = np.zeros((1200, 384), dtype=np.float32)
    stored[0, 0] = 1.0
    query = np.zeros(384, dtype=np.float32)
    query[0] = 1.0
    sims = Int8Similarity(stored).similarities(query)
    assert abs(sims[0] - 1.0) < 0.01 and np.abs(sims[1:]).max() == 0.0


def test_the_query_is_quantised_to_seven_bit_codes_that_give_it_back() -> None:
    """Codes above 127 would overflow the sixteen-bit pair sums of the byte kernel on x86
    processors without VNNI (similarity.py); the codes must still give the vector back."""
    needs_extra()
    from corridor.classification.adapters.similarity import quantise_query

    rng = np.random.default_rng(11)
    for vector in [*_unit_rows(rng, 50), np.full(384, 0.05, np.float32), -np.full(384, 0.05, np.float32)]:
        codes, zero, scale = quantise_query(vector)
        assert codes.dtype == np.uint8 and int(codes.max()) <= 127
        restored = scale * (codes.astype(np.float32) - float(zero))
        assert np.abs(restored - vector).max() <= scale / 2 + 1e-7
