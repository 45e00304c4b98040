"""The official India–Russia trade series: rows of a CSV file, each citing its source.

A row is one value in USD million for one Indian fiscal year (April–March, ``2024-25``), one
direction (``IN->RU`` = India's exports to Russia, ``RU->IN`` = India's imports from Russia) and
either the whole trade (``TOTAL``) or one HS chapter (two digits). The package ships the figures
of the Ministry of Commerce (``data/official_trade.csv``): the yearly totals, and by chapter
where published (FY2024-25 and FY2025-26 from the Export Import Data Bank's country-wise report,
the chapters of at least USD 30 mn in either year); newer ones are imported with
``corridor stats import FILE``, validated row by row."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib.resources import files

from corridor.shared.errors import FieldError, InvalidInput

COLUMNS = ("fiscal_year", "direction", "hs_chapter", "value_usd_mn", "source")
DIRECTIONS = ("IN->RU", "RU->IN")
TOTAL = "TOTAL"
MAX_ROWS = 20_000
_FY = re.compile(r"^(\d{4})-(\d{2})$")
_CHAPTER = re.compile(r"^\d{2}$")


@dataclass(frozen=True, slots=True)
class OfficialRow:
    fiscal_year: str
    direction: str
    hs_chapter: str
    value_usd_mn: Decimal
    source: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.fiscal_year, self.direction, self.hs_chapter)

    @property
    def start_year(self) -> int:
        return int(self.fiscal_year[:4])

    def to_json(self) -> dict[str, str]:
        return {
            "fiscal_year": self.fiscal_year,
            "direction": self.direction,
            "hs_chapter": self.hs_chapter,
            "value_usd_mn": str(self.value_usd_mn),
            "source": self.source,
        }


def fiscal_year_problem(text: str) -> str | None:
    match = _FY.match(text)
    if not match:
        return "must be an Indian fiscal year like 2024-25"
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end:
        return f"the year after {start} ends in {(start + 1) % 100:02d}, not {end:02d}"
    if not 1950 <= start <= 2100:
        return "must be between 1950-51 and 2100-01"
    return None


def _field(row: dict[str, str], line: int, name: str, errors: list[FieldError]) -> str:
    value = (row.get(name) or "").strip()
    if not value:
        errors.append(FieldError(f"row {line}.{name}", "is required"))
    return value


def _row(raw: dict[str, str], line: int, errors: list[FieldError]) -> OfficialRow | None:
    before = len(errors)
    fy = _field(raw, line, "fiscal_year", errors)
    if fy and (problem := fiscal_year_problem(fy)):
        errors.append(FieldError(f"row {line}.fiscal_year", problem))
    direction = _field(raw, line, "direction", errors)
    if direction and direction not in DIRECTIONS:
        errors.append(FieldError(f"row {line}.direction", f"must be one of {', '.join(DIRECTIONS)}"))
    chapter = _field(raw, line, "hs_chapter", errors).upper()
    if chapter and chapter != TOTAL and not (_CHAPTER.match(chapter) and 1 <= int(chapter) <= 99):
        errors.append(FieldError(f"row {line}.hs_chapter", "must be TOTAL or an HS chapter 01 to 99"))
    text = _field(raw, line, "value_usd_mn", errors)
    value = Decimal(0)
    if text:
        try:
            value = Decimal(text)
        except InvalidOperation:
            errors.append(FieldError(f"row {line}.value_usd_mn", f"{text[:40]!r} is not a number"))
        else:
            if not value.is_finite() or value < 0 or value > Decimal("10000000"):
                errors.append(FieldError(f"row {line}.value_usd_mn", "must be between 0 and 10,000,000"))
    source = _field(raw, line, "source", errors)
    if source and len(source) < 10:
        errors.append(FieldError(f"row {line}.source", "must cite the publication (at least 10 characters)"))
    if len(errors) > before:
        return None
    return OfficialRow(fy, direction, chapter, value, source)


def parse_official(text: str) -> list[OfficialRow]:
    """The rows of an official-statistics CSV; InvalidInput names each bad row and field."""
    if "\x00" in text:
        raise InvalidInput([FieldError("file", "holds a NUL character: not a CSV text file")])
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise InvalidInput([FieldError("header", f"missing column {name}") for name in missing])
    errors: list[FieldError] = []
    rows: list[OfficialRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for index, raw in enumerate(reader):
        line = index + 2  # the header is line 1
        if index >= MAX_ROWS:
            raise InvalidInput([FieldError("file", f"more than {MAX_ROWS} rows")])
        if None in raw:
            errors.append(FieldError(f"row {line}", f"has more than {len(header)} fields"))
            continue
        row = _row({k.strip(): v for k, v in raw.items() if k is not None}, line, errors)
        if row is None:
            continue
        if row.key in seen:
            errors.append(FieldError(f"row {line}", f"repeats row {seen[row.key]} ({' '.join(row.key)})"))
            continue
        seen[row.key] = line
        rows.append(row)
    if errors:
        raise InvalidInput(errors)
    if not rows:
        raise InvalidInput([FieldError("file", "holds no rows")])
    return rows


def shipped_rows() -> list[OfficialRow]:
    """The figures shipped with the package."""
    text = files("corridor.analytics").joinpath("data/official_trade.csv").read_text("utf-8")
    return parse_official(text)


def merged(base: Iterable[OfficialRow], newer: Iterable[OfficialRow]) -> list[OfficialRow]:
    """``base`` with each row of ``newer`` replacing the one of the same year, direction and chapter."""
    rows = {row.key: row for row in base}
    rows.update({row.key: row for row in newer})
    return sorted(rows.values(), key=lambda r: r.key)


def to_csv(rows: Iterable[OfficialRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.fiscal_year, row.direction, row.hs_chapter, row.value_usd_mn, row.source])
    return out.getvalue()
