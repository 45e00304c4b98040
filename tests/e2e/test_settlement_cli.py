"""corridor ledger / settle at a local node: results as JSON, refusals as JSON errors or one line
with a non-zero exit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree
from typer.testing import CliRunner

from corridor.cli.main import app

runner = CliRunner()
ACC = "cust:AAACS1234F:INR"


def run(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path / "data")])
    return result.exit_code, result.output


def transfers(tmp_path: Path, name: str, items: list[dict[str, str]]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"transfers": items}), encoding="utf-8")
    return str(path)


def test_transfer_balance_statement_and_refusals(tmp_path: Path) -> None:
    assert run(tmp_path, "ledger", "accounts", "--sample-chart")[0] == 0
    fund = {
        "id": "f1",
        "debit_account": "funding:INR",
        "credit_account": ACC,
        "amount": "100.25",
        "currency": "INR",
    }
    code, out = run(tmp_path, "ledger", "transfer", transfers(tmp_path, "t.json", [fund]))
    assert code == 0 and json.loads(out)[0]["status"] == "created"
    code, out = run(tmp_path, "ledger", "balance", "--account", ACC)
    assert code == 0 and json.loads(out)["balance"] == "100.25"
    overdraw = {
        "id": "x",
        "debit_account": ACC,
        "credit_account": "customs:IN",
        "amount": "100.26",
        "currency": "INR",
    }
    code, out = run(tmp_path, "ledger", "transfer", transfers(tmp_path, "bad.json", [overdraw]))
    assert code == 1 and json.loads(out)[0]["path"] == "transfers[0].amount"
    code, out = run(tmp_path, "ledger", "balance", "--account", "nope")
    assert code == 1 and "no account 'nope'" in out
    today = datetime.now(UTC).date().isoformat()
    code, out = run(tmp_path, "ledger", "statement", "--account", ACC, "--date", today, "--format", "camt053")
    assert code == 0 and etree.fromstring(out.encode()).tag.endswith("Document")
    assert run(tmp_path, "ledger", "statement", "--account", ACC, "--date", "2026-02-30")[0] == 2


def test_window_and_realisation(tmp_path: Path) -> None:
    run(tmp_path, "ledger", "accounts", "--sample-chart")
    fund = [{"id": f"f{i}", "debit_account": "funding:INR", "credit_account": f"liq:{b}:INR", "amount": "500",
             "currency": "INR"} for i, b in enumerate(("SAMAINBBXXX", "SAMRRUMMXXX"))]  # fmt: skip
    run(tmp_path, "ledger", "transfer", transfers(tmp_path, "f.json", fund))
    ob = ["--payer", "SAMAINBBXXX", "--payee", "SAMRRUMMXXX", "--currency", "INR"]
    assert run(tmp_path, "settle", "obligation", "--id", "o1", "--amount", "300", *ob)[0] == 0
    assert run(tmp_path, "settle", "obligation", "--id", "o2", "--amount", "0.001", *ob)[0] == 1
    code, out = run(tmp_path, "settle", "close-window")
    assert code == 0 and json.loads(out)["currencies"]["INR"]["gross"] == "300.00"
    code, out = run(tmp_path, "settle", "realisation", "--as-of", "2026-03-02")
    assert code == 0 and json.loads(out) == {"as_of": "2026-03-02", "exports": [], "exporters": []}
    code, out = run(tmp_path, "settle", "realisation", "--issue", "26IN0000")
    assert code == 1 and "no export invoice" in out
