"""Benchmark (not a test): wrap and verify batches of realistic certificates of origin here and
with @govtechsg/open-attestation's wrapDocuments in Node.js on the same data; prints documents/s
for each and the ratio.

    python benchmarks/documents.py [--sizes 1000 10000] [--repeat 3]

Needs ``npm ci --prefix interop/oa`` for the Node side (skipped with a note otherwise). Python
"verify" is the full corridor verification (format, targetHash, Merkle proof, issuer registry,
Ed25519 signature, revocation); "verify (db)" the same with the registry and revocations read from
a node's SQLite database, one transaction per document as the API does; "integrity" is what the npm library's verifySignature checks
(targetHash and Merkle proof only)."""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from corridor.adapters.database import make_engine, migrate
from corridor.adapters.unit_of_work import SqlUnitOfWork
from corridor.documents.issuers import InMemoryIssuerRegistry, IssuerKeyFiles
from corridor.documents.oa import check_proof, digest_document, wrap_documents
from corridor.documents.oa.flatten import iter_leaves
from corridor.documents.registry import NodeDocuments
from corridor.documents.revocation import InMemoryRevocationStore
from corridor.documents.service import DocumentContext, issue_documents
from corridor.documents.verify import verify_document

REPO = Path(__file__).resolve().parents[1]
PEER = REPO / "interop" / "oa"

GOODS = [
    ("30049099", "Paracetamol tablets 500 mg", "H87"),
    ("30041030", "Amoxicillin capsules 250 mg", "H87"),
    ("85171300", "Smartphones", "H87"),
    ("84439990", "Printer parts", "KGM"),
    ("29339990", "Heterocyclic compounds", "KGM"),
    ("03061720", "Frozen vannamei shrimp", "KGM"),
    ("09024020", "Black tea, CTC, bulk", "KGM"),
    ("62052000", "Men's cotton shirts", "H87"),
    ("87089900", "Motor vehicle parts", "KGM"),
    ("10063020", "Basmati rice, milled", "KGM"),
]
EXPORTERS = [
    "Sample Pharma Exports Pvt Ltd",
    "Sample Electronics India Ltd",
    "Sample Seafoods Pvt Ltd",
    "Sample Tea Estates Ltd",
]
IMPORTERS = [
    "OOO Sample Pharm Import",
    "AO Sample Elektronika",
    "OOO Sample Morprodukt",
    "OOO Sample Chai Trading",
]
PORTS = [
    ("INNSA", "RULED", "Suez"),
    ("INNSA", "RUNVS", "Suez"),
    ("INMAA", "RUVVO", "Chennai-Vladivostok"),
    ("INNSA", "RUASF", "INSTC"),
]


def certificate(i: int, rnd: random.Random) -> dict[str, Any]:
    """A realistic non-preferential certificate of origin (sample data)."""
    e = rnd.randrange(len(EXPORTERS))
    pol, pod, route = rnd.choice(PORTS)
    items = []
    for n in range(1, rnd.randint(1, 5) + 1):
        hs, desc, unit = rnd.choice(GOODS)
        items.append(
            {
                "lineNumber": n,
                "description": desc,
                "hsCode": hs,
                "marksAndNumbers": f"SMP/{i:06d}/{n:02d}",
                "packageCount": rnd.randint(1, 400),
                "packageType": "CT",
                "quantity": {"value": str(rnd.randint(10, 200000)), "unitCode": unit},
                "grossWeight": {"value": f"{rnd.uniform(10, 20000):.1f}", "unitCode": "KGM"},
                "originCriterion": "Manufactured in India (sufficient processing)",
                "originCountry": "IN",
            }
        )
    return {
        "$template": {"name": "CERTIFICATE_OF_ORIGIN", "type": "EMBEDDED_RENDERER"},
        "documentType": "CERTIFICATE_OF_ORIGIN",
        "id": f"SAMPLE-CO-IN-2026-{i:06d}",
        "issueDate": "2026-03-03",
        "certificateType": "NON_PREFERENTIAL",
        "exporter": {
            "name": EXPORTERS[e],
            "address": f"Plot {rnd.randint(1, 300)}, MIDC, Mumbai 400093",
            "countryCode": "IN",
            "id": f"AABCS{rnd.randint(1000, 9999)}Z",
        },
        "consignee": {
            "name": IMPORTERS[e],
            "address": f"ul. Sadovaya {rnd.randint(1, 99)}, St Petersburg",
            "countryCode": "RU",
            "id": "7704123450",
        },
        "transport": {
            "mode": "SEA",
            "vesselName": "SAMPLE STAR",
            "voyageNumber": f"SS{rnd.randint(100, 999)}W",
            "portOfLoading": pol,
            "portOfDischarge": pod,
            "departureDate": "2026-03-05",
            "route": route,
        },
        "items": items,
        "invoice": {"number": f"SMP/EXP/2026/{i:05d}", "date": "2026-03-01"},
        "countryOfOrigin": "IN",
        "importingCountry": "RU",
        "certification": {
            "place": "Mumbai",
            "date": "2026-03-03",
            "officerName": "A. Sample",
            "officerTitle": "Certifying Officer",
        },
        "remarks": "SAMPLE DATA",
    }


