"""ISO 20022 messages of the ledger, built with lxml: a ``pacs.008.001.08`` FI to FI customer credit
transfer for each cross-border invoice payment, and a ``camt.053.001.08`` bank to customer
statement of one account for one day (message definitions of the 2019 maintenance release,
iso20022.org). Amounts are written from integer minor units with the currency's decimals."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from lxml import etree

from corridor.settlement.domain.currency import currency
from corridor.settlement.domain.model import Account, Transfer
from corridor.settlement.queries import Statement

PACS008 = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"
CAMT053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    child = etree.SubElement(parent, f"{{{parent.nsmap[None]}}}{tag}", attrs)
    if text is not None:
        child.text = text
    return child


def _path(parent: etree._Element, tags: str, text: str) -> etree._Element:
    """``a/b/c`` below ``parent``, the last with ``text``."""
    node = parent
    for tag in tags.split("/"):
        node = _el(node, tag)
    node.text = text
    return node


def _amount(parent: etree._Element, tag: str, minor: int, ccy: str) -> None:
    _el(parent, tag, currency(ccy).format(minor), Ccy=ccy)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _max35(value: str) -> str:
    """Identifiers longer than Max35Text are shortened to a stable digest."""
    return value if len(value) <= 35 else hashlib.sha256(value.encode()).hexdigest()[:35]


def uetr(transfer_id: str) -> str:
    """A stable UUID version 4 form (the UETR of SWIFT gpi) derived from the transfer id."""
    raw = bytearray(hashlib.sha256(transfer_id.encode()).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


def _agent(parent: etree._Element, tag: str, bic: str | None) -> None:
    fin = _el(_el(parent, tag), "FinInstnId")
    if bic:
        _el(fin, "BICFI", bic)
    else:
        _el(fin, "Nm", "not identified by BIC")


def _account(parent: etree._Element, tag: str, acc: Account) -> None:
    node = _el(parent, tag)
    _path(node, "Id/Othr/Id", _max35(acc.id))
    _el(node, "Ccy", acc.ledger)


@dataclass(frozen=True, slots=True)
class CreditTransfer:
    """A customer credit transfer between two parties' accounts: ``settled`` is the transfer that
    credits the creditor; ``instructed`` the one that debited the debtor when a conversion sits between."""

    settled: Transfer
    debtor_name: str
    debtor_account: Account
    creditor_name: str
    creditor_account: Account
    instructed: Transfer | None = None


def pacs008(message_id: str, created: datetime, payment: CreditTransfer) -> bytes:
    t = payment.settled
    assert t.timestamp is not None
    root = etree.Element(f"{{{PACS008}}}Document", nsmap={None: PACS008})
    msg = _el(root, "FIToFICstmrCdtTrf")
    hdr = _el(msg, "GrpHdr")
    _el(hdr, "MsgId", _max35(message_id))
    _el(hdr, "CreDtTm", _iso(created))
    _el(hdr, "NbOfTxs", "1")
    _path(hdr, "SttlmInf/SttlmMtd", "INDA")  # settled on the accounts of the instructed agent
    tx = _el(msg, "CdtTrfTxInf")
    ids = _el(tx, "PmtId")
    _el(ids, "InstrId", _max35(t.id))
    _el(ids, "EndToEndId", _max35(t.reference or t.id))
    _el(ids, "UETR", uetr(t.id))
    _amount(tx, "IntrBkSttlmAmt", t.amount, t.ledger)
    _el(tx, "IntrBkSttlmDt", t.timestamp.date().isoformat())
    if payment.instructed is not None and payment.instructed.fx is not None:
        src = payment.instructed
        _amount(tx, "InstdAmt", src.amount, src.ledger)
        quote = src.fx
        assert quote is not None
        rate = (
            quote.rate
            if quote.base_ccy == src.ledger
            else (Decimal(1) / quote.rate).quantize(Decimal("1e-8"))
        )
        _el(tx, "XchgRate", format(rate.normalize(), "f"))
    _el(tx, "ChrgBr", "SHAR")
    _agent(tx, "InstgAgt", payment.debtor_account.bic)
    _agent(tx, "InstdAgt", payment.creditor_account.bic)
    _el(_el(tx, "Dbtr"), "Nm", payment.debtor_name[:140])
    _account(tx, "DbtrAcct", payment.debtor_account)
    _agent(tx, "DbtrAgt", payment.debtor_account.bic)
    _agent(tx, "CdtrAgt", payment.creditor_account.bic)
    _el(_el(tx, "Cdtr"), "Nm", payment.creditor_name[:140])
    _account(tx, "CdtrAcct", payment.creditor_account)
    if t.reference:
        _path(tx, "RmtInf/Ustrd", f"{t.code} {t.reference}"[:140])
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _balance(stmt: etree._Element, code: str, minor: int, ccy: str, day: str) -> None:
    bal = _el(stmt, "Bal")
    _path(bal, "Tp/CdOrPrtry/Cd", code)
    _amount(bal, "Amt", abs(minor), ccy)
    _el(bal, "CdtDbtInd", "CRDT" if minor >= 0 else "DBIT")
    _path(bal, "Dt/Dt", day)


def camt053(message_id: str, created: datetime, s: Statement) -> bytes:
    acc, ccy, day = s.account, s.account.ledger, s.day.isoformat()
    root = etree.Element(f"{{{CAMT053}}}Document", nsmap={None: CAMT053})
    msg = _el(root, "BkToCstmrStmt")
    hdr = _el(msg, "GrpHdr")
    _el(hdr, "MsgId", _max35(message_id))
    _el(hdr, "CreDtTm", _iso(created))
    stmt = _el(msg, "Stmt")
    _el(stmt, "Id", _max35(f"{acc.id}:{day}"))
    _el(stmt, "CreDtTm", _iso(created))
    start = datetime.combine(s.day, time(), UTC)
    period = _el(stmt, "FrToDt")
    _el(period, "FrDtTm", _iso(start))
    _el(period, "ToDtTm", _iso(start + timedelta(days=1) - timedelta(seconds=1)))
    node = _el(stmt, "Acct")
    _path(node, "Id/Othr/Id", _max35(acc.id))
    _el(node, "Ccy", ccy)
    _el(node, "Nm", acc.name[:70])
    if acc.bic:
        _path(node, "Svcr/FinInstnId/BICFI", acc.bic)
    _balance(stmt, "OPBD", s.opening, ccy, day)
    _balance(stmt, "CLBD", s.closing, ccy, day)
    for t in s.entries:
        _entry(stmt, s, t)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _entry(stmt: etree._Element, s: Statement, t: Transfer) -> None:
    assert t.timestamp is not None
    signed = s.signed(t)
    ntry = _el(stmt, "Ntry")
    _el(ntry, "NtryRef", _max35(t.id))
    _amount(ntry, "Amt", abs(signed), t.ledger)
    _el(ntry, "CdtDbtInd", "CRDT" if signed > 0 else "DBIT")
    _path(ntry, "Sts/Cd", "BOOK")
    _path(ntry, "BookgDt/DtTm", _iso(t.timestamp))
    _path(ntry, "ValDt/Dt", t.timestamp.date().isoformat())
    _el(ntry, "AcctSvcrRef", _max35(t.id))
    _path(ntry, "BkTxCd/Prtry/Cd", t.code[:35])
    details = _el(_el(ntry, "NtryDtls"), "TxDtls")
    refs = _el(details, "Refs")
    _el(refs, "EndToEndId", _max35(t.reference or t.id))
    _el(refs, "UETR", uetr(t.id))
    if t.reference:
        _path(details, "RmtInf/Ustrd", f"{t.code} {t.reference}"[:140])
