"""Cross-border interdependence: the estimator against statsmodels, synthetic stores with a known
answer (B always follows A one month later; no dependence at all), and the real files."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from typer.testing import CliRunner

from sahel.analysis.charts import draw
from sahel.analysis.crossborder import (
    admin1_series,
    cross_border,
    geometry_neighbours,
    pair_months,
    two_way_residuals,
)
from sahel.analysis.spatial_cli import app
from sahel.analysis.spread import VIOLENT
from sahel.store.filters import Filters
from sahel.store.ingest import ingest_file
from tests.acled_fixtures import row, write

MALI = [f"Mali unit {i}" for i in range(1, 11)]
BURKINA = [f"Burkina unit {i}" for i in range(1, 11)]
#: ten cross-border pairs (Mali i – Burkina i) and eighteen within-country pairs (chains)
NEIGHBOURS = pd.DataFrame(
    [("MLI", m, "BFA", b) for m, b in zip(MALI, BURKINA, strict=True)]
    + [("MLI", a, "MLI", b) for a, b in itertools.pairwise(MALI)]
    + [("BFA", a, "BFA", b) for a, b in itertools.pairwise(BURKINA)],
    columns=["country_a", "admin1_a", "country_b", "admin1_b"])
MONTHS = pd.date_range("2013-01-01", periods=120, freq="MS")


def _store(path: Path, dependent: bool, seed: int) -> Path:
    """Invented ACLED-shaped events: each Mali unit violent in a random 35% of months; each
    Burkina unit either exactly one month after its Mali partner, or at random."""
    rng = np.random.default_rng(seed)
    active: dict[tuple[str, str], np.ndarray] = {}
    for unit in MALI:
        active[("Mali", unit)] = rng.random(len(MONTHS)) < 0.35
    for m, b in zip(MALI, BURKINA, strict=True):
        lagged = np.concatenate([[False], active[("Mali", m)][:-1]])
        active[("Burkina Faso", b)] = lagged if dependent else rng.random(len(MONTHS)) < 0.35
    rows = []
    for (country, unit), on in active.items():
        iso = "466" if country == "Mali" else "854"
        for month in MONTHS[on]:
            eid = f"{country[:3].upper()}{len(rows)}"
            rows.append(row(eid, f"{month:%Y-%m}-15", 1, country=country, iso=iso,
                            admin1=unit))
    # coverage runs first to last event: anchor both countries on the same first/last month
    for country, iso, unit in (("Mali", "466", MALI[0]), ("Burkina Faso", "854", BURKINA[0])):
        for day in ("2013-01-01", "2022-12-28"):
            rows.append(row(f"X{country[:3]}{day}", day, 0, country=country, iso=iso,
                            admin1=unit, event_type="Protests"))
    db = path / "s.duckdb"
    ingest_file(write(path / "events.csv", rows), db_path=db)
    return db


@pytest.fixture(scope="module")
def dependent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _store(tmp_path_factory.mktemp("dep"), dependent=True, seed=7)


@pytest.fixture(scope="module")
def independent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _store(tmp_path_factory.mktemp("indep"), dependent=False, seed=11)


def test_two_way_residuals_match_statsmodels() -> None:
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"pair": rng.integers(0, 25, 2500), "month": rng.integers(0, 70, 2500)})
    df = df.drop_duplicates().reset_index(drop=True)  # an unbalanced panel
    df["xa"] = rng.integers(0, 2, len(df))
    df["xb"] = rng.integers(0, 2, len(df))
    df["y"] = (0.3 * df["xa"] + 0.2 * df["xb"] + 0.01 * df["month"]
               + rng.random(len(df)) > 0.8).astype(int)
    ref = smf.ols("y ~ xa + xb + C(pair) + C(month)", df).fit()
    res = two_way_residuals(df[["y", "xa", "xb"]].to_numpy(float), df["pair"].to_numpy(),
                            df["month"].to_numpy())
    beta = np.linalg.lstsq(res[:, 1:], res[:, 0], rcond=None)[0]
    assert beta == pytest.approx([ref.params["xa"], ref.params["xb"]], abs=1e-8)
    fe_only = smf.ols("y ~ C(pair) + C(month)", df).fit()
    assert res[:, 0] == pytest.approx(fe_only.resid.to_numpy(), abs=1e-8)


def test_pair_months_alignment() -> None:
    months = pd.date_range("2020-01-01", periods=4, freq="MS")
    series = pd.DataFrame({"month": list(months) * 2, "unit": ["MLI|a"] * 4 + ["BFA|b"] * 4,
                           "any": [1.0, 0, 1, 0, 0.0, 1, 1, 0]})
    pairs = pd.DataFrame([("MLI", "a", "BFA", "b", "cross_border")],
                         columns=["country_a", "admin1_a", "country_b", "admin1_b", "pair_type"])
    rows = pair_months(series, pairs, lag=1)
    ab = rows[rows["pair"] == 0]  # A = MLI|a -> B = BFA|b
    assert ab["xa"].tolist() == [1, 0, 1] and ab["xb"].tolist() == [0, 1, 1]
    assert ab["y"].tolist() == [1, 1, 0] and set(rows["b_country"]) == {"BFA", "MLI"}
    two = pair_months(series, pairs, lag=2)
    assert two[two["pair"] == 0]["xb"].tolist() == [1, 1]  # any event in B in t..t+1


def test_dependence_is_recovered(dependent: Path) -> None:
    res = cross_border(source="acled", db_path=dependent, neighbours=NEIGHBOURS, reps=100)
    s = res.stats
    assert (s["pairs_cross_border"], s["pairs_within_country"]) == (10, 18)
    # A→B is exactly 1 (B copies A a month later), B→A is 0: pooled over directions ≈ 0.5
    assert s["coef_cross_border"] == pytest.approx(0.5, abs=0.1)
    assert s["ci_cross_border"][0] > 0.25
    assert abs(s["coef_within_country"]) < 0.08
    assert s["ci_difference"][0] > 0.25
    mli_bfa = res.table[res.table["scope"] == "BFA–MLI"].iloc[0]
    assert mli_bfa["p_b_if_a"] > 0.45 > 0.3 > mli_bfa["p_b_if_not_a"]


def test_no_dependence_gives_zero(independent: Path) -> None:
    res = cross_border(source="acled", db_path=independent, neighbours=NEIGHBOURS, reps=100)
    s = res.stats
    assert abs(s["coef_cross_border"]) < 0.05 and abs(s["coef_within_country"]) < 0.05
    assert abs(s["difference"]) < 0.06
    assert s["ci_cross_border"][1] - s["ci_cross_border"][0] < 0.25


def test_month_effects_option(dependent: Path) -> None:
    res = cross_border(source="acled", db_path=dependent, neighbours=NEIGHBOURS, reps=0,
                       fixed_effects="month")
    assert res.stats["fixed_effects"] == "month"
    assert res.stats["coef_cross_border"] == pytest.approx(0.5, abs=0.1)
    assert np.isnan(res.table["coef_low"]).all()  # reps=0: no intervals


@pytest.mark.shared_data
def test_real_neighbours_and_estimate(analysis_store: Path, shared_data: Path,
                                      tmp_path: Path) -> None:
    f = Filters(sources=["ucdp_ged"], categories=list(VIOLENT)).normalised()
    series = admin1_series(f, analysis_store)[0]
    pairs, _, _notes = geometry_neighbours(f, series, analysis_store, shared_data)
    found = {frozenset({(r.country_a, r.admin1_a), (r.country_b, r.admin1_b)}): r.pair_type
             for r in pairs.itertuples()}
    # UCDP's Burkina regions are matched to Natural Earth provinces through their events
    assert found[frozenset({("BFA", "sahel"), ("MLI", "gao")})] == "cross_border"
    assert found[frozenset({("BEN", "atacora"), ("TGO", "savanes")})] == "cross_border"
    assert found[frozenset({("BEN", "alibori"), ("BFA", "est")})] == "cross_border"
    assert found[frozenset({("BFA", "sahel"), ("BFA", "nord")})] == "within_country"
    assert frozenset({("BEN", "alibori"), ("TGO", "maritime")}) not in found
    res = cross_border(source="ucdp_ged", db_path=analysis_store, shared=shared_data, reps=30)
    assert res.stats["pairs_cross_border"] >= 15
    assert np.isfinite(res.stats["coef_cross_border"])
    assert np.isfinite(res.stats["coef_within_country"])
    assert draw(res, tmp_path / "cb.svg").stat().st_size > 5_000


def test_cli_cross_border(dependent: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["cross-border", "--db", str(dependent), "-s", "acled",
                              "--reps", "20", "--chart", str(tmp_path / "cb.png")])
    assert res.exit_code == 0, res.output
    assert "cross_border" in res.output and "Method." in res.output
    assert (tmp_path / "cb.png").stat().st_size > 5_000
    res = runner.invoke(app, ["cross-border", "--db", str(dependent), "-s", "acled",
                              "--reps", "0", "--lag", "2", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["stats"]["lag_months"] == 2
    bad = runner.invoke(app, ["cross-border", "--db", str(dependent), "-s", "acled",
                              "--lag", "0"])
    assert bad.exit_code != 0 and "lag" in bad.output
