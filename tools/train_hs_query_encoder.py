"""Retrain the top layers of all-MiniLM-L6-v2 as the HS check's query encoder, and write them to
src/corridor/classification/data/minilm_query_layers.npz.

    python tools/train_hs_query_encoder.py [--epochs 3] [--layers 3] [--out FILE]

Needs the [hs] extra (it brings PyTorch and transformers with the model package); the node never
runs this, it only reads the file written. About 21 minutes on a two-core machine.

What it learns. The index embeds every HS 2022 subheading (its text and the trade names of its
goods) with the packaged model as it is; those vectors stay fixed. A trader's description is
embedded by a copy of the model whose top ``--layers`` layers are retrained so that it lands
nearest the subheading its goods fall under: a softmax over the fixed subheading vectors
(temperature 0.05), trained on texts labelled with their subheadings, never on the evaluation
set:
* every trade name of src/corridor/classification/data/hs_synonyms.csv, labelled with the
  subheadings it covers (a heading's names cover each of its subheadings);
* every reference description of hs_references.csv (published rulings), three times over;
* every written example of hs_written_examples.csv (goods descriptions the project wrote, about
  six a subheading);
* every subheading's own text, and every heading's text labelled with its subheadings.
The lower layers are frozen, so their output is computed once and only the top layers train.
``--layers`` and ``--epochs`` were chosen on the odd rows of benchmarks/data/hs_eval.csv (printed
after each epoch, with the even rows apart); the seed is fixed.
"""

from __future__ import annotations

import argparse
import copy
import csv
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "corridor" / "classification" / "data" / "minilm_query_layers.npz"
EVAL = ROOT / "benchmarks" / "data" / "hs_eval.csv"
TEMPERATURE = 0.05
LEARNING_RATE = 1e-4
BATCH = 128
REFERENCE_REPEATS = 3
SEED = 0

Example = tuple[str, list[int]]  # a text and the indices of the subheadings it falls under


def training_texts(nomenclature: Any) -> list[Example]:
    codes = [r.hs6 for r in nomenclature.references]
    position = {code: i for i, code in enumerate(codes)}
    names, pairs = nomenclature.trade_names()
    covered: dict[int, list[int]] = {}
    for subheading, name in pairs:
        covered.setdefault(name, []).append(subheading)
    examples: list[Example] = [(name, covered[j]) for j, name in enumerate(names)]
    for e in nomenclature.examples:  # a ruling three times over, a written example once
        examples += [(e.description, [position[e.hs6]])] * (1 if e.written else REFERENCE_REPEATS)
    examples += [(r.description, [i]) for i, r in enumerate(nomenclature.references)]
    for heading, text in nomenclature.headings.items():
        under = [i for i, code in enumerate(codes) if code[:4] == heading]
        if under:
            examples.append((text, under))
    return examples


def _padding_bias(mask: Any) -> Any:
    """The attention bias that hides padding: 0 on tokens, -1e9 on padding, per key position."""
    return (1 - mask)[:, None, None, :] * -1e9


