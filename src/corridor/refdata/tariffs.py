"""Load the tariff and exchange-rate data files into the pure domain objects.

The YAML files live in ``corridor/refdata/data``. Numbers are read as text and turned into
``Decimal`` (the YAML float resolver is switched off), every row is checked, and a bad file raises
:class:`RefDataError` naming the file, the row and the field. Each file is parsed once per process.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any, NoReturn

import yaml

from corridor.customs.domain.exchange import ExchangeRate, RateTable
from corridor.customs.domain.tariff import (
    NATIONAL_CURRENCY,
    RATE_KINDS,
    RateKind,
    SpecificRate,
    TariffBook,
    TariffRow,
    normalise_code,
)
from corridor.shared.money import Money

TARIFF_FILES: dict[str, str] = {"RU": "tariff_ru.yaml", "IN": "tariff_in.yaml"}
RATES_FILE = "exchange_rates.yaml"

_ROW_FIELDS = frozenset(
    {"code", "tax", "kind", "ad_valorem_percent", "specific", "description", "valid_from", "valid_to"}
    | {"source", "verified", "note"}
)
_SPECIFIC_FIELDS = frozenset({"amount", "currency", "per", "unit"})
_BLOCK_FIELDS = frozenset(
    {"publisher", "quote", "valid_from", "valid_to", "sample", "verified", "source", "note", "rates"}
)


class RefDataError(ValueError):
    """A reference data file is malformed; the message names the file, row and field."""


class _TextNumberLoader(yaml.SafeLoader):
    """SafeLoader that leaves floats as strings so they can become exact Decimals."""


_TextNumberLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:float"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def data_text(file_name: str) -> str:
    """The text of a shipped data file."""
    return (resources.files("corridor.refdata") / "data" / file_name).read_text(encoding="utf-8")


class _Row:
    """Field access for one mapping, with errors that say where."""

    def __init__(self, file_name: str, where: str, data: object, allowed: frozenset[str]) -> None:
        self.file_name = file_name
        self.where = where
        if not isinstance(data, Mapping):
            self.fail("", "must be a mapping")
        self.data: Mapping[str, Any] = data
        unknown = sorted(str(key) for key in data if key not in allowed)
        if unknown:
            self.fail(unknown[0], "is not a known field")

    def fail(self, field: str, reason: str) -> NoReturn:
        named = f" field '{field}'" if field else ""
        raise RefDataError(f"{self.file_name}: {self.where}{named}: {reason}")

    def text(self, field: str, required: bool = True) -> str:
        value = self.data.get(field)
        if value is None:
            return self.fail(field, "is required") if required else ""
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.fail(field, f"must be text, got {type(value).__name__}")
        out = str(value).strip()
        if required and not out:
            self.fail(field, "must not be empty")
        return out

    def decimal(self, field: str, value: object = None) -> Decimal:
        raw = self.data.get(field) if value is None else value
        if raw is None:
            return self.fail(field, "is required")
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            return self.fail(field, f"must be a number written as text, got {type(raw).__name__}")
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            return self.fail(field, f"{raw!r} is not a number")
        if not number.is_finite():
            self.fail(field, f"{raw!r} is not a finite number")
        return number

    def day(self, field: str, required: bool = True) -> date | None:
        value = self.data.get(field)
        if value is None:
            return self.fail(field, "is required") if required else None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        return self.fail(field, f"{value!r} is not an ISO date (YYYY-MM-DD)")

    def flag(self, field: str, default: bool) -> bool:
        value = self.data.get(field, default)
        if not isinstance(value, bool):
            self.fail(field, "must be true or false")
        return bool(value)

    def currency(self, field: str, value: object = None) -> str:
        raw = self.data.get(field) if value is None else value
        if not isinstance(raw, str) or len(raw) != 3 or not raw.isalpha() or not raw.isupper():
            return self.fail(field, f"{raw!r} is not an ISO 4217 alphabetic code")
        return raw


def _tariff_row(file_name: str, index: int, data: object, country: str) -> TariffRow:
    where = f"rows[{index}]"
    if isinstance(data, Mapping) and "code" in data:
        where += f" (code {data.get('code')}, {data.get('tax')})"
    row = _Row(file_name, where, data, _ROW_FIELDS)
    try:
        code = normalise_code(row.text("code"))
    except ValueError as exc:
        row.fail("code", str(exc))
    tax = row.text("tax")
    if not tax.startswith(f"{country}-"):
        row.fail("tax", f"{tax!r} must start with '{country}-'")
    kind_text = row.text("kind")
    if kind_text not in RATE_KINDS:
        row.fail("kind", f"{kind_text!r} is not one of {', '.join(RATE_KINDS)}")
    kind: RateKind = next(k for k in RATE_KINDS if k == kind_text)
    percent = row.decimal("ad_valorem_percent") if "ad_valorem_percent" in row.data else None
    specific = None
    if "specific" in row.data:
        spec = _Row(file_name, f"{where} field 'specific'", row.data["specific"], _SPECIFIC_FIELDS)
        specific = SpecificRate(
            amount=Money(spec.decimal("amount"), spec.currency("currency")),
            per=spec.decimal("per"),
            unit=spec.text("unit"),
        )
    valid_from = row.day("valid_from")
    assert valid_from is not None
    try:
        return TariffRow(
            code=code,
            tax=tax,
            kind=kind,
            valid_from=valid_from,
            valid_to=row.day("valid_to", required=False),
            source=row.text("source"),
            ad_valorem_percent=percent,
            specific=specific,
            description=row.text("description", required=False),
            verified=row.flag("verified", True),
            note=row.text("note", required=False),
        )
    except ValueError as exc:
        return row.fail("", str(exc))


def _periods_overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


def parse_tariff(text: str, file_name: str) -> TariffBook:
    """Parse the text of a tariff file into a TariffBook; raises RefDataError naming the problem."""
    try:
        data = yaml.load(text, Loader=_TextNumberLoader)
    except yaml.YAMLError as exc:
        raise RefDataError(f"{file_name}: not valid YAML: {exc}") from exc
    top = _Row(file_name, "top level", data, frozenset({"country", "currency", "rows"}))
    country = top.text("country")
    if country not in NATIONAL_CURRENCY:
        top.fail("country", f"{country!r} is not one of {', '.join(NATIONAL_CURRENCY)}")
    if top.currency("currency") != NATIONAL_CURRENCY[country]:
        top.fail("currency", f"must be {NATIONAL_CURRENCY[country]} for {country}")
    raw_rows = top.data.get("rows")
    if not isinstance(raw_rows, Sequence) or isinstance(raw_rows, str) or not raw_rows:
        top.fail("rows", "must be a non-empty list")
    rows = [_tariff_row(file_name, index, item, country) for index, item in enumerate(raw_rows)]
    for i, first in enumerate(rows):
        for j in range(i + 1, len(rows)):
            second = rows[j]
            if (first.code, first.tax) == (second.code, second.tax) and _periods_overlap(
                first.valid_from, first.valid_to, second.valid_from, second.valid_to
            ):
                raise RefDataError(
                    f"{file_name}: rows[{i}] and rows[{j}] ({first.code}, {first.tax}): "
                    f"field 'valid_from'/'valid_to': periods overlap"
                )
    return TariffBook.of(country, rows, file_name)


def parse_rates(text: str, file_name: str) -> RateTable:
    """Parse the text of an exchange-rate file into a RateTable; raises RefDataError."""
    try:
        data = yaml.load(text, Loader=_TextNumberLoader)
    except yaml.YAMLError as exc:
        raise RefDataError(f"{file_name}: not valid YAML: {exc}") from exc
    top = _Row(file_name, "top level", data, frozenset({"blocks"}))
    blocks = top.data.get("blocks")
    if not isinstance(blocks, Sequence) or isinstance(blocks, str) or not blocks:
        top.fail("blocks", "must be a non-empty list")
    rates: list[ExchangeRate] = []
    for index, item in enumerate(blocks):
        block = _Row(file_name, f"blocks[{index}]", item, _BLOCK_FIELDS)
        quote = block.currency("quote")
        valid_from = block.day("valid_from")
        assert valid_from is not None
        valid_to = block.day("valid_to", required=False)
        publisher = block.text("publisher")
        source = block.text("source")
        sample = block.flag("sample", False)
        verified = block.flag("verified", not sample)
        if sample and "sample rate" not in source:
            block.fail("source", "a sample block's source must say 'sample rate'")
        table = block.data.get("rates")
        if not isinstance(table, Mapping) or not table:
            block.fail("rates", "must be a non-empty mapping of currency to rate")
        for base, raw in table.items():
            field = f"rates.{base}"
            try:
                rates.append(
                    ExchangeRate(
                        base=block.currency(field, base),
                        quote=quote,
                        rate=block.decimal(field, raw),
                        valid_from=valid_from,
                        valid_to=valid_to,
                        source=source,
                        publisher=publisher,
                        sample=sample,
                        verified=verified,
                    )
                )
            except (TypeError, ValueError) as exc:
                if isinstance(exc, RefDataError):
                    raise
                block.fail(field, str(exc))
    for i, first in enumerate(rates):
        for second in rates[i + 1 :]:
            if (first.base, first.quote) == (second.base, second.quote) and _periods_overlap(
                first.valid_from, first.valid_to, second.valid_from, second.valid_to
            ):
                raise RefDataError(
                    f"{file_name}: {first.base}->{first.quote} from {first.valid_from} and from "
                    f"{second.valid_from}: field 'valid_from'/'valid_to': periods overlap"
                )
    return RateTable.of(rates)


@functools.cache
def tariff_book(country: str) -> TariffBook:
    """The shipped tariff of ``RU`` or ``IN``, parsed once."""
    if country not in TARIFF_FILES:
        raise ValueError(f"no tariff file for {country!r}; known: {', '.join(TARIFF_FILES)}")
    name = TARIFF_FILES[country]
    book = parse_tariff(data_text(name), name)
    if book.country != country:
        raise RefDataError(f"{name}: top level field 'country': is {book.country}, expected {country}")
    return book


@functools.cache
def exchange_rates() -> RateTable:
    """The shipped exchange-rate table (sample values), parsed once."""
    return parse_rates(data_text(RATES_FILE), RATES_FILE)
