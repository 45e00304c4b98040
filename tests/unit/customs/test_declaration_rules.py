"""Declaration rules through ``validate_declaration``: one mutated field, one named error.

The valid base documents come from the seeded sample generator (``SampleCorridor``); every test
starts from a fresh copy and changes one thing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from corridor.customs.validation import validate_declaration
from corridor.demo.samples import SampleCorridor
from corridor.refdata.codelists import code_lists
from corridor.shared.errors import FieldError, InvalidInput

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
ITEM = "Declaration.GoodsShipment.GovernmentAgencyGoodsItem[0]"
CLASSIFICATION = f"{ITEM}.Commodity.Classification"
CONSIGNMENT = "Declaration.GoodsShipment.Consignment"

_SAMPLES = SampleCorridor(7)
BASE = {"IN": _SAMPLES.next("IN", NOW), "RU": _SAMPLES.next("RU", NOW)}

Doc = dict[str, Any]


@pytest.fixture
def india() -> Doc:
    """IN->RU: one item (ITC-HS 84137010 / TN VED 8413708100), one container, CFR."""
    return copy.deepcopy(BASE["IN"])


@pytest.fixture
def russia() -> Doc:
    return copy.deepcopy(BASE["RU"])


def d(doc: Doc) -> Doc:
    value: Doc = doc["Declaration"]
    return value


def item(doc: Doc) -> Doc:
    value: Doc = d(doc)["GoodsShipment"]["GovernmentAgencyGoodsItem"][0]
    return value


def shipment(doc: Doc) -> Doc:
    value: Doc = d(doc)["GoodsShipment"]
    return value


def consignment(doc: Doc) -> Doc:
    value: Doc = d(doc)["GoodsShipment"]["Consignment"]
    return value


def errors(doc: Doc) -> list[FieldError]:
    with pytest.raises(InvalidInput) as raised:
        validate_declaration(doc, code_lists())
    assert raised.value.errors, "InvalidInput must list at least one error"
    return raised.value.errors


def reason_at(doc: Doc, path: str) -> str:
    found = [e.reason for e in errors(doc) if e.path == path]
    assert found, f"no error at {path}; got {[(e.path, e.reason) for e in errors(doc)]}"
    return " | ".join(found)


def test_the_sample_declarations_are_valid(india: Doc, russia: Doc) -> None:
    for doc in (india, russia):
        document = validate_declaration(doc, code_lists())
        assert document.Declaration.TypeCode == "EX"
    assert d(india)["GoodsShipment"]["ExportCountry"]["ID"] == "IN"
    assert d(russia)["GoodsShipment"]["ExportCountry"]["ID"] == "RU"
    # the base document has what the tests below mutate
    assert len(d(india)["GoodsShipment"]["GovernmentAgencyGoodsItem"]) == 1
    assert consignment(india)["TransportEquipment"][0]["ID"]
    assert [c["IdentificationTypeCode"] for c in item(india)["Commodity"]["Classification"]] == [
        "ITC-HS",
        "TNVED",
    ]


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("origin", ["IN", "RU"])
def test_sample_declarations_validate_for_many_seeds(seed: int, origin: str) -> None:
    validate_declaration(SampleCorridor(seed).next(origin, NOW), code_lists())


# ---------------------------------------------------------------- classification


def test_itc_hs_code_of_seven_digits(india: Doc) -> None:
    item(india)["Commodity"]["Classification"][0]["ID"] = "8413701"
    assert "ITC-HS code must be 8 digits, got 7" in reason_at(india, f"{CLASSIFICATION}[0].ID")


def test_tnved_code_of_nine_digits(india: Doc) -> None:
    item(india)["Commodity"]["Classification"][1]["ID"] = "841370810"
    assert "TNVED code must be 10 digits, got 9" in reason_at(india, f"{CLASSIFICATION}[1].ID")


def test_classification_with_a_letter(india: Doc) -> None:
    item(india)["Commodity"]["Classification"][0]["ID"] = "8413701O"
    assert "digits only" in reason_at(india, f"{CLASSIFICATION}[0].ID")


def test_hs_prefix_not_in_hs_2022(india: Doc) -> None:
    item(india)["Commodity"]["Classification"][0]["ID"] = "99999910"
    item(india)["Commodity"]["Classification"][1]["ID"] = "9999991000"
    reason = reason_at(india, f"{CLASSIFICATION}[0].ID")
    assert "999999 is not an HS 2022 subheading" in reason
    assert "999999" in reason_at(india, f"{CLASSIFICATION}[1].ID")


def test_national_codes_with_different_hs_subheadings(india: Doc) -> None:
    item(india)["Commodity"]["Classification"][1]["ID"] = "8414100000"  # 8414.10 vacuum pumps
    reason = reason_at(india, CLASSIFICATION)
    assert "do not share one HS 6-digit subheading" in reason
    assert "84137010" in reason and "8414100000" in reason


def test_missing_the_destinations_national_code(india: Doc) -> None:
    del item(india)["Commodity"]["Classification"][1]  # no TN VED for the RU side
    assert reason_at(india, CLASSIFICATION) == "needs the TNVED code of RU (import side)"


def test_missing_the_origins_national_code(russia: Doc) -> None:
    classifications = item(russia)["Commodity"]["Classification"]
    item(russia)["Commodity"]["Classification"] = [
        c for c in classifications if c["IdentificationTypeCode"] != "TNVED"
    ]
    assert reason_at(russia, CLASSIFICATION) == "needs the TNVED code of RU (export side)"


def test_two_codes_of_the_same_scheme(india: Doc) -> None:
    item(india)["Commodity"]["Classification"].append({"ID": "84137010", "IdentificationTypeCode": "ITC-HS"})
    assert "a second ITC-HS code" in reason_at(india, f"{CLASSIFICATION}[2].ID")


def test_an_hs_6_digit_code_may_accompany_the_national_codes(india: Doc) -> None:
    item(india)["Commodity"]["Classification"].append({"ID": "841370", "IdentificationTypeCode": "HS"})
    validate_declaration(india, code_lists())


# ---------------------------------------------------------------- code lists


def test_unknown_country(india: Doc) -> None:
    item(india)["Origin"]["CountryCode"] = "XX"
    assert "'XX' is not an ISO 3166-1 alpha-2" in reason_at(india, f"{ITEM}.Origin.CountryCode")


def test_unknown_country_of_a_party(india: Doc) -> None:
    shipment(india)["Importer"]["Address"]["CountryCode"] = "XX"
    reason = reason_at(india, "Declaration.GoodsShipment.Importer.Address.CountryCode")
    assert "'XX' is not an ISO 3166-1" in reason
    assert "expected RU" in reason


def test_a_corridor_outside_in_and_ru(india: Doc) -> None:
    d(india)["GoodsShipment"]["Destination"]["CountryCode"] = "CN"
    assert "IN->CN" in reason_at(india, "Declaration.GoodsShipment.Destination.CountryCode")


def test_unknown_currency(india: Doc) -> None:
    d(india)["InvoiceAmount"]["currencyID"] = "XYZ"
    reason = reason_at(india, "Declaration.InvoiceAmount.currencyID")
    assert "'XYZ' is not an ISO 4217 currency code" in reason


def test_item_currency_differs_from_the_invoice(india: Doc) -> None:
    item(india)["Commodity"]["InvoiceLine"]["ItemChargeAmount"]["currencyID"] = "EUR"
    assert "the invoice is in USD" in reason_at(
        india, f"{ITEM}.Commodity.InvoiceLine.ItemChargeAmount.currencyID"
    )


def test_unknown_unlocode(india: Doc) -> None:
    consignment(india)["LoadingLocation"]["ID"] = "INXXX"
    reason = reason_at(india, f"{CONSIGNMENT}.LoadingLocation.ID")
    assert "'INXXX' is not a known UN/LOCODE" in reason


def test_loading_location_in_the_wrong_country(india: Doc) -> None:
    consignment(india)["LoadingLocation"]["ID"] = "RUNVS"
    reason = reason_at(india, f"{CONSIGNMENT}.LoadingLocation.ID")
    assert "'RUNVS' is in RU, expected a location in IN" in reason


def test_unloading_location_in_the_wrong_country(india: Doc) -> None:
    consignment(india)["UnloadingLocation"]["ID"] = "INMAA"
    assert "expected a location in RU" in reason_at(india, f"{CONSIGNMENT}.UnloadingLocation.ID")


def test_export_office_must_be_in_the_exporting_country(india: Doc) -> None:
    d(india)["DeclarationOffice"]["ID"] = "RUNVS"
    assert "expected a location in IN" in reason_at(india, "Declaration.DeclarationOffice.ID")


def test_import_office_must_be_in_the_destination_country(india: Doc) -> None:
    d(india)["TypeCode"] = "IM"  # the office stays INNSA
    item(india)["GovernmentProcedure"] = [{"CurrentCode": "40", "PreviousCode": "00"}]
    assert "expected a location in RU" in reason_at(india, "Declaration.DeclarationOffice.ID")
    d(india)["DeclarationOffice"]["ID"] = consignment(india)["UnloadingLocation"]["ID"]
    validate_declaration(india, code_lists())


def test_container_number_with_a_wrong_check_digit(india: Doc) -> None:
    consignment(india)["TransportEquipment"][0]["ID"] = "CSQU3054384"
    reason = reason_at(india, f"{CONSIGNMENT}.TransportEquipment[0].ID")
    assert "check digit is 4, expected 3" in reason


def test_container_number_with_the_right_check_digit(india: Doc) -> None:
    consignment(india)["TransportEquipment"][0]["ID"] = "CSQU3054383"  # ISO 6346 worked example
    validate_declaration(india, code_lists())


def test_the_same_container_twice(india: Doc) -> None:
    equipment = consignment(india)["TransportEquipment"]
    equipment.append({**equipment[0], "SequenceNumeric": 2})
    assert "listed twice" in reason_at(india, f"{CONSIGNMENT}.TransportEquipment[1].ID")


def test_an_export_names_its_carrier(india: Doc) -> None:
    consignment(india).pop("Carrier")
    assert "required on an export" in reason_at(india, f"{CONSIGNMENT}.Carrier")
    d(india)["TypeCode"] = "IM"  # an import built from a peer's older pre-arrival data may lack it
    item(india).pop("GovernmentProcedure")
    d(india)["DeclarationOffice"]["ID"] = consignment(india)["UnloadingLocation"]["ID"]
    validate_declaration(india, code_lists())


@pytest.mark.parametrize(
    ("carrier", "path"),
    [
        ({"Name": "Sample Line"}, f"{CONSIGNMENT}.Carrier.ID"),
        ({"ID": ""}, f"{CONSIGNMENT}.Carrier.ID"),
        ({"ID": "X" * 36}, f"{CONSIGNMENT}.Carrier.ID"),
        ({"ID": "SOLU", "Address": {"CountryCode": "XX"}}, f"{CONSIGNMENT}.Carrier.Address.CountryCode"),
        ({"ID": "SOLU", "EORI": "x"}, f"{CONSIGNMENT}.Carrier.EORI"),
    ],
)
def test_a_malformed_carrier_is_named(india: Doc, carrier: Doc, path: str) -> None:
    consignment(india)["Carrier"] = carrier
    assert {e.path for e in errors(india)} == {path}


def test_item_refers_to_missing_equipment(india: Doc) -> None:
    item(india)["TransportEquipmentSequence"] = [9]
    assert "no transport equipment 9" in reason_at(india, f"{ITEM}.TransportEquipmentSequence[0]")


@pytest.mark.parametrize("incoterm", ["DAT", "DDU", "fob", "XYZ"])
def test_incoterm_not_in_incoterms_2020(india: Doc, incoterm: str) -> None:
    shipment(india)["TradeTerms"]["ConditionCode"] = incoterm
    reason = reason_at(india, "Declaration.GoodsShipment.TradeTerms.ConditionCode")
    assert f"'{incoterm}' is not an Incoterms 2020 rule" in reason


@pytest.mark.parametrize(
    "incoterm", ["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"]
)
def test_every_incoterms_2020_rule_is_accepted(india: Doc, incoterm: str) -> None:
    shipment(india)["TradeTerms"]["ConditionCode"] = incoterm
    validate_declaration(india, code_lists())


def test_unknown_unit_code(india: Doc) -> None:
    item(india)["GoodsMeasure"]["TariffQuantity"]["unitCode"] = "BOX"
    assert "UN/ECE Rec 20" in reason_at(india, f"{ITEM}.GoodsMeasure.TariffQuantity.unitCode")


def test_gross_mass_in_a_non_mass_unit(india: Doc) -> None:
    item(india)["GoodsMeasure"]["GrossMassMeasure"]["unitCode"] = "LTR"
    assert "mass unit" in reason_at(india, f"{ITEM}.GoodsMeasure.GrossMassMeasure.unitCode")


# ---------------------------------------------------------------- quantities and values


@pytest.mark.parametrize("value", ["0", "-5", "0.000"])
def test_quantity_not_positive(india: Doc, value: str) -> None:
    item(india)["GoodsMeasure"]["TariffQuantity"]["value"] = value
    reason = reason_at(india, f"{ITEM}.GoodsMeasure.TariffQuantity.value")
    assert reason == "must be greater than zero"


@pytest.mark.parametrize("value", ["0", "-1.00"])
def test_item_value_not_positive(india: Doc, value: str) -> None:
    item(india)["Commodity"]["InvoiceLine"]["ItemChargeAmount"]["value"] = value
    d(india)["InvoiceAmount"]["value"] = value
    assert "greater than zero" in reason_at(india, f"{ITEM}.Commodity.InvoiceLine.ItemChargeAmount.value")
    assert "greater than zero" in reason_at(india, "Declaration.InvoiceAmount.value")


@pytest.mark.parametrize("name", ["GrossMassMeasure", "NetNetWeightMeasure"])
def test_mass_not_positive(india: Doc, name: str) -> None:
    item(india)["GoodsMeasure"][name]["value"] = "-1"
    assert "greater than zero" in reason_at(india, f"{ITEM}.GoodsMeasure.{name}.value")


def test_net_mass_above_gross_mass(india: Doc) -> None:
    measure = item(india)["GoodsMeasure"]
    measure["NetNetWeightMeasure"]["value"] = "2648.841"  # gross is 2648.840 kg
    reason = reason_at(india, f"{ITEM}.GoodsMeasure.NetNetWeightMeasure.value")
    assert "net mass 2648.841 kg exceeds gross mass 2648.840 kg" in reason


def test_net_mass_equal_to_gross_mass_is_accepted(india: Doc) -> None:
    measure = item(india)["GoodsMeasure"]
    measure["NetNetWeightMeasure"]["value"] = measure["GrossMassMeasure"]["value"]
    validate_declaration(india, code_lists())


def test_masses_are_compared_in_kilograms(india: Doc) -> None:
    measure = item(india)["GoodsMeasure"]
    measure["GrossMassMeasure"] = {"value": "2.7", "unitCode": "TNE"}  # 2700 kg >= 2546 kg net
    validate_declaration(india, code_lists())
    measure["NetNetWeightMeasure"] = {"value": "2.701", "unitCode": "TNE"}
    measure["GrossMassMeasure"] = {"value": "2700", "unitCode": "KGM"}
    assert "exceeds gross mass" in reason_at(india, f"{ITEM}.GoodsMeasure.NetNetWeightMeasure.value")


def test_items_do_not_add_up_to_the_invoice_total(india: Doc) -> None:
    d(india)["InvoiceAmount"]["value"] = "32162.69"
    reason = reason_at(india, "Declaration.InvoiceAmount.value")
    assert "is 32162.69 but the goods items add up to 32162.68" in reason


# ---------------------------------------------------------------- parties


@pytest.mark.parametrize(
    ("iec", "reason"),
    [
        ("BVCCY9143", "must be 10 characters, got 9"),
        ("BVCCY91435", "must be a PAN"),
        ("bvccy9143s", "must be a PAN"),
        ("12345678X0", "must be a PAN"),
    ],
)
def test_malformed_iec(india: Doc, iec: str, reason: str) -> None:
    d(india)["Exporter"]["ID"] = iec
    assert reason in reason_at(india, "Declaration.Exporter.ID")


def test_an_older_ten_digit_iec_is_accepted(india: Doc) -> None:
    d(india)["Exporter"]["ID"] = "0388012345"
    validate_declaration(india, code_lists())


def test_inn_with_a_bad_check_digit(india: Doc) -> None:
    inn = shipment(india)["Importer"]["ID"]
    assert inn == "3676122207"
    shipment(india)["Importer"]["ID"] = inn[:-1] + "8"
    assert reason_at(india, "Declaration.GoodsShipment.Importer.ID") == "INN: check digit is 8, expected 7"


def test_inn_with_letters(india: Doc) -> None:
    shipment(india)["Importer"]["ID"] = "36761222O7"
    assert reason_at(india, "Declaration.GoodsShipment.Importer.ID") == "INN: must contain digits only"


def test_party_identified_by_the_other_countrys_scheme(india: Doc) -> None:
    shipment(india)["Importer"]["ID"] = "AABCS1234C"  # an IEC, for a party in Russia
    reason = reason_at(india, "Declaration.GoodsShipment.Importer.ID")
    assert reason == "INN: must contain digits only"


def test_the_scheme_is_not_stated_beside_the_id(india: Doc) -> None:
    shipment(india)["Importer"]["IdentificationTypeCode"] = "INN"
    reason = reason_at(india, "Declaration.GoodsShipment.Importer.IdentificationTypeCode")
    assert reason == "unexpected member (not in the schema)"


def test_exporter_address_in_the_wrong_country(india: Doc) -> None:
    d(india)["Exporter"]["Address"]["CountryCode"] = "RU"
    assert reason_at(india, "Declaration.Exporter.Address.CountryCode") == "is RU, expected IN"


# ---------------------------------------------------------------- dates


def test_departure_after_arrival(india: Doc) -> None:
    c = consignment(india)
    c["DepartureDateTime"], c["ArrivalDateTime"] = c["ArrivalDateTime"], c["DepartureDateTime"]
    assert "must be after DepartureDateTime" in reason_at(india, f"{CONSIGNMENT}.ArrivalDateTime")


def test_departure_equal_to_arrival(india: Doc) -> None:
    c = consignment(india)
    c["ArrivalDateTime"] = c["DepartureDateTime"]
    assert "must be after DepartureDateTime" in reason_at(india, f"{CONSIGNMENT}.ArrivalDateTime")


def test_invoice_issued_after_departure(india: Doc) -> None:
    shipment(india)["Invoice"]["IssueDateTime"] = "2025-06-03T15:00:01+00:00"  # departure 15:00:00Z
    assert "after the departure" in reason_at(india, "Declaration.GoodsShipment.Invoice.IssueDateTime")


def test_offsets_are_compared_as_instants(india: Doc) -> None:
    shipment(india)["Invoice"]["IssueDateTime"] = "2025-06-03T20:30:00+05:30"  # = 15:00Z, the departure
    validate_declaration(india, code_lists())


def test_filed_after_arrival(india: Doc) -> None:
    d(india)["IssueDateTime"] = "2025-07-01T00:00:00Z"
    assert "file before arrival" in reason_at(india, "Declaration.IssueDateTime")


@pytest.mark.parametrize(
    "path",
    [
        "Declaration.IssueDateTime",
        "Declaration.GoodsShipment.Invoice.IssueDateTime",
        f"{CONSIGNMENT}.DepartureDateTime",
        f"{CONSIGNMENT}.ArrivalDateTime",
    ],
)
def test_date_time_without_an_offset(india: Doc, path: str) -> None:
    *parents, leaf = path.split(".")
    node: Doc = india
    for name in parents:
        node = node[name]
    node[leaf] = "2025-06-03T10:00:00"

    reason = reason_at(india, path)

    assert "needs a time zone offset" in reason


# ---------------------------------------------------------------- structure (schema)


@pytest.mark.parametrize(
    ("where", "path"),
    [
        (d, "Declaration.Foo"),
        (consignment, f"{CONSIGNMENT}.Foo"),
        (item, f"{ITEM}.Foo"),
    ],
)
def test_unknown_member_is_refused_with_its_path(india: Doc, where: Callable[[Doc], Doc], path: str) -> None:
    where(india)["Foo"] = "bar"
    assert reason_at(india, path) == "unexpected member (not in the schema)"


@pytest.mark.parametrize(
    ("remove", "path"),
    [
        (lambda doc: shipment(doc).pop("Invoice"), "Declaration.GoodsShipment.Invoice"),
        (lambda doc: d(doc)["Exporter"].pop("ID"), "Declaration.Exporter.ID"),
        (lambda doc: consignment(doc).pop("DepartureDateTime"), f"{CONSIGNMENT}.DepartureDateTime"),
        (lambda doc: item(doc)["GoodsMeasure"].pop("TariffQuantity"), f"{ITEM}.GoodsMeasure.TariffQuantity"),
    ],
)
def test_missing_required_member(india: Doc, remove: Callable[[Doc], Any], path: str) -> None:
    remove(india)
    assert reason_at(india, path) == "Field required"


def test_wrong_literal_and_type_are_named(india: Doc) -> None:
    d(india)["TypeCode"] = "XX"
    item(india)["SequenceNumeric"] = "first"
    found = {e.path for e in errors(india)}
    assert {"Declaration.TypeCode", f"{ITEM}.SequenceNumeric"} <= found


def test_not_a_document_at_all() -> None:
    assert errors([])[0].path == "(document)"


def test_several_errors_are_collected_at_once(india: Doc) -> None:
    d(india)["InvoiceAmount"]["currencyID"] = "XYZ"
    consignment(india)["LoadingLocation"]["ID"] = "INXXX"
    consignment(india)["TransportEquipment"][0]["ID"] = "CSQU3054384"
    shipment(india)["Importer"]["ID"] = "3676122208"
    shipment(india)["TradeTerms"]["ConditionCode"] = "DAT"

    paths = {e.path for e in errors(india)}

    assert {
        "Declaration.InvoiceAmount.currencyID",
        f"{CONSIGNMENT}.LoadingLocation.ID",
        f"{CONSIGNMENT}.TransportEquipment[0].ID",
        "Declaration.GoodsShipment.Importer.ID",
        "Declaration.GoodsShipment.TradeTerms.ConditionCode",
    } <= paths


def test_schema_errors_are_collected_at_once(india: Doc) -> None:
    d(india)["Foo"] = 1
    del shipment(india)["Invoice"]
    item(india)["Bar"] = 2

    paths = {e.path for e in errors(india)}

    assert {"Declaration.Foo", "Declaration.GoodsShipment.Invoice", f"{ITEM}.Bar"} <= paths


# ---------------------------------------------------------------- additional documents


def test_additional_document_with_a_un_edifact_code_is_accepted(india: Doc) -> None:
    d(india)["AdditionalDocument"] = [{"ID": "COO-2025-0001", "TypeCode": "861"}]
    validate_declaration(india, code_lists())


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("86", "must be a 3-digit UN/EDIFACT 1001 code"),
        ("8610", "must be a 3-digit UN/EDIFACT 1001 code"),
        ("C61", "must be a 3-digit UN/EDIFACT 1001 code"),
        ("", "must not be blank"),
    ],
)
def test_additional_document_type_code_not_three_digits(india: Doc, code: str, expected: str) -> None:
    d(india)["AdditionalDocument"] = [{"ID": "COO-2025-0001", "TypeCode": code}]
    reason = reason_at(india, "Declaration.AdditionalDocument[0].TypeCode")
    assert reason == expected


@pytest.mark.parametrize("code", ["８６１", "²³¹"])
def test_additional_document_type_code_with_non_ascii_digits(india: Doc, code: str) -> None:
    d(india)["AdditionalDocument"] = [{"ID": "COO-2025-0001", "TypeCode": code}]
    assert "3-digit" in reason_at(india, "Declaration.AdditionalDocument[0].TypeCode")
