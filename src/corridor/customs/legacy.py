"""Declarations and assessments written before the WCO DM 3.x alignment, rewritten to the new paths.

Pure and total: any JSON value goes in, a JSON value comes out; members that are not where the old
shape put them are left as they are, so the result of a hostile or already-upgraded document is
whatever the edge validation makes of it. Running it twice changes nothing the second time. Nothing
is dropped except ``Party.IdentificationTypeCode``, which the party's country decides (IEC in India,
INN in Russia; see ``docs/WCO-DATA-MODEL.md``).
"""

from __future__ import annotations

import copy
from typing import Any

from corridor.customs.domain.assessment import DUTY_REGIME_GENERAL

FUNCTION_ORIGINAL = "9"
"""UN/EDIFACT 1225 message function: 9 original."""
AEO_ROLES = {"Exporter": "EX", "Importer": "IM", "Declarant": "DT"}


def _move(source: dict[str, Any], old: str, target: dict[str, Any], new: str) -> None:
    if old in source and new not in target:
        target[new] = source.pop(old)


def _child(parent: dict[str, Any], name: str) -> dict[str, Any] | None:
    """``parent[name]``, created empty when absent; ``None`` when it holds something else."""
    value = parent.setdefault(name, {})
    return value if isinstance(value, dict) else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def is_legacy_declaration(document: Any) -> bool:
    """True when ``document`` carries a member that only the pre-WCO shape had."""
    d = document.get("Declaration") if isinstance(document, dict) else None
    if not isinstance(d, dict):
        return False
    shipment = d.get("GoodsShipment")
    return any(k in d for k in ("DeclarationOfficeID", "Importer", "TradeTerms", "Invoice")) or (
        isinstance(shipment, dict) and "DestinationCountry" in shipment
    )


def upgrade_declaration(document: Any) -> Any:
    """A copy of ``{"Declaration": ...}`` with every pre-WCO path moved to its WCO DM 3.x place."""
    out = copy.deepcopy(document)
    d = out.get("Declaration") if isinstance(out, dict) else None
    if not isinstance(d, dict):
        return out
    shipment = d.get("GoodsShipment")
    if not isinstance(shipment, dict):
        return out
    d.setdefault("FunctionCode", FUNCTION_ORIGINAL)
    if isinstance(d.get("DeclarationOfficeID"), str) and "DeclarationOffice" not in d:
        d["DeclarationOffice"] = {"ID": d.pop("DeclarationOfficeID")}
    invoice = d.get("Invoice")
    if isinstance(invoice, dict):
        _move(invoice, "TotalAmount", d, "InvoiceAmount")
    _move(d, "Invoice", shipment, "Invoice")
    _upgrade_parties(d, shipment)
    _move(d, "Importer", shipment, "Importer")
    _move(d, "TradeTerms", shipment, "TradeTerms")
    country = shipment.get("DestinationCountry")
    if isinstance(country, dict) and "Destination" not in shipment:
        shipment.pop("DestinationCountry")
        shipment["Destination"] = {"CountryCode": country["ID"]} if "ID" in country else {}
    consignment = shipment.get("Consignment")
    if isinstance(consignment, dict):
        if "FreightChargeAmount" in consignment or "InsuranceAmount" in consignment:
            valuation = _child(shipment, "CustomsValuation")
            if valuation is not None:
                _move(consignment, "FreightChargeAmount", valuation, "FreightChargeAmount")
                _move(consignment, "InsuranceAmount", valuation, "InsuranceAmount")
        for equipment in _dicts(consignment.get("TransportEquipment")):
            seals = equipment.get("SealID")
            if isinstance(seals, list) and "Seal" not in equipment:
                equipment.pop("SealID")
                equipment["Seal"] = [{"SequenceNumeric": i, "ID": s} for i, s in enumerate(seals, start=1)]
    items = shipment.get("GovernmentAgencyGoodsItem")
    for item in _dicts(items):
        commodity = item.get("Commodity")
        if "ItemChargeAmount" in item and isinstance(commodity, dict) and "InvoiceLine" not in commodity:
            commodity["InvoiceLine"] = {"ItemChargeAmount": item.pop("ItemChargeAmount")}
    if isinstance(items, list):
        d.setdefault("GoodsItemQuantity", len(items))
    return out


def _upgrade_parties(d: dict[str, Any], shipment: dict[str, Any]) -> None:
    aeo = []
    for role, code in AEO_ROLES.items():
        party = d.get(role)
        if not isinstance(party, dict):
            continue
        party.pop("IdentificationTypeCode", None)
        certificate = party.pop("AEOCertificateID", None)
        if certificate is not None:
            aeo.append({"ID": certificate, "RoleCode": code})
    if aeo and "AEOMutualRecognitionParty" not in shipment:
        shipment["AEOMutualRecognitionParty"] = aeo


def upgrade_assessment(assessment: Any) -> Any:
    """A copy of a stored duty assessment with ``TaxAssessedAmount`` under ``DutyTaxFee.Payment``."""
    out = copy.deepcopy(assessment)
    lines = out.get("lines") if isinstance(out, dict) else None
    for line in _dicts(lines):
        for fee in _dicts(line.get("DutyTaxFee")):
            if "TaxAssessedAmount" in fee and "Payment" not in fee:
                fee["Payment"] = {"TaxAssessedAmount": fee.pop("TaxAssessedAmount")}
            fee.setdefault("DutyRegimeCode", DUTY_REGIME_GENERAL)
    return out
