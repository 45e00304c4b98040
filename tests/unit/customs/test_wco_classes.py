"""The WCO DM 3.x classes of the declaration: required ones are refused when missing, optional ones
are validated when present, and the names before the alignment are refused with the member named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from corridor.customs.validation import validate_declaration
from corridor.refdata.codelists import code_lists
from tests.unit.customs.test_declaration_rules import BASE, ITEM, Doc, d, errors, item, reason_at, shipment

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "declarations"


@pytest.fixture
def india() -> Doc:
    return copy.deepcopy(BASE["IN"])


def accepted(doc: Doc) -> None:
    validate_declaration(doc, code_lists())


def test_every_example_declaration_is_valid() -> None:
    for path in sorted(EXAMPLES.glob("*.json")):
        accepted(json.loads(path.read_text(encoding="utf-8")))


def test_the_shrimp_example_shows_the_optional_classes() -> None:
    doc = json.loads((EXAMPLES / "in-ru-shrimp.json").read_text(encoding="utf-8"))
    s = doc["Declaration"]["GoodsShipment"]
    assert {"Seller", "Buyer", "UCR", "CustomsValuation"} <= set(s)
    assert {"BorderTransportMeans", "TotalPackageQuantity", "AdditionalInformation"} <= set(
        doc["Declaration"]
    )
    assert s["GovernmentAgencyGoodsItem"][0]["Packaging"][0]["TypeCode"] == "CT"


@pytest.mark.parametrize(
    ("old", "value"),
    [
        ("DeclarationOfficeID", "INNSA"),
        ("Importer", {}),
        ("TradeTerms", {}),
        ("Invoice", {}),
    ],
)
def test_a_member_of_the_shape_before_wco_is_named_and_refused(india: Doc, old: str, value: Any) -> None:
    d(india)[old] = value
    assert reason_at(india, f"Declaration.{old}") == "unexpected member (not in the schema)"


@pytest.mark.parametrize(
    "member", ["FunctionCode", "GoodsItemQuantity", "InvoiceAmount", "DeclarationOffice"]
)
def test_required_declaration_members(india: Doc, member: str) -> None:
    d(india).pop(member)
    assert reason_at(india, f"Declaration.{member}") == "Field required"


@pytest.mark.parametrize("member", ["Importer", "TradeTerms", "Invoice", "Destination"])
def test_required_shipment_members(india: Doc, member: str) -> None:
    shipment(india).pop(member)
    assert reason_at(india, f"Declaration.GoodsShipment.{member}") == "Field required"


def test_only_original_declarations(india: Doc) -> None:
    d(india)["FunctionCode"] = "1"
    assert "Input should be '9'" in reason_at(india, "Declaration.FunctionCode")


def test_goods_item_quantity_counts_the_items(india: Doc) -> None:
    d(india)["GoodsItemQuantity"] = 2
    assert "the declaration has 1 items" in reason_at(india, "Declaration.GoodsItemQuantity")


# ---------------------------------------------------------------- parties and identifiers


def test_an_indian_party_may_be_identified_by_gstin(india: Doc) -> None:
    d(india)["Exporter"]["ID"] = "27AAPFU0939F1ZV"
    accepted(india)


def test_a_gstin_with_a_wrong_check_character_is_named(india: Doc) -> None:
    d(india)["Exporter"]["ID"] = "27AAPFU0939F1ZW"
    assert reason_at(india, "Declaration.Exporter.ID") == "GSTIN: check character is W, expected V"


def test_an_iec_needs_a_pan_holder_type(india: Doc) -> None:
    d(india)["Exporter"]["ID"] = "AAAXR5055K"
    assert "4th letter 'X' is not a PAN holder type" in reason_at(india, "Declaration.Exporter.ID")


def test_consignee_in_a_corridor_country_is_checked_by_its_scheme(india: Doc) -> None:
    shipment(india)["Consignee"] = {
        "Name": "Sample Consignee LLC",
        "ID": "1234",
        "Address": {"CountryCode": "RU"},
    }
    assert reason_at(india, "Declaration.GoodsShipment.Consignee.ID").startswith("INN:")


def test_a_buyer_abroad_keeps_its_own_scheme(india: Doc) -> None:
    shipment(india)["Buyer"] = {
        "Name": "Sample Buyer GmbH",
        "ID": "DE123456789",
        "Address": {"CountryCode": "DE"},
    }
    accepted(india)


def test_aeo_roles_are_unique_and_name_a_party_of_the_declaration(india: Doc) -> None:
    shipment(india)["AEOMutualRecognitionParty"] = [
        {"ID": "INAEO1", "RoleCode": "EX"},
        {"ID": "INAEO2", "RoleCode": "EX"},
        {"ID": "INAEO3", "RoleCode": "DT"},
    ]
    found = {(e.path, e.reason) for e in errors(india)}
    where = "Declaration.GoodsShipment.AEOMutualRecognitionParty"
    assert (f"{where}[1].RoleCode", "EX is listed twice") in found
    assert (f"{where}[2].RoleCode", "DT (declarant) but the declaration names no Declarant") in found


def test_an_unknown_aeo_role_is_refused(india: Doc) -> None:
    shipment(india)["AEOMutualRecognitionParty"] = [{"ID": "INAEO1", "RoleCode": "CS"}]
    assert "Input should be" in reason_at(
        india, "Declaration.GoodsShipment.AEOMutualRecognitionParty[0].RoleCode"
    )


# ---------------------------------------------------------------- procedures, packaging, origin


@pytest.mark.parametrize(
    ("current", "previous", "path", "reason"),
    [
        ("40", "00", "CurrentCode", "40 is not a procedure of an export declaration"),
        ("100", "00", "CurrentCode", "'100' must be a 2-digit procedure code"),
        ("10", "0", "PreviousCode", "'0' must be a 2-digit procedure code"),
        ("1O", "00", "CurrentCode", "'1O' must be a 2-digit procedure code"),
    ],
)
def test_procedure_codes(india: Doc, current: str, previous: str, path: str, reason: str) -> None:
    item(india)["GovernmentProcedure"] = [{"CurrentCode": current, "PreviousCode": previous}]
    assert reason in reason_at(india, f"{ITEM}.GovernmentProcedure[0].{path}")


@pytest.mark.parametrize("current", ["10", "21", "31"])
def test_export_procedures_are_accepted(india: Doc, current: str) -> None:
    item(india)["GovernmentProcedure"] = [{"CurrentCode": current, "PreviousCode": "00"}]
    accepted(india)


def packaged(doc: Doc, *quantities: int, code: str = "CT") -> None:
    item(doc)["Packaging"] = [
        {"SequenceNumeric": n, "TypeCode": code, "QuantityQuantity": q}
        for n, q in enumerate(quantities, start=1)
    ]


def test_packaging_and_total_package_quantity_agree(india: Doc) -> None:
    packaged(india, 10, 5)
    d(india)["TotalPackageQuantity"] = 15
    accepted(india)
    d(india)["TotalPackageQuantity"] = 16
    assert "add up to 15" in reason_at(india, "Declaration.TotalPackageQuantity")


@pytest.mark.parametrize("code", ["carton", "C", "ct", "C-"])
def test_package_type_is_a_rec_21_code(india: Doc, code: str) -> None:
    packaged(india, 1, code=code)
    assert "UN/ECE Rec 21" in reason_at(india, f"{ITEM}.Packaging[0].TypeCode")


def test_package_quantity_is_a_positive_count(india: Doc) -> None:
    packaged(india, 0)
    assert reason_at(india, f"{ITEM}.Packaging[0].QuantityQuantity")


def test_origin_type_is_preferential_or_not(india: Doc) -> None:
    item(india)["Origin"]["TypeCode"] = "2"
    accepted(india)
    item(india)["Origin"]["TypeCode"] = "3"
    assert "Input should be '1' or '2'" in reason_at(india, f"{ITEM}.Origin.TypeCode")


# ---------------------------------------------------------------- valuation, transport, references


def test_valuation_method_is_one_to_six(india: Doc) -> None:
    shipment(india)["CustomsValuation"]["MethodCode"] = "7"
    assert "WTO valuation method" in reason_at(india, "Declaration.GoodsShipment.CustomsValuation.MethodCode")


def test_freight_is_checked_on_its_new_path(india: Doc) -> None:
    shipment(india)["CustomsValuation"]["FreightChargeAmount"] = {"value": "-1", "currencyID": "USD"}
    path = "Declaration.GoodsShipment.CustomsValuation.FreightChargeAmount.value"
    assert reason_at(india, path) == "must be greater than zero"


def test_currency_exchange(india: Doc) -> None:
    d(india)["CurrencyExchange"] = [{"CurrencyTypeCode": "USD", "RateNumeric": "88.5"}]
    accepted(india)
    d(india)["CurrencyExchange"] = [{"CurrencyTypeCode": "XYZ", "RateNumeric": "0"}]
    found = {e.path for e in errors(india)}
    assert {
        "Declaration.CurrencyExchange[0].CurrencyTypeCode",
        "Declaration.CurrencyExchange[0].RateNumeric",
    } <= found


def test_border_transport_means_nationality(india: Doc) -> None:
    d(india)["BorderTransportMeans"] = {"ModeCode": "1", "RegistrationNationalityCode": "XX"}
    assert "ISO 3166-1" in reason_at(india, "Declaration.BorderTransportMeans.RegistrationNationalityCode")


def test_goods_location_is_at_the_declaring_office_country(india: Doc) -> None:
    shipment(india)["Consignment"]["GoodsLocation"] = {"ID": "RUNVS"}
    path = "Declaration.GoodsShipment.Consignment.GoodsLocation.ID"
    assert "expected a location in IN" in reason_at(india, path)


def test_seals_are_numbered_and_not_repeated(india: Doc) -> None:
    equipment = shipment(india)["Consignment"]["TransportEquipment"][0]
    equipment["Seal"] = [{"SequenceNumeric": 1, "ID": "S1"}, {"SequenceNumeric": 2, "ID": "S1"}]
    path = "Declaration.GoodsShipment.Consignment.TransportEquipment[0].Seal[1].ID"
    assert reason_at(india, path) == "seal S1 is listed twice"


def test_ucr_previous_document_and_additional_information(india: Doc) -> None:
    shipment(india)["UCR"] = {"ID": "6IN-SAMPLE-000009"}
    shipment(india)["PreviousDocument"] = [{"ID": "BL-2025-1", "TypeCode": "705", "LineNumeric": 1}]
    item(india)["AdditionalInformation"] = [{"StatementCode": "00500", "StatementDescription": "SAMPLE"}]
    accepted(india)
    shipment(india)["UCR"]["ID"] = "x" * 36
    assert reason_at(india, "Declaration.GoodsShipment.UCR.ID")


def test_a_file_in_the_shape_before_wco_is_told_where_the_new_paths_are(india: Doc) -> None:
    d(india)["DeclarationOfficeID"] = d(india).pop("DeclarationOffice")["ID"]
    first = errors(india)[0]
    assert first.path == "Declaration"
    assert "before the WCO DM 3.x alignment" in first.reason and "docs/WCO-DATA-MODEL.md" in first.reason