def best(fn: Any, repeat: int) -> tuple[float, Any]:
    out, times = None, []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    registry = InMemoryIssuerRegistry()
    issuer = registry.register(name="Sample Chamber of Commerce", country="IN", role="chamber of commerce")
    ctx = DocumentContext(registry, InMemoryRevocationStore())
    scratch = Path(tempfile.mkdtemp(prefix="corridor-bench-"))
    engine = make_engine(f"sqlite:///{scratch / 'node.sqlite'}")
    migrate(engine)
    stored = NodeDocuments(IssuerKeyFiles(scratch), lambda: SqlUnitOfWork(engine))
    stored.add(issuer)
    node_ok = (
        shutil.which("node") is not None
        and (PEER / "node_modules" / "@govtechsg" / "open-attestation").is_dir()
    )
    if not node_ok:
        print("note: Node side skipped (install Node.js and run `npm ci --prefix interop/oa`)")

    rows = []
    for n in args.sizes:
        rnd = random.Random(n)
        raw = [certificate(i, rnd) for i in range(n)]
        for doc in raw:
            doc["issuers"] = [issuer.oa_issuer()]
        fields = sum(sum(1 for _ in iter_leaves(d)) for d in raw) / n
        t_wrap, wrapped = best(lambda raw=raw: wrap_documents(raw), args.repeat)
        t_issue, issued = best(lambda raw=raw: issue_documents(ctx, raw, issuer.id), 1)

        def integrity(docs: list[dict[str, Any]]) -> None:
            for d in docs:
                sig = d["signature"]
                assert digest_document(d) == sig["targetHash"]
                proof = [bytes.fromhex(p) for p in sig["proof"]]
                assert check_proof(proof, bytes.fromhex(sig["merkleRoot"]), bytes.fromhex(sig["targetHash"]))

        t_int, _ = best(lambda w=wrapped: integrity(w), args.repeat)

        def full(docs: list[dict[str, Any]]) -> None:
            for d in docs:
                assert verify_document(d, registry, ctx.revocations).valid

        t_full, _ = best(lambda w=issued: full(w), 1)

        def full_db(docs: list[dict[str, Any]]) -> None:
            for d in docs:
                assert stored.verify(d).valid

        t_db, _ = best(lambda w=issued: full_db(w), 1)
        row: dict[str, Any] = {
            "n": n,
            "fields/doc": round(fields, 1),
            "py wrap/s": n / t_wrap,
            "py issue/s": n / t_issue,
            "py integrity/s": n / t_int,
            "py full verify/s": n / t_full,
            "py full verify (db)/s": n / t_db,
        }
        if node_ok:
            proc = subprocess.run(
                ["node", str(PEER / "oa.js")],
                input=json.dumps({"op": "bench", "documents": raw, "repeat": args.repeat}),
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                return 1
            res = json.loads(proc.stdout)
            row["node wrap/s"] = n / res["wrapSeconds"]
            row["node verify/s"] = n / res["verifySeconds"]
            row["wrap ratio"] = row["py wrap/s"] / row["node wrap/s"]
            row["verify ratio"] = row["py integrity/s"] / row["node verify/s"]
        rows.append(row)

    print(f"python {sys.version.split()[0]}, best of {args.repeat}; documents per second")
    for row in rows:
        print(
            "  " + "  ".join(f"{k}={v:,.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items())
        )
    engine.dispose()
    shutil.rmtree(scratch, ignore_errors=True)
    if node_ok and rows:
        last = rows[-1]
        verdict = "meets" if last["wrap ratio"] >= 3 else "MISSES"
        print(f"wrap at n={last['n']}: {last['wrap ratio']:.2f}x the Node library ({verdict} the 3x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
