"""Train the HS check's subheading classifier and write it to
src/corridor/classification/data/hs_subheading_classifier.npz.

    python tools/train_hs_classifier.py [--index-dir corridor-data/hs-index] [--epochs 9] [--out FILE]

Needs the [hs] extra (PyTorch). The node never runs this; it reads the file written. A few minutes
on one core, once the HS index exists (built here first when it does not, which takes longer).

What it learns. One linear layer and a softmax over the 5,612 subheadings of HS 2022, on top of
the query encoder's embedding of a description (``adapters/subheading_classifier``). It trains
on the vectors the index already holds, each labelled with its subheadings, never on the
evaluation set:
* every reference description (hs_references.csv, published rulings) and every written example
  (hs_written_examples.csv), labelled with its subheading;
* every trade name (hs_synonyms.csv), labelled with the subheadings it covers (the target is
  shared evenly among them);
* every subheading's own text (with its trade names, as the index embeds it).
Cross-entropy, Adam (learning rate 0.01), batches of 512, a fixed seed. ``--epochs``
was chosen on the odd rows of benchmarks/data/hs_eval.csv (printed after each epoch, with the
even rows apart: they play no part in the choice).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "corridor" / "classification" / "data" / "hs_subheading_classifier.npz"
EVAL = ROOT / "benchmarks" / "data" / "hs_eval.csv"
BATCH = 512
LEARNING_RATE = 1e-2
SEED = 0


def labelled_vectors(nomenclature: Any, vectors: Any) -> tuple[np.ndarray, list[list[int]]]:
    """The index's vectors of texts with known subheadings, and those subheadings."""
    subheadings, _headings, examples, names = vectors
    position = {r.hs6: i for i, r in enumerate(nomenclature.references)}
    labels: list[list[int]] = [[position[e.hs6]] for e in nomenclature.examples]
    covered: list[list[int]] = [[] for _ in range(len(names))]
    for subheading, name in nomenclature.trade_names()[1]:
        covered[name].append(subheading)
    labels += covered
    labels += [[i] for i in range(len(subheadings))]
    stacked = np.concatenate([examples, names, subheadings]).astype(np.float32)
    kept = [k for k, label in enumerate(labels) if label]
    return stacked[kept], [labels[k] for k in kept]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=Path("corridor-data") / "hs-index")
    parser.add_argument("--epochs", type=int, default=9)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    import torch
    from train_hs_query_encoder import top3  # this tool's neighbour in tools/

    from corridor.classification.adapters.index import load_ranker, load_vectors
    from corridor.classification.adapters.minilm import MiniLM, query_layers
    from corridor.classification.adapters.nomenclature import load_nomenclature

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    started = time.perf_counter()
    nomenclature = load_nomenclature()
    codes = [r.hs6 for r in nomenclature.references]
    vectors = load_vectors(args.index_dir, nomenclature)
    if vectors is None:
        print(f"building the HS index in {args.index_dir} first...", flush=True)
        load_ranker(args.index_dir, nomenclature)
        vectors = load_vectors(args.index_dir, nomenclature)
        if vectors is None:
            print("the HS index could not be built", file=sys.stderr)
            return 1
    x, labels = labelled_vectors(nomenclature, vectors)
    inputs = torch.from_numpy(x)
    target = torch.zeros(len(labels), len(codes))
    for k, label in enumerate(labels):
        target[k, label] = 1.0 / len(label)
    with EVAL.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    evaluation = torch.from_numpy(MiniLM(replaced=query_layers()).encode([r["description"] for r in rows]))
    print(f"{len(labels)} labelled vectors, {len(codes)} subheadings", flush=True)

    weights = torch.zeros(x.shape[1], len(codes), requires_grad=True)
    bias = torch.zeros(len(codes), requires_grad=True)
    optimiser = torch.optim.Adam([weights, bias], lr=LEARNING_RATE)
    for epoch in range(1, args.epochs + 1):
        total = 0.0
        for batch in torch.randperm(len(labels)).split(BATCH):
            logp = torch.log_softmax(inputs[batch] @ weights + bias, dim=1)
            loss = -(target[batch] * logp).sum(1).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(batch)
        with torch.no_grad():
            probabilities = torch.softmax(evaluation @ weights + bias, dim=1).numpy()
        print(
            f"epoch {epoch}: loss {total / len(labels):.3f}; {top3(probabilities, codes, rows)}"
            f" ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        weights=weights.detach().numpy().astype(np.float16),
        bias=bias.detach().numpy().astype(np.float32),
        codes=np.array(codes),
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
