"""Spread toward the coast, recomputed independently from the raw files with pandas.

The northern-region lists below are written out again here in each source's own spelling (not
imported), so a wrong normalisation or list in the library cannot agree with itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sahel.analysis.charts import draw
from sahel.analysis.result import AnalysisResult
from sahel.analysis.spatial_cli import app
from sahel.analysis.spread import coastal_map, coastal_spread
from sahel.store.ingest import ingest_file

pytestmark = pytest.mark.shared_data

UCDP_NORTH = {"Benin": {"Alibori department", "Atacora department", "Borgou department",
                        "Donga department"},
              "Togo": {"Savanes region", "Kara region"}}
FALLBACK_LAT = {"Benin": 8.8, "Togo": 9.3}
JIHADIST_SIDES = {"JNIM", "IS"}  # every jihadist side name in the Benin and Togo exports
TRIPOINT = (14.910977275000093, 0.21846683800004)  # NE 10m MLI/BFA/NER boundary vertex
GHANA_NORTH = {"Upper East", "Upper West", "Northern", "North East", "Savannah"}
ACLED_VIOLENT = {"Battles", "Explosions/Remote violence", "Violence against civilians"}


@pytest.fixture(scope="module")
def spread(analysis_store: Path) -> AnalysisResult:
    return coastal_spread(source="ucdp_ged", db_path=analysis_store)


def _ucdp_north(shared: Path, country: str) -> pd.DataFrame:
    raw = pd.read_csv(shared / "ucdp_ged" / "explorer_export_2025" / f"{country}.csv",
                      index_col=False)
    by_name = raw["adm_1"].isin(UCDP_NORTH[country]) & (raw["where_prec"] <= 5)
    by_lat = raw["adm_1"].isna() & (raw["where_prec"] <= 4) & (
        raw["latitude"] >= FALLBACK_LAT[country])
    north = raw[by_name | by_lat].copy()
    north["named"] = by_name[by_name | by_lat]
    north["jihadist"] = north["side_a"].isin(JIHADIST_SIDES) | north["side_b"].isin(
        JIHADIST_SIDES)
    return north


@pytest.mark.parametrize(("country", "zone"), [("Benin", "north_BEN"), ("Togo", "north_TGO")])
@pytest.mark.parametrize("actors", ["all", "jihadist"])
def test_coastal_counts_match_raw_ucdp(spread: AnalysisResult, shared_data: Path,
                                       country: str, zone: str, actors: str) -> None:
    north = _ucdp_north(shared_data, country)
    if actors == "jihadist":
        north = north[north["jihadist"]]
    got = spread.table[(spread.table["zone"] == zone) & (spread.table["actors"] == actors)
                       & spread.table["year"].between(2019, 2023)].set_index("year")
    assert list(got.index) == [2019, 2020, 2021, 2022, 2023]
    for year in range(2019, 2024):
        part = north[north["year"] == year]
        row = got.loc[year]
        assert row["events"] == len(part), (zone, actors, year)
        assert (row["fatalities_low"], row["fatalities_best"], row["fatalities_high"]) == (
            part["low_est"].sum(), part["best_est"].sum(), part["high_est"].sum())
        assert row["admin1_touched"] == part.loc[part["named"], "adm_1"].nunique()
        located = part[part["where_prec"] <= 4]
        assert row["located_events"] == len(located)
        if len(located):
            km = 2 * 6371.0088 * np.arcsin(np.sqrt(
                np.sin(np.radians(located["latitude"] - TRIPOINT[0]) / 2) ** 2
                + np.cos(np.radians(TRIPOINT[0])) * np.cos(np.radians(located["latitude"]))
                * np.sin(np.radians(located["longitude"] - TRIPOINT[1]) / 2) ** 2))
            assert row["distance_median_km"] == pytest.approx(float(np.median(km)), abs=0.06)


def test_zones_and_bounds(spread: AnalysisResult, shared_data: Path) -> None:
    t = spread.table
    # UCDP's own rows sometimes cross (low > best or high < best); kept, and counted
    crossed = 0
    for name in ("Mali", "Burkina", "Benin", "Togo", "Cote_ivoire", "Senegal", "Guinne_Bissau"):
        raw = pd.read_csv(shared_data / "ucdp_ged" / "explorer_export_2025" / f"{name}.csv",
                          index_col=False)
        crossed += int(((raw["low_est"] > raw["best_est"])
                        | (raw["high_est"] < raw["best_est"])).sum())
    assert spread.stats["events_with_crossed_bounds"] == crossed > 0
    coastal = t[t["zone"].str.startswith("north_")]
    assert (coastal["fatalities_low"] <= coastal["fatalities_best"]).all()
    assert (coastal["fatalities_best"] <= coastal["fatalities_high"]).all()
    assert set(t["source"]) == {"ucdp_ged"}
    y = t[t["year"] == 2023].set_index(["zone", "actors"])
    # the coastal north is the sum of its countries; jihadist rows are a subset of all rows
    north = [f"north_{c}" for c in ("BEN", "TGO", "GHA", "CIV") if (f"north_{c}", "all") in y.index]
    assert y.loc[("coastal_north", "all"), "events"] == sum(y.loc[(z, "all"), "events"]
                                                            for z in north)
    assert (y.xs("jihadist", level="actors")["events"] <= y.xs("all", level="actors")["events"]
            ).all()
    assert y.loc[("sahel", "all"), "countries"] == "BFA,MLI"
    assert 14.8 < spread.stats["tripoint_lat"] < 15.0


def test_ghana_north_matches_raw_acled(shared_data: Path, tmp_path_factory: pytest.TempPathFactory,
                                       ) -> None:
    path = shared_data / "acled" / "acled_export_1980-11-04-2021-11-13-Ghana_semicolon.csv"
    db = tmp_path_factory.mktemp("ghana") / "s.duckdb"
    ingest_file(path, db_path=db, partial=True)
    got = coastal_spread(source="acled", db_path=db).table
    got = got[(got["zone"] == "north_GHA") & (got["actors"] == "all")].set_index("year")
    raw = pd.read_csv(path, sep=";")  # local check only: no ACLED row leaves this test
    raw = raw[raw["admin1"].isin(GHANA_NORTH) & raw["event_type"].isin(ACLED_VIOLENT)]
    expected = raw.groupby("year").agg(events=("event_id_cnty", "size"),
                                       fatalities=("fatalities", "sum"),
                                       admin1=("admin1", "nunique"))
    aligned = expected.reindex(got.index, fill_value=0)
    assert got["events"].sum() == len(raw) > 50
    assert (got["events"] == aligned["events"]).all()
    assert (got["fatalities_best"] == aligned["fatalities"]).all()
    assert (got["fatalities_low"] == got["fatalities_high"]).all()  # ACLED: one count
    assert (got["admin1_touched"] == aligned["admin1"]).all()


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_chart_and_map_files(spread: AnalysisResult, analysis_store: Path, shared_data: Path,
                             tmp_path: Path, suffix: str) -> None:
    chart = draw(spread, tmp_path / f"chart{suffix}")
    assert chart.stat().st_size > 10_000
    data = spread.chart["data"]
    assert {"value_low", "value_high"} <= set(data.columns)
    fat = data[data["panel"].str.contains("fatalities")]
    assert (fat["value_low"] <= fat["value"]).all() and (fat["value"] <= fat["value_high"]).all()
    assert (fat["value_low"] < fat["value_high"]).any()  # UCDP bounds are drawn, not flat
    if suffix == ".png":  # the CLI test draws the SVG map
        out = coastal_map(tmp_path / "map.png", source="ucdp_ged", db_path=analysis_store,
                          shared=shared_data)
        assert out.stat().st_size > 10_000


def test_cli_coastal_json_and_files(analysis_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "coastal.json"
    res = CliRunner().invoke(app, [
        "coastal", "--db", str(analysis_store), "-s", "ucdp_ged", "--start", "2019",
        "--zone", "north_BEN", "--actors", "jihadist", "-f", "json", "-o", str(out),
        "--chart", str(tmp_path / "c.png"), "--map", str(tmp_path / "m.svg")])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert {r["zone"] for r in doc["rows"]} == {"north_BEN"}
    assert [r["year"] for r in doc["rows"]] == [2019, 2020, 2021, 2022, 2023]
    assert doc["provenance"]["snapshots"] and doc["limits"]
    assert (tmp_path / "c.png").stat().st_size > 0 and (tmp_path / "m.svg").stat().st_size > 0
