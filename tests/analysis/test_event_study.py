"""before_after: a known step change is recovered from a synthetic store, a null one is not;
the AES charter on the real store runs with its caveats; a window without data is refused."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sahel.analysis.cli import app
from sahel.analysis.event_study import before_after
from sahel.errors import ConfigError, NotFoundError, PanelError
from sahel.events.ucdp import GED_COLUMNS
from sahel.panels.periods import Design
from sahel.registry.dates import resolve_event
from sahel.store.ingest import ingest_file

TREATED = {"MLI": "Mali", "BFA": "Burkina Faso"}
CONTROLS = {"BEN": "Benin", "TGO": "Togo", "GHA": "Ghana"}
EVENT = date(2020, 1, 15)  # post-period starts 2020-02 (January is the transition month)
STEP = 10  # extra events per month in each treated country from 2020-02
# every invented event has low/best/high deaths 1/2/3: fatality steps are 10/20/30


def _write_ged(path: Path, *, step: int, seed: int) -> Path:
    """A UCDP GED-shaped CSV of invented events (standard 49 columns), 2016-01..2021-12."""
    rng = np.random.default_rng(seed)
    rows, uid = [], 1
    for month in pd.period_range("2016-01", "2021-12", freq="M"):
        for iso, name in {**TREATED, **CONTROLS}.items():
            n = 6 + int(rng.poisson(3)) + (3 if month.month in (6, 7, 8) else 0)
            if iso in TREATED and month >= pd.Period("2020-02", "M"):
                n += step
            for k in range(n):
                day = f"{month.year}-{month.month:02d}-{1 + k % 28:02d} 00:00:00.000"
                row = dict.fromkeys(GED_COLUMNS, "")
                row |= {"id": str(uid), "relid": f"SYN-{uid}", "year": str(month.year),
                        "active_year": "1", "code_status": "Clear", "type_of_violence": "1",
                        "conflict_name": f"{name}: Government", "side_a": f"Government of {name}",
                        "side_b": "Invented group", "where_prec": "1", "adm_1": "Region A",
                        "latitude": "12.0", "longitude": "-1.0", "country": name,
                        "date_prec": "1", "date_start": day, "date_end": day, "deaths_a": "1",
                        "deaths_b": "1", "deaths_civilians": "0", "deaths_unknown": "0",
                        "best": "2", "low": "1", "high": "3"}
                rows.append(row)
                uid += 1
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(GED_COLUMNS))
        w.writeheader()
        w.writerows(rows)
    return path


def _store(tmp: Path, *, step: int, seed: int) -> Path:
    db = tmp / "store.duckdb"
    ingest_file(_write_ged(tmp / "synthetic_ged.csv", step=step, seed=seed), db_path=db,
                source="ucdp_ged", source_version="23.1")
    return db


@pytest.fixture(scope="module")
def step_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _store(tmp_path_factory.mktemp("step"), step=STEP, seed=7)


@pytest.fixture(scope="module")
def null_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _store(tmp_path_factory.mktemp("null"), step=0, seed=11)


def _run(db: Path, measure: str = "events", **kw: Any) -> Any:
    return before_after(EVENT, treated=list(TREATED), controls=list(CONTROLS), db_path=db,
                        measure=measure, window_months=18, placebos=20, **kw)  # type: ignore[arg-type]


def test_known_step_is_recovered_and_placebos_are_smaller(step_store: Path) -> None:
    s = _run(step_store).stats
    assert s["post_period"] == "2020-02..2021-07" and s["placebos_run"] == 20
    assert s["its_level_change_count"] == pytest.approx(STEP, abs=2.5)
    lo, hi = s["its_level_ci_count"]
    assert lo < STEP < hi
    assert s["did_count"] == pytest.approx(STEP, abs=1.5)
    assert s["did_ci_hac_count"][0] > 0
    assert s["placebo_p_its_count"] <= 0.05 and s["placebo_p_did_count"] <= 0.05
    assert s["its_slope_change_count"] == pytest.approx(0, abs=0.3)


def test_fatality_bounds_each_get_their_effect(step_store: Path) -> None:
    s = _run(step_store, measure="fatalities").stats
    for bound, per_event in (("low", 1), ("best", 2), ("high", 3)):
        assert s[f"did_{bound}"] == pytest.approx(STEP * per_event, rel=0.15)
        assert s[f"placebo_p_did_{bound}"] <= 0.05
    assert s["did_low"] < s["did_best"] < s["did_high"]


def test_no_effect_gives_large_placebo_p(null_store: Path) -> None:
    s = _run(null_store).stats
    assert abs(s["did_count"]) < 1.5
    assert s["placebo_p_did_count"] > 0.2
    assert s["placebo_p_its_count"] > 0.2
    lo, hi = s["did_ci_hac_count"]
    assert lo < 0 < hi


def test_table_holds_period_means_and_the_chart_its_series(step_store: Path) -> None:
    r = _run(step_store)
    t = r.table.set_index(["group", "country_iso3", "period"])
    pooled = "all (mean per country)"
    assert t.loc[("treated", pooled, "post"), "mean_count"] - t.loc[
        ("treated", pooled, "pre"), "mean_count"] > 8
    assert abs(t.loc[("control", pooled, "post"), "mean_count"] - t.loc[
        ("control", pooled, "pre"), "mean_count"]) < 1.5
    assert t.loc[("treated", "MLI", "pre"), "months"] == 18
    assert set(r.chart["data"]["series"]) == {"treated (mean of MLI, BFA)",
                                              "controls (mean of BEN, TGO, GHA)"}


def test_seasonality_and_seed_are_options(step_store: Path) -> None:
    a = _run(step_store, seasonality=True, seed=3).stats
    assert a["its_level_change_count"] == pytest.approx(STEP, abs=2.5)


def test_resolve_event_forms() -> None:
    assert resolve_event("aes-charter-signed").day == date(2023, 9, 16)
    assert resolve_event("aes-liptako-gourma-charter").day == date(2023, 9, 16)
    assert resolve_event("ecowas-sanctions-mli-2022:end").day == date(2022, 7, 3)
    assert resolve_event("2021-05-24").ref == "date"
    month = resolve_event("coup-attempt-bfa-2023")
    assert month.precision == "month" and Design.around(
        month.day, month.precision, 12).transition == pd.Period("2023-09", "M")
    first = Design.around(date(2020, 3, 1), "day", 12)
    assert first.transition is None and first.post_start == pd.Period("2020-03", "M")
    with pytest.raises(ConfigError, match="no end"):
        resolve_event("aes-liptako-gourma-charter:end")
    with pytest.raises(NotFoundError) as err:
        resolve_event("aes-charter-sign")
    assert err.value.hint and "aes-charter-signed" in err.value.hint


@pytest.mark.parametrize("day,precision,transition,post", [
    (date(2023, 9, 16), "day", "2023-09", "2023-10"),
    (date(2023, 9, 1), "day", None, "2023-09"),
    (date(2023, 9, 1), "month", "2023-09", "2023-10"),  # any day of September: a transition
])
def test_one_period_rule_for_day_and_month_precision(day: date, precision: str,
                                                     transition: str | None, post: str) -> None:
    """The one before/after rule (sahel.panels.periods), used by analyses and claims alike."""
    d = Design.around(day, precision, 6)
    assert d.transition == (pd.Period(transition, "M") if transition else None)
    assert d.post_start == pd.Period(post, "M")
    assert len(d.post_months()) == 6 and d.pre_months()[-1] == pd.Period("2023-08", "M")


@pytest.mark.shared_data
def test_aes_charter_on_the_real_store(analysis_store: Path, shared_data: Path) -> None:
    r = before_after("aes-charter-signed", treated=["MLI", "BFA", "NER"],
                     controls=["BEN", "TGO", "CIV", "SEN"], db_path=analysis_store, placebos=5)
    s = r.stats
    assert s["treated"] == ["MLI", "BFA"] and s["controls"] == ["BEN", "TGO"]
    assert set(s["dropped"]) == {"NER", "CIV", "SEN"}
    assert s["post_months"] == 3 and s["post_period"] == "2023-10..2023-12"
    text = " ".join(r.limits)
    assert "Only 3 post month" in text and "coup-ner-2023" in text and "GED 25.1" in text
    assert s["its_slope_change_best"] is None  # three points make no slope
    # the table's pre-period mean for Mali, recomputed from the explorer export
    ucdp = pd.read_csv(shared_data / "ucdp_ged" / "explorer_export_2025" / "Mali.csv",
                       index_col=False)
    month = pd.to_datetime(ucdp["date_start"], format="%m/%d/%Y %H:%M:%S").dt.to_period("M")
    per = ucdp.groupby(month)["best_est"].sum().reindex(
        pd.period_range("2021-09", "2023-08", freq="M"), fill_value=0)
    t = r.table.set_index(["country_iso3", "period"])
    assert t.loc[("MLI", "pre"), "mean_best"] == pytest.approx(per.mean(), abs=0.01)


@pytest.mark.shared_data
def test_window_without_post_data_is_refused(analysis_store: Path) -> None:
    with pytest.raises(PanelError) as err:
        before_after("aes-charter-signed", treated=["NER"], db_path=analysis_store)
    assert "GED" in (err.value.hint or "") and "sahel.series" in (err.value.hint or "")
    with pytest.raises(PanelError, match="ends 2023-12"):
        before_after("aes-confederation-treaty", treated=["MLI"], db_path=analysis_store)


def test_cli_before_after_json_and_svg(step_store: Path, tmp_path: Path) -> None:
    chart = tmp_path / "ba.svg"
    res = CliRunner().invoke(app, ["before-after", "2020-01-15", "--treated", "MLI",
                                   "--treated", "BFA", "--control", "BEN", "--control", "TGO",
                                   "--measure", "events", "--window", "18", "--placebos", "10",
                                   "--db", str(step_store), "-f", "json", "--chart", str(chart)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["stats"]["placebos_run"] == 10 and doc["rows"]
    assert chart.read_text(encoding="utf-8").startswith("<?xml")
    bad = CliRunner().invoke(app, ["before-after", "not-an-event", "-t", "MLI", "--db",
                                   str(step_store)])
    assert bad.exit_code == 5 and "neither a date" in bad.output
