"""The encoder written out as an ONNX graph (fused projections, pre-transposed weights, the
token-type row folded into the positions) and run by ONNX Runtime gives the vectors of a plain
float64 BERT forward pass written the textbook way, for one text and for a padded batch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.unit.classification.conftest import needs_extra


def _reference(weights: dict[str, np.ndarray], ids: list[int], layers: int, heads: int) -> np.ndarray:
    w = {k: v.astype(np.float64) for k, v in weights.items()}
    n = len(ids)

    def norm(x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * w[name + ".weight"] + w[name + ".bias"]

    def dense(x: np.ndarray, name: str) -> np.ndarray:
        return x @ w[name + ".weight"].T + w[name + ".bias"]

    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
    x = norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    erf = np.vectorize(math.erf)
    for layer in range(layers):
        p = f"encoder.layer.{layer}."
        q, k, v = (dense(x, p + f"attention.self.{t}") for t in ("query", "key", "value"))
        size = x.shape[1] // heads
        context = np.zeros_like(x)
        for h in range(heads):
            cols = slice(h * size, (h + 1) * size)
            scores = q[:, cols] @ k[:, cols].T / math.sqrt(size)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context[:, cols] = (scores / scores.sum(-1, keepdims=True)) @ v[:, cols]
        x = norm(dense(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        hidden = dense(x, p + "intermediate.dense")
        hidden = 0.5 * hidden * (1.0 + erf(hidden / math.sqrt(2.0)))
        x = norm(dense(hidden, p + "output.dense") + x, p + "output.LayerNorm")
    pooled = x.mean(0)
    result: np.ndarray = pooled / np.linalg.norm(pooled)
    return result


TEXTS = [
    "Frozen vannamei shrimp, peeled and deveined, 2 kg blocks",
    "Crude petroleum oil",
    "Men's 100 % cotton knitted T-shirts, crew neck, short sleeves, screen printed logo on the chest",
    "Замороженные креветки",
]


@pytest.fixture(scope="module")
def model_and_weights() -> tuple[object, dict[str, np.ndarray]]:
    needs_extra()
    from safetensors.numpy import load_file

    from corridor.classification.adapters.minilm import MiniLM, model_dir

    weights = {
        k: v for k, v in load_file(str(model_dir() / "model.safetensors")).items() if v.dtype != np.int64
    }
    return MiniLM(), weights


def test_one_text_and_a_padded_batch_match_the_plain_forward_pass(
    model_and_weights: tuple[object, dict[str, np.ndarray]],
) -> None:
    from corridor.classification.adapters.minilm import MiniLM

    model, weights = model_and_weights
    assert isinstance(model, MiniLM)
    tokenizer = model._tokenizer
    expected = np.stack([_reference(weights, tokenizer.encode(t).ids, 6, 12) for t in TEXTS])
    one_by_one = np.stack([model.encode([t])[0] for t in TEXTS])
    batched = model.encode(TEXTS)  # different lengths: padded and masked
    assert batched.dtype == np.float32 and batched.shape == (len(TEXTS), 384)
    assert np.abs(one_by_one - expected).max() < 1e-5
    assert np.abs(batched - expected).max() < 1e-5
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


def test_no_text_gives_no_vectors(model_and_weights: tuple[object, dict[str, np.ndarray]]) -> None:
    from corridor.classification.adapters.minilm import MiniLM

    model = model_and_weights[0]
    assert isinstance(model, MiniLM)
    assert model.encode([]).shape == (0, 384)


def test_the_weights_stay_outside_the_serialised_graph(
    model_and_weights: tuple[object, dict[str, np.ndarray]],
) -> None:
    """Loading holds one copy of the weights: the serialised graph carries only its structure and
    small constants, the matrices go to ONNX Runtime as arrays."""
    import json

    from corridor.classification.adapters.minilm import model_dir
    from corridor.classification.adapters.minilm_graph import encoder_graph

    weights = model_and_weights[1]
    config = json.loads((model_dir() / "config.json").read_text(encoding="utf-8"))
    graph = encoder_graph({k: v.astype(np.float32) for k, v in weights.items()}, config)
    total = sum(v.nbytes for v in weights.values())
    assert len(graph.model) < total // 100
    assert sum(a.nbytes for a in graph.external.values()) > total * 0.95
    assert all(a.flags.c_contiguous for a in graph.external.values())


def test_the_query_encoder_is_the_packaged_model_with_its_top_layers_replaced(
    model_and_weights: tuple[object, dict[str, np.ndarray]],
) -> None:
    """The shipped file holds whole layers of the packaged model, under their own names and
    shapes, and the query encoder computes the textbook forward pass of the weights so replaced."""
    from corridor.classification.adapters.minilm import MiniLM, query_layers

    model, weights = model_and_weights
    assert isinstance(model, MiniLM)
    replaced = query_layers()
    layers = {".".join(name.split(".")[:3]) for name in replaced}
    assert layers and all(layer.startswith("encoder.layer.") for layer in layers)
    assert set(replaced) == {n for n in weights if ".".join(n.split(".")[:3]) in layers}
    assert all(replaced[n].shape == weights[n].shape for n in replaced)
    queries = MiniLM(replaced=replaced)
    tuned = weights | {n: v.astype(np.float32) for n, v in replaced.items()}
    expected = np.stack([_reference(tuned, model._tokenizer.encode(t).ids, 6, 12) for t in TEXTS])
    assert np.abs(queries.encode(TEXTS) - expected).max() < 1e-5
    assert np.abs(queries.encode(TEXTS) - model.encode(TEXTS)).max() > 0.01  # retrained, not copied


def test_a_replacement_weight_the_model_lacks_is_refused() -> None:
    needs_extra()
    from corridor.classification.adapters.minilm import MiniLM

    with pytest.raises(ValueError, match=r"encoder\.layer\.9\.output\.dense\.bias"):
        MiniLM(replaced={"encoder.layer.9.output.dense.bias": np.zeros(384, np.float16)})
    with pytest.raises(ValueError, match=r"encoder\.layer\.5\.output\.dense\.bias \(3,\)"):
        MiniLM(replaced={"encoder.layer.5.output.dense.bias": np.zeros(3, np.float16)})
