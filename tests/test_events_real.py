"""Real files from ../shared/data, read in place; counts checked against independent readings
(plain pandas or the csv module), never against numbers copied from our own code."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sahel.panels.summary import summary
from sahel.store.filters import Filters
from sahel.store.ingest import ingest_file

pytestmark = pytest.mark.shared_data


def _explorer_counts(path: Path) -> pd.DataFrame:
    # index_col=False: every data row ends with a trailing comma (README flag 1)
    df = pd.read_csv(path, index_col=False, dtype=str)
    df["year"] = pd.to_datetime(df["date_start"], format="%m/%d/%Y %H:%M:%S").dt.year
    df["best"] = df["best_est"].astype(int)
    df["low"] = df["low_est"].astype(int)
    df["high"] = df["high_est"].astype(int)
    return df.groupby("year").agg(events=("id", "size"), low=("low", "sum"),
                                  best=("best", "sum"), high=("high", "sum"))


@pytest.mark.parametrize(("name", "iso3"), [("Mali.csv", "MLI"), ("Burkina.csv", "BFA")])
def test_ucdp_explorer_country_years_match_pandas(shared_data: Path, tmp_path: Path,
                                                  name: str, iso3: str) -> None:
    path = shared_data / "ucdp_ged" / "explorer_export_2025" / name
    db = tmp_path / "s.duckdb"
    res = ingest_file(path, db_path=db)
    expected = _explorer_counts(path)
    assert res.rows_loaded == int(expected["events"].sum())
    got, prov = summary(Filters(countries=[iso3]), db_path=db)
    got = got.set_index("year")
    assert list(got.index) == list(expected.index)
    assert (got["events"].to_numpy() == expected["events"].to_numpy()).all()
    for ours, theirs in (("fatalities_low", "low"), ("fatalities_best", "best"),
                         ("fatalities_high", "high")):
        assert (got[ours].to_numpy() == expected[theirs].to_numpy()).all(), ours
    assert prov.snapshots[0]["file_sha256"] == res.sha256
    assert any("Sundberg" in c for c in prov.citations)


def test_ucdp_known_figures(shared_data: Path, tmp_path: Path) -> None:
    """The data README's own spot checks: Mali 2022 = 408 / 3,650; Burkina 2023 = 595 / 6,109."""
    db = tmp_path / "s.duckdb"
    for name in ("Mali.csv", "Burkina.csv"):
        ingest_file(shared_data / "ucdp_ged" / "explorer_export_2025" / name, db_path=db)
    df, _ = summary(Filters(countries=["MLI", "BFA"]), db_path=db)
    row = df.set_index(["country_iso3", "year"])
    assert tuple(row.loc[("MLI", 2022), ["events", "fatalities_best"]]) == (408, 3650)
    assert tuple(row.loc[("BFA", 2023), ["events", "fatalities_best"]]) == (595, 6109)


