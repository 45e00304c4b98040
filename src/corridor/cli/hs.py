"""hs suggest: HS 2022 subheadings for a goods description (the ``[hs]`` extra's classifier)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from corridor.classification.adapters.loader import hs_service
from corridor.classification.domain import MAX_DESCRIPTION_CHARS, HsUnavailable, Suggestion
from corridor.classification.service import HsService
from corridor.cli.common import DEFAULT_DATA_DIR, EXIT_UNREADABLE, DataDir, Json, fail, one_line
from corridor.shared.errors import InvalidInput

app = typer.Typer(help="HS classification: suggest HS 2022 subheadings for a goods description.")
MAX_FILE_BYTES = 10 * 1024 * 1024


@app.command("suggest")
def suggest(
    description: Annotated[str | None, typer.Argument(help="The goods description")] = None,
    top: Annotated[int, typer.Option(help="How many subheadings to show (1-20)")] = 5,
    file: Annotated[
        Path | None, typer.Option("--file", help="One description per line; prints one JSON object per line")
    ] = None,
    json_out: Json = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Ranked HS 2022 subheadings with their official texts, a score and why (the matched terms
    and the semantic similarity). The first run builds the index in DATA_DIR/hs-index."""
    if (description is None) == (file is None):
        raise fail("give either a DESCRIPTION or --file FILE", EXIT_UNREADABLE)
    service = hs_service(data_dir)
    try:
        if file is not None:
            _suggest_file(service, file, top)
            return
        result = service.suggest(description, top)
    except HsUnavailable as exc:
        raise fail(str(exc)) from None
    except InvalidInput as exc:
        raise fail(one_line(exc)) from None
    if json_out:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(_table(result))


def _suggest_file(service: HsService, file: Path, top: int) -> None:
    """JSON lines, one per non-empty input line; a bad line answers with its error, not a crash."""
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise fail(f"--file: {file} is larger than {MAX_FILE_BYTES} bytes", EXIT_UNREADABLE)
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"--file: cannot read {file} ({type(exc).__name__})", EXIT_UNREADABLE) from None
    service.classifier()  # load once, before the first line, so a missing extra stops here
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = service.suggest(line, top).to_json()
        except InvalidInput as exc:
            shown = line if len(line) <= 80 else line[:80] + "…"
            record = {"line": number, "description": shown, "errors": [e.to_json() for e in exc.errors]}
        typer.echo(json.dumps(record, ensure_ascii=False))


def _table(result: Suggestion) -> str:
    rows = [f"{result.description[:MAX_DESCRIPTION_CHARS]}", f"confidence: {result.confidence}"]
    rows += [f"note: {note}" for note in result.notes]
    for rank, c in enumerate(result.candidates, start=1):
        code = f"{c.hs6[:4]}.{c.hs6[4:]}"
        why = ", ".join(c.matched_terms) or "-"
        rows.append(
            f"{rank}. {code}  score {c.score:.3f}  heading {c.heading_confidence:.0%}  {c.description}"
        )
        near = f', trade name "{c.trade_name[0]}" {c.trade_name[1]:.2f}' if c.trade_name else ""
        rows.append(
            f"   why: terms [{why}], similarity {c.semantic_similarity:.2f}, "
            f"classifier {c.probability:.0%}{near}"
        )
    return "\n".join(rows)
