"""The trader's declaration form: one input per WCO Data Model path, so that each ``{path,
reason}`` error of the validation lands beside the input of that path. The form covers a
declaration of one goods item in one container; the fixed parts (function code, sequence
numbers) are set here."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

G = "Declaration.GoodsShipment."
C = G + "Consignment."
I = G + "GovernmentAgencyGoodsItem[0]."  # noqa: E741


@dataclass(frozen=True, slots=True)
class Field:
    index: int
    path: str
    label: str


@dataclass(frozen=True, slots=True)
class Group:
    title: str
    fields: tuple[Field, ...]


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
    ("Goods item", (
        (I + "Commodity.Description", "Description of the goods"),
        (I + "Commodity.Classification[0].ID", "Origin's national code (ITC-HS 8 / TN VED 10)"),
        (I + "Commodity.Classification[0].IdentificationTypeCode", "Its code list (ITC-HS or TNVED)"),
        (I + "Commodity.Classification[1].ID", "Destination's national code"),
        (I + "Commodity.Classification[1].IdentificationTypeCode", "Its code list"),
        (I + "Commodity.InvoiceLine.ItemChargeAmount.value", "Item value"),
        (I + "Commodity.InvoiceLine.ItemChargeAmount.currencyID", "Item value currency"),
        (I + "GoodsMeasure.GrossMassMeasure.value", "Gross mass (kg)"),
        (I + "GoodsMeasure.NetNetWeightMeasure.value", "Net mass (kg)"),
        (I + "GoodsMeasure.TariffQuantity.value", "Tariff quantity"),
        (I + "GoodsMeasure.TariffQuantity.unitCode", "Quantity unit (UN/ECE Rec 20)"),
        (I + "Origin.CountryCode", "Country of origin"),
        (I + "GovernmentProcedure[0].CurrentCode", "Procedure code"),
        (I + "GovernmentProcedure[0].PreviousCode", "Previous procedure code"),
    )),
)  # fmt: skip


def _numbered() -> tuple[Group, ...]:
    """The groups with each field numbered across the form (for its input's id)."""
    groups, index = [], 0
    for title, fields in _GROUPS:
        groups.append(
            Group(title, tuple(Field(index + n, path, label) for n, (path, label) in enumerate(fields)))
        )
        index += len(fields)
    return tuple(groups)


GROUPS = _numbered()
PATHS = tuple(f.path for g in GROUPS for f in g.fields)

FIXED: dict[str, Any] = {
    "Declaration.FunctionCode": "9",
    "Declaration.TypeCode": "EX",
    "Declaration.GoodsItemQuantity": 1,
    C + "TransportEquipment[0].SequenceNumeric": 1,
    C + "TransportEquipment[0].Seal[0].SequenceNumeric": 1,
    I + "SequenceNumeric": 1,
    I + "GoodsMeasure.GrossMassMeasure.unitCode": "KGM",
    I + "GoodsMeasure.NetNetWeightMeasure.unitCode": "KGM",
    I + "Origin.TypeCode": "1",
    I + "TransportEquipmentSequence[0]": 1,
}
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


def document_from(form: Mapping[str, str], now: datetime) -> dict[str, Any]:
    """The WCO declaration of the form's values (blank inputs left out, so they are reported
    missing by path); times typed without a zone are UTC."""
    document: dict[str, Any] = {}
    for path, value in FIXED.items():
        _set(document, path, value)
    _set(document, "Declaration.IssueDateTime", now.isoformat())
    for path in PATHS:
        value = (form.get(path) or "").strip()
        if not value:
            continue
        if path in TIME_FIELDS and _LOCAL_TIME.match(value):
            value += ":00Z"
        _set(document, path, value)
    return document


def values_of(document: Mapping[str, Any]) -> dict[str, str]:
    """The form's values for a declaration (to fill the form from an example)."""
    out = {}
    for path in PATHS:
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
