"""`corridor stats import` and the dashboard over a node's database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from corridor.adapters.database import make_engine, migrate
from corridor.analytics.dashboard import build
from corridor.analytics.frames import frames_of
from corridor.analytics.store import official_rows
from corridor.api.web.text import EN, say
from corridor.cli.main import app

HEADER = "fiscal_year,direction,hs_chapter,value_usd_mn,source\n"
runner = CliRunner()


def test_import_stores_valid_rows_and_refuses_bad_ones_naming_row_and_field(tmp_path: Path) -> None:
    data = tmp_path / "data"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "2025-26,IN->RU,TOTAL,5200,Department of Commerce EIDB\n2025-26,RU->IN,TOTAL,x,Department of Commerce EIDB\n"
    )
    result = runner.invoke(app, ["stats", "import", str(bad), "--data-dir", str(data)])
    assert result.exit_code == 1
    assert "row 3.value_usd_mn: 'x' is not a number" in result.output
    good = tmp_path / "good.csv"
    good.write_text(
        HEADER
        + "2025-26,IN->RU,TOTAL,5200,Department of Commerce EIDB (test figure)\n"
        + "2025-26,RU->IN,TOTAL,60000,Department of Commerce EIDB (test figure)\n"
    )
    result = runner.invoke(app, ["stats", "import", str(good), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{data / 'IN' / 'corridor.sqlite'}")
    rows = official_rows(engine)
    assert {r.fiscal_year for r in rows} >= {"2025-26"}
    board = build("IN", frames_of(engine), rows)
    target = board.panel("target")
    assert target is not None
    # last year now 2025-26: 65.2 bn; (100 / 65.2) ** (1 / 4) - 1 = 11.29 %
    assert any("11.29 % a year for 4 years" in say(note) for note in target.notes)
    engine.dispose()


def test_unreadable_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["stats", "import", str(tmp_path / "missing.csv"), "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2 and "cannot read" in result.output


def test_dashboard_of_an_empty_node_has_every_panel_and_csv(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stats", "show", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0 and result.output.startswith(HEADER)
    engine = make_engine(f"sqlite:///{tmp_path / 'IN' / 'corridor.sqlite'}")
    board = build("IN", frames_of(engine), official_rows(engine))
    assert [p.key for p in board.panels] == [
        "target",
        "balance",
        "flows",
        "goods",
        "currency",
        "release",
        "lanes",
        "growth",
    ]
    balance = board.panel("balance")
    assert balance is not None
    assert balance.csv().splitlines()[1] == "2021-22,-6.62,24.771341"  # 3.25 / 13.12 = 24.77 % of the total
    engine.dispose()


def test_every_text_of_the_dashboard_is_in_the_pages_text_module(tmp_path: Path) -> None:
    """Titles, headings, words in the tables, notes and the charts' words are keys the pages
    resolve in one place (a translation adds one mapping); the CSV keeps the words' ids."""
    from corridor.analytics.dashboard import Label

    engine = make_engine(f"sqlite:///{tmp_path / 'corridor.sqlite'}")
    migrate(engine)
    board = build("IN", frames_of(engine), official_rows(engine))
    used: set[str] = set()

    def tr(key: str) -> str:
        used.add(key)
        return EN[key]

    for panel in board.panels:
        used |= {f"panel.{panel.key}", *(f"column.{c}" for c in panel.columns)}
        used |= {note.key for note in panel.notes}
        used |= {v.phrase.key for row in panel.rows for v in row if isinstance(v, Label)}
        if panel.draw is not None:
            assert panel.draw(tr).startswith("<svg")
    assert used - EN.keys() == set()
    assert {"series.path", "note.target.path", "chart.target", "row.official_year"} <= used
    target = board.panel("target")
    assert target is not None
    shown = [say(v) for row in target.rows for v in row if isinstance(v, Label)]
    assert "required path" in shown and "{" not in "".join(shown)
    assert "required_path" in target.csv()  # the id, whatever the language
    engine.dispose()


def test_report_is_one_self_contained_file(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--out", str(out), "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert html.count("<svg") >= 2  # the target and the balance, drawn inline
    assert html.count('href="data:text/csv;charset=utf-8;base64,') == 8  # every panel's numbers
    assert 'src="/' not in html and 'href="/' not in html  # nothing to fetch from a node


def test_user_add_from_the_environment_and_its_errors(tmp_path: Path) -> None:
    base = ["node", "user", "add", "--role", "trader", "--party", "AAACZ0000A", "--data-dir", str(tmp_path)]
    made = runner.invoke(
        app, [*base, "--username", "tina"], env={"CORRIDOR_USER_PASSWORD": "a long enough password"}
    )
    assert made.exit_code == 0, made.output
    again = runner.invoke(
        app, [*base, "--username", "tina"], env={"CORRIDOR_USER_PASSWORD": "a long enough password"}
    )
    assert again.exit_code == 1 and "exists" in again.output
    short = runner.invoke(app, [*base, "--username", "tim"], env={"CORRIDOR_USER_PASSWORD": "short"})
    assert short.exit_code == 1 and "password: at least 12 characters" in short.output
