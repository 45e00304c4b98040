"""Sample consignments for the demo, the benchmarks and the examples.

SAMPLE DATA: the traders, their IEC/INN numbers, containers and invoices are invented (the INNs
and container numbers carry valid check digits so they pass validation); the goods mix follows the
corridor's real trade (see BRIEF: India exports HS 30, 85, 84, 03, 09; Russia exports HS 27, 31,
15, 71), with unit values of the right order of magnitude, not market quotations.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from corridor.shared.iso6346 import iso6346_check_digit

INN_WEIGHTS_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)


def sample_inn(rng: random.Random) -> str:
    """A 10-digit legal-entity INN with a valid check digit (invented, sample only)."""
    head = [rng.randint(0, 9) for _ in range(9)]
    head[0] = rng.randint(1, 9)
    check = sum(w * d for w, d in zip(INN_WEIGHTS_10, head, strict=True)) % 11 % 10
    return "".join(map(str, head)) + str(check)


def sample_iec(rng: random.Random) -> str:
    """A PAN-shaped IEC (5 letters, 4 digits, 1 letter; 4th letter C = company); invented."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return (
        "".join(rng.choice(letters) for _ in range(3))
        + "C"
        + rng.choice(letters)
        + f"{rng.randint(0, 9999):04d}"
        + rng.choice(letters)
    )


def sample_container(rng: random.Random, owner: str) -> str:
    first10 = f"{owner}U{rng.randint(0, 999999):06d}"
    return first10 + str(iso6346_check_digit(first10))


@dataclass(frozen=True)
class Product:
    name: str
    itc_hs: str
    tnved: str
    unit: str  # tariff quantity unit (UN/ECE Rec 20)
    usd_per_unit: Decimal
    kg_per_unit: Decimal
    units: tuple[int, int]  # range of quantity per consignment
    containerised: bool = True


INDIA_TO_RUSSIA = (
    Product(
        "Paracetamol 500 mg tablets in blister packs, retail",
        "30049099",
        "3004900002",
        "KGM",
        Decimal("9.50"),
        Decimal("1"),
        (2_000, 18_000),
    ),
    Product(
        "Smartphones, 5G, 128 GB",
        "85171300",
        "8517130000",
        "H87",
        Decimal("185"),
        Decimal("0.35"),
        (1_000, 8_000),
    ),
    Product(
        "Centrifugal water pumps", "84137010", "8413708100", "H87", Decimal("420"), Decimal("38"), (40, 400)
    ),
    Product(
        "Frozen vannamei shrimp, peeled",
        "03061720",
        "0306179100",
        "KGM",
        Decimal("7.80"),
        Decimal("1"),
        (8_000, 24_000),
    ),
    Product(
        "Black tea (CTC) in bulk packs over 3 kg",
        "09024020",
        "0902400000",
        "KGM",
        Decimal("3.10"),
        Decimal("1"),
        (10_000, 22_000),
    ),
)

RUSSIA_TO_INDIA = (
    Product(
        "Petroleum crude oil (Urals)",
        "27090010",
        "2709009009",
        "TNE",
        Decimal("480"),
        Decimal("1000"),
        (80_000, 140_000),
        containerised=False,
    ),
    Product(
        "Diammonium phosphate fertiliser",
        "31053000",
        "3105300000",
        "TNE",
        Decimal("560"),
        Decimal("1000"),
        (20_000, 45_000),
        containerised=False,
    ),
    Product(
        "Bituminous coal, not agglomerated",
        "27011200",
        "2701129000",
        "TNE",
        Decimal("115"),
        Decimal("1000"),
        (50_000, 75_000),
        containerised=False,
    ),
    Product(
        "Crude sunflower-seed oil",
        "15121110",
        "1512111009",
        "TNE",
        Decimal("1050"),
        Decimal("1000"),
        (8_000, 25_000),
        containerised=False,
    ),
    Product(
        "Rough diamonds, unsorted",
        "71021000",
        "7102100000",
        "CTM",
        Decimal("120"),
        Decimal("0.0002"),
        (5_000, 60_000),
    ),
)

ROUTES = {
    "IN": (("INNSA", "RULED", 32), ("INNSA", "RUNVS", 24), ("INMAA", "RUVVO", 22), ("INMUN", "RUASF", 20)),
    "RU": (("RUNVS", "INMUN", 24), ("RUPRI", "INIXY", 30), ("RUVVO", "INMAA", 22), ("RUULU", "INNSA", 32)),
}
OFFICES = {"IN": ("INNSA", "INMAA", "INMUN"), "RU": ("RUNVS", "RULED", "RUVVO")}
CARRIER_PREFIXES = ("MSC", "MAE", "CMA", "HLX", "FES")
# The carrier of each origin's sample consignments (invented; the ID is SCAC-shaped). The demo's
# carrier posts its milestones as this party.
SAMPLE_CARRIERS: dict[str, dict[str, Any]] = {
    "IN": {
        "Name": "Sample Ocean Lines Ltd",
        "ID": "SOLU",
        "Address": {"CountryCode": "IN", "CityName": "Mumbai"},
    },
    "RU": {
        "Name": "Sample Baltic Shipping LLC",
        "ID": "SBSH",
        "Address": {"CountryCode": "RU", "CityName": "Saint Petersburg"},
    },
}


