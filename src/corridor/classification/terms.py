"""Terms for lexical matching: a goods description and the nomenclature's texts lower-cased,
split into words, stop words and bare numbers dropped, and lightly stemmed, so that BM25 and the
"why" of a suggestion compare like with like. Pure: no I/O."""

from __future__ import annotations

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "other",
        "others",
        "than",
        "that",
        "the",
        "their",
        "them",
        "these",
        "this",
        "those",
        "to",
        "with",
        "without",
        "whether",
        "not",
        "n.e.c",
        "nec",
        "excluding",
        "including",
        "incl",
        "excl",
        "kind",
        "kinds",
        "used",
        "use",
        "such",
        "etc",
        "per",
        "each",
        "any",
        "all",
        "only",
        "also",
        "being",
        "been",
        "more",
        "less",
        "over",
        "under",
    ]
)


def stem(word: str) -> str:
    """A light English stemmer: plural and common verb endings, so shrimps/shrimp and
    frozen/freezing stay apart but tea/teas and bags/bag meet."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if word.endswith(suffix):
            return word[: -len(suffix)] + repl
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Lower-cased, stemmed word terms of ``text`` without stop words or bare numbers."""
    out: list[str] = []
    word: list[str] = []
    for ch in text.lower() + " ":
        if ch.isalnum():
            word.append(ch)
            continue
        if word:
            token = "".join(word)
            word = []
            if token in _STOPWORDS or token.isdigit() or len(token) < 2:
                continue
            out.append(stem(token))
    return out
