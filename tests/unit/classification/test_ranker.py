"""Ranking on a small fixed index with the real model; the command line and the REST route over
it; the risk check on a correct and a misclassified declaration."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corridor.api.app import create_app
from corridor.classification.adapters.written_examples import WRITTEN_SOURCE
from corridor.classification.check import MEASURED_MIN_CONFIDENCE, DescriptionCheck
from corridor.classification.domain import EXTRA_MISSING, HsUnavailable
from corridor.classification.ranker import HsRanker
from corridor.classification.service import HsService
from corridor.cli import hs as hs_cli
from corridor.cli.main import app as cli
from corridor.messaging.transport import InProcessTransport
from corridor.node.bootstrap import bootstrap_node
from corridor.service.auth import create_api_key
from tests.unit.classification.conftest import needs_extra

# the corridor's sample goods (corridor.demo.samples) and the heading each belongs to
CORRIDOR_GOODS = [
    ("Paracetamol 500 mg tablets in blister packs, retail", "3004"),
    ("Smartphones, 5G, 128 GB", "8517"),
    ("Centrifugal water pumps", "8413"),
    ("Frozen vannamei shrimp, peeled", "0306"),
    ("Black tea (CTC) in bulk packs over 3 kg", "0902"),
    ("Petroleum crude oil (Urals)", "2709"),
    ("Diammonium phosphate fertiliser", "3105"),
    ("Bituminous coal, not agglomerated", "2701"),
    ("Crude sunflower-seed oil", "1512"),
    ("Rough diamonds, unsorted", "7102"),
]


@pytest.mark.parametrize(("description", "heading"), CORRIDOR_GOODS)
def test_corridor_goods_rank_their_heading_among_the_first_three(
    small_ranker: HsRanker, description: str, heading: str
) -> None:
    suggestion = small_ranker.suggest(description, 5)
    assert heading in [h for h, _ in suggestion.headings[:3]], suggestion.to_json()


def test_a_suggestion_names_codes_texts_scores_and_why(small_ranker: HsRanker) -> None:
    suggestion = small_ranker.suggest("Frozen vannamei shrimp, peeled and deveined, 2 kg blocks", 3)
    best = suggestion.candidates[0]
    assert best.hs6 == "030617"
    assert "shrimps and prawns" in best.description
    assert "shrimp" in best.matched_terms and "frozen" in best.matched_terms
    assert best.trade_name is not None and "shrimp" in best.trade_name[0] and best.trade_name[1] > 0.7
    assert best.probability > 0.5  # the subheading classifier agrees
    assert best.to_json()["why"]["classifier_probability"] == round(best.probability, 4)
    assert len(suggestion.candidates) == 3
    assert suggestion.candidates[0].score >= suggestion.candidates[1].score >= suggestion.candidates[2].score


def test_a_description_in_another_script_gets_an_honest_low_confidence(small_ranker: HsRanker) -> None:
    suggestion = small_ranker.suggest("Замороженные очищенные креветки ваннамей", 5)
    assert suggestion.confidence == "low"
    assert any("Latin script" in note for note in suggestion.notes)


def test_words_the_nomenclature_does_not_know_say_so(small_ranker: HsRanker) -> None:
    suggestion = small_ranker.suggest("zxqv plorb", 5)
    assert any("no word of the description" in note for note in suggestion.notes)


def test_the_check_passes_a_correct_declaration_and_flags_a_misclassified_one(small_ranker: HsRanker) -> None:
    check = DescriptionCheck(small_ranker)
    correct = check.check("Frozen vannamei shrimp, peeled and deveined, 2 kg blocks", "0306179100", 0.5)
    wrong = check.check("Frozen vannamei shrimp, peeled and deveined, 2 kg blocks", "8471300000", 0.5)
    assert correct.available and not correct.flagged
    assert wrong.flagged
    assert "8471300000" in wrong.detail and "0306.17" in wrong.detail


SAMPLE_NATIONAL_CODES = [
    "3004900002",
    "8517130000",
    "8413708100",
    "0306179100",
    "0902400000",
    "2709009009",
    "3105300000",
    "2701129000",
    "1512111009",
    "7102100000",
]


def test_the_corridor_sample_goods_pass_the_check_at_the_measured_threshold(small_ranker: HsRanker) -> None:
    check = DescriptionCheck(small_ranker)
    for (description, _), code in zip(CORRIDOR_GOODS, SAMPLE_NATIONAL_CODES, strict=True):
        verdict = check.check(description, code, MEASURED_MIN_CONFIDENCE)
        assert verdict.available and not verdict.flagged, (description, verdict.detail)
    assert check.unavailable_reason() is None


@pytest.fixture
def use_small_ranker(small_ranker: HsRanker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hs_cli, "hs_service", lambda data_dir: HsService(lambda: small_ranker))


def test_cli_prints_a_ranked_table_and_json(use_small_ranker: None, tmp_path: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(
        cli, ["hs", "suggest", "Black tea in tea bags", "--top", "3", "--data-dir", str(tmp_path)]
    )
    assert table.exit_code == 0, table.output
    assert "0902." in table.output and "why:" in table.output
    out = runner.invoke(
        cli, ["hs", "suggest", "Black tea in tea bags", "--json", "--data-dir", str(tmp_path)]
    )
    assert json.loads(out.output)["candidates"][0]["heading"] == "0902"


def test_cli_file_gives_one_json_line_per_description_and_errors_per_line(
    use_small_ranker: None, tmp_path: Path
) -> None:
    lines = tmp_path / "goods.txt"
    lines.write_text("Frozen vannamei shrimp\n\n12345\nRough diamonds, unsorted\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["hs", "suggest", "--file", str(lines), "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r.get("line") for r in records] == [None, 3, None]
    assert records[0]["candidates"][0]["heading"] == "0306"
    assert records[1]["errors"][0]["path"] == "description"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hs", "suggest", ""], "description: must not be blank"),
        (["hs", "suggest", "x" * 100_000], "description: is 100000 characters long"),
        (["hs", "suggest", "tea", "--top", "0"], "top: must be a whole number"),
        (["hs", "suggest"], "give either a DESCRIPTION or --file"),
    ],
)
def test_cli_bad_input_is_one_line_and_a_nonzero_exit(
    use_small_ranker: None, tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_without_the_extra_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor.classification.adapters import loader

    monkeypatch.setattr(loader, "missing_modules", lambda: ["bm25s"])
    result = CliRunner().invoke(cli, ["hs", "suggest", "tea", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: HS suggestions need the optional [hs] extra: pip install -e '.[hs]' (missing: bm25s)"
    ]


def test_rest_suggest_for_traders_and_officers(small_ranker: HsRanker, tmp_path: Path) -> None:
    node = bootstrap_node("IN", tmp_path / "IN", InProcessTransport())
    try:
        node.hs = HsService(lambda: small_ranker)
        now = datetime.now(UTC)
        trader = create_api_key(node.uow(), "trader", "IN-TRADER-1", "t", now)
        officer = create_api_key(node.uow(), "officer", "IN-OFF-1", "o", now)
        carrier = create_api_key(node.uow(), "carrier", "IN-CARRIER-1", "c", now)
        client = TestClient(create_app(node))
        for key in (trader, officer):
            answer = client.post(
                "/v1/hs/suggest", json={"description": "Rough diamonds", "top": 2}, headers={"x-api-key": key}
            )
            assert answer.status_code == 200, answer.text
            assert answer.json()["candidates"][0]["heading"] == "7102"
        refused = client.post("/v1/hs/suggest", json={"description": "tea"}, headers={"x-api-key": carrier})
        assert refused.status_code == 403
        for body in (
            {"description": ""},
            {"description": "x" * 100_000},
            {"description": 5},
            {"description": "tea", "top": 99},
        ):
            bad = client.post("/v1/hs/suggest", json=body, headers={"x-api-key": trader})
            assert bad.status_code in (413, 422), bad.text
            assert "errors" in bad.json() or "error" in bad.json()
        node.hs = HsService(_missing)
        down = client.post("/v1/hs/suggest", json={"description": "tea"}, headers={"x-api-key": officer})
        assert down.status_code == 503
        assert "[hs] extra" in down.json()["error"]
    finally:
        node.close()


def _missing() -> HsRanker:
    raise HsUnavailable(EXTRA_MISSING)


def test_a_suggestion_names_the_nearest_references_each_a_ruling_or_a_written_example(
    small_ranker: HsRanker,
) -> None:
    assert small_ranker.examples, "the small index carries the reference descriptions of its headings"
    suggestion = small_ranker.suggest("Frozen headless shell-on shrimp, black tiger, 2 kg blocks", 3)
    best = suggestion.candidates[0]
    assert best.hs6 == "030617"
    nearest = [example for example, _ in best.nearest_references]
    assert any(not e.written for e in nearest), "a published ruling is among the nearest"
    for e in nearest:
        assert e.hs6 == "030617"
        if e.written:
            assert e.source == WRITTEN_SOURCE
        else:
            assert e.source.startswith(("US CBP ruling ", "HMRC Advance Tariff Ruling "))
    why = best.to_json()["why"]["nearest_references"]
    assert why[0]["description"] and 0.0 < why[0]["similarity"] <= 1.0
    assert {w["source"] for w in why} == {e.source for e in nearest}


@pytest.mark.parametrize(
    ("description", "detail"),
    [
        ("", "cannot be classified"),
        ("frozen shrimp " * 8_000, "cannot be classified"),
        ("Замороженные очищенные креветки ваннамей", "not judged"),
        ("冷冻虾仁", "not judged"),
    ],
)
def test_the_check_on_bad_or_foreign_descriptions_never_flags_nor_fails(
    small_ranker: HsRanker, description: str, detail: str
) -> None:
    verdict = DescriptionCheck(small_ranker).check(description, "8471300000", MEASURED_MIN_CONFIDENCE)
    assert not verdict.flagged and detail in verdict.detail


def test_trade_names_the_nomenclature_lacks_find_their_subheading(small_ranker: HsRanker) -> None:
    """ "Laptop" and "smartphone" are not words of the HS 2022 texts; the trade names shipped with
    the classifier bring them to 8471.30 and 8517.13, and the explanation names the matched word."""
    from corridor.classification.terms import terms

    for description, hs6, word in (
        ("Refurbished laptops with 14 inch screens, 8 GB memory", "847130", "laptop"),
        ("Unlocked smartphones, 128 GB, with chargers", "851713", "smartphone"),
    ):
        suggestion = small_ranker.suggest(description, 3)
        found = [c for c in suggestion.candidates if c.hs6 == hs6]
        assert found, (description, [c.hs6 for c in suggestion.candidates])
        assert terms(word)[0] in found[0].matched_terms


def test_a_subheading_is_embedded_with_the_trade_names_of_its_goods() -> None:
    needs_extra()
    from corridor.classification.adapters.nomenclature import load_nomenclature

    nomenclature = load_nomenclature()
    i = next(n for n, r in enumerate(nomenclature.references) if r.hs6 == "847130")
    text = nomenclature.semantic_text(i)
    assert text.startswith(nomenclature.references[i].description) and "laptop" in text
    assert "laptop" in nomenclature.lexical_text(i)
