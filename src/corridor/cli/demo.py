"""demo: two embedded nodes flowing sample consignments both ways, and its summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from corridor.cli.common import Json
from corridor.demo.run import DemoSummary, run_demo

app = typer.Typer()
err = Console(stderr=True)
out = Console()


@app.command()
def demo(
    consignments: Annotated[
        int, typer.Option(min=2, help="How many sample consignments (half each way)")
    ] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the sample data")] = 7,
    data_dir: Annotated[Path, typer.Option(help="Where the two nodes keep their databases and keys")] = Path(
        "corridor-data/demo"
    ),
    as_json: Json = False,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then keep both nodes running and print their dashboard URLs")
    ] = False,
    port: Annotated[int, typer.Option(help="With --serve: IN's port; RU's is the next one")] = 8001,
) -> None:
    """Run two embedded nodes (IN, RU) and flow sample consignments both ways."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=as_json,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def show(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=total)
            progress.update(tasks[phase], completed=done, total=total)

        summary = run_demo(data_dir, consignments, seed, on_progress=show)
    if as_json:
        typer.echo(json.dumps(summary.to_json()))
    else:
        out.print(summary_table(summary))
    if serve:
        from corridor.cli.demo_serve import serve_demo

        serve_demo(data_dir, "127.0.0.1", port)


def settlement_rows(table: Table, settlement: dict[str, Any]) -> None:
    """Money moved through the ledgers: value settled, the currency shares, interbank netting."""
    for ccy, amount in settlement["settled"].items():
        table.add_row(f"settled through the ledger, {ccy} ({settlement['payments'][ccy]} payments)", amount)
    shares = settlement["share_percent"]
    table.add_row(
        "share INR / RUB / other (% of value, sample rates)",
        " / ".join(shares[k] for k in ("INR", "RUB", "other")),
    )
    for ccy, figures in settlement["interbank"].items():
        table.add_row(f"interbank {ccy}: gross -> net ({figures['reduction_percent']} % less)",
                      f"{figures['gross']} -> {figures['multilateral_net']}")  # fmt: skip
    table.add_row("every ledger balances", "yes" if settlement["all_ledgers_balance"] else "NO")


def summary_table(summary: DemoSummary) -> Table:
    data = summary.to_json()
    table = Table(title="Trade Corridor demo (sample data)", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("consignments", str(data["consignments"]))
    for direction, count in data["by_direction"].items():
        table.add_row(f"  {direction}", str(count))
    for flow, lanes in data["lanes"].items():
        table.add_row(
            f"{flow} lanes (green / yellow / red)",
            " / ".join(str(lanes[k]) for k in ("green", "yellow", "red")),
        )
    for currency, amount in data["duties"].items():
        table.add_row(f"duties and taxes assessed, {currency}", f"{float(amount):,.2f}")
    table.add_row("acknowledged by destination", str(data["acknowledged"]))
    table.add_row(
        "documents issued (OpenAttestation) / findings",
        f"{data['documents']['issued']} / {data['documents']['findings']}",
    )
    release = data["release"]
    table.add_row(
        "released at destination (on arrival)", f"{release['released']} ({release['released_on_arrival']})"
    )
    for lane, figures in release["release_hours_by_lane"].items():
        table.add_row(
            f"  arrival -> release, {lane} lane (mean / max h)", f"{figures['mean_h']} / {figures['max_h']}"
        )
    table.add_row("logistics events posted (EPCIS 2.0)", str(release["events_posted"]))
    settlement_rows(table, data["settlement"])
    table.add_row("messages signed", str(data["messages_signed"]))
    table.add_row("messages verified", str(data["messages_verified"]))
    table.add_row("messages rejected", str(data["messages_rejected"]))
    table.add_row("elapsed", f"{data['elapsed_s']:.2f} s")
    return table
