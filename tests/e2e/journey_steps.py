"""What the corridor's users do, as steps of a journey through each node's HTTP API: the exporter
(or its broker) files, customs at either end checks, holds and clears, the chamber issues and
revokes certificates, the carrier reports the voyage, the importer pays.

Two nodes run in one process (``corridor.demo.run.Corridor``) on one clock that the journey moves
on as the ship sails; every user acts with an API key bound to its role and party."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from corridor.api.app import create_app
from corridor.demo.carrier import milestones
from corridor.demo.paperwork import documents_for, reference
from corridor.demo.run import Corridor, register_chambers
from corridor.service.auth import create_api_key

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "declarations"
SELECTION_KEY = b"journey-tests-selection-key-0000"
SHRIMP = "in-ru-shrimp-nhava-sheva-st-petersburg.json"
AUTOMATED = "customs-risk-management-system"  # who releases on arrival, in the timeline
SAMPLE_BANKS = {"IN": "SAMAINBBXXX", "RU": "SAMRRUMMXXX"}  # sample banks of settlement's chart


class Clock:
    """Both nodes' clock, moved on by the journey as the voyage goes."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def move_to(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


class Actor:
    """Someone who uses one node's API with a key bound to their role and party."""

    def __init__(self, corridor: Corridor, country: str, role: str, party: str) -> None:
        node = corridor.nodes[country]
        secret = create_api_key(node.uow(), role, party, f"{role} {party}", node.bus.ctx.clock())
        self.party = party
        self.http = TestClient(create_app(node), raise_server_exceptions=False)
        self.http.headers["X-API-Key"] = secret

    def post(self, path: str, body: Any, expect: int) -> dict[str, Any]:
        return answer(self.http.post(path, json=body), expect)

    def get(self, path: str, expect: int = 200) -> dict[str, Any]:
        return answer(self.http.get(path), expect)


def answer(response: Response, expect: int) -> dict[str, Any]:
    assert response.status_code == expect, response.text
    found: dict[str, Any] = response.json()
    return found


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text("utf-8"))
    return document


def stages(timeline: dict[str, Any]) -> list[str]:
    return [stage["stage"] for stage in timeline["timeline"]]


def stage(timeline: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in timeline["timeline"] if s["stage"] == name)
    return found


def currencies(declaration: dict[str, Any]) -> set[str]:
    """The currencies the duties and taxes of a declaration are assessed in."""
    return {amount["currencyID"] for amount in declaration["assessment"]["totals"]}


