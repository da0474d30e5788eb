"""Issue 8, point 2: values that are probably wrong are never accepted silently.

Each is either refused with the fix (ids that are not positive whole numbers, duplicate column
names, NUL bytes in stored text) or stored as given with a warning and a count, at ingest and in
``sahel snapshots`` (low > best or high < best, unknown ACLED interaction codes, ACLED row
timestamps in the future — which must not date the export either).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sahel.errors import InputError, RowError
from sahel.store.ingest import ingest_file
from tests import acled_fixtures as acled
from tests.hardening.conftest import error_text, run_cli
from tests.test_ingest_errors import ged_row, ged_text

EXPLORER = ["Benin", "Burkina", "Cote_ivoire", "Guinne_Bissau", "Mali", "Senegal", "Togo"]


def _warnings(db: Path) -> dict[tuple[int, str], int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {(int(s), str(k)): int(n) for s, k, n in con.execute(
            "SELECT snapshot_id, kind, count FROM snapshot_warnings ORDER BY ALL").fetchall()}
    finally:
        con.close()


@pytest.mark.shared_data
def test_low_above_best_and_high_below_best_are_counted_not_fixed(shared_data: Path,
                                                                  sahel_home: Path) -> None:
    """The real explorer exports hold 56 such events: stored as given, counted per snapshot,
    and the counts agree with an independent pandas count over the files."""
    db = sahel_home / "sahel.duckdb"
    expected: dict[tuple[int, str], int] = {}
    total = 0
    folder = shared_data / "ucdp_ged" / "explorer_export_2025"
    for sid, name in enumerate(EXPLORER, start=1):
        path = folder / f"{name}.csv"
        res = ingest_file(path, db_path=db, source_version="24.1")
        assert res.snapshot_id == sid
        frame = pd.read_csv(path, index_col=False, usecols=["id", "best_est", "low_est",
                                                             "high_est"]).drop_duplicates("id")
        for kind, mask in (("low_above_best", frame["low_est"] > frame["best_est"]),
                           ("high_below_best", frame["high_est"] < frame["best_est"])):
            if int(mask.sum()):
                expected[(sid, kind)] = int(mask.sum())
                assert res.warnings[kind][0] == int(mask.sum())
            total += int(mask.sum())
    assert _warnings(db) == expected
    assert total == 56
    con = duckdb.connect(str(db), read_only=True)
    try:  # kept as given, not "fixed"
        kept = con.execute("SELECT count(*) FROM events WHERE fatalities_low > fatalities_best "
                           "OR fatalities_high < fatalities_best").fetchone()
    finally:
        con.close()
    assert kept == (56,)
    shown = error_text(run_cli(["snapshots", "-f", "csv"], ok=True))
    assert "high_below_best: 18; low_above_best: 5" in shown  # Mali


def test_warnings_are_printed_at_ingest(tmp_path: Path, sahel_home: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text(ged_text([ged_row(0, low="5", best="2", high="6"), ged_row(1)]),
                    encoding="utf-8")
    out = error_text(run_cli(["ingest", "ucdp", path, "--source-version", "25.1"], ok=True))
    assert "warning" in out and "1 event(s)" in out and "low_above_best" in out


@pytest.mark.parametrize("single_pass", [True, False], ids=["single-pass", "staged"])
def test_warnings_are_the_same_on_both_ingest_paths(tmp_path: Path, single_pass: bool) -> None:
    path = tmp_path / "w.csv"
    path.write_text(ged_text([ged_row(0, low="5", best="2", high="6"),
                              ged_row(1, high="1", best="2", low="0"), ged_row(2)]),
                    encoding="utf-8")
    res = ingest_file(path, db_path=tmp_path / "s.duckdb", source_version="25.1",
                      single_pass=single_pass)
    assert {k: v[0] for k, v in res.warnings.items()} == {"low_above_best": 1,
                                                          "high_below_best": 1}
    assert _warnings(tmp_path / "s.duckdb") == {(1, "high_below_best"): 1,
                                                (1, "low_above_best"): 1}


@pytest.mark.parametrize("bad", ["12.0", "-3", "1e5", "abc", "0", "+7", " 1 2", "007"])
def test_ucdp_ids_must_be_positive_whole_numbers(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "ids.csv"
    path.write_text(ged_text([ged_row(0), ged_row(1, id=bad), ged_row(2)]), encoding="utf-8")
    with pytest.raises(RowError) as info:
        ingest_file(path, db_path=tmp_path / "s.duckdb", source_version="25.1")
    err = info.value
    assert (err.field, err.line) == ("id", 3) and "positive whole number" in err.message
    assert err.hint and "--skip-bad-rows" in err.hint


def test_duplicate_column_names_in_an_acled_file(tmp_path: Path) -> None:
    path = acled.write(tmp_path / "a.csv", [acled.row("MLI1", "2023-01-05", 2)])
    head, rest = path.read_text().split("\n", 1)
    path.write_text(head.replace("admin3", "admin1") + "\n" + rest)
    with pytest.raises(InputError) as info:
        ingest_file(path, db_path=tmp_path / "s.duckdb")
    assert info.value.line == 1 and info.value.field == "admin1" and "twice" in info.value.message


def test_unknown_acled_interaction_codes_are_counted(tmp_path: Path) -> None:
    rows = [acled.row(f"MLI{i}", "2023-01-05", 1) for i in range(5)]
    rows[1]["interaction"] = "99"
    rows[2]["interaction"] = "banana"
    rows[3]["interaction"] = "State forces-Rebel group"  # the 2024+ text vocabulary is known
    path = acled.write(tmp_path / "a.csv", rows)
    res = ingest_file(path, db_path=tmp_path / "s.duckdb")
    assert res.rows_loaded == 5
    assert res.warnings["unknown_interaction"][0] == 2
    assert _warnings(tmp_path / "s.duckdb") == {(1, "unknown_interaction"): 2}


def test_a_future_acled_timestamp_neither_dates_the_export_nor_blocks_a_later_one(
        tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    first = [acled.row(f"MLI{i}", "2023-01-05", 1, ts=1_700_000_000) for i in range(4)]
    first[0]["timestamp"] = "4102444800"  # 2100-01-01: bogus
    res = ingest_file(acled.write(tmp_path / "a.csv", first), db_path=db)
    assert res.source_version == "as-of 2023-11-14"
    assert res.warnings["timestamp_in_future"][0] == 1
    later = [acled.row(f"MLI{i}", "2023-01-05", 1 + (i == 2), ts=1_710_000_000)
             for i in range(4)]
    res2 = ingest_file(acled.write(tmp_path / "b.csv", later), db_path=db)
    assert res2.source_version == "as-of 2024-03-09" and res2.events_revised >= 1
