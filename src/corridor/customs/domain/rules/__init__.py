"""Cross-field and code-list rules for a declaration; every problem names its field.

Pure: code lists come in as an object answering the ``CodeLookup`` protocol.
"""

from corridor.customs.domain.rules.declaration import declaration_errors
from corridor.customs.domain.rules.lookup import CodeLookup, Located
from corridor.customs.domain.rules.parties import party_id_error
from corridor.customs.domain.rules.vocabulary import (
    CONSIGNMENT,
    CORRIDOR_COUNTRIES,
    ITEMS,
    LARGEST,
    MASS_UNITS,
    NATIONAL_SCHEME,
    PARTY_ID_SCHEMES,
    PROCEDURE_FIRST_DIGITS,
    SHIPMENT,
    VALUATION_METHODS,
    mass_in_kg,
    national_code,
)

__all__ = [
    "CONSIGNMENT",
    "CORRIDOR_COUNTRIES",
    "ITEMS",
    "LARGEST",
    "MASS_UNITS",
    "NATIONAL_SCHEME",
    "PARTY_ID_SCHEMES",
    "PROCEDURE_FIRST_DIGITS",
    "SHIPMENT",
    "VALUATION_METHODS",
    "CodeLookup",
    "Located",
    "declaration_errors",
    "mass_in_kg",
    "national_code",
    "party_id_error",
]
