"""Cross-checking a declaration against its documents, and the lanes of assess_documents."""

from __future__ import annotations

import copy
from typing import Any

from corridor.documents.crosscheck import Finding, assess_documents, cross_check, hs6, normalise_name
from corridor.documents.service import DocumentContext, revoke

NAMES = ("certificate-of-origin", "commercial-invoice", "packing-list", "bill-of-lading")


def test_consistent_consignment_has_no_findings(declaration: dict[str, Any], samples: dict[str, Any]) -> None:
    assert cross_check(declaration, [samples[n] for n in NAMES]) == []


def test_helpers() -> None:
    assert hs6("3004.90.99") == "300490" and hs6("3004") is None
    assert normalise_name("  Sample  Pharma Exports PVT. LTD ") == normalise_name(
        "sample pharma exports pvt ltd"
    )


def test_each_mismatch_is_a_yellow_finding(declaration: dict[str, Any], samples: dict[str, Any]) -> None:
    d = copy.deepcopy(declaration)
    items = d["Declaration"]["GoodsShipment"]["GovernmentAgencyGoodsItem"]
    d["Declaration"]["Exporter"]["Name"] = "Another Exporter Ltd"
    items[0]["GoodsMeasure"]["TariffQuantity"]["value"] = "119000"
    items[1]["Commodity"]["Classification"][0]["ID"] = "3004209000"
    items[0]["Origin"]["CountryCode"] = "CN"
    d["Declaration"]["InvoiceAmount"]["currencyID"] = "EUR"
    findings = cross_check(d, [samples[n] for n in NAMES])
    assert all(isinstance(f, Finding) and f.lane == "yellow" for f in findings)
    paths = {f.path for f in findings}
    item0 = "Declaration.GoodsShipment.GovernmentAgencyGoodsItem[0]"
    item1 = "Declaration.GoodsShipment.GovernmentAgencyGoodsItem[1]"
    assert "Declaration.Exporter.Name" in paths
    assert f"{item0}.GoodsMeasure.TariffQuantity" in paths
    assert f"{item1}.Commodity.Classification[0].ID" in paths
    assert f"{item0}.Origin.CountryCode" in paths
    assert "Declaration.InvoiceAmount.currencyID" in paths
    qty = next(f for f in findings if f.path.endswith("TariffQuantity"))
    assert "119000" in qty.reason and "120000 H87" in qty.reason


def test_value_mismatch(declaration: dict[str, Any], samples: dict[str, Any]) -> None:
    d = copy.deepcopy(declaration)
    item = d["Declaration"]["GoodsShipment"]["GovernmentAgencyGoodsItem"][1]
    item["Commodity"]["InvoiceLine"]["ItemChargeAmount"]["value"] = "40000.00"
    d["Declaration"]["InvoiceAmount"]["value"] = "142000.00"
    reasons = {
        f.path: f.reason
        for f in cross_check(d, [samples["commercial-invoice"], samples["certificate-of-origin"]])
    }
    charge = "Declaration.GoodsShipment.GovernmentAgencyGoodsItem[1].Commodity.InvoiceLine.ItemChargeAmount"
    assert "40000.00 USD" in reasons[charge]
    assert "150000.00" in reasons["Declaration.InvoiceAmount.value"]


def test_missing_certificate_is_flagged(declaration: dict[str, Any], samples: dict[str, Any]) -> None:
    findings = cross_check(declaration, [samples["commercial-invoice"]])
    assert any("no certificate of origin" in f.reason for f in findings)


def _with_refs(declaration: dict[str, Any], wrapped: list[dict[str, Any]]) -> dict[str, Any]:
    d = copy.deepcopy(declaration)
    d["Declaration"]["AdditionalDocument"] = [
        {"ID": w["signature"]["targetHash"], "TypeCode": "861"} for w in wrapped
    ]
    return d


def test_assess_clean_tampered_revoked_missing(
    ctx: DocumentContext, declaration: dict[str, Any], wrapped: list[dict[str, Any]]
) -> None:
    d = _with_refs(declaration, wrapped)
    assert assess_documents(d, wrapped, ctx.registry, ctx.revocations) == []

    tampered = copy.deepcopy(wrapped)
    tampered[0]["data"]["countryOfOrigin"] = tampered[0]["data"]["countryOfOrigin"][:-2] + "CN"
    findings = assess_documents(d, tampered, ctx.registry, ctx.revocations)
    assert findings and findings[0].lane == "red" and "integrity.targetHash" in findings[0].reason

    findings = assess_documents(d, wrapped[1:], ctx.registry, ctx.revocations)
    assert findings[0].lane == "yellow" and "was not provided" in findings[0].reason

    revoke(ctx, wrapped[1], scope="document", reason="superseded")
    findings = assess_documents(d, wrapped, ctx.registry, ctx.revocations)
    assert [f.lane for f in findings if "failed verification" in f.reason] == ["red"]
    assert any("no commercial invoice" in f.reason for f in findings)
