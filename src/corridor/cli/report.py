"""report: the dashboard as one self-contained HTML file (charts inline, numbers as CSV links)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated

import typer

from corridor.analytics.dashboard import build
from corridor.analytics.frames import frames_of
from corridor.analytics.store import official_rows
from corridor.api.web.pages import templates
from corridor.api.web.text import text
from corridor.cli.common import DEFAULT_DATA_DIR, Country, DataDir, DbSchema, DbUrl, emit, fail, local_node

app = typer.Typer()


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", help="HTML file to write")],
    node: Country = "IN",
    db: DbUrl = None,
    db_schema: DbSchema = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Write the node's dashboard as one HTML file for mailing (no external files)."""
    with local_node(data_dir, node, db, db_schema) as local:
        board = build(local.country, frames_of(local.engine, local.data_dir), official_rows(local.engine))
        svgs = {p.key: p.draw(text) for p in board.panels if p.draw is not None}
    links = {
        p.key: "data:text/csv;charset=utf-8;base64,"
        + base64.b64encode(p.csv().encode("utf-8")).decode("ascii")
        for p in board.panels
    }
    html = templates.get_template("dashboard.html").render(
        node=board.node, user=None, csrf="", title=text("report.title"), dashboard=board,
        csv_links=links, inline_svg=svgs,
    )  # fmt: skip
    try:
        out.write_text(html, "utf-8")
    except OSError as exc:
        raise fail(f"--out: cannot write {out} ({exc.strerror})", 2) from None
    emit({"report": str(out), "panels": len(board.panels), "bytes": len(html.encode("utf-8"))})
