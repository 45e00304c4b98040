"""``corridor simulate``: the Time Release Study simulation (baseline vs corridor)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from corridor.simulation.report import print_report, write_chart, write_csv
from corridor.simulation.voyages import simulate

app = typer.Typer(help="Logistics: routes, EPCIS events and the Time Release Study simulation.")


@app.callback()
def _group() -> None:
    """Logistics commands."""


def simulate_command(
    consignments: int = typer.Option(2000, "--consignments", "-n", min=1, help="Number of consignments."),
    seed: int = typer.Option(7, "--seed", "-s", help="Random seed (same seed, same result)."),
    out: Path = typer.Option(Path("trs-out"), "--out", "-o", help="Directory for the CSV files and chart."),
    chart: bool = typer.Option(True, "--chart/--no-chart", help="Write the PNG chart."),
) -> None:
    """Simulate N consignments with the corridor and with the baseline; print and write the TRS table."""
    console = Console(width=None if sys.stdout.isatty() else 150)
    result = simulate(consignments, seed)
    print_report(result, console)
    trs_path, door_path = write_csv(result, out)
    console.print(f"CSV: {trs_path}, {door_path}")
    if chart:
        console.print(f"Chart: {write_chart(result, out)}")


app.command("simulate")(simulate_command)
