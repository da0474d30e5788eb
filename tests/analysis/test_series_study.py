"""Analyses reach past the events through the aggregate series; rendered tables are golden."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from sahel.analysis.event_study import before_after
from sahel.analysis.trends import who_kills_civilians
from sahel.series.store import import_series
from sahel.store.filters import Filters

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
PACE = "ucdp_ged/derived/pace_Hist_country_month_best_1989-01_2026-05.csv"


@pytest.fixture(scope="module")
def series_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("series_study") / "s.duckdb"
    import_series(shared_data / PACE, db_path=db)
    return db


def test_before_after_on_a_series_has_two_years_after_the_event(series_store: Path,
                                                                shared_data: Path) -> None:
    res = before_after("2023-09-16", treated=["MLI", "BFA", "NER"],
                       controls=["TCD", "MRT", "NGA", "BEN", "TGO"],
                       series="ucdp_pace_deaths_best", db_path=series_store, placebos=5)
    assert res.stats["post_months"] == 24
    assert res.stats["source"] == "series ucdp_pace_deaths_best"
    assert "ucdp_pace_deaths_best" in res.method
    # independent check of the treated pre-period mean from the raw wide file
    raw = pd.read_csv(shared_data / PACE, index_col=0, parse_dates=True)
    pre = raw.loc["2021-09-01":"2023-08-31", ["Mali", "Burkina Faso", "Niger"]]
    t = res.table.set_index(["group", "country_iso3", "period"])
    got = float(t.loc[("treated", "all (mean per country)", "pre"), "mean_best"])
    assert got == pytest.approx(pre.to_numpy().mean(), abs=0.01)  # the table rounds to 0.01
    assert float(t.loc[("treated", "NER", "post"), "mean_best"]) == pytest.approx(
        raw.loc["2023-10-01":"2025-09-30", "Niger"].mean(), abs=0.01)


def test_who_kills_civilians_table_golden(analysis_store: Path) -> None:
    res = who_kills_civilians(Filters(countries=["MLI", "BFA"], sources=["ucdp_ged"]),
                              period="year", db_path=analysis_store)
    text = res.table[res.table["period"] >= 2021].to_markdown(index=False) + "\n"
    golden = GOLDEN / "who_kills_civilians_mli_bfa_ucdp.md"
    if os.environ.get("SAHEL_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
