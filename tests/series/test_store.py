"""Series snapshots: re-import is a no-op, a newer vintage records revisions and keeps the old
values for ``as_of``, and bad input never changes the store."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from sahel.errors import ConfigError, InputError, LayoutError, RowError, SahelError
from sahel.series import SeriesImportResult, get_series, import_series
from sahel.store.archive import archive_dir
from sahel.store.query import list_snapshots
from tests.series.conftest import ACLED_CM_FEB, ACLED_CM_MAR, ACLED_CY_EVENTS, MONTHS, VIEWS_DIR, xlsx_records

COUNTRIES = ["Mali", "Burkina Faso", "Niger", "Chad", "Nigeria", "Benin", "Togo", "Ghana",
             "Senegal", "Côte d'Ivoire", "Guinea", "Mauritania", "Cameroon", "Liberia",
             "Sierra Leone", "Gambia", "Guinea-Bissau", "Algeria", "Libya", "Sudan", "Dem. Rep. "
             "Congo", "Central African Rep.", "Kenya", "Ethiopia", "Somalia"]


def small_pace(path: Path, *, header: list[str] | None = None, bump: int = 0,
               cell: str | None = None) -> Path:
    """A PaCE-shaped wide CSV: 3 month-ends × 25 countries."""
    names = header or COUNTRIES
    lines = ["," + ",".join(names)]
    for i, day in enumerate(["2026-03-31", "2026-04-30", "2026-05-31"]):
        values = [str(i + j + bump) for j in range(len(names))]
        if cell is not None and i == 1:
            values[2] = cell
        lines.append(day + "," + ",".join(values))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fingerprint(db: Path) -> tuple[Any, ...]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return tuple(con.execute(sql).fetchall() for sql in (
            "SELECT snapshot_id, file_sha256 FROM snapshots ORDER BY 1",
            "SELECT count(*), sum(value), count(retired_by) FROM series",
            "SELECT count(*) FROM series_changes",
            "SELECT count(*) FROM series_definitions",
        ))
    finally:
        con.close()


@pytest.fixture()
def base(tmp_path: Path) -> Path:
    db = tmp_path / "store" / "s.duckdb"
    import_series(small_pace(tmp_path / "pace_small.csv"), db_path=db)
    return db


def test_reimport_is_noop_and_file_is_archived(tmp_path: Path, base: Path) -> None:
    before = fingerprint(base)
    again = import_series(tmp_path / "pace_small.csv", db_path=base)
    assert again.noop and again.snapshot_id == 1 and fingerprint(base) == before
    archived = sorted(archive_dir(base).iterdir())  # the file and its snapshot sidecar
    assert [p.name for p in archived] == [f"{again.sha256[:20]}.csv",
                                          f"{again.sha256[:20]}.csv.snapshot-1.json"]


def test_small_revision_retires_and_as_of(tmp_path: Path, base: Path) -> None:
    res = import_series(small_pace(tmp_path / "pace_small_v2.csv", bump=1), db_path=base)
    assert (res.new, res.revised, res.unchanged) == (0, 75, 0)
    now, prov = get_series("ucdp_pace_deaths_best", countries=["MLI"], db_path=base)
    then, _ = get_series("ucdp_pace_deaths_best", countries=["MLI"], db_path=base, as_of=1)
    assert list(now["value"]) == [1, 2, 3] and list(then["value"]) == [0, 1, 2]
    assert [s["snapshot_id"] for s in prov.snapshots] == [2]


def test_newer_acled_vintage_records_revisions(shared_data: Path, db: Path,
                                               results: dict[str, SeriesImportResult]) -> None:
    def load(rel: str) -> dict[tuple[str, int, str], int]:
        return {(str(r["COUNTRY"]), int(r["YEAR"]), str(r["MONTH"])): int(r["EVENTS"])
                for r in xlsx_records(shared_data / rel)}

    feb, mar = load(ACLED_CM_FEB), load(ACLED_CM_MAR)
    changed = {k for k in feb.keys() & mar.keys() if feb[k] != mar[k]}
    partial_now_complete = {k for k in feb.keys() & mar.keys()
                            if k[1:] == (2026, "February") and feb[k] == mar[k]}
    res = results[Path(ACLED_CM_MAR).name]
    assert len(changed) == 282 == res.revised
    assert res.new == len(mar.keys() - feb.keys()) == 106
    assert res.vanished == len(feb.keys() - mar.keys()) == 0
    assert res.restated == len(partial_now_complete)
    con = duckdb.connect(str(db), read_only=True)
    try:
        got = con.execute("SELECT change, count(*) FROM series_changes WHERE snapshot_id = ? "
                          "GROUP BY 1 ORDER BY 1", [res.snapshot_id]).fetchall()
    finally:
        con.close()
    assert dict(got) == {"revised": 282, "restated": res.restated}
    feb_sid = results[Path(ACLED_CM_FEB).name].snapshot_id
    (k_country, k_year, k_month) = sorted(changed)[0]
    month = MONTHS.index(k_month) + 1
    for as_of, expected in ((feb_sid, feb), (None, mar)):
        df, _ = get_series("acled_pv_events", countries=[k_country], as_of=as_of, db_path=db,
                           fill_zero=False)
        row = df[(df["year"] == k_year) & (df["month"] == month)]
        assert row["value"].tolist() == [expected[(k_country, k_year, k_month)]]
    snaps = list_snapshots(db_path=db)
    mine = snaps[snaps["snapshot_id"] == res.snapshot_id].iloc[0]
    assert mine["source"] == "acled_aggregate" and mine["layout"] == "acled_country_month"
    assert mine["events_new"] == 0 and mine["rows_loaded"] == 28622


def test_views_combined_csv_equals_parquets(shared_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "v.duckdb"
    folder = shared_data / VIEWS_DIR
    first = import_series(next(folder.glob("*combined.csv")), db_path=db)
    assert first.kind == "views_cm_actuals" and first.observations == 14516
    later = [import_series(folder / f"cm_actuals_{y}.parquet", db_path=db) for y in (2018, 2024)]
    assert sum(r.unchanged for r in later) == 2292 + 764
    assert sum(r.new + r.revised + r.restated + r.vanished for r in later) == 0


def _truncated_xlsx(shared: Path, tmp: Path) -> Path:
    data = (shared / ACLED_CY_EVENTS).read_bytes()
    out = tmp / "number_of_political_violence_events_by_country-year_as-of-06Mar2026.xlsx"
    out.write_bytes(data[: len(data) // 2])
    return out


def _xlsx(tmp: Path, name: str, rows: list[dict[str, object]]) -> Path:
    path = tmp / name
    pd.DataFrame(rows).to_excel(path, index=False, sheet_name="Sheet1", engine="openpyxl")
    return path


def _unknown_csv(tmp: Path) -> Path:
    path = tmp / "mystery.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    return path


CASES: list[tuple[str, Callable[[Path, Path], Path], type[SahelError], str]] = [
    ("truncated xlsx", _truncated_xlsx, InputError, "download it again"),
    ("unknown csv", lambda s, t: _unknown_csv(t), LayoutError, "acled_country_month"),
    ("unknown pace column", lambda s, t: small_pace(
        t / "p.csv", header=[*COUNTRIES[:-1], "Atlantis"]), LayoutError, "SERIES_ALIASES"),
    ("negative deaths", lambda s, t: small_pace(t / "p.csv", cell="-4"), RowError,
     "whole numbers"),
    ("bad month", lambda s, t: _xlsx(t, "acled_cm.xlsx", [
        {"COUNTRY": "Mali", "MONTH": "January", "YEAR": 2025, "EVENTS": 3},
        {"COUNTRY": "Mali", "MONTH": "Smarch", "YEAR": 2025, "EVENTS": 4}]), RowError,
     "month names"),
    ("unknown country", lambda s, t: _xlsx(t, "acled_cy.xlsx", [
        {"COUNTRY": "Atlantis", "YEAR": 2025, "EVENTS": 3}]), LayoutError, "SERIES_ALIASES"),
    ("hdx without family in name", lambda s, t: _xlsx(t, "bfa_admin2.xlsx", [
        {"Country": "Burkina Faso", "Admin1": "Centre", "Admin2": "Kadiogo", "ISO3": "BFA",
         "Admin2 Pcode": "BF1300", "Admin1 Pcode": "BF13", "Month": "May", "Year": 2024,
         "Events": 1, "Fatalities": 0}]), LayoutError, "--kind acled_hdx_admin2_pv"),
    ("parquet without country list", lambda s, t: Path(shutil.copy(
        s / VIEWS_DIR / "cm_actuals_2024.parquet", t / "cm_actuals_2024.parquet")), InputError,
     "views_country_list.csv"),
]


@pytest.mark.parametrize(("label", "make", "error", "fix"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_names_the_fix_and_leaves_store_unchanged(
        label: str, make: Callable[[Path, Path], Path], error: type[SahelError], fix: str,
        shared_data: Path, tmp_path: Path, base: Path) -> None:
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    path = make(shared_data, bad_dir)
    before = fingerprint(base)
    with pytest.raises(error) as info:
        import_series(path, db_path=base)
    assert fix in info.value.render() and str(path) in info.value.render(), label
    assert fingerprint(base) == before


def test_unknown_kind_is_a_config_error(tmp_path: Path, base: Path) -> None:
    with pytest.raises(ConfigError, match="unknown kind"):
        import_series(tmp_path / "pace_small.csv", kind="nope", db_path=base)


def test_failure_inside_the_transaction_leaves_store_unchanged(tmp_path: Path,
                                                              base: Path) -> None:
    before = fingerprint(base)

    def boom() -> None:
        raise RuntimeError("killed before COMMIT")

    with pytest.raises(RuntimeError):
        import_series(small_pace(tmp_path / "pace_v2.csv", bump=5), db_path=base,
                      before_commit=boom)
    assert fingerprint(base) == before


def test_vintages_vanished_values_and_older_vintage_note(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"

    def rows(values: dict[tuple[str, int], int]) -> list[dict[str, object]]:
        return [{"COUNTRY": c, "YEAR": y, "EVENTS": v} for (c, y), v in values.items()]

    newer = _xlsx(tmp_path, "events_by_country-year_as-of-06Mar2026.xlsx", rows({
        ("Mali", 2023): 4, ("Mali", 2024): 5, ("Mali", 2025): 10, ("Mali", 2026): 2,
        ("Niger", 2023): 0, ("Niger", 2024): 3, ("Niger", 2025): 0}))
    older = _xlsx(tmp_path, "events_by_country-year_as-of-01Feb2026.xlsx", rows({
        ("Mali", 2023): 4, ("Mali", 2024): 5, ("Mali", 2025): 9, ("Niger", 2025): 0}))
    first = import_series(newer, db_path=db)
    assert first.source_version == "as-of 2026-03-06" and str(first.coverage_end) == "2026-03-06"
    second = import_series(older, db_path=db)
    # MLI 2025 revised (10 -> 9); NER 2024 vanished (3 -> absent = 0); NER 2023's stored zero
    # vanished too but means the same (unchanged, like MLI 2023-24); NER 2025 same zero, now
    # partial (restated); MLI 2026 lies outside the older file's coverage
    assert (second.revised, second.vanished, second.restated, second.unchanged) == (1, 1, 1, 3)
    assert any("older vintage than snapshot 1" in n for n in second.notes)
    df, _ = get_series("acled_pv_events_country_year", countries=["NER"], db_path=db)
    assert df[["period", "value", "filled_zero"]].values.tolist() == [
        ["2023", 0.0, False], ["2024", 0.0, True], ["2025", 0.0, False], ["2026", 0.0, True]]