class Trainer:
    """The packaged model split in two: frozen lower layers run once, top layers retrained."""

    def __init__(self, layers: int, subheadings: np.ndarray) -> None:
        import torch
        from transformers import BertModel, BertTokenizerFast

        from corridor.classification.adapters.minilm import model_dir

        self.torch = torch
        directory = str(model_dir())
        self.tokenizer = BertTokenizerFast.from_pretrained(directory)
        self.base = BertModel.from_pretrained(directory).eval()
        self.frozen = len(self.base.encoder.layer) - layers
        self.top = torch.nn.ModuleList(copy.deepcopy(self.base.encoder.layer[self.frozen :]))
        self.subheadings = torch.from_numpy(subheadings)

    def lower(self, texts: list[str]) -> list[tuple[list[int], Any, Any]]:
        """Batches of (text indices, hidden states after the frozen layers, mask), by length."""
        torch = self.torch
        ids = self.tokenizer(texts, truncation=True, max_length=128)["input_ids"]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        batches = []
        with torch.no_grad():
            for start in range(0, len(order), BATCH):
                rows = order[start : start + BATCH]
                width = max(len(ids[i]) for i in rows)
                tokens = torch.zeros(len(rows), width, dtype=torch.long)
                mask = torch.zeros(len(rows), width)
                for r, i in enumerate(rows):
                    tokens[r, : len(ids[i])] = torch.tensor(ids[i])
                    mask[r, : len(ids[i])] = 1
                hidden = self.base.embeddings(input_ids=tokens)
                for layer in self.base.encoder.layer[: self.frozen]:
                    hidden = layer(hidden, attention_mask=_padding_bias(mask))
                batches.append((rows, hidden, mask))
        return batches

    def upper(self, hidden: Any, mask: Any) -> Any:
        for layer in self.top:
            hidden = layer(hidden, attention_mask=_padding_bias(mask))
        pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return self.torch.nn.functional.normalize(pooled, dim=-1)

    def epoch(self, batches: list[Any], examples: list[Example], optimiser: Any) -> float:
        torch = self.torch
        self.top.train()
        random.shuffle(batches)
        total = 0.0
        for rows, hidden, mask in batches:
            logp = torch.log_softmax(self.upper(hidden, mask) @ self.subheadings.T / TEMPERATURE, dim=1)
            target = torch.zeros_like(logp, dtype=torch.bool)
            for r, i in enumerate(rows):
                target[r, examples[i][1]] = True
            loss = -torch.logsumexp(logp.masked_fill(~target, -1e9), dim=1).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach())
        return total / len(batches)

    def embed(self, batches: list[Any], n: int) -> np.ndarray:
        self.top.eval()
        out = np.zeros((n, self.subheadings.shape[1]), dtype=np.float32)
        with self.torch.no_grad():
            for rows, hidden, mask in batches:
                out[rows] = self.upper(hidden, mask).numpy()
        return out

    def weights(self) -> dict[str, np.ndarray]:
        """The retrained layers under their names in the packaged model.safetensors."""
        return {
            f"encoder.layer.{self.frozen + k}.{name}": value.detach().numpy().astype(np.float16)
            for k, layer in enumerate(self.top)
            for name, value in layer.state_dict().items()
        }


def top3(scores: np.ndarray, codes: list[str], rows: list[dict[str, str]]) -> str:
    """Heading and subheading top-3 on the odd and even evaluation rows, ranked by ``scores``
    (one row per evaluation row, one column per subheading): the model alone, or a classifier."""
    order = np.argsort(-scores, axis=1)[:, :60]
    out = []
    for half, name in ((0, "odd"), (1, "even")):
        h3 = s3 = 0
        picked = range(half, len(rows), 2)
        for k in picked:
            ranked = [codes[i] for i in order[k]]
            headings = list(dict.fromkeys(c[:4] for c in ranked))
            h3 += rows[k]["heading"] in headings[:3]
            s3 += rows[k]["hs6"] in ranked[:3]
        out.append(f"{name} rows heading {h3 / len(picked):.1%} subheading {s3 / len(picked):.1%}")
    return "; ".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    import torch

    from corridor.classification.adapters.minilm import MiniLM
    from corridor.classification.adapters.nomenclature import load_nomenclature

    random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    started = time.perf_counter()
    nomenclature = load_nomenclature()
    codes = [r.hs6 for r in nomenclature.references]
    print("embedding the subheadings with the packaged model (the index's own vectors)...", flush=True)
    subheadings = MiniLM().encode([nomenclature.semantic_text(i) for i in range(len(codes))])
    trainer = Trainer(args.layers, subheadings)
    examples = training_texts(nomenclature)
    random.shuffle(examples)  # texts of one length are batched together: mix their sources
    with EVAL.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    evaluation = trainer.lower([r["description"] for r in rows])
    print(
        f"packaged model: {top3(trainer.embed(evaluation, len(rows)) @ subheadings.T, codes, rows)}",
        flush=True,
    )
    batches = trainer.lower([text for text, _ in examples])
    print(
        f"{len(examples)} training texts; lower layers run in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    optimiser = torch.optim.AdamW(trainer.top.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    for epoch in range(1, args.epochs + 1):
        loss = trainer.epoch(batches, examples, optimiser)
        scored = top3(trainer.embed(evaluation, len(rows)) @ subheadings.T, codes, rows)
        print(f"epoch {epoch}: loss {loss:.3f}; {scored} ({time.perf_counter() - started:.0f} s)", flush=True)
    np.savez_compressed(args.out, **trainer.weights())
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
