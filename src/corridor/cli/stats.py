"""stats: the official India–Russia trade series a node's dashboard shows; import newer figures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from corridor.analytics.official import parse_official, to_csv
from corridor.analytics.store import import_rows, official_rows
from corridor.cli.common import (
    DEFAULT_DATA_DIR,
    EXIT_INVALID,
    EXIT_UNREADABLE,
    Country,
    DataDir,
    DbSchema,
    DbUrl,
    emit,
    fail,
    local_node,
    one_line,
)
from corridor.shared.errors import InvalidInput

app = typer.Typer(
    help="Official trade statistics (India–Russia, by Indian fiscal year), each row with its source."
)
MAX_FILE_BYTES = 8 * 1024 * 1024


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise fail(f"{path}: larger than {MAX_FILE_BYTES} bytes", EXIT_UNREADABLE)
        return path.read_text("utf-8")
    except UnicodeDecodeError:
        raise fail(f"{path}: not UTF-8 text", EXIT_UNREADABLE) from None
    except OSError as exc:
        raise fail(f"{path}: cannot read ({exc.strerror})", EXIT_UNREADABLE) from None


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV: fiscal_year,direction,hs_chapter,value_usd_mn,source")],
    node: Country = "IN",
    db: DbUrl = None,
    db_schema: DbSchema = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Load newer official figures; each row replaces the one of the same year, direction and
    chapter. Nothing is stored unless every row is valid (errors name the row and the field)."""
    try:
        rows = parse_official(_read(file))
    except InvalidInput as exc:
        raise fail(f"{file}: {one_line(exc)}", EXIT_INVALID) from None
    with local_node(data_dir, node, db, db_schema) as local:
        stored = import_rows(local.engine, rows, datetime.now(UTC))
    emit({"imported": stored, "file": str(file)})


@app.command("show")
def show(
    node: Country = "IN",
    db: DbUrl = None,
    db_schema: DbSchema = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Print the series the node uses (shipped figures with its imports over them) as CSV."""
    with local_node(data_dir, node, db, db_schema) as local:
        typer.echo(to_csv(official_rows(local.engine)), nl=False)