def test_standard_and_candidate_layouts(shared_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    sample = ingest_file(shared_data / "ucdp_ged/sample/uncertainUCDP_ucdpged_v23_1_sample1000.csv",
                         db_path=db)
    cand = ingest_file(shared_data / "ucdp_ged/candidate/GEDEvent_v23_0_10.csv", db_path=db)
    assert (sample.source, sample.source_version, sample.rows_loaded) == ("ucdp_ged", "23.1", 1000)
    assert (cand.source, cand.source_version, cand.rows_loaded) == ("ucdp_candidate", "23.0.10",
                                                                   2391)
    with open(shared_data / "ucdp_ged/candidate/GEDEvent_v23_0_10.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    expected = Counter(r["country"] for r in rows)
    con = duckdb.connect(str(db), read_only=True)
    got = dict(con.execute("SELECT country_raw, count(*) FROM events WHERE source = "
                           "'ucdp_candidate' GROUP BY 1").fetchall())
    best = con.execute("SELECT sum(fatalities_best) FROM events WHERE source='ucdp_candidate' "
                       "AND country_iso3='BFA'").fetchone()
    con.close()
    assert got == dict(expected)
    assert best is not None
    assert best[0] == sum(int(r["best"]) for r in rows if r["country"] == "Burkina Faso")


def _acled_years(path: Path, *, delimiter: str = ",", skip_hxl: bool = False) -> Counter[int]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        rows = list(reader)
    if skip_hxl:
        rows = rows[1:]
    return Counter(int(r["year"]) for r in rows)


@pytest.mark.parametrize(
    ("name", "delimiter", "hxl", "layout"),
    [
        ("acled_export_1997-01-01-2020-12-10-Burkina_Faso.csv", ",", False, "acled_2020"),
        ("acled_hdx_conflict_data_bfa_2020-08-26.csv", ",", True, "acled_2020"),
        ("acled_export_1980-11-04-2021-11-13-Ghana_semicolon.csv", ";", False, "acled_2020"),
        ("acled_export_1900-01-01-2018-11-05-Burkina_Faso-Chad-Mali-Mauritania-Niger.csv", ",",
         False, "acled_pre2019"),
    ],
)
def test_acled_events_per_year_match_csv_module(shared_data: Path, tmp_path: Path, name: str,
                                                delimiter: str, hxl: bool, layout: str) -> None:
    path = shared_data / "acled" / name
    db = tmp_path / "s.duckdb"
    res = ingest_file(path, db_path=db)
    assert res.layout == layout
    expected = _acled_years(path, delimiter=delimiter, skip_hxl=hxl)
    con = duckdb.connect(str(db), read_only=True)
    got = dict(con.execute("SELECT year, count(*) FROM events_current GROUP BY 1").fetchall())
    con.close()
    assert got == dict(expected)


def test_acled_burkina_events_per_year(shared_data: Path, tmp_path: Path) -> None:
    """Issue 2, point 8: ACLED Burkina Faso events per year, through the public summary."""
    path = shared_data / "acled" / "acled_export_1997-01-01-2020-12-10-Burkina_Faso.csv"
    db = tmp_path / "s.duckdb"
    ingest_file(path, db_path=db)
    df, prov = summary(Filters(countries=["Burkina Faso"], sources=["acled"]), db_path=db)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    events = Counter(int(r["year"]) for r in rows)
    deaths: Counter[int] = Counter()
    for r in rows:
        deaths[int(r["year"])] += int(r["fatalities"])
    assert dict(zip(df["year"], df["events"], strict=True)) == dict(events)
    assert dict(zip(df["year"], df["fatalities_best"], strict=True)) == dict(deaths)
    # ACLED has one count: low = best = high
    assert (df["fatalities_low"] == df["fatalities_high"]).all()
    assert any("ACLED" in c for c in prov.citations)


def test_acled_actor_based_rebuilt_to_events(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "acled" / "acled_export_2017-01-01-2020-12-31-Mali_actor-based.csv"
    db = tmp_path / "s.duckdb"
    res = ingest_file(path, db_path=db)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ids = {r["event_id_cnty"] for r in rows}
    assert res.layout == "acled_actor_based"
    assert res.rows_loaded == len(ids) == 3314
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute("SELECT actor1_raw, actor2_raw FROM events WHERE source_id = 'MLI4682'"
                      ).fetchone()
    con.close()
    # interaction 27: actor1 has inter1 2 (Katiba Macina), actor2 inter 7 (civilians)
    assert got == ("Katiba Macina", "Civilians (Mali)")


@pytest.mark.parametrize(
    ("name", "layout", "rows"),
    [
        ("acledR_acled_old_deletion_dummy.csv", "acled_2023", 9000),
        ("acled_reduced_columns_2019-2022-Burkina_Faso.csv", "acled_reduced", 4999),
        ("acled_west_africa_2015-2023_7col_ISE1.csv.gz", "acled_7col", 54138),
        ("acled_hdx_conflict_data_ner_2020-08-26.csv", "acled_2020", 1349),
    ],
)
def test_acled_other_vintages(shared_data: Path, tmp_path: Path, name: str, layout: str,
                              rows: int) -> None:
    res = ingest_file(shared_data / "acled" / name, db_path=tmp_path / "s.duckdb")
    assert (res.layout, res.rows_loaded, res.rows_rejected) == (layout, rows, 0)


def test_7col_extract_has_no_fatalities_not_zero(shared_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    ingest_file(shared_data / "acled/acled_west_africa_2015-2023_7col_ISE1.csv.gz", db_path=db)
    df, _ = summary(Filters(countries=["BFA"], start=None), db_path=db)
    assert df["fatalities_best"].isna().all()
    assert (df["events_without_fatalities"] == df["events"]).all()
