"""The trader's declaration form: one input per WCO Data Model path, so that each ``{path,
reason}`` error of the validation lands beside the input of that path. The form covers a
declaration of 1 to ``MAX_ITEMS`` goods items in one container (the form says how many in its
``items`` field; an "add an item" button posts the form back with one more); the fixed parts
(function code, sequence numbers) are set here."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

G = "Declaration.GoodsShipment."
C = G + "Consignment."
ITEMS = G + "GovernmentAgencyGoodsItem"
MAX_ITEMS = 20


@dataclass(frozen=True, slots=True)
class Field:
    index: int
    path: str
    label: str


@dataclass(frozen=True, slots=True)
class Group:
    title: str
    fields: tuple[Field, ...]
    item: int | None = None  # the goods item's number (1, 2, ...), for an item's group


_GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Declaration", (
        ("Declaration.FunctionalReferenceID", "Local reference number (LRN)"),
        ("Declaration.DeclarationOffice.ID", "Customs office (UN/LOCODE)"),
        ("Declaration.InvoiceAmount.value", "Invoice amount"),
        ("Declaration.InvoiceAmount.currencyID", "Invoice currency (ISO 4217)"),
    )),
    ("Exporter", (
        ("Declaration.Exporter.ID", "Exporter ID (IEC / INN)"),
        ("Declaration.Exporter.Name", "Exporter name"),
        ("Declaration.Exporter.Address.CountryCode", "Exporter country (ISO 3166)"),
        ("Declaration.Exporter.Address.CityName", "Exporter city"),
        ("Declaration.Exporter.Address.PostcodeID", "Exporter postcode"),
    )),
    ("Importer and terms", (
        (G + "Importer.ID", "Importer ID (IEC / INN)"),
        (G + "Importer.Name", "Importer name"),
        (G + "Importer.Address.CountryCode", "Importer country"),
        (G + "Importer.Address.CityName", "Importer city"),
        (G + "Importer.Address.PostcodeID", "Importer postcode"),
        (G + "TradeTerms.ConditionCode", "Incoterm 2020"),
        (G + "TradeTerms.LocationID", "Incoterm place (UN/LOCODE)"),
        (G + "Invoice.ID", "Invoice number"),
        (G + "Invoice.IssueDateTime", "Invoice date (YYYY-MM-DDTHH:MM)"),
        (G + "CustomsValuation.MethodCode", "Valuation method"),
        (G + "CustomsValuation.InsuranceAmount.value", "Insurance amount"),
        (G + "CustomsValuation.InsuranceAmount.currencyID", "Insurance currency"),
        (G + "ExportCountry.ID", "Export country"),
        (G + "Destination.CountryCode", "Destination country"),
    )),
    ("Transport", (
        (C + "LoadingLocation.ID", "Port of loading (UN/LOCODE)"),
        (C + "UnloadingLocation.ID", "Port of unloading (UN/LOCODE)"),
        (C + "DepartureDateTime", "Departure (YYYY-MM-DDTHH:MM, UTC)"),
        (C + "ArrivalDateTime", "Arrival (YYYY-MM-DDTHH:MM, UTC)"),
        (C + "DepartureTransportMeans.ModeCode", "Transport mode (1 = sea)"),
        (C + "DepartureTransportMeans.Name", "Vessel name"),
        (C + "DepartureTransportMeans.ID", "Vessel ID (IMO number)"),
        (C + "TransportContractDocument.ID", "Bill of lading number"),
        (C + "TransportContractDocument.TypeCode", "Transport document type"),
        (C + "Carrier.ID", "Carrier ID"),
        (C + "Carrier.Name", "Carrier name"),
        (C + "Carrier.Address.CountryCode", "Carrier country"),
        (C + "Carrier.Address.CityName", "Carrier city"),
        (C + "TransportEquipment[0].ID", "Container number (ISO 6346)"),
        (C + "TransportEquipment[0].Seal[0].ID", "Seal number"),
    )),
)  # fmt: skip
_ITEM_FIELDS = (
    ("Commodity.Description", "Description of the goods"),
    ("Commodity.Classification[0].ID", "Origin's national code (ITC-HS 8 / TN VED 10)"),
    ("Commodity.Classification[0].IdentificationTypeCode", "Its code list (ITC-HS or TNVED)"),
    ("Commodity.Classification[1].ID", "Destination's national code"),
    ("Commodity.Classification[1].IdentificationTypeCode", "Its code list"),
    ("Commodity.InvoiceLine.ItemChargeAmount.value", "Item value"),
    ("Commodity.InvoiceLine.ItemChargeAmount.currencyID", "Item value currency"),
    ("GoodsMeasure.GrossMassMeasure.value", "Gross mass (kg)"),
    ("GoodsMeasure.NetNetWeightMeasure.value", "Net mass (kg)"),
    ("GoodsMeasure.TariffQuantity.value", "Tariff quantity"),
    ("GoodsMeasure.TariffQuantity.unitCode", "Quantity unit (UN/ECE Rec 20)"),
    ("Origin.CountryCode", "Country of origin"),
    ("GovernmentProcedure[0].CurrentCode", "Procedure code"),
    ("GovernmentProcedure[0].PreviousCode", "Previous procedure code"),
)
_ITEM_FIXED: dict[str, Any] = {
    "GoodsMeasure.GrossMassMeasure.unitCode": "KGM",
    "GoodsMeasure.NetNetWeightMeasure.unitCode": "KGM",
    "Origin.TypeCode": "1",
    "TransportEquipmentSequence[0]": 1,  # every item in the one container
}


def item_path(index: int, field: str) -> str:
    """The path of ``field`` in the goods item at ``index`` (0 for the first)."""
    return f"{ITEMS}[{index}].{field}"


def groups(items: int = 1, item_title: str = "Goods item {n}") -> tuple[Group, ...]:
    """The form's groups for ``items`` goods items, each field numbered across the form (for its
    input's id)."""
    titled: list[tuple[str, tuple[tuple[str, str], ...], int | None]] = [(t, f, None) for t, f in _GROUPS]
    titled += [
        (item_title.format(n=i + 1), tuple((item_path(i, f), label) for f, label in _ITEM_FIELDS), i + 1)
        for i in range(items)
    ]
    out, index = [], 0
    for title, fields, item in titled:
        out.append(
            Group(title, tuple(Field(index + n, path, label) for n, (path, label) in enumerate(fields)), item)
        )
        index += len(fields)
    return tuple(out)


