"""The declaration form's titles and labels come from the pages' text module (one place for a
translation), and each names its input's WCO path once."""

from __future__ import annotations

from corridor.api.web.declaration_form import groups
from corridor.api.web.text import EN, text


def test_every_title_and_label_of_the_form_is_a_text_of_the_text_module() -> None:
    asked: list[str] = []

    def say(key: str) -> str:
        asked.append(key)
        return text(key)

    made = groups(3, say)
    assert asked and all(key in EN for key in asked), [k for k in asked if k not in EN]
    labels = [f.label for g in made for f in g.fields]
    assert "Description of the goods" in labels and "Exporter name" in labels
    assert [g.title for g in made][-3:] == ["Goods item 1", "Goods item 2", "Goods item 3"]


def test_each_input_has_its_own_path_and_number() -> None:
    fields = [f for g in groups(2, text) for f in g.fields]
    assert len({f.path for f in fields}) == len(fields)
    assert [f.index for f in fields] == list(range(len(fields)))
