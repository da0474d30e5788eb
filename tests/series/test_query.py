"""Reading series: explicit zero filling, yearly sums, coverage ends, evidence notes, errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sahel.errors import ConfigError, NotFoundError
from sahel.series import (
    DEFINITIONS,
    coverage_end,
    coverage_note,
    get_series,
    import_series,
    list_series,
)
from sahel.store.db import connect
from sahel.store.ingest import ingest_file
from tests.series.conftest import PACE

pytestmark = pytest.mark.shared_data


def test_absent_acled_months_are_filled_and_flagged(db: Path) -> None:
    # Togo has no rows for 2022-01..03 in ACLED's table: zero events by ACLED's convention
    df, prov = get_series("acled_pv_events", countries=["Togo"], start=date(2021, 12, 1),
                          end=date(2022, 4, 30), db_path=db)
    assert df["period"].tolist() == ["2021-12", "2022-01", "2022-02", "2022-03", "2022-04"]
    assert df["filled_zero"].tolist() == [False, True, True, True, False]
    assert df.loc[df["filled_zero"], "value"].eq(0).all()
    assert df.loc[df["filled_zero"], "snapshot_id"].isna().all()
    assert "3 absent period(s) filled as zero" in prov.filters
    raw, _ = get_series("acled_pv_events", countries=["TGO"], start=date(2021, 12, 1),
                        end=date(2022, 4, 30), db_path=db, fill_zero=False)
    assert len(raw) == 2 and not raw["filled_zero"].any()


def test_nothing_is_filled_before_acled_covered_a_country(db: Path) -> None:
    df, _ = get_series("acled_pv_events", countries=["UKR"], start=date(2010, 1, 1), db_path=db)
    assert df["period"].iloc[0] == "2018-01" and df["period"].iloc[-1] == "2026-03"


def test_by_year_sums_months_and_marks_partial_years(db: Path) -> None:
    df, _ = get_series("acled_pv_events", countries=["MLI", "TGO"], start=date(2025, 1, 1),
                       by="year", db_path=db)
    rows = {(r.country_iso3, r.year): r for r in df.itertuples()}
    assert rows[("MLI", 2025)].value == 1594 and not rows[("MLI", 2025)].partial
    assert rows[("TGO", 2025)].months == 12 and rows[("TGO", 2025)].filled_zero_months == 3
    assert rows[("MLI", 2026)].partial and rows[("MLI", 2026)].months == 3
    with pytest.raises(ConfigError, match="yearly series"):
        get_series("acled_fatalities_country_year", by="month", db_path=db)


def test_coverage_end_says_how_far_each_series_reaches(db: Path) -> None:
    assert coverage_end("ucdp_pace_deaths_best", "Mali", db_path=db) == date(2026, 5, 31)
    assert coverage_end("views_ged_sb", "BFA", db_path=db) == date(2024, 4, 30)
    assert coverage_end("acled_pv_events", "NER", db_path=db) == date(2026, 3, 31)
    assert coverage_end("acled_pv_events", "NER", db_path=db,
                        complete_only=True) == date(2026, 2, 28)
    # the country-year vintage was cut on 6 March 2026
    assert coverage_end("acled_fatalities_country_year", "MLI", db_path=db) == date(2026, 3, 6)
    assert coverage_end("acled_bfa_pv_events_admin2", "MLI", db_path=db) is None


def test_coverage_note_says_where_events_stop(shared_data: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    ingest_file(shared_data / "ucdp_ged/explorer_export_2025/Mali.csv", db_path=store)
    import_series(shared_data / PACE, db_path=store)
    note = coverage_note("ucdp_pace_deaths_best", "Mali", db_path=store)
    assert note.startswith("MLI: events end 2023-")
    assert "series ucdp_pace_deaths_best" in note and "continues to 2026-05-31" in note
    assert "PaCE" in note


def test_list_series(db: Path) -> None:
    df = list_series(db_path=db).set_index("series")
    assert set(df.index) == set(DEFINITIONS)
    assert df.loc["acled_pv_events", "snapshots"].count(",") == 1
    assert df.loc["ucdp_pace_deaths_best", "last"] == "2026-05"
    assert df.loc["acled_pv_events", "partial"] == "2026-03"


def test_errors_name_the_fix(db: Path, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="unknown series"):
        get_series("nope", db_path=db)
    with pytest.raises(ConfigError, match="unknown country"):
        get_series("acled_pv_events", countries=["Atlantis"], db_path=db)
    empty = tmp_path / "empty.duckdb"
    connect(empty).close()
    with pytest.raises(NotFoundError) as info:
        get_series("acled_pv_events", db_path=empty)
    assert "sahel series import-shared" in info.value.render()
