"""The trader's declaration form: one input per WCO Data Model path, so that each ``{path,
reason}`` error of the validation lands beside the input of that path. The form covers a
declaration of 1 to ``MAX_ITEMS`` goods items in one container (the form says how many in its
``items`` field; an "add an item" button posts the form back with one more); the fixed parts
(function code, sequence numbers) are set here."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
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


# each group: its title's text key and its inputs' paths; the labels are the texts "field.<path>"
# ("field.item.<path in the item>" for a goods item's) in the pages' text module
_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("form.group.declaration", (
        "Declaration.FunctionalReferenceID",
        "Declaration.DeclarationOffice.ID",
        "Declaration.InvoiceAmount.value",
        "Declaration.InvoiceAmount.currencyID",
    )),
    ("form.group.exporter", (
        "Declaration.Exporter.ID",
        "Declaration.Exporter.Name",
        "Declaration.Exporter.Address.CountryCode",
        "Declaration.Exporter.Address.CityName",
        "Declaration.Exporter.Address.PostcodeID",
    )),
    ("form.group.importer", (
        G + "Importer.ID",
        G + "Importer.Name",
        G + "Importer.Address.CountryCode",
        G + "Importer.Address.CityName",
        G + "Importer.Address.PostcodeID",
        G + "TradeTerms.ConditionCode",
        G + "TradeTerms.LocationID",
        G + "Invoice.ID",
        G + "Invoice.IssueDateTime",
        G + "CustomsValuation.MethodCode",
        G + "CustomsValuation.InsuranceAmount.value",
        G + "CustomsValuation.InsuranceAmount.currencyID",
        G + "ExportCountry.ID",
        G + "Destination.CountryCode",
    )),
    ("form.group.transport", (
        C + "LoadingLocation.ID",
        C + "UnloadingLocation.ID",
        C + "DepartureDateTime",
        C + "ArrivalDateTime",
        C + "DepartureTransportMeans.ModeCode",
        C + "DepartureTransportMeans.Name",
        C + "DepartureTransportMeans.ID",
        C + "TransportContractDocument.ID",
        C + "TransportContractDocument.TypeCode",
        C + "Carrier.ID",
        C + "Carrier.Name",
        C + "Carrier.Address.CountryCode",
        C + "Carrier.Address.CityName",
        C + "TransportEquipment[0].ID",
        C + "TransportEquipment[0].Seal[0].ID",
    )),
)  # fmt: skip
_ITEM_FIELDS = (
    "Commodity.Description",
    "Commodity.Classification[0].ID",
    "Commodity.Classification[0].IdentificationTypeCode",
    "Commodity.Classification[1].ID",
    "Commodity.Classification[1].IdentificationTypeCode",
    "Commodity.InvoiceLine.ItemChargeAmount.value",
    "Commodity.InvoiceLine.ItemChargeAmount.currencyID",
    "GoodsMeasure.GrossMassMeasure.value",
    "GoodsMeasure.NetNetWeightMeasure.value",
    "GoodsMeasure.TariffQuantity.value",
    "GoodsMeasure.TariffQuantity.unitCode",
    "Origin.CountryCode",
    "GovernmentProcedure[0].CurrentCode",
    "GovernmentProcedure[0].PreviousCode",
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


def groups(items: int = 1, say: Callable[[str], str] = str) -> tuple[Group, ...]:
    """The form's groups for ``items`` goods items, each field numbered across the form (for its
    input's id); ``say`` gives the text of a key (titles ``form.group.*`` and ``declare.item``,
    labels ``field.*``)."""
    titled: list[tuple[str, tuple[tuple[str, str], ...], int | None]] = [
        (say(t), tuple((f, say(f"field.{f}")) for f in fields), None) for t, fields in _GROUPS
    ]
    titled += [
        (
            say("declare.item").format(n=i + 1),
            tuple((item_path(i, f), say(f"field.item.{f}")) for f in _ITEM_FIELDS),
            i + 1,
        )
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