@dataclass(frozen=True)
class SampleTrader:
    """A sample party and, for some, an invented AEO certificate number."""

    party: dict[str, Any]
    aeo_certificate: str | None = None


def sample_declaration(
    rng: random.Random,
    origin: str,
    index: int,
    now: datetime,
    exporters: list[SampleTrader],
    importers: list[SampleTrader],
) -> dict[str, Any]:
    products = INDIA_TO_RUSSIA if origin == "IN" else RUSSIA_TO_INDIA
    loading, unloading, days = rng.choice(ROUTES[origin])
    exporter, importer = rng.choice(exporters), rng.choice(importers)
    currency = rng.choice(("USD", "USD", "INR", "RUB") if origin == "IN" else ("USD", "USD", "RUB", "INR"))
    chosen = rng.sample(products, k=rng.choice((1, 1, 2)))
    containers: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    total = Decimal(0)
    for seq, product in enumerate(chosen, start=1):
        item, value = _sample_item(rng, seq, product, origin, currency, containers)
        items.append(item)
        total += value
    incoterm = rng.choice(("FOB", "CIF", "CFR", "FCA", "CIP"))
    filed = now
    shipment: dict[str, Any] = {
        "Importer": copy.deepcopy(importer.party),
        "TradeTerms": {
            "ConditionCode": incoterm,
            "LocationID": loading if incoterm in ("FOB", "FCA") else unloading,
        },
        "Invoice": {
            "ID": f"INV-{origin}-{index:06d}",
            "IssueDateTime": (filed - timedelta(days=2)).isoformat(),
        },
        "CustomsValuation": _sample_valuation(incoterm, total, currency),
        "ExportCountry": {"ID": origin},
        "Destination": {"CountryCode": "RU" if origin == "IN" else "IN"},
        "Consignment": _sample_consignment(rng, origin, index, (loading, unloading, days), filed, containers),
        "GovernmentAgencyGoodsItem": items,
    }
    aeo = [
        {"ID": trader.aeo_certificate, "RoleCode": role}
        for trader, role in ((exporter, "EX"), (importer, "IM"))
        if trader.aeo_certificate is not None
    ]
    if aeo:
        shipment["AEOMutualRecognitionParty"] = aeo
    return {
        "Declaration": {
            "FunctionCode": "9",
            "TypeCode": "EX",
            "FunctionalReferenceID": f"SAMPLE-{origin}-{index:06d}-{rng.randint(1000, 9999)}",
            "IssueDateTime": filed.isoformat(),
            "GoodsItemQuantity": len(items),
            "InvoiceAmount": {"value": str(total), "currencyID": currency},
            "DeclarationOffice": {"ID": loading},
            "Exporter": copy.deepcopy(exporter.party),
            "GoodsShipment": shipment,
        }
    }


