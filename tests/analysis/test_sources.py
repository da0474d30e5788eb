"""compare_sources on the real Burkina Faso and Mali files (UCDP explorer vs ACLED HDX),
every figure recomputed from the raw files with pandas and the csv module."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sahel.analysis.cli import app
from sahel.analysis.sources import compare_sources
from sahel.errors import PanelError
from sahel.store.filters import Filters

pytestmark = pytest.mark.shared_data

COUNTRIES = {"BFA": ("Burkina", "Burkina Faso"), "MLI": ("Mali", "Mali")}
PV_TYPES = {"Battles", "Battle-No change of territory", "Battle-Government regains territory",
            "Battle-Non-state actor overtakes territory", "Explosions/Remote violence",
            "Remote violence", "Violence against civilians"}
FILTERS = Filters(countries=["BFA", "MLI"], start=date(2016, 1, 1), end=date(2020, 12, 31))


@pytest.fixture(scope="module")
def independent(shared_data: Path, acled_current: list[dict[str, Any]]) -> pd.DataFrame:
    """Monthly UCDP and ACLED figures per country over the months both sources cover."""
    frames = []
    for iso, (file, acled_name) in COUNTRIES.items():
        acled = pd.DataFrame([e for e in acled_current if e["country"] == acled_name])
        acled["month"] = pd.to_datetime(acled["day"]).dt.to_period("M")
        last = acled["month"].max()  # ACLED ends first; UCDP runs to Dec 2023
        months = pd.period_range("2016-01", last, freq="M")
        ucdp = pd.read_csv(shared_data / "ucdp_ged" / "explorer_export_2025" / f"{file}.csv",
                           index_col=False)
        ucdp["month"] = pd.to_datetime(ucdp["date_start"], format="%m/%d/%Y %H:%M:%S"
                                       ).dt.to_period("M")
        u = ucdp.groupby("month").agg(ucdp_events=("id", "size"), ucdp_low=("low_est", "sum"),
                                      ucdp_best=("best_est", "sum"),
                                      ucdp_high=("high_est", "sum"))
        pv = acled[acled["event_type"].isin(PV_TYPES)]
        a = pv.groupby("month").agg(acled_events=("day", "size"),
                                    acled_fatalities=("fatalities", "sum"))
        m = pd.DataFrame(index=months).join(u).join(a).fillna(0).assign(country=iso)
        frames.append(m.rename_axis("month").reset_index())
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def yearly(analysis_store: Path) -> Any:
    return compare_sources(FILTERS, period="year", db_path=analysis_store)


def test_yearly_side_by_side_matches_the_raw_files(yearly: Any, independent: pd.DataFrame
                                                   ) -> None:
    raw = independent.assign(year=independent["month"].dt.year).groupby(["country", "year"]).sum(
        numeric_only=True)
    t = yearly.table.set_index(["country_iso3", "period"])
    assert len(t) == len(raw) == 10
    for (iso, year), row in raw.iterrows():
        got = t.loc[(iso, year)]
        assert got["ucdp_events"] == row["ucdp_events"]
        assert got["acled_events"] == row["acled_events"]
        assert got["acled_fatalities"] == row["acled_fatalities"]
        for b in ("low", "best", "high"):
            assert got[f"ucdp_fatalities_{b}"] == row[f"ucdp_{b}"]
    assert t.loc[("BFA", 2020), "months"] == 8 and t.loc[("MLI", 2020), "months"] == 7


def test_monthly_correlations_match_numpy(analysis_store: Path,
                                          independent: pd.DataFrame) -> None:
    result = compare_sources(FILTERS, period="month", db_path=analysis_store)
    for iso in COUNTRIES:
        m = independent[independent["country"] == iso]
        corr = result.stats[f"{iso}: correlation"]
        assert corr["n_periods"] == len(m)
        expected = np.corrcoef(m["acled_fatalities"], m["ucdp_best"])[0, 1]
        assert corr["fatalities (ACLED vs UCDP best)"]["pearson"] == pytest.approx(expected,
                                                                                  abs=1e-3)
        rho = m[["acled_events", "ucdp_events"]].rank().corr().iloc[0, 1]
        assert corr["events (ACLED PV vs UCDP)"]["spearman"] == pytest.approx(rho, abs=1e-3)
        assert 0.7 < expected < 1  # the sources move together, at different levels
    worst = result.stats["largest_disagreements"][0]
    gaps = (independent["acled_fatalities"] - independent["ucdp_best"]).abs()
    assert abs(worst["acled_minus_ucdp_best"]) == gaps.max()


def test_conclusion_dependence_flags_the_deadliest_year_for_mali(
        yearly: Any, independent: pd.DataFrame) -> None:
    raw = independent[independent["month"].dt.year <= 2019].assign(
        year=lambda d: d["month"].dt.year).groupby(["country", "year"]).sum(numeric_only=True)
    mli = raw.loc["MLI"]
    ucdp_year, acled_year = int(mli["ucdp_best"].idxmax()), int(mli["acled_fatalities"].idxmax())
    answers = {(q["country"], q["question"]): q for q in yearly.stats["conclusion_dependence"]}
    q = answers[("MLI", "deadliest year by fatalities")]
    assert (q["ucdp"], q["acled"]) == (ucdp_year, acled_year)
    assert q["flips"] is (ucdp_year != acled_year)
    assert "2020" in q["note"]  # the partial year is left out, and says so
    rise = answers[("MLI", "did fatalities rise 2018→2019")]
    assert rise["ucdp"] == ("up" if mli.loc[2019, "ucdp_best"] > mli.loc[2018, "ucdp_best"]
                            else "down")
    assert yearly.stats["answers_that_flip"] == sum(
        1 for q in yearly.stats["conclusion_dependence"] if q["flips"])
    share = answers[("BFA", "share of events targeting civilians")]
    assert 0 < share["ucdp"] < 1 and 0 < share["acled"] < 1


def test_no_overlap_is_refused(analysis_store: Path) -> None:
    with pytest.raises(PanelError, match="both"):
        compare_sources(Filters(countries=["BFA"], start=date(2021, 1, 1)),
                        db_path=analysis_store)


def test_cli_sources_markdown_has_no_acled_rows(analysis_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "sources.md"
    res = CliRunner().invoke(app, ["sources", "-c", "BFA", "--start", "2016", "--end", "2020",
                                   "--period", "year", "--db", str(analysis_store), "-f", "md",
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "conclusion_dependence" in text and "ACLED" in text
    assert "BFO" not in text  # no ACLED event ids: aggregates only
    res = CliRunner().invoke(app, ["sources", "-c", "MLI", "--start", "2019", "--end", "2019",
                                   "--db", str(analysis_store), "-f", "json"])
    assert json.loads(res.stdout)["stats"]["MLI: correlation"]["n_periods"] == 12
