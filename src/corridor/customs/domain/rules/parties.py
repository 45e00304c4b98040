"""The parties of a declaration: where each is, and the identifier scheme of its country."""

from __future__ import annotations

from collections.abc import Iterator

from corridor.customs.domain.identifiers import gstin_error, iec_error, inn_error
from corridor.customs.domain.rules.field_checks import check_country
from corridor.customs.domain.rules.lookup import CodeLookup
from corridor.customs.domain.rules.vocabulary import CORRIDOR_COUNTRIES, SHIPMENT
from corridor.customs.domain.wco import DeclarationType as Declaration
from corridor.customs.domain.wco import OtherPartyType as OtherParty
from corridor.customs.domain.wco import PartyType as Party
from corridor.shared.errors import FieldError


def party_id_error(party_id: str, country: str) -> str | None:
    """Why ``party_id`` is not an identifier of a party in ``country`` (IN or RU), or ``None``.

    The scheme follows from the country and the length: a 15-character Indian ID is a GSTIN, any
    other Indian ID an IEC; a Russian ID is an INN.
    """
    if country == "RU":
        problem = inn_error(party_id)
        return None if problem is None else f"INN: {problem}"
    if len(party_id) == 15:
        problem = gstin_error(party_id)
        return None if problem is None else f"GSTIN: {problem}"
    problem = iec_error(party_id)
    return None if problem is None else f"IEC (or a 15-character GSTIN): {problem}"


def check_party(path: str, party: Party, country: str, codes: CodeLookup) -> Iterator[FieldError]:
    yield from check_country(f"{path}.Address.CountryCode", party.Address.CountryCode, codes)
    if party.Address.CountryCode != country:
        yield FieldError(f"{path}.Address.CountryCode", f"is {party.Address.CountryCode}, expected {country}")
        return
    problem = party_id_error(party.ID, country)
    if problem:
        yield FieldError(f"{path}.ID", problem)


def check_other_parties(d: Declaration, codes: CodeLookup) -> Iterator[FieldError]:
    shipment = d.GoodsShipment
    others: tuple[tuple[str, OtherParty | None], ...] = (
        ("Consignor", shipment.Consignor),
        ("Consignee", shipment.Consignee),
        ("Seller", shipment.Seller),
        ("Buyer", shipment.Buyer),
    )
    for role, party in others:
        if party is None:
            continue
        path = f"{SHIPMENT}.{role}"
        country = party.Address.CountryCode
        yield from check_country(f"{path}.Address.CountryCode", country, codes)
        if party.ID is not None and country in CORRIDOR_COUNTRIES:
            problem = party_id_error(party.ID, country)
            if problem:
                yield FieldError(f"{path}.ID", problem)
    roles: set[str] = set()
    for i, aeo in enumerate(shipment.AEOMutualRecognitionParty):
        path = f"{SHIPMENT}.AEOMutualRecognitionParty[{i}]"
        if aeo.RoleCode in roles:
            yield FieldError(f"{path}.RoleCode", f"{aeo.RoleCode} is listed twice")
        roles.add(aeo.RoleCode)
        if aeo.RoleCode == "DT" and d.Declarant is None:
            yield FieldError(f"{path}.RoleCode", "DT (declarant) but the declaration names no Declarant")
