"""Panels recomputed independently from the raw UCDP exports with plain pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sahel.errors import PanelError
from sahel.panels import (
    add_civilian_deaths,
    add_events,
    add_fatalities,
    create_admin1_months,
    create_country_months,
    merge,
)
from sahel.store.filters import Filters
from sahel.store.ingest import ingest_file

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("panels") / "s.duckdb"
    for name in ("Mali.csv", "Burkina.csv"):
        ingest_file(shared_data / "ucdp_ged" / "explorer_export_2025" / name, db_path=db)
    return db


@pytest.fixture(scope="module")
def mali_raw(shared_data: Path) -> pd.DataFrame:
    df = pd.read_csv(shared_data / "ucdp_ged/explorer_export_2025/Mali.csv", index_col=False)
    df["month"] = pd.to_datetime(df["date_start"], format="%m/%d/%Y %H:%M:%S").dt.to_period(
        "M").dt.to_timestamp()
    return df


def test_country_months_match_pandas(store: Path, mali_raw: pd.DataFrame) -> None:
    p = create_country_months(Filters(countries=["MLI"]), db_path=store)
    p = add_fatalities(add_events(p))
    got = p.data.set_index("month")
    expected = mali_raw.groupby("month").agg(events=("id", "size"), low=("low_est", "sum"),
                                            best=("best_est", "sum"), high=("high_est", "sum"))
    # coverage = the GED release's span (>=24.1: 1989-01..2023-12); inside it, no event is zero
    assert got.index.min() == pd.Timestamp("1989-01-01")
    assert got.index.max() == pd.Timestamp("2023-12-01")
    assert len(got) == (2023 - 1989 + 1) * 12
    aligned = got.reindex(expected.index)
    assert (aligned["events"].to_numpy() == expected["events"].to_numpy()).all()
    for ours, theirs in (("fatalities_low", "low"), ("fatalities_best", "best"),
                         ("fatalities_high", "high")):
        assert (aligned[ours].to_numpy() == expected[theirs].to_numpy()).all(), ours
    assert got["events"].sum() == len(mali_raw)
    assert (got.loc[~got.index.isin(expected.index), "events"] == 0).all()


def test_splits_sum_to_totals(store: Path) -> None:
    p = create_country_months(Filters(countries=["MLI", "BFA"]), db_path=store)
    p = add_events(p)
    p = add_events(p, by="perpetrator", name="perp")
    p = add_events(p, by="category", name="cat")
    perp = p.data.filter(like="perp__").sum(axis=1)
    cat = p.data.filter(like="cat__").sum(axis=1)
    assert (perp == p.data["events"]).all()
    assert (cat == p.data["events"]).all()
    # UCDP side_a of Mali's events is mostly the government: state forces dominate
    assert p.data["perp__state_forces"].sum() > p.data["perp__jihadist"].sum() > 0
    assert p.data.get("perp__unmapped", pd.Series([0])).sum() == 0


def test_civilian_deaths_best_is_ucdp_deaths_civilians(store: Path,
                                                       mali_raw: pd.DataFrame) -> None:
    p = add_civilian_deaths(create_country_months(Filters(countries=["MLI"]), db_path=store))
    assert p.data["civilian_deaths_best"].sum() == mali_raw["deaths_civilians"].sum()
    assert (p.data["civilian_deaths_low"] <= p.data["civilian_deaths_high"]).all()
    assert "UCDP" in p.definitions["civilian_deaths"]


def test_admin1_panel_keeps_country_level_events_out(store: Path,
                                                     mali_raw: pd.DataFrame) -> None:
    a = add_events(create_admin1_months(Filters(countries=["MLI"]), db_path=store))
    coarse = mali_raw["where_prec"].isin([6, 7]) | mali_raw["adm_1"].isna()
    assert a.data["events"].sum() == int((~coarse).sum())
    assert int(a.excluded["events"].sum()) == int(coarse.sum())
    assert "country level" in a.excluded["reason"].iloc[0]


def test_merge_refuses_mismatched_units(store: Path) -> None:
    c = add_events(create_country_months(Filters(countries=["MLI"]), db_path=store))
    a = add_events(create_admin1_months(Filters(countries=["MLI"]), db_path=store))
    with pytest.raises(PanelError) as err:
        merge(c, a)
    assert "aggregate" in (err.value.hint or "")
    f = add_fatalities(create_country_months(Filters(countries=["MLI"]), db_path=store))
    both = merge(c, f)
    assert {"events", "fatalities_best"} <= set(both.data.columns)


def test_empty_panel_is_a_clear_error(store: Path) -> None:
    p = create_country_months(Filters(countries=["NER"]), db_path=store)
    assert p.data.empty
    with pytest.raises(PanelError) as err:
        add_events(p)
    assert "sahel snapshots" in (err.value.hint or "")


def test_civilian_deaths_where(store: Path, mali_raw: pd.DataFrame) -> None:
    p = add_civilian_deaths(create_country_months(Filters(countries=["MLI"]), db_path=store),
                            where="category = 'one_sided'")
    expected = mali_raw.loc[mali_raw["type_of_violence"] == 3, "deaths_civilians"].sum()
    assert p.data["civilian_deaths_best"].sum() == expected
