"""The single-pass ingest (sahel.store.write) stores exactly what the staged path stores.

It takes the first file of a source straight from the CSV into ``events`` and gives up, leaving
the staged path to find and report the problem, on anything it cannot vouch for. Here: (1) every
real file of the shared data in a layout it takes stored both ways gives identical rows and snapshot records;
(2) the files it must not take, or must give up on, still load (or fail) as before; (3) the
helper that trims only where needed trims like ``trim``. The error cases themselves run through
both paths in ``tests/test_ingest_errors.py`` (its ``store`` fixture is also an empty store).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sahel.errors import RowError
from sahel.events.countries import known_names, to_iso3
from sahel.events.harmonise import ALL_LAYOUTS
from sahel.events.layouts import trimmed
from sahel.events.reader import open_source
from sahel.store.ingest import IngestResult, ingest_file
from sahel.store.write import COUNTRY_JOIN, name_map, single_pass_fits
from tests.test_ingest_errors import case_file, ged_row, write_ged

TODAY = date(2026, 11, 22)
#: every real file of a layout the single pass takes (path under shared/data, version to give)
REAL_FILES = [
    ("ucdp_ged/candidate/GEDEvent_v23_0_10.csv", None),
    ("ucdp_ged/sample/uncertainUCDP_ucdpged_v23_1_sample1000.csv", None),
    *((f"ucdp_ged/explorer_export_2025/{name}.csv", ">=24.1") for name in (
        "Mali", "Burkina", "Benin", "Togo", "Senegal", "Cote_ivoire", "Guinne_Bissau")),
    ("acled/acled_west_africa_2015-2023_7col_ISE1.csv.gz", "as-of 2023-12-31"),
]


def ingest(path: Path, db: Path, **kwargs: Any) -> IngestResult:
    kwargs.setdefault("source_version", "25.1")
    return ingest_file(path, db_path=db, today=TODAY, **kwargs)


def stored(db: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every event version (all columns, virtual ones too) and every snapshot record, minus the
    two fields that differ by nature: when it was ingested and where the archive sits."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        events = con.execute("SELECT * FROM events ORDER BY source_id").fetchall()
        snaps = con.execute("SELECT * EXCLUDE (ingested_at, archive_path) FROM snapshots "
                            "ORDER BY snapshot_id").fetchall()
    finally:
        con.close()
    return events, snaps


# --------------------------------------------------------------------------- (1) real files


@pytest.mark.shared_data
@pytest.mark.parametrize(("name", "version"), REAL_FILES,
                         ids=[Path(n).name for n, _ in REAL_FILES])
def test_real_files_store_the_same_rows_both_ways(shared_data: Path, tmp_path: Path,
                                                       sahel_home: Path, name: str,
                                                       version: str | None) -> None:
    path = shared_data / name
    fast = ingest_file(path, db_path=tmp_path / "a.duckdb", source_version=version, today=TODAY)
    staged = ingest_file(path, db_path=tmp_path / "b.duckdb", source_version=version,
                         today=TODAY, single_pass=False)
    assert (fast.method, staged.method) == ("single pass", "staged")
    events_a, snaps_a = stored(tmp_path / "a.duckdb")
    events_b, snaps_b = stored(tmp_path / "b.duckdb")
    assert len(events_a) == fast.events_new == staged.events_new > 0
    assert events_a == events_b
    assert snaps_a == snaps_b
    keep = ("rows_read", "rows_loaded", "rows_rejected", "rows_duplicate", "events_new",
            "source", "source_version", "version_basis", "layout", "sha256", "notes")
    assert {k: getattr(fast, k) for k in keep} == {k: getattr(staged, k) for k in keep}


# --------------------------------------------------------------------------- (2) when it runs


def test_first_file_takes_the_single_pass_later_files_the_staged_diff(tmp_path: Path,
                                                                      sahel_home: Path) -> None:
    db = tmp_path / "s.duckdb"
    first = write_ged(tmp_path / "ged_a.csv", [ged_row(i) for i in range(5)])
    res = ingest(first, db)
    assert (res.method, res.snapshot_id, res.events_new) == ("single pass", 1, 5)
    again = ingest(first, db)
    assert again.noop and again.snapshot_id == 1
    rows = [ged_row(i) for i in range(4)] + [ged_row(7)]
    rows[0]["best"] = "9"
    res = ingest(write_ged(tmp_path / "ged_b.csv", rows), db)
    assert res.method == "staged"
    assert (res.events_new, res.events_revised, res.events_unchanged, res.events_deleted) == (
        1, 1, 3, 1)


@pytest.mark.parametrize(("rows", "why"), [
    ([ged_row(1), ged_row(2), ged_row(2)], "an exact duplicate is dropped by the staged path"),
    ([ged_row(1), ged_row(2, country="Côte d'Ivoire")], "an accented name needs to_iso3"),
], ids=["duplicate", "accented_country"])
def test_files_the_single_pass_gives_up_on_still_load(tmp_path: Path, sahel_home: Path,
                                                      rows: list[dict[str, str]],
                                                      why: str) -> None:
    res = ingest(write_ged(tmp_path / "f.csv", rows), tmp_path / "s.duckdb")
    assert res.method == "staged", why
    assert res.events_new == 2


def test_country_names_match_case_insensitively(tmp_path: Path, sahel_home: Path) -> None:
    db = tmp_path / "s.duckdb"
    rows = [ged_row(1, country="MALI"), ged_row(2, country="burkina faso"),
            ged_row(3, country="Ivory Coast")]
    res = ingest(write_ged(tmp_path / "f.csv", rows), db)
    assert res.method == "single pass"
    con = duckdb.connect(str(db), read_only=True)
    try:
        got = con.execute("SELECT list(country_iso3 ORDER BY source_id) FROM events").fetchone()
    finally:
        con.close()
    assert got is not None and got[0] == ["MLI", "BFA", "CIV"]


def test_a_bad_row_in_the_first_file_is_reported_by_the_staged_path(tmp_path: Path,
                                                                     sahel_home: Path) -> None:
    db = tmp_path / "s.duckdb"
    path, line = case_file(tmp_path, "bad.csv", [ged_row(40, best="-3")])
    with pytest.raises(RowError) as info:
        ingest(path, db)
    assert (info.value.line, info.value.field, info.value.count) == (line, "best", 1)
    skipped = ingest(path, db, skip_bad_rows=True, rejects_path=tmp_path / "rejects.csv")
    assert (skipped.method, skipped.rows_rejected, skipped.events_new) == ("staged", 1, 5)


def test_which_layouts_the_single_pass_takes(tmp_path: Path) -> None:
    sf = open_source(write_ged(tmp_path / "ged.csv", [ged_row(1)]), tmp_path, checksum=False)
    taken = {lay.name for lay in ALL_LAYOUTS if single_pass_fits(lay, sf, skip_bad_rows=False)}
    # ACLED files resolve countries by ISO code, rebuild actor rows, or have no ids
    assert taken == {"ucdp_ged_csv", "ucdp_explorer_csv", "acled_7col"}
    assert not any(single_pass_fits(lay, sf, skip_bad_rows=True) for lay in ALL_LAYOUTS)
    sf.hxl = True  # an HDX file: its hashtag row is filtered by the staged path
    assert not any(single_pass_fits(lay, sf, skip_bad_rows=False) for lay in ALL_LAYOUTS)


# --------------------------------------------------------------------------- (3) trimming


@pytest.mark.parametrize("value", [
    " a ", "a", "", "   ", "\u00a0b\u00a0", "é ", "é", "\tx", "x\t", "Tillabéri", "\u3000y",
    "a  b", " ", None,
])
def test_conditional_trim_equals_trim(value: str | None) -> None:
    got = duckdb.execute(f"SELECT {trimmed('x')}, NULLIF(trim(x), '') FROM (SELECT ?::VARCHAR x)",
                         [value]).fetchone()
    assert got is not None and got[0] == got[1]


@pytest.mark.parametrize("single_pass", [True, False], ids=["single_pass", "staged"])
def test_a_row_longer_than_duckdbs_default_line_limit_loads(tmp_path: Path, sahel_home: Path,
                                                            single_pass: bool) -> None:
    """read_csv takes rows up to 10 MB (DuckDB's default is 2 MB) with default-sized buffers."""
    rows = [ged_row(1), ged_row(2, source_article="AFP " * 800_000)]  # a 3.2 MB field
    res = ingest(write_ged(tmp_path / "long.csv", rows), tmp_path / "s.duckdb",
                 single_pass=single_pass)
    assert (res.method == "single pass", res.events_new) == (single_pass, 2)


def test_country_lookup_agrees_with_to_iso3() -> None:
    """The single pass's lookup (lower(name) joined to known_names) gives to_iso3's answer for
    every known name in three casings, and NULL (so: the staged path) for names it cannot vouch
    for."""
    names = list(known_names())
    odd = ["Côte d'Ivoire", "Atlantis", "Mali  ", "DR  Congo"]
    probes = [*names, *(n.title() for n in names), *(n.upper() for n in names), *odd]
    con = duckdb.connect()
    name_map(con)
    got = con.execute(f"SELECT i.country_key_name, m.country_iso3 FROM "
                      f"(SELECT unnest(?::VARCHAR[]) AS country_key_name) AS i {COUNTRY_JOIN}",
                      [probes]).fetchall()
    con.close()
    assert len(got) == len(probes)
    for name, code in got:
        if code is not None:
            assert code == to_iso3(name), name
    looked_up = {name for name, code in got if code is not None}
    assert set(names) <= looked_up
    assert not looked_up & set(odd)