def taxes(declaration: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The assessed duties and taxes (WCO DutyTaxFee) of a one-item declaration, by type code."""
    [line] = declaration["assessment"]["lines"]
    return {tax["TypeCode"]: tax for tax in line["DutyTaxFee"]}


def money(amount: dict[str, Any]) -> Decimal:
    return Decimal(amount["value"])


def reasons(entries: list[dict[str, Any]]) -> str:
    return " ".join(str(entry["reason"]) for entry in entries)


class Journey:
    """One consignment of an example declaration between the two nodes, and the people on it."""

    def __init__(self, tmp_path: Path, document: dict[str, Any]) -> None:
        self.document = document
        declaration = document["Declaration"]
        self.clock = Clock(datetime.fromisoformat(declaration["IssueDateTime"]) + timedelta(hours=1))
        self.tmp_path = tmp_path
        self.corridor = Corridor.embedded(tmp_path, clock=self.clock, selection_key=SELECTION_KEY)
        self.origin = declaration["GoodsShipment"]["ExportCountry"]["ID"]
        self.destination = declaration["GoodsShipment"]["Destination"]["CountryCode"]
        carrier = declaration["GoodsShipment"]["Consignment"]["Carrier"]["ID"]
        self.exporter = self.user(self.origin, "trader", declaration["Exporter"]["ID"])
        self.export_officer = self.user(self.origin, "officer", f"{self.origin}-OFFICER-1")
        self.importer = self.user(self.destination, "trader", declaration["GoodsShipment"]["Importer"]["ID"])
        self.import_officer = self.user(self.destination, "officer", f"{self.destination}-OFFICER-1")
        self.carrier = self.user(self.origin, "carrier", carrier)
        self.events: list[dict[str, Any]] = []
        self.voyage_header: dict[str, Any] = {}

    def import_officer_holds(self, imported: dict[str, Any], reason: str) -> dict[str, Any]:
        return self.import_officer.post(f"/v1/declarations/{imported['id']}/hold", {"reason": reason}, 200)

    def time_passes(self, hours: float) -> None:
        self.clock.move_to(self.clock.now + timedelta(hours=hours))

    def import_officers_queue(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.import_officer.get("/v1/queue")["items"]
        return items

    def user(self, country: str, role: str, party: str) -> Actor:
        return Actor(self.corridor, country, role, party)

    def close(self) -> None:
        self.corridor.close()

    # ------------------------------------------------------------------ messages between the nodes
    def messages_cross(self) -> None:
        """The relays deliver what each node has to tell the other (pre-arrival data, answers,
        notices, events, revocations)."""
        self.corridor.pump()

    # ------------------------------------------------------------------ at the export office
    def exporter_files(self, documents: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        body = reference(self.document, documents) if documents else self.document
        return self.exporter.post("/v1/declarations", {**body, "documents": documents or []}, 201)

    def export_officer_clears(self, export: dict[str, Any], findings: str) -> dict[str, Any]:
        return self.export_officer.post(f"/v1/declarations/{export['id']}/clear", {"findings": findings}, 200)

    def export_officer_holds(self, export: dict[str, Any], reason: str, expect: int = 200) -> dict[str, Any]:
        return self.export_officer.post(f"/v1/declarations/{export['id']}/hold", {"reason": reason}, expect)

    def export_is_cleared(self) -> dict[str, Any]:
        """File, and where the risk engine asks for it the export officer checks; the Let Export
        Order sends the signed pre-arrival data to the destination."""
        export = self.exporter_files()
        if export["status"] == "under_control":
            export = self.export_officer_clears(export, "documents in order")
        self.messages_cross()
        return export

    # ------------------------------------------------------------------ at the import office
    def import_declaration(self) -> dict[str, Any]:
        items: list[dict[str, Any]] = self.importer.get("/v1/declarations")["items"]
        [imported] = items
        return imported

    def import_officer_clears(
        self, imported: dict[str, Any], findings: str, expect: int = 200
    ) -> dict[str, Any]:
        return self.import_officer.post(
            f"/v1/declarations/{imported['id']}/clear", {"findings": findings}, expect
        )

    def import_officer_releases(self, imported: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        return self.import_officer.post(
            f"/v1/declarations/{imported['id']}/release", {"reason": "arrived, conform, paid"}, expect
        )

    def importer_pays_the_duties(self, imported: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        totals = imported["assessment"]["totals"]
        return self.importer.post(
            f"/v1/declarations/{imported['id']}/payments", {"amounts": totals, "reference": "PAY-1"}, expect
        )

    # ------------------------------------------------------------------ the banks and the ledgers
    def bank(self, country: str) -> Actor:
        """The sample bank of ``country`` that keeps the traders' accounts there."""
        return self.user(country, "bank", SAMPLE_BANKS[country])

    def funding_is_explicit_at(self, country: str) -> None:
        """The node's settlement runs with explicit funding: only a bank's deposit puts money in an
        account (no sample bank tops an importer up)."""
        settlement = self.corridor.nodes[country].bus.ctx.settlement
        assert settlement is not None
        settlement.sample_funding = False

    def bank_deposits(self, country: str, party: str, amount: dict[str, Any]) -> dict[str, Any]:
        """The party's bank credits its settlement account: money enters the ledger."""
        ccy = amount["currencyID"]
        transfer = {"id": f"deposit-{party}-{ccy}", "debit_account": f"funding:{ccy}",
                    "credit_account": f"cust:{party}:{ccy}", "amount": amount["value"], "currency": ccy,
                    "code": "deposit", "reference": "cash deposit"}  # fmt: skip
        return self.bank(country).post("/v1/ledger/transfers", {"transfers": [transfer]}, 200)

    def importers_bank_pays_the_invoice(self, export_id: str, payer: str, payee: str) -> list[str]:
        """At the origin, the importer's bank pays the export invoice (converted when ``payer`` and
        ``payee`` currencies differ); the payment reaches the destination's ledger as a message."""
        paid = self.bank(self.origin).post(
            f"/v1/settlement/invoices/{export_id}/pay",
            {"payer_currency": payer, "payee_currency": payee},
            200,
        )
        transfers: list[str] = paid["transfers"]
        return transfers

    def balance(self, country: str, account: str) -> Decimal:
        return Decimal(self.bank(country).get(f"/v1/ledger/balance?account={account}")["balance"])

    def ledger_balances(self, country: str) -> bool:
        """Per currency of the node's ledger, posted debits equal posted credits."""
        node = self.corridor.nodes[country]
        with node.uow() as uow:
            accounts = uow.ledger.accounts()
        sums: dict[str, int] = {}
        for account in accounts:
            sums[account.ledger] = (
                sums.get(account.ledger, 0) + account.debits_posted - account.credits_posted
            )
        return bool(sums) and not any(sums.values())

    def import_timeline(self) -> dict[str, Any]:
        return self.importer.get(f"/v1/declarations/{self.import_declaration()['id']}/timeline")

    # ------------------------------------------------------------------ the voyage
    def plan_voyage(self, export_id: str, days_at_sea: int) -> None:
        """The carrier's milestones: loading and departure tomorrow, arrival, unloading and exit."""
        departure = self.clock.now + timedelta(days=1)
        voyage = milestones(self.document, export_id, departure, departure + timedelta(days=days_at_sea))
        self.events = list(voyage["epcisBody"]["eventList"])
        self.voyage_header = voyage

    def carrier_reports(self, count: int) -> None:
        """The carrier posts its next ``count`` milestones, each when it happens."""
        for event in self.events[:count]:
            self.clock.move_to(datetime.fromisoformat(event["eventTime"]) + timedelta(minutes=5))
            self.carrier.post("/v1/events", {**self.voyage_header, "epcisBody": {"eventList": [event]}}, 202)
            self.messages_cross()
        self.events = self.events[count:]

    def vessel_departs(self, export_id: str, days_at_sea: int = 30) -> None:
        self.plan_voyage(export_id, days_at_sea)
        self.carrier_reports(2)  # loaded on board, departed

    def vessel_arrives(self) -> None:
        self.carrier_reports(2)  # arrived at the port of discharge, unloaded

    def carrier_reports_the_voyage(self, export_id: str, days_at_sea: int) -> None:
        self.plan_voyage(export_id, days_at_sea)
        self.carrier_reports(len(self.events))

    # ------------------------------------------------------------------ trade documents
    def chamber_issues_the_paperwork(self) -> list[dict[str, Any]]:
        """The origin's chamber of commerce (trusted by both nodes) wraps and signs a certificate
        of origin and a commercial invoice that agree with the declaration."""
        chamber = register_chambers(self.tmp_path, self.corridor)[self.origin]
        self.chamber = self.user(self.origin, "issuer", chamber)
        raws = documents_for(self.document)
        issued = self.chamber.post("/v1/documents/issue", {"issuer_id": chamber, "documents": raws}, 200)
        return list(issued["documents"])

    def chamber_revokes(self, document: dict[str, Any], reason: str) -> dict[str, Any]:
        """The chamber revokes a document it issued; the peer node is told by a signed message."""
        return self.chamber.post("/v1/documents/revoke", {"document": document, "reason": reason}, 200)


def with_declarant(document: dict[str, Any], broker: dict[str, Any]) -> dict[str, Any]:
    """The declaration as a customs broker lodges it: the broker named as Declarant."""
    lodged = copy.deepcopy(document)
    lodged["Declaration"]["Declarant"] = broker
    return lodged
