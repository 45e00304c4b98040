"""Every text the pages show, in one place per language, so that a Russian or Hindi translation is
one more mapping with the same keys."""

from __future__ import annotations

EN: dict[str, str] = {
    "app": "Trade Corridor",
    "skip": "Skip to the content",
    "login.title": "Log in",
    "login.username": "User name",
    "login.password": "Password",
    "login.submit": "Log in",
    "logout": "Log out",
    "nav.dashboard": "Dashboard",
    "nav.trader": "My declarations",
    "nav.declare": "File a declaration",
    "nav.officer": "Officer's queue",
    "nav.carrier": "Milestones",
    "dashboard.title": "India–Russia trade and the USD 100 bn target",
    "dashboard.csv": "Download the numbers (CSV)",
    "dashboard.sources": "Sources of the official figures",
    "dashboard.sample": "The corridor figures come from this node's declarations; in the demo they are SAMPLE data.",
    "trader.title": "My declarations and consignments",
    "trader.none": "No declarations yet.",
    "declare.title": "File an export declaration",
    "declare.intro": "Fields follow the WCO Data Model 3.x. Each problem is shown beside its field.",
    "declare.documents": "Trade documents (wrapped OpenAttestation JSON list, optional)",
    "declare.submit": "File the declaration",
    "declare.errors": "The declaration was not filed: correct the fields marked below.",
    "consignment.title": "Declaration",
    "officer.title": "Officer's queue",
    "officer.none": "Nothing waits for an officer.",
    "officer.reason": "Reason or findings",
    "officer.clear": "Clear (conform)",
    "officer.hold": "Hold",
    "officer.release": "Release",
    "carrier.title": "Consignments I carry",
    "carrier.post": "Post a milestone",
    "carrier.none": "No consignment names this carrier.",
    "error.csrf": "The form was refused: its security token is missing or stale. Reload the page and try again.",
    "error.notfound": "Not found.",
    "error.forbidden": "Your role may not open this page.",
}

LANGUAGES = {"en": EN}


def text(key: str, language: str = "en") -> str:
    return LANGUAGES.get(language, EN).get(key, EN.get(key, key))