def paths(items: int = 1) -> tuple[str, ...]:
    return tuple(f.path for g in groups(items) for f in g.fields)


GROUPS = groups(1)
PATHS = paths(1)

FIXED: dict[str, Any] = {
    "Declaration.FunctionCode": "9",
    "Declaration.TypeCode": "EX",
    C + "TransportEquipment[0].SequenceNumeric": 1,
    C + "TransportEquipment[0].Seal[0].SequenceNumeric": 1,
}


def items_of(form: Mapping[str, str]) -> int | None:
    """How many goods items the posted form has (its ``items`` field; 1 when absent), or None when
    that is not a whole number from 1 to ``MAX_ITEMS``."""
    raw = (form.get("items") or "1").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
        return None
    return int(raw) if 1 <= int(raw) <= MAX_ITEMS else None


def place(path: str, shown: tuple[str, ...]) -> str | None:
    """The input an error about ``path`` is shown beside: that path's, else the first input
    within it (an error about a whole item or list), else none (shown above the form)."""
    if path in shown:
        return path
    return next((p for p in shown if p.startswith((path + ".", path + "["))), None)


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
TIME_FIELDS = {G + "Invoice.IssueDateTime", C + "DepartureDateTime", C + "ArrivalDateTime"}


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    keys: list[str | int] = [name if name else int(index) for name, index in _TOKEN.findall(path)]
    here: Any = document
    for key, following in itertools.pairwise(keys):
        fresh: Any = [] if isinstance(following, int) else {}
        if isinstance(key, int):
            while len(here) <= key:
                here.append(None)
            if here[key] is None:
                here[key] = fresh
            here = here[key]
        else:
            here = here.setdefault(key, fresh)
    last = keys[-1]
    if isinstance(last, int):
        while len(here) <= last:
            here.append(None)
    here[last] = value


def document_from(form: Mapping[str, str], now: datetime, items: int = 1) -> dict[str, Any]:
    """The WCO declaration of the form's values for ``items`` goods items (blank inputs left out,
    so they are reported missing by path); times typed without a zone are UTC."""
    document: dict[str, Any] = {}
    for path, value in FIXED.items():
        _set(document, path, value)
    _set(document, "Declaration.GoodsItemQuantity", items)
    for i in range(items):
        _set(document, item_path(i, "SequenceNumeric"), i + 1)
        for field, value in _ITEM_FIXED.items():
            _set(document, item_path(i, field), value)
    _set(document, "Declaration.IssueDateTime", now.isoformat())
    for path in paths(items):
        value = (form.get(path) or "").strip()
        if not value:
            continue
        if path in TIME_FIELDS and _LOCAL_TIME.match(value):
            value += ":00Z"
        _set(document, path, value)
    return document


def item_count(document: Mapping[str, Any]) -> int:
    """The number of goods items of a declaration (0 when it has no list of them)."""
    found = document.get("Declaration", {}).get("GoodsShipment", {}).get("GovernmentAgencyGoodsItem")
    return len(found) if isinstance(found, list) else 0


def values_of(document: Mapping[str, Any]) -> dict[str, str]:
    """The form's values for a declaration (to fill the form from an example)."""
    out = {}
    for path in paths(max(1, item_count(document))):
        here: Any = document
        for name, index in _TOKEN.findall(path):
            try:
                here = here[name] if name else here[int(index)]
            except (KeyError, IndexError, TypeError):
                here = None
                break
        if here is not None:
            out[path] = str(here)
    return out
