"""TRS report: Rich tables, CSV files and a PNG chart (matplotlib, Agg backend)."""

from __future__ import annotations

import csv
from pathlib import Path

from rich.console import Console
from rich.table import Table

from corridor.simulation.trs import DoorRow, TrsRow, door_to_door, trs_table
from corridor.simulation.voyages import NTRS_SOURCE, SimulationResult

TRS_CSV = "trs_release_times.csv"
DOOR_CSV = "door_to_door.csv"
CHART_PNG = "trs_release_times.png"


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def port_table(result: SimulationResult) -> list[TrsRow]:
    return trs_table(result.records, key=lambda r: (r.port, r.port_type))


def lane_table(result: SimulationResult) -> list[TrsRow]:
    return trs_table(result.records, key=lambda r: (r.port_type, r.lane))


def headline_table(result: SimulationResult) -> list[TrsRow]:
    return trs_table(result.records, key=lambda r: (r.port_type,))


def _rich_trs(title: str, rows: list[TrsRow], group_names: tuple[str, ...]) -> Table:
    table = Table(title=title)
    for col in (
        "scenario",
        *group_names,
        "n",
        "mean h",
        "p50 h",
        "p90 h",
        "p99 h",
        "<=0 h",
        "<=24 h",
        "<=48 h",
    ):
        table.add_column(col, justify="left" if col in ("scenario", *group_names) else "right")
    for r in rows:
        table.add_row(
            r.scenario, *r.group, str(r.n), f"{r.mean_h:.1f}", f"{r.p50_h:.1f}", f"{r.p90_h:.1f}",
            f"{r.p99_h:.1f}", _pct(r.share_at_arrival), _pct(r.share_24h), _pct(r.share_48h),
        )  # fmt: skip
    return table


def _rich_door(rows: list[DoorRow]) -> Table:
    table = Table(title="Door-to-door time per route (first departure -> final destination)")
    for col in ("scenario", "route", "n", "mean h", "p50 h", "p90 h", "mean days"):
        table.add_column(col, justify="left" if col in ("scenario", "route") else "right")
    for r in rows:
        table.add_row(
            r.scenario, r.route_id, str(r.n), f"{r.mean_h:.1f}", f"{r.p50_h:.1f}", f"{r.p90_h:.1f}",
            f"{r.mean_h / 24:.1f}",
        )  # fmt: skip
    return table


def print_report(result: SimulationResult, console: Console) -> None:
    console.print(
        _rich_trs("TRS release time (arrival -> release) by port type", headline_table(result), ("type",))
    )
    console.print(_rich_trs("TRS release time by port", port_table(result), ("port", "type")))
    console.print(_rich_trs("TRS release time by lane", lane_table(result), ("type", "lane")))
    console.print(_rich_door(door_to_door(result.records)))
    cal = result.calibration_check()
    ok = "within" if cal["seaport_within_tolerance"] else "OUTSIDE"
    console.print(
        f"Calibration: baseline seaport mean {cal['baseline_seaport_mean_h']:.1f} h vs NTRS 2023 "
        f"{cal['target_seaport_h']:.1f} h ({ok} +-10 %); baseline air {cal['baseline_air_mean_h']:.1f} h vs "
        f"{cal['target_air_h']:.1f} h. Corridor seaport mean {cal['corridor_seaport_mean_h']:.1f} h, "
        f"{100 * float(cal['corridor_seaport_cut']):.0f} % below baseline (NTRS 2024 reports -46 % for advance "
        f"filing + risk facilitation + AEO). Source: {NTRS_SOURCE}."
    )


def write_csv(result: SimulationResult, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    trs_path, door_path = out_dir / TRS_CSV, out_dir / DOOR_CSV
    with trs_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["scenario", "grouping", "port", "port_type", "lane", "n", "mean_h", "p50_h", "p90_h", "p99_h",
                    "share_at_or_before_arrival", "share_within_24h", "share_within_48h"])  # fmt: skip
        groupings = (
            ("port_type", trs_table(result.records, key=lambda r: ("*", r.port_type, "*"))),
            ("port", trs_table(result.records, key=lambda r: (r.port, r.port_type, "*"))),
            ("port_lane", trs_table(result.records, key=lambda r: (r.port, r.port_type, r.lane))),
        )
        for name, rows in groupings:
            for r in rows:
                w.writerow([r.scenario, name, *r.group, r.n, f"{r.mean_h:.3f}", f"{r.p50_h:.3f}", f"{r.p90_h:.3f}",
                            f"{r.p99_h:.3f}", f"{r.share_at_arrival:.4f}", f"{r.share_24h:.4f}",
                            f"{r.share_48h:.4f}"])  # fmt: skip
    with door_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["scenario", "route", "n", "mean_h", "p50_h", "p90_h"])
        for d in door_to_door(result.records):
            w.writerow([d.scenario, d.route_id, d.n, f"{d.mean_h:.3f}", f"{d.p50_h:.3f}", f"{d.p90_h:.3f}"])
    return trs_path, door_path


def write_chart(result: SimulationResult, out_dir: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    rows = port_table(result)
    ports = sorted({r.group[0] for r in rows})
    by = {(r.scenario, r.group[0]): r for r in rows}
    fig, ax = plt.subplots(figsize=(10, 5))
    width = 0.38
    for k, scenario in enumerate(("baseline", "corridor")):
        xs = [i + (k - 0.5) * width for i in range(len(ports))]
        means = [by[(scenario, p)].mean_h if (scenario, p) in by else 0.0 for p in ports]
        p90 = [by[(scenario, p)].p90_h if (scenario, p) in by else 0.0 for p in ports]
        ax.bar(xs, means, width, label=f"{scenario} mean")
        ax.scatter(xs, p90, marker="_", s=200, color="black", zorder=3, label="p90" if k == 0 else None)
    ax.axhline(85.7, linestyle="--", linewidth=1, color="grey", label="NTRS 2023 seaport mean 85.7 h")
    ax.set_xticks(range(len(ports)), ports)
    ax.set_ylabel("hours, arrival -> release")
    ax.set_title(f"TRS release time by entry port (N={result.consignments}, seed={result.seed})")
    ax.legend()
    fig.tight_layout()
    path = out_dir / CHART_PNG
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
