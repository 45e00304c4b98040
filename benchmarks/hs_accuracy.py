"""HS classification accuracy, speed and memory on the evaluation set, against a baseline measured
in the same run; and the false-flag rate of the hs_description_mismatch risk rule.

    python benchmarks/hs_accuracy.py [--data-dir corridor-data] [--limit N] [--grid]

Needs the [hs] extra. The first run builds the index in DATA_DIR/hs-index (a minute or more on
one core; its time is printed, apart from the figures); later runs load it. Everything runs on
one core (BLAS threads = 1). Latency is that of the ranker itself, uncached: the risk rule's
check keeps recent suggestions in a bounded LRU cache (the same goods are declared again and
again), which this benchmark does not use.

Measured on benchmarks/data/hs_eval.csv (317 descriptions from published customs rulings):
* accuracy: heading (4 digits) and subheading (6 digits) top-1 and top-3 of `corridor hs suggest`;
  heading top-3 counts the three best distinct headings;
* baseline: all-MiniLM-L6-v2 nearest neighbour over the official HS 2022 subheading texts alone
  (the same model, cosine only: no trade names, no lexical retrieval, no reference descriptions,
  no fusion);
* the description is embedded by the query encoder (the same model with its top layers retrained,
  tools/train_hs_query_encoder.py, on the trade names, the reference rulings, the written
  examples and the nomenclature's own texts, never on this evaluation set), the subheadings by
  the model as packaged;
* the subheading classifier (a softmax layer over the query encoder's embedding,
  tools/train_hs_classifier.py, trained on the same labelled texts as the index's, never on this
  evaluation set) gives each subheading a probability;
* the ranking fuses that log-probability, the model's similarity to each subheading text with the trade names of its
  goods (src/corridor/classification/data/hs_synonyms.csv, written from the headings' scope,
  independently of the evaluation set), the similarity of the nearest of those trade names
  embedded on its own, BM25 over the nomenclature, the national tariff lines and
  those trade names, and the votes of the 5 nearest reference descriptions
  (src/corridor/classification/data/hs_references.csv: real goods descriptions from published
  rulings, none of them in the evaluation set; the unit tests check that no ruling number and no
  near-identical text is in both; and hs_written_examples.csv: about six descriptions a
  subheading written by the project without sight of this set, none of them close to one of
  its descriptions, which the tests check too). The fusion weights were chosen on the odd rows (``--grid``
  prints the grid) and the even rows are reported apart: they played no part in the choice;
* load time of the classifier (model, cached vectors, BM25 index), per-description latency (mean
  and 95th percentile) and peak resident memory of this process, which loads the index (built,
  when missing, in a child process first) and the baseline's model and vectors besides;
* the risk rule: each description declared with its own code (a correct declaration) and with the
  code of another row under a different heading (a misclassification); for each confidence
  threshold, the share of correct declarations flagged (false flags) and of misclassifications
  flagged. The threshold is chosen on the odd rows (smallest one keeping false flags at or below
  5 %) and reported on the even rows, which played no part in choosing it.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import csv
import math
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.classification.adapters.loader import CACHE_DIR, missing_modules
from corridor.classification.check import judge
from corridor.classification.domain import Suggestion
from corridor.classification.ranker import HsRanker

if TYPE_CHECKING:
    from corridor.classification.adapters.nomenclature import Nomenclature

EVAL = Path(__file__).resolve().parent / "data" / "hs_eval.csv"
THRESHOLDS = (0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999)
TARGET_FALSE_FLAGS = 0.05
TOP_HEADINGS = (3, 5)


def distinct_headings(codes: list[str]) -> list[str]:
    out: list[str] = []
    for code in codes:
        if code[:4] not in out:
            out.append(code[:4])
    return out


def scores(
    rows: list[dict[str, str]], ranked_codes: list[list[str]], ranked_heads: list[list[str]]
) -> dict[str, float]:
    n = len(rows)
    return {
        "heading top-1": sum(h[:1] == [r["heading"]] for r, h in zip(rows, ranked_heads, strict=True)) / n,
        "heading top-3": sum(r["heading"] in h[:3] for r, h in zip(rows, ranked_heads, strict=True)) / n,
        "subheading top-1": sum(c[:1] == [r["hs6"]] for r, c in zip(rows, ranked_codes, strict=True)) / n,
        "subheading top-3": sum(r["hs6"] in c[:3] for r, c in zip(rows, ranked_codes, strict=True)) / n,
    }


def wrong_codes(rows: list[dict[str, str]]) -> list[str]:
    """For row i, the code of the first row from i + n/2 on whose heading differs."""
    n = len(rows)
    out = []
    for i, row in enumerate(rows):
        j = (i + n // 2) % n
        while rows[j]["heading"] == row["heading"]:
            j = (j + 1) % n
        out.append(rows[j]["hs6"])
    return out


def flag_rates(
    suggestions: list[Suggestion],
    rows: list[dict[str, str]],
    wrong: list[str],
    idx: list[int],
    t: float,
    k: int,
) -> tuple[float, float]:
    false = sum(judge(suggestions[i], rows[i]["hs6"], t, k).flagged for i in idx) / len(idx)
    caught = sum(judge(suggestions[i], wrong[i], t, k).flagged for i in idx) / len(idx)
    return false, caught


def grid(ranker: HsRanker, rows: list[dict[str, str]]) -> None:
    """Odd- and even-row accuracy over a grid of the classifier's, the heading's and the lexical
    weights (the retrievers run once per row; only the fusion is repeated), best first by heading
    plus subheading top-3 on the odd rows."""
    from dataclasses import replace
    from itertools import product

    from corridor.classification.domain import DEFAULT_WEIGHTS, check_description
    from corridor.classification.ranker import NEIGHBOURS, POOL
    from corridor.classification.terms import terms

    runs = []
    for row in rows:
        text = check_description(row["description"])
        hits = ranker.semantic.search(text, POOL, NEIGHBOURS)
        query = terms(text)
        lexical = ranker.lexical.search(query, POOL) if query else []
        votes = [(ranker.example_reference[j], sim) for j, sim in hits.examples]
        runs.append((hits, lexical, [(i, sim) for i, sim in votes if i >= 0]))
    results = []
    for classifier, heading, lex, names in product(
        (0.0, 1.0, 1.5, 2.0, 3.0, 5.0), (0.0, 0.3), (0.5, 1.0), (1.0, 2.0)
    ):
        w = replace(DEFAULT_WEIGHTS, classifier=classifier, heading=heading, lexical=lex, trade_names=names)
        codes, heads = [], []
        for hits, lexical, votes in runs:
            fused = fuse_hits(ranker, hits, lexical, votes, w)
            order = sorted(fused.subheading, key=lambda i: fused.subheading[i], reverse=True)
            codes.append([ranker.references[i].hs6 for i in order[:3]])
            heads.append(sorted(fused.heading_confidence, key=lambda h: -fused.heading_confidence[h]))
        halves = []
        for start in (0, 1):
            idx = range(start, len(rows), 2)
            sc = scores([rows[i] for i in idx], [codes[i] for i in idx], [heads[i] for i in idx])
            halves.append((sc["heading top-3"], sc["subheading top-3"]))
        results.append((halves[0], (classifier, heading, lex, names), halves[1]))
    results.sort(key=lambda r: r[0][0] + r[0][1], reverse=True)
    log_loss(ranker, runs, rows)
    print(
        "\ngrid (odd rows choose, even rows held out): heading top-3, subheading top-3; "
        "best first by their sum on the odd rows"
    )
    for odd, (classifier, heading, lex, names), even in results:
        print(
            f"  classifier {classifier:3.1f} heading {heading:3.1f} lexical {lex:3.1f} trade names {names:3.1f}:"
            f"  odd {odd[0]:6.1%} {odd[1]:6.1%}   even {even[0]:6.1%} {even[1]:6.1%}"
        )


def fuse_hits(ranker: HsRanker, hits: Any, lexical: Any, votes: Any, weights: Any) -> Any:
    from corridor.classification.domain import fuse

    return fuse(
        ranker.references,
        hits.subheadings,
        lexical,
        hits.headings,
        weights,
        votes,
        hits.trade_names,
        hits.classified,
    )


def log_loss(ranker: HsRanker, runs: list[Any], rows: list[dict[str, str]]) -> None:
    """Mean log-loss of the true heading's confidence per softmax temperature, with the default
    fusion weights: the temperature that minimises it on the odd rows makes the confidences
    calibrated (temperature scaling); the even rows are shown apart."""
    from dataclasses import replace

    from corridor.classification.domain import DEFAULT_WEIGHTS

    print("\nlog-loss of the true heading per temperature (odd rows choose, even rows held out)")
    for temperature in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0):
        w = replace(DEFAULT_WEIGHTS, temperature=temperature)
        losses: tuple[list[float], list[float]] = ([], [])
        for k, ((hits, lexical, votes), row) in enumerate(zip(runs, rows, strict=True)):
            fused = fuse_hits(ranker, hits, lexical, votes, w)
            p = fused.heading_confidence.get(row["heading"], 0.0)
            losses[k % 2].append(-math.log(max(p, 1e-6)))
        print(
            f"  temperature {temperature:4.2f}: odd {statistics.mean(losses[0]):.3f}  even {statistics.mean(losses[1]):.3f}"
        )


class Baseline:
    """all-MiniLM-L6-v2 nearest neighbour over the official subheading texts alone (its vectors
    kept beside the index, since the index embeds the texts with their trade names)."""

    def __init__(self, cache: Path, nomenclature: Nomenclature) -> None:
        import numpy as np

        from corridor.classification.adapters.index import cache_key
        from corridor.classification.adapters.minilm import MiniLM

        self.model = MiniLM()
        texts = [r.description for r in nomenclature.references]
        path = cache / f"baseline-{cache_key(nomenclature)}.npy"
        try:
            self.vectors = np.load(path)
        except (OSError, ValueError):
            print("embedding the official subheading texts for the baseline (once)...", flush=True)
            self.vectors = self.model.encode(texts)
            np.save(path, self.vectors)

    def search(self, text: str, n: int) -> list[int]:
        sims = self.vectors @ self.model.encode([text])[0]
        return [int(i) for i in sims.argsort()[::-1][:n]]


def build_index(cache: Path) -> None:
    """Build the index in a child process, so that this process's peak memory is that of a node
    loading a built index (what it does at every start), not of the one-off build."""
    import multiprocessing

    from corridor.classification.adapters.index import load_ranker

    child = multiprocessing.get_context("spawn").Process(target=load_ranker, args=(cache,))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"building the HS index failed (exit {child.exitcode})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("corridor-data"))
    parser.add_argument("--limit", type=int, default=0, help="Only the first N rows (0: all)")
    parser.add_argument("--grid", action="store_true", help="Print the fusion weight grid and stop")
    args = parser.parse_args()
    if missing_modules():
        print(f"needs the [hs] extra (missing: {', '.join(missing_modules())})", file=sys.stderr)
        return 2
    from corridor.classification.adapters.index import cache_key, load_ranker
    from corridor.classification.adapters.nomenclature import load_nomenclature

    with EVAL.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if args.limit:
        rows = rows[: args.limit]
    cache = args.data_dir / CACHE_DIR
    if not (cache / cache_key(load_nomenclature())).exists():
        print(f"building the index in {cache} (once, in a process of its own)...", flush=True)
        built = time.perf_counter()
        build_index(cache)
        print(f"index built in {time.perf_counter() - built:.0f} s", flush=True)
    started = time.perf_counter()
    ranker = load_ranker(cache)
    load_s = time.perf_counter() - started
    if args.grid:
        grid(ranker, rows)
        return 0

    baseline = Baseline(cache, load_nomenclature())

    suggestions: list[Suggestion] = []
    latencies: list[float] = []
    cpu_spent = 0.0
    base_codes: list[list[str]] = []
    base_latencies: list[float] = []
    for row in rows:
        t0 = time.perf_counter()
        c0 = time.process_time()
        suggestions.append(ranker.suggest(row["description"], 5))
        latencies.append(time.perf_counter() - t0)
        cpu_spent += time.process_time() - c0
        t0 = time.perf_counter()
        nearest = baseline.search(row["description"], 20)
        base_latencies.append(time.perf_counter() - t0)
        base_codes.append([ranker.references[i].hs6 for i in nearest])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ours = scores(
        rows,
        [[c.hs6 for c in s.candidates] for s in suggestions],
        [[h for h, _ in s.headings] for s in suggestions],
    )
    base = scores(rows, base_codes, [distinct_headings(c) for c in base_codes])
    print(f"\nHS accuracy on {len(rows)} descriptions ({EVAL.name})")
    print(f"{'measure':<20}{'corridor':>10}{'baseline':>10}{'ratio':>8}")
    for name, value in ours.items():
        ratio = value / base[name] if base[name] else float("inf")
        print(f"{name:<20}{value:>10.1%}{base[name]:>10.1%}{ratio:>8.2f}")
    for half, idx in (
        ("odd rows (weights chosen here)", range(0, len(rows), 2)),
        ("even rows (held out)", range(1, len(rows), 2)),
    ):
        sub = [rows[i] for i in idx]
        o = scores(
            sub,
            [[c.hs6 for c in suggestions[i].candidates] for i in idx],
            [[h for h, _ in suggestions[i].headings] for i in idx],
        )
        b = scores(sub, [base_codes[i] for i in idx], [distinct_headings(base_codes[i]) for i in idx])
        print(
            f"  {half}: "
            + ", ".join(
                f"{k} {o[k]:.1%} (baseline {b[k]:.1%})" for k in ("heading top-3", "subheading top-3")
            )
        )
    print(f"\nload time (model, cached vectors, BM25): {load_s:.2f} s")
    mean, p95 = statistics.mean(latencies) * 1000, sorted(latencies)[int(0.95 * (len(latencies) - 1))] * 1000
    base_mean = statistics.mean(base_latencies) * 1000
    print(
        f"latency per description, one core: mean {mean:.1f} ms, p95 {p95:.1f} ms (baseline mean {base_mean:.1f} ms, ratio {mean / base_mean:.2f})"
    )
    print(
        f"CPU time per description (this process only, so less sensitive to other load): "
        f"{cpu_spent / len(rows) * 1000:.1f} ms"
    )
    print(f"peak resident memory: {peak_mb:.0f} MB (the classifier and the baseline loaded)")
    print(f"machine load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    wrong = wrong_codes(rows)
    calibrate = list(range(0, len(rows), 2))
    held_out = list(range(1, len(rows), 2))
    for k in TOP_HEADINGS:
        print(
            f"\nrisk rule, declared heading outside the best {k}: false flags on correct / misclassifications caught"
        )
        chosen = None
        for t in THRESHOLDS:
            cal = flag_rates(suggestions, rows, wrong, calibrate, t, k)
            test = flag_rates(suggestions, rows, wrong, held_out, t, k)
            print(
                f"  min_confidence {t:<6}: calibration {cal[0]:6.1%} / {cal[1]:6.1%}   held-out {test[0]:6.1%} / {test[1]:6.1%}"
            )
            if chosen is None and cal[0] <= TARGET_FALSE_FLAGS:
                chosen = (t, test)
        if chosen is not None:
            t, (false, caught) = chosen
            print(
                f"  chosen min_confidence {t:<6}: held-out false flags {false:.1%}, misclassifications caught {caught:.1%}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
