"""who_kills_civilians / violence_trends against figures computed from the raw files directly."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from sahel.analysis.cli import app
from sahel.analysis.trends import IN_FIGHTING, violence_trends, who_kills_civilians
from sahel.errors import PanelError
from sahel.store.filters import Filters

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def mali_ucdp(shared_data: Path) -> pd.DataFrame:
    """The UCDP explorer export for Mali read with plain pandas (trailing comma: index_col=False)."""
    df = pd.read_csv(shared_data / "ucdp_ged" / "explorer_export_2025" / "Mali.csv",
                     index_col=False)
    df["day"] = pd.to_datetime(df["date_start"], format="%m/%d/%Y %H:%M:%S")
    df["yr"] = df["day"].dt.year
    return df


@pytest.fixture(scope="module")
def mali_civilians(analysis_store: Path) -> Any:
    return who_kills_civilians(Filters(countries=["MLI"], sources=["ucdp_ged"]),
                               db_path=analysis_store)


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def test_mali_civilian_deaths_per_year_match_the_explorer_export(
        mali_civilians: Any, mali_ucdp: pd.DataFrame) -> None:
    got = mali_civilians.table.groupby("period")[
        ["civilian_deaths_low", "civilian_deaths_best", "civilian_deaths_high"]].sum()
    raw = mali_ucdp.assign(
        low=[_half_up(c * (lo / b if b else 1)) for c, lo, b in
             zip(mali_ucdp["deaths_civilians"], mali_ucdp["low_est"], mali_ucdp["best_est"],
                 strict=True)],
        high=[_half_up(c * (hi / b if b else 1)) for c, hi, b in
              zip(mali_ucdp["deaths_civilians"], mali_ucdp["high_est"], mali_ucdp["best_est"],
                  strict=True)],
    ).groupby("yr")[["deaths_civilians", "low", "high"]].sum()
    raw = raw[raw["deaths_civilians"] > 0]
    got = got[got["civilian_deaths_best"] > 0]
    assert list(got.index) == list(raw.index)
    assert got["civilian_deaths_best"].tolist() == raw["deaths_civilians"].tolist()
    assert got["civilian_deaths_low"].tolist() == raw["low"].tolist()
    assert got["civilian_deaths_high"].tolist() == raw["high"].tolist()
    assert raw.loc[2022, "deaths_civilians"] == 1798  # a figure to read in the report


def test_civilians_killed_in_fighting_are_not_pinned_on_side_a(
        mali_civilians: Any, mali_ucdp: pd.DataFrame) -> None:
    t = mali_civilians.table.set_index(["period", "perpetrator"])
    fighting = mali_ucdp[mali_ucdp["type_of_violence"] != 3].groupby("yr")["deaths_civilians"].sum()
    gov = mali_ucdp[(mali_ucdp["type_of_violence"] == 3)
                    & (mali_ucdp["side_a"] == "Government of Mali")].groupby("yr")[
        "deaths_civilians"].sum()
    for year in (2022, 2023):
        assert t.loc[(year, IN_FIGHTING), "civilian_deaths_best"] == fighting[year]
        assert t.loc[(year, "state_forces"), "civilian_deaths_best"] == gov[year]
        events = mali_ucdp[(mali_ucdp["yr"] == year) & (mali_ucdp["type_of_violence"] == 3)]
        assert t.loc[(year, "state_forces"), "civilian_targeting_events"] == (
            events["side_a"] == "Government of Mali").sum()


def test_shares_sum_to_one_and_method_states_definitions(mali_civilians: Any) -> None:
    t = mali_civilians.table
    sums = t.dropna(subset=["share_best"]).groupby("period")["share_best"].sum()
    assert len(sums) > 20 and ((sums - 1).abs() < 1e-3).all()
    assert "deaths_civilians" in mali_civilians.method
    assert "actor1" in mali_civilians.method
    shares = mali_civilians.stats["ucdp_ged MLI: share of civilian deaths (best)"]
    assert abs(sum(shares.values()) - 1) < 0.01


def test_acled_burkina_vac_events_per_year_match_the_hdx_file(
        analysis_store: Path, acled_current: list[dict[str, Any]]) -> None:
    result = violence_trends(Filters(countries=["BFA"], sources=["acled"]), measure="events",
                             by="category", db_path=analysis_store)
    t = result.table
    got = t[t["category"] == "violence_against_civilians"].set_index("period")["events"]
    raw = Counter(e["day"].year for e in acled_current
                  if e["country"] == "Burkina Faso"
                  and e["event_type"] == "Violence against civilians")
    assert {int(k): int(v) for k, v in got.items() if v} == dict(raw)
    assert raw[2019] > 300  # the 2019 surge is in the data


def test_acled_civilian_deaths_are_fatalities_of_civilian_targeting_events(
        analysis_store: Path, acled_current: list[dict[str, Any]]) -> None:
    result = who_kills_civilians(Filters(countries=["BFA"], sources=["acled"],
                                         start=date(2019, 1, 1), end=date(2019, 12, 31)),
                                 db_path=analysis_store)
    t = result.table
    targeted = [e for e in acled_current if e["country"] == "Burkina Faso"
                and e["day"].year == 2019
                and (e["event_type"] == "Violence against civilians"
                     or (e["event_type"] in ("Explosions/Remote violence", "Remote violence")
                         and e["actor2"].startswith("Civilians")))]
    assert t["civilian_deaths_best"].sum() == sum(e["fatalities"] for e in targeted)
    assert t["civilian_targeting_events"].sum() == len(targeted)
    assert (t["civilian_deaths_low"] == t["civilian_deaths_high"]).all()
    assert IN_FIGHTING not in set(t["perpetrator"])


def test_fatality_trends_carry_low_best_high(analysis_store: Path,
                                             mali_ucdp: pd.DataFrame) -> None:
    result = violence_trends(Filters(countries=["MLI"], sources=["ucdp_ged"],
                                     start=date(2018, 1, 1), end=date(2023, 12, 31)),
                             measure="fatalities", by="category", db_path=analysis_store)
    t = result.table.set_index(["period", "category"])
    names = {1: "state_based", 2: "non_state", 3: "one_sided"}
    raw = mali_ucdp[mali_ucdp["yr"] >= 2018].groupby(["yr", "type_of_violence"])[
        ["low_est", "best_est", "high_est"]].sum()
    for (year, tov), row in raw.iterrows():
        for bound in ("low", "best", "high"):
            assert t.loc[(year, names[tov]), f"fatalities_{bound}"] == row[f"{bound}_est"]
    assert result.chart["low"] == "fatalities_low" and result.chart["high"] == "fatalities_high"


def test_empty_selection_is_refused_with_a_fix(analysis_store: Path) -> None:
    with pytest.raises(PanelError, match="no stored events") as err:
        who_kills_civilians(Filters(countries=["ARG"]), db_path=analysis_store)
    assert err.value.hint and "ingest" in err.value.hint


def test_cli_civilians_json_and_chart(analysis_store: Path, tmp_path: Path) -> None:
    chart = tmp_path / "civilians.png"
    res = CliRunner().invoke(app, ["civilians", "-c", "MLI", "-c", "BFA", "--year", "2022",
                                   "--year", "2023", "-s", "ucdp_ged", "--db",
                                   str(analysis_store), "-f", "json", "--chart", str(chart)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["name"] == "who_kills_civilians" and doc["limits"] and doc["provenance"]
    assert {r["country_iso3"] for r in doc["rows"]} == {"MLI", "BFA"}
    assert chart.stat().st_size > 10_000


def test_cli_trends_table_shows_method_and_limits(analysis_store: Path) -> None:
    res = CliRunner().invoke(app, ["trends", "-c", "BFA", "--start", "2019", "--end", "2020",
                                   "--measure", "fatalities", "--by", "perpetrator", "--db",
                                   str(analysis_store)])
    assert res.exit_code == 0, res.output
    assert "Method." in res.output and "limit:" in res.output and "cite:" in res.output