def _sample_item(
    rng: random.Random,
    seq: int,
    product: Product,
    origin: str,
    currency: str,
    containers: list[dict[str, Any]],
) -> tuple[dict[str, Any], Decimal]:
    """One goods item of ``product`` and its value; its containers are appended to ``containers``."""
    per_usd = {"USD": Decimal(1), "INR": Decimal("88.5"), "RUB": Decimal("80")}[currency]
    quantity = Decimal(rng.randint(*product.units))
    price = (product.usd_per_unit * Decimal(rng.uniform(0.85, 1.2)) * per_usd).quantize(Decimal("0.01"))
    value = (price * quantity).quantize(Decimal("0.01"))
    net = (product.kg_per_unit * quantity).quantize(Decimal("0.001"))
    gross = (net * Decimal("1.04") + 1).quantize(Decimal("0.001"))
    equipment = []
    if product.containerised:
        for _ in range(max(1, min(6, int(gross // 20_000) + 1))):
            containers.append(
                {
                    "SequenceNumeric": len(containers) + 1,
                    "ID": sample_container(rng, rng.choice(CARRIER_PREFIXES)),
                    "Seal": [{"SequenceNumeric": 1, "ID": f"SL{rng.randint(100000, 999999)}"}],
                }
            )
            equipment.append(len(containers))
    item = {
        "SequenceNumeric": seq,
        "Commodity": {
            "Description": product.name,
            "Classification": [
                {"ID": product.itc_hs, "IdentificationTypeCode": "ITC-HS"},
                {"ID": product.tnved, "IdentificationTypeCode": "TNVED"},
            ],
            "InvoiceLine": {"ItemChargeAmount": {"value": str(value), "currencyID": currency}},
        },
        "GoodsMeasure": {
            "GrossMassMeasure": {"value": str(gross), "unitCode": "KGM"},
            "NetNetWeightMeasure": {"value": str(net), "unitCode": "KGM"},
            "TariffQuantity": {"value": str(quantity), "unitCode": product.unit},
        },
        # no trade agreement between India and the EAEU: origin is non-preferential
        "Origin": {"CountryCode": "IN" if origin == "IN" else "RU", "TypeCode": "1"},
        "GovernmentProcedure": [{"CurrentCode": "10", "PreviousCode": "00"}],  # permanent export
        "TransportEquipmentSequence": equipment,
    }
    return item, value


def _sample_consignment(
    rng: random.Random,
    origin: str,
    index: int,
    route: tuple[str, str, int],
    filed: datetime,
    containers: list[dict[str, Any]],
) -> dict[str, Any]:
    """The voyage: ports, departure a day or so after filing, a sample vessel, bill of lading, carrier."""
    loading, unloading, days = route
    departure = filed + timedelta(days=1, hours=rng.randint(0, 12))
    return {
        "LoadingLocation": {"ID": loading},
        "UnloadingLocation": {"ID": unloading},
        "DepartureDateTime": departure.isoformat(),
        "ArrivalDateTime": (departure + timedelta(days=days + rng.randint(-2, 4))).isoformat(),
        "DepartureTransportMeans": {
            "ModeCode": "1",
            "Name": f"SAMPLE VESSEL {rng.randint(1, 40)}",
            "ID": f"IMO{rng.randint(9100000, 9899999)}",
        },
        "TransportContractDocument": {
            "ID": f"BL{origin}{index:06d}{rng.randint(100, 999)}",
            "TypeCode": "705",
        },
        "Carrier": copy.deepcopy(SAMPLE_CARRIERS[origin]),
        "TransportEquipment": containers,
    }


def _sample_valuation(incoterm: str, total: Decimal, currency: str) -> dict[str, Any]:
    """Transaction value; freight declared under FOB/FCA and insurance under FOB/FCA/CFR (sample shares)."""
    valuation: dict[str, Any] = {"MethodCode": "1"}  # transaction value
    if incoterm in ("FOB", "FCA"):
        valuation["FreightChargeAmount"] = {
            "value": str((total * Decimal("0.06")).quantize(Decimal("0.01"))),
            "currencyID": currency,
        }
    if incoterm in ("FOB", "FCA", "CFR"):
        valuation["InsuranceAmount"] = {
            "value": str((total * Decimal("0.005")).quantize(Decimal("0.01"))),
            "currencyID": currency,
        }
    return valuation


INDIAN_CITIES = (("Mumbai", "400001"), ("Hyderabad", "500001"), ("Chennai", "600001"), ("Kolkata", "700001"))
RUSSIAN_CITIES = (("Moscow", "101000"), ("Saint Petersburg", "190000"), ("Novorossiysk", "353900"))


def sample_parties(
    rng: random.Random, country: str, count: int, aeo_share: float = 0.3
) -> list[SampleTrader]:
    parties = []
    for i in range(count):
        city, postcode = rng.choice(INDIAN_CITIES if country == "IN" else RUSSIAN_CITIES)
        party: dict[str, Any] = {
            "Name": f"Sample {'Exports' if country == 'IN' else 'Trading'} {country}-{i + 1:03d} "
            f"{'Pvt Ltd' if country == 'IN' else 'LLC'}",
            "ID": sample_iec(rng) if country == "IN" else sample_inn(rng),
            "Address": {"CountryCode": country, "CityName": city, "PostcodeID": postcode},
        }
        certificate = f"{country}AEO{rng.randint(100000, 999999)}" if rng.random() < aeo_share else None
        parties.append(SampleTrader(party, certificate))
    return parties


class SampleCorridor:
    """A reproducible stream of sample export declarations both ways."""

    def __init__(self, seed: int, traders_per_side: int = 25) -> None:
        self.rng = random.Random(seed)
        self.parties = {c: sample_parties(self.rng, c, traders_per_side) for c in ("IN", "RU")}
        self.index = 0

    def next(self, origin: str, now: datetime) -> dict[str, Any]:
        self.index += 1
        destination = "RU" if origin == "IN" else "IN"
        return sample_declaration(
            self.rng, origin, self.index, now, self.parties[origin], self.parties[destination]
        )
