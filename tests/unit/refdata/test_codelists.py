"""Code lists: HS 2022, ISO 3166-1, ISO 4217, Incoterms 2020, UN/ECE Rec 20, corridor UN/LOCODEs."""

from __future__ import annotations

import pytest

from corridor.refdata.codelists import (
    INCOTERMS_2020,
    UNIT_SOURCE,
    CodeLists,
    Location,
    code_lists,
    load_locodes,
)


@pytest.fixture(scope="module")
def codes() -> CodeLists:
    return code_lists()


def test_code_lists_is_cached() -> None:
    assert code_lists() is code_lists()


@pytest.mark.parametrize(
    "code6",
    ["300490", "851713", "847130", "030617", "090240", "270900", "310520", "270112", "151211", "710210"],
)
def test_corridor_hs_subheadings_exist(codes: CodeLists, code6: str) -> None:
    assert codes.hs6_exists(code6)


@pytest.mark.parametrize(
    "code6",
    [
        "999999",  # UN Comtrade "not specified according to kind", not an HS subheading
        "000000",
        "854140",  # HS 2017 subheading split into 854141-854149 in HS 2022
        "851712",  # HS 2017 "telephones for cellular networks", replaced by 851713/851714 in HS 2022
        "30049",
        "3004900",
        "2709",
    ],
)
def test_non_hs2022_subheadings_do_not_exist(codes: CodeLists, code6: str) -> None:
    assert not codes.hs6_exists(code6)


def test_hs2022_only_subheadings_exist(codes: CodeLists) -> None:
    # New in HS 2022: smartphones 8517.13, LEDs 8541.41, electrical and electronic waste 8549.11.
    for code6 in ("851713", "854141", "854911"):
        assert codes.hs6_exists(code6)
    assert codes.hs_edition == "HS 2022"


def test_hs_headings(codes: CodeLists) -> None:
    for code4 in ("2709", "3004", "8517", "7102", "3105", "8524", "8549"):
        assert codes.hs_heading_exists(code4)
    for code4 in ("9999", "0000", "270900", "27"):
        assert not codes.hs_heading_exists(code4)


def test_countries(codes: CodeLists) -> None:
    for alpha2 in ("IN", "RU", "IR", "AE", "EG", "AZ"):
        assert codes.country_exists(alpha2)
    for bad in ("XX", "ind", "IND", "in", "SU", ""):
        assert not codes.country_exists(bad)


def test_currencies(codes: CodeLists) -> None:
    for code in ("INR", "RUB", "USD", "EUR", "AED", "CNY"):
        assert codes.currency_exists(code)
    for bad in ("RUR", "XYZ", "inr", "US", ""):
        assert not codes.currency_exists(bad)


def test_incoterms_2020(codes: CodeLists) -> None:
    assert len(INCOTERMS_2020) == 11
    for code in ("EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"):
        assert codes.incoterm_exists(code)
        assert codes.incoterm_error(code) is None


@pytest.mark.parametrize("code", ["DAT", "DDU", "DAF", "C&F", "fob", "FOB ", ""])
def test_not_incoterms_2020(codes: CodeLists, code: str) -> None:
    assert not codes.incoterm_exists(code)
    reason = codes.incoterm_error(code)
    assert reason is not None
    assert reason.startswith("not an Incoterms 2020 rule")


def test_dat_reason_names_its_edition(codes: CodeLists) -> None:
    assert codes.incoterm_error("DAT") == "not an Incoterms 2020 rule (last in Incoterms 2010)"


def test_units(codes: CodeLists) -> None:
    for code in ("KGM", "TNE", "LTR", "MTQ", "NAR", "H87", "MTR", "MTK", "BLL", "GRM", "CTM", "KWH", "PR"):
        assert codes.unit_exists(code), code
    for bad in ("KG", "kgm", "PCS", "CT", "TON", ""):
        assert not codes.unit_exists(bad), bad
    barrel = codes.unit("BLL")
    assert barrel is not None
    assert barrel.name == "barrel (US)"
    assert barrel.source == UNIT_SOURCE == "UN/ECE Recommendation 20, Rev. 17"
    assert codes.unit("PCS") is None


def test_every_unit_has_name_and_source(codes: CodeLists) -> None:
    units = codes.units()
    assert len({u.code for u in units}) == len(units)
    for u in units:
        assert u.name
        assert u.source == UNIT_SOURCE
        assert codes.unit_exists(u.code)


@pytest.mark.parametrize(
    ("code", "country", "function"),
    [
        ("INNSA", "IN", "port"),
        ("INMAA", "IN", "port"),
        ("INTKD", "IN", "icd"),
        ("RULED", "RU", "port"),
        ("RUNVS", "RU", "port"),
        ("RUASF", "RU", "port"),
        ("RUVVO", "RU", "port"),
        ("RUSVO", "RU", "airport"),
        ("IRBND", "IR", "port"),
    ],
)
def test_corridor_locodes(codes: CodeLists, code: str, country: str, function: str) -> None:
    loc = codes.locode(code)
    assert loc is not None
    assert loc.code == code
    assert loc.country == country
    assert loc.function == function
    assert loc.source.startswith("UNECE UN/LOCODE")


def test_locode_details(codes: CodeLists) -> None:
    leningrad = codes.locode("RULED")
    assert leningrad is not None
    assert leningrad.name.startswith("Saint Petersburg")
    assert leningrad.lat is not None and 59 < leningrad.lat < 61
    assert leningrad.lon is not None and 29 < leningrad.lon < 31
    nhava_sheva = codes.locode("INNSA")
    assert nhava_sheva is not None
    assert "Nhava Sheva" in nhava_sheva.name


@pytest.mark.parametrize("code", ["XXXXX", "innsa", "INNS", "RUSPB", ""])
def test_unknown_locodes(codes: CodeLists, code: str) -> None:
    assert codes.locode(code) is None


def test_locode_file_is_consistent(codes: CodeLists) -> None:
    locations = codes.locodes()
    assert 60 <= len(locations) <= 100
    for loc in locations:
        assert len(loc.code) == 5
        assert loc.code[:2] == loc.country
        assert codes.country_exists(loc.country)
        assert loc.name
        assert (loc.lat is None) == (loc.lon is None)
        if loc.lat is not None and loc.lon is not None:
            assert -90 <= loc.lat <= 90
            assert -180 <= loc.lon <= 180
    countries = {loc.country for loc in locations}
    assert {"IN", "RU", "IR"} <= countries


def test_location_is_frozen(codes: CodeLists) -> None:
    loc = codes.locode("INNSA")
    assert isinstance(loc, Location)
    with pytest.raises(AttributeError):
        loc.name = "x"  # type: ignore[misc]


HEADER = "code,name,country,function,lat,lon,source\n"


def test_load_locodes_parses_optional_coordinates() -> None:
    rows = load_locodes(HEADER + "INNSA,Nhava Sheva,IN,port,,,S\nRULED,St P,RU,port,59.9,30.25,S\n")
    assert rows["INNSA"].lat is None
    assert rows["RULED"].lat == 59.9
    assert rows["RULED"].lon == 30.25


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("INNSA,N,RU,port,,,S\n", "bad code"),
        ("INNS,N,IN,port,,,S\n", "bad code"),
        ("INNSA,N,IN,harbour,,,S\n", "unknown function"),
        ("INNSA,N,IN,port,,,\n", "no source"),
        ("INNSA,N,IN,port,,,S\nINNSA,N,IN,port,,,S\n", "listed twice"),
    ],
)
def test_load_locodes_rejects_bad_rows(row: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_locodes(HEADER + row)
