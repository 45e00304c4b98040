"""Routes data, TRS statistics, the seeded simulation and the `simulate` command."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli.simulate import app
from corridor.logistics.routes import load_routes, route, routes
from corridor.simulation.trs import ReleaseRecord, percentile, summarize, trs_table
from corridor.simulation.voyages import NTRS_2023_SEAPORT_H, simulate


def test_routes_cover_the_corridors_both_ways() -> None:
    sources, all_routes = load_routes()
    ids = {r.id for r in all_routes}
    assert {"suez-led", "suez-nvs", "instc-nsa", "instc-mun", "emc", "air-del-svo"} <= ids
    assert {f"{i}-rev" for i in ("suez-led", "emc", "air-del-svo")} <= ids
    instc = route("instc-nsa")
    assert instc.locodes() == ["INNSA", "IRBND", "IRAMD", "RUASF", "RUMOW"] and instc.entry == "RUASF"
    assert route("instc-nsa-rev").entry == "INNSA" and route("instc-nsa-rev").origin == "RUMOW"
    assert route("emc").locodes() == ["INMAA", "RUVVO"]
    assert route("air-del-svo").port_type == "air"
    for r in routes():
        for leg in r.legs:
            assert leg.source in sources and 0 < leg.min_h <= leg.mode_h <= leg.max_h


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50 and percentile(values, 90) == 90 and percentile(values, 99) == 99
    assert percentile([3.0], 99) == 3.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_summarize_shares() -> None:
    mean, p50, _, _, s0, s24, s48 = summarize([0.0, 0.0, 10.0, 30.0, 60.0])
    assert mean == 20.0 and p50 == 10.0 and (s0, s24, s48) == (0.4, 0.6, 0.8)


def test_trs_table_groups() -> None:
    recs = [ReleaseRecord("corridor", str(i), "r", "IN-RU", "RULED", "seaport", lane, h, 100.0)
            for i, (lane, h) in enumerate([("green", 0.0), ("green", 2.0), ("red", 20.0)])]  # fmt: skip
    rows = trs_table(recs)
    assert [(r.group, r.n, r.mean_h) for r in rows] == [
        (("RULED", "green"), 2, 1.0),
        (("RULED", "red"), 1, 20.0),
    ]


def test_simulation_is_deterministic_for_a_seed() -> None:
    a, b, c = simulate(300, 11), simulate(300, 11), simulate(300, 12)
    assert a.records == b.records
    assert a.records != c.records


def test_same_consignments_in_both_scenarios() -> None:
    result = simulate(200, 3)
    base = {r.consignment_id: r for r in result.records if r.scenario == "baseline"}
    corr = {r.consignment_id: r for r in result.records if r.scenario == "corridor"}
    assert base.keys() == corr.keys() and len(base) == 200
    for cid, r in base.items():
        assert (r.route_id, r.port) == (corr[cid].route_id, corr[cid].port)
        assert r.release_h > 0  # baseline files after arrival: never released on arrival


@pytest.mark.slow
def test_baseline_calibrated_to_ntrs_seaport_mean() -> None:
    cal = simulate(2000, 7).calibration_check()
    assert cal["seaport_within_tolerance"] is True
    assert abs(float(cal["baseline_seaport_mean_h"]) / NTRS_2023_SEAPORT_H - 1) <= 0.10
    assert float(cal["corridor_seaport_mean_h"]) < 0.54 * float(cal["baseline_seaport_mean_h"])


def test_stage_order_in_records() -> None:
    for r in simulate(200, 5).records:
        arrival, lodgement, registration, assessment, _, payment, release, exit_ = r.stages_h
        assert arrival == 0.0
        assert lodgement is not None and registration is not None and assessment is not None
        assert payment is not None and release is not None and exit_ is not None
        assert lodgement <= registration <= assessment <= payment
        assert release == pytest.approx(r.release_h) and 0 <= release < exit_
        assert release >= max(0.0, payment) - 1e-9


def test_simulate_command_writes_csv_and_chart(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["simulate", "--consignments", "150", "--seed", "7", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "Calibration" in result.output
    with (tmp_path / "trs_release_times.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["scenario"] for r in rows} == {"baseline", "corridor"}
    assert {r["grouping"] for r in rows} == {"port_type", "port", "port_lane"}
    assert (tmp_path / "door_to_door.csv").stat().st_size > 0
    assert (tmp_path / "trs_release_times.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
