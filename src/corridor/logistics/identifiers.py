"""Identifier URIs used in the corridor's EPCIS events.

EPCIS 2.0 requires every identifier (epcList items, readPoint / bizLocation ids) to be an absolute URI.
The corridor uses these schemes, all accepted by the official EPCIS 2.0 JSON Schema:

* **Locations** (readPoint.id, bizLocation.id): the UN/CEFACT linked-data vocabulary for UN/LOCODE,
  ``https://vocabulary.uncefact.org/unlocode#INNSA`` (prefix ``unlcd:`` in UN/CEFACT JSON-LD; the form used
  by the UN Transparency Protocol for classification URLs). Only this full form is accepted.
* **Containers** (epcList): ISO 6346 container numbers with a valid check digit, written as
  ``https://id.corridor.example/container/MSKU1234565``. ISO 6346 has no registered URI or URN form and GS1
  has no EPC scheme for it, so the corridor mints one under its own base (``CORRIDOR_ID_BASE``; ``.example``
  is the reserved RFC 2606 domain, a deployment replaces it with the operator's domain).
* **Consignments** (epcList): either a GS1 GINC as EPC URI (``urn:epc:id:ginc:<company prefix>.<reference>``,
  GS1 Tag Data Standard) or the corridor consignment reference (e.g. a WCO UCR) as
  ``https://id.corridor.example/consignment/<reference>``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple

from corridor.shared.iso6346 import container_number_error

UNLOCODE_URI_PREFIX = "https://vocabulary.uncefact.org/unlocode#"
CORRIDOR_ID_BASE = "https://id.corridor.example/"
CONTAINER_URI_PREFIX = CORRIDOR_ID_BASE + "container/"
CONSIGNMENT_URI_PREFIX = CORRIDOR_ID_BASE + "consignment/"
GINC_URN_PREFIX = "urn:epc:id:ginc:"

LOCODE_RE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
CONSIGNMENT_REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,69}$")
GINC_RE = re.compile(r"^[0-9]{6,12}\.[!-~]{1,24}$")
# RFC 3986 absolute-URI, loosely: scheme ":" then no whitespace or characters RFC 3986 never allows.
URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")


def is_container_number(value: str) -> bool:
    """True for an ISO 6346 container number (owner code, category U/J/Z, 6-digit serial, check digit)."""
    return container_number_error(value) is None


def is_uri(value: str) -> bool:
    return bool(URI_RE.match(value))


def locode_uri(locode: str) -> str:
    if not LOCODE_RE.match(locode):
        raise ValueError(f"{locode!r} is not a UN/LOCODE (2-letter country + 3 characters)")
    return UNLOCODE_URI_PREFIX + locode


def locode_from_uri(uri: str) -> str | None:
    """The UN/LOCODE in a UN/CEFACT vocabulary URI, or None if ``uri`` is not one."""
    if uri.startswith(UNLOCODE_URI_PREFIX):
        code = uri[len(UNLOCODE_URI_PREFIX) :]
        if LOCODE_RE.match(code):
            return code
    return None


def container_uri(number: str) -> str:
    if not is_container_number(number):
        raise ValueError(f"{number!r} is not an ISO 6346 container number with a valid check digit")
    return CONTAINER_URI_PREFIX + number


def consignment_uri(reference: str) -> str:
    if not CONSIGNMENT_REF_RE.match(reference):
        raise ValueError(f"{reference!r} is not a consignment reference (letters, digits, . _ -; max 70)")
    return CONSIGNMENT_URI_PREFIX + reference


class IdKind(StrEnum):
    CONTAINER = "container"
    CONSIGNMENT = "consignment"


class ParsedId(NamedTuple):
    kind: IdKind
    value: str


def parse_epc(uri: str) -> ParsedId | str:
    """Classify an epcList entry. Returns the identifier or, when not usable, the reason as a string."""
    if uri.startswith(CONTAINER_URI_PREFIX):
        number = uri[len(CONTAINER_URI_PREFIX) :]
        problem = container_number_error(number)
        if problem is not None:
            return f"container {number!r}: {problem}"
        return ParsedId(IdKind.CONTAINER, number)
    if uri.startswith(CONSIGNMENT_URI_PREFIX):
        ref = uri[len(CONSIGNMENT_URI_PREFIX) :]
        if not CONSIGNMENT_REF_RE.match(ref):
            return f"{ref!r} is not a consignment reference (letters, digits, . _ -; max 70)"
        return ParsedId(IdKind.CONSIGNMENT, ref)
    if uri.startswith(GINC_URN_PREFIX):
        ginc = uri[len(GINC_URN_PREFIX) :]
        if not GINC_RE.match(ginc):
            return f"{ginc!r} is not a GINC EPC URI body (<company prefix>.<reference>)"
        return ParsedId(IdKind.CONSIGNMENT, uri)
    return (
        "not a container or consignment identifier; use "
        f"{CONTAINER_URI_PREFIX}<ISO 6346 number>, {CONSIGNMENT_URI_PREFIX}<reference> "
        f"or {GINC_URN_PREFIX}<GINC>"
    )
