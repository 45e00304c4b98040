"""The rewrite of pre-WCO declarations and assessments takes any JSON value without failing."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.customs.legacy import is_legacy_declaration, upgrade_assessment, upgrade_declaration

KEYS = st.sampled_from(
    [
        "Declaration",
        "GoodsShipment",
        "Consignment",
        "DeclarationOfficeID",
        "Invoice",
        "TotalAmount",
        "Importer",
        "Exporter",
        "Declarant",
        "TradeTerms",
        "DestinationCountry",
        "ID",
        "FreightChargeAmount",
        "InsuranceAmount",
        "CustomsValuation",
        "TransportEquipment",
        "SealID",
        "GovernmentAgencyGoodsItem",
        "Commodity",
        "ItemChargeAmount",
        "AEOCertificateID",
        "IdentificationTypeCode",
        "lines",
        "DutyTaxFee",
        "TaxAssessedAmount",
        "Payment",
    ]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_is_rewritten_without_failing_and_a_second_run_changes_nothing(value: Any) -> None:
    once = upgrade_declaration(value)
    assert upgrade_declaration(once) == once
    is_legacy_declaration(value)
    assessed = upgrade_assessment(value)
    assert upgrade_assessment(assessed) == assessed
