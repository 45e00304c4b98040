#!/usr/bin/env node
// Peer for the Trade Corridor interop tests and benchmark: reads one JSON request on stdin,
// runs @govtechsg/open-attestation, writes one JSON response on stdout.
//   {"op": "wrap", "documents": [raw...]}                 -> {"wrapped": [...]}
//   {"op": "verify", "documents": [wrapped...]}           -> {"results": [{verifySignature, validateSchema, isWrappedV2, isSignedWrappedV2, error}]}
//   {"op": "digest", "documents": [wrapped...]}           -> {"targetHashes": [...], "merkleRoot": "...", "proofs": [[...]]}
//   {"op": "obfuscate", "document": wrapped, "fields": [] } -> {"document": wrapped}
//   {"op": "bench", "documents": [raw...], "repeat": 1}     -> {"wrapSeconds", "verifySeconds", "count"}
"use strict";
const oa = require("@govtechsg/open-attestation");

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function verifyOne(doc) {
  const out = { verifySignature: false, validateSchema: false, isWrappedV2: false, isSignedWrappedV2: false, error: null };
  try {
    out.isWrappedV2 = oa.utils.isWrappedV2Document(doc);
    out.isSignedWrappedV2 = oa.utils.isSignedWrappedV2Document(doc);
    out.validateSchema = oa.validateSchema(doc);
    out.verifySignature = oa.verifySignature(doc);
  } catch (e) {
    out.error = String(e && e.message ? e.message : e);
  }
  return out;
}

function digest(docs) {
  const targetHashes = docs.map((d) => oa.digestDocument(d));
  const tree = new oa.MerkleTree(targetHashes.map((h) => Buffer.from(h, "hex")));
  const merkleRoot = tree.getRoot().toString("hex");
  const proofs = targetHashes.map((h) => tree.getProof(Buffer.from(h, "hex")).map((b) => b.toString("hex")));
  return { targetHashes, merkleRoot, proofs };
}

async function main() {
  const req = JSON.parse(await readStdin());
  let res;
  switch (req.op) {
    case "wrap":
      res = { wrapped: oa.wrapDocuments(req.documents) };
      break;
    case "verify":
      res = { results: req.documents.map(verifyOne) };
      break;
    case "digest":
      res = digest(req.documents);
      break;
    case "obfuscate":
      res = { document: oa.obfuscate(req.document, req.fields) };
      break;
    case "bench": {
      const repeat = req.repeat || 1;
      let wrapSeconds = Infinity;
      let verifySeconds = Infinity;
      let wrapped = [];
      for (let r = 0; r < repeat; r++) {
        const t0 = process.hrtime.bigint();
        wrapped = oa.wrapDocuments(req.documents);
        const t1 = process.hrtime.bigint();
        let ok = 0;
        for (const d of wrapped) if (oa.verifySignature(d)) ok++;
        const t2 = process.hrtime.bigint();
        if (ok !== wrapped.length) throw new Error(`only ${ok} of ${wrapped.length} verified`);
        wrapSeconds = Math.min(wrapSeconds, Number(t1 - t0) / 1e9);
        verifySeconds = Math.min(verifySeconds, Number(t2 - t1) / 1e9);
      }
      res = { count: wrapped.length, wrapSeconds, verifySeconds, merkleRoot: wrapped[0].signature.merkleRoot };
      break;
    }
    default:
      throw new Error(`unknown op ${req.op}`);
  }
  process.stdout.write(JSON.stringify(res));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
