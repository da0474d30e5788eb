"""Snapshots: re-ingest is a no-op; a newer export records revisions and deletions; as-of."""

from __future__ import annotations

from pathlib import Path

import pytest

from sahel.errors import InputError
from sahel.store.filters import Filters
from sahel.store.ingest import ingest_file
from sahel.store.query import list_snapshots, query_events
from tests.acled_fixtures import row, write


def _v1(tmp: Path) -> Path:
    return write(tmp / "acled_v1.csv", [
        row("MLI1", "2023-01-05", 3, ts=1700000000),
        row("MLI2", "2023-02-10", 0, ts=1700000000),
        row("MLI3", "2023-03-15", 7, ts=1700000000),
        row("BFA1", "2023-03-01", 2, country="Burkina Faso", iso="854", ts=1700000000),
    ])


def _v2(tmp: Path) -> Path:
    # MLI1 revised (3 -> 5 deaths), MLI2 unchanged, MLI3 deleted, MLI4 new; BFA not covered
    return write(tmp / "acled_v2.csv", [
        row("MLI1", "2023-01-05", 5, ts=1710000000),
        row("MLI2", "2023-02-10", 0, ts=1700000000),
        row("MLI4", "2023-03-20", 1, ts=1710000000),
    ])


def test_newer_export_records_revisions_and_deletions(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    first = ingest_file(_v1(tmp_path), db_path=db)
    second = ingest_file(_v2(tmp_path), db_path=db)
    assert (first.snapshot_id, first.events_new) == (1, 4)
    assert (second.events_new, second.events_revised, second.events_unchanged,
            second.events_deleted) == (1, 1, 1, 1)
    assert second.source_version == "as-of 2024-03-09"  # latest row timestamp

    now, prov = query_events(Filters(), db_path=db)
    assert sorted(now["event_uid"]) == ["acled:BFA1", "acled:MLI1", "acled:MLI2", "acled:MLI4"]
    assert int(now.set_index("event_uid").loc["acled:MLI1", "fatalities_best"]) == 5
    assert {s["snapshot_id"] for s in prov.snapshots} == {1, 2}

    then, prov1 = query_events(Filters(as_of=1), db_path=db)
    assert sorted(then["event_uid"]) == ["acled:BFA1", "acled:MLI1", "acled:MLI2", "acled:MLI3"]
    assert int(then.set_index("event_uid").loc["acled:MLI1", "fatalities_best"]) == 3
    assert "as_of=snapshot 1" in prov1.filters

    snaps = list_snapshots(db_path=db)
    assert list(snaps["events_deleted"]) == [0, 1]
    assert list(snaps["events_revised"]) == [0, 1]


def test_reingest_same_file_is_noop(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    path = _v1(tmp_path)
    first = ingest_file(path, db_path=db)
    again = ingest_file(path, db_path=db)
    assert again.noop and again.snapshot_id == first.snapshot_id
    assert len(list_snapshots(db_path=db)) == 1
    df, _ = query_events(Filters(), db_path=db)
    assert len(df) == 4


def test_partial_file_does_not_delete(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    ingest_file(_v1(tmp_path), db_path=db)
    res = ingest_file(_v2(tmp_path), db_path=db, partial=True)
    assert res.events_deleted == 0
    df, _ = query_events(Filters(), db_path=db)
    assert "acled:MLI3" in set(df["event_uid"])


def test_mass_deletion_is_refused_and_store_untouched(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    ingest_file(_v1(tmp_path), db_path=db)
    tiny = write(tmp_path / "acled_sample.csv", [row("MLI9", "2023-01-01", 1),
                                                  row("MLI8", "2023-03-31", 1)])
    with pytest.raises(InputError) as err:
        ingest_file(tiny, db_path=db)
    assert "--partial" in (err.value.hint or "")
    assert len(list_snapshots(db_path=db)) == 1
    ok = ingest_file(tiny, db_path=db, allow_mass_delete=True)
    assert ok.events_deleted == 3


def test_older_export_after_a_newer_one_is_refused_and_store_untouched(tmp_path: Path) -> None:
    """Out-of-order ingests would roll events back silently (and re-ingesting the newer file is
    a no-op by its sha256, so it could not undo that): refused unless --allow-older."""
    db = tmp_path / "s.duckdb"
    newer = ingest_file(_v2(tmp_path), db_path=db)
    assert newer.source_version == "as-of 2024-03-09"
    with pytest.raises(InputError) as err:
        ingest_file(_v1(tmp_path), db_path=db)  # as-of 2023-11-14 would revise MLI1 (5 -> 3)
    assert "older than snapshot 1 (as-of 2024-03-09)" in err.value.message
    assert "revise or delete 1 of the events" in err.value.message
    assert "--allow-older" in (err.value.hint or "")
    assert err.value.file is not None and Path(err.value.file).name == "acled_v1.csv"
    assert len(list_snapshots(db_path=db)) == 1
    now, _ = query_events(Filters(), db_path=db)
    assert int(now.set_index("event_uid").loc["acled:MLI1", "fatalities_best"]) == 5

    older = ingest_file(_v1(tmp_path), db_path=db, allow_older=True)
    assert (older.events_revised, older.events_new) == (1, 2)
    now, _ = query_events(Filters(), db_path=db)
    assert int(now.set_index("event_uid").loc["acled:MLI1", "fatalities_best"]) == 3
    then, _ = query_events(Filters(as_of=1), db_path=db)
    assert int(then.set_index("event_uid").loc["acled:MLI1", "fatalities_best"]) == 5


def test_older_export_of_other_events_is_accepted(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    ingest_file(_v2(tmp_path), db_path=db)
    other = write(tmp_path / "acled_bfa_old.csv", [
        row("BFA7", "2022-03-01", 2, country="Burkina Faso", iso="854", ts=1600000000)])
    res = ingest_file(other, db_path=db)
    assert (res.events_new, res.events_revised, res.events_deleted) == (1, 0, 0)


@pytest.mark.parametrize(("source", "older", "newer"), [
    ("acled", "as-of 2023-11-14", "as-of 2024-03-09"),
    ("ucdp_ged", "24.1", "25.1"),
    ("ucdp_candidate", "25.0.3", "25.0.11"),
    ("ucdp_candidate", "24.0.12", "25.01.25.03"),  # a quarterly file ending in March 2025
])
def test_version_order(source: str, older: str, newer: str) -> None:
    from sahel.store.ingest import version_order

    a, b = version_order(source, older), version_order(source, newer)
    assert a is not None and b is not None and a < b


@pytest.mark.parametrize(("source", "version"), [
    ("ucdp_ged", ">=24.1"), ("acled", "my own label"), ("ucdp_candidate", "25.1")])
def test_versions_that_cannot_be_ordered_are_never_refused_as_older(source: str,
                                                                     version: str) -> None:
    from sahel.store.ingest import version_order

    assert version_order(source, version) is None


def test_civilian_targeting_and_categories(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    write(tmp_path / "a.csv", [
        row("MLI1", "2023-01-05", 3, event_type="Violence against civilians",
            actor2="Civilians (Mali)", civ="Civilian targeting"),
        row("MLI2", "2023-01-06", 1, event_type="Explosions/Remote violence",
            actor2="Civilians (Mali)", civ="Civilian targeting"),
        row("MLI3", "2023-01-07", 1, event_type="Battles"),
    ])
    ingest_file(tmp_path / "a.csv", db_path=db)
    civ, _ = query_events(Filters(civilian_targeting=True), db_path=db)
    assert sorted(civ["event_uid"]) == ["acled:MLI1", "acled:MLI2"]
    vac, _ = query_events(Filters(categories=["violence_against_civilians"]), db_path=db)
    assert list(vac["event_uid"]) == ["acled:MLI1"]
    assert list(vac["category_raw"]) == ["Violence against civilians"]


def test_coverage_spans(tmp_path: Path, shared_data: Path) -> None:
    """GED: 1989 to the release's last year; candidate: its month; ACLED: the file name's range."""
    from sahel.store.query import list_snapshots

    db = tmp_path / "s.duckdb"
    ingest_file(shared_data / "ucdp_ged/candidate/GEDEvent_v23_0_10.csv", db_path=db,
                partial=True)
    ingest_file(shared_data / "ucdp_ged/explorer_export_2025/Togo.csv", db_path=db)
    acled = write(tmp_path / "acled_2023-01-01-2023-12-31-Mali.csv",
                  [row("MLI1", "2023-03-01", 1)])
    ingest_file(acled, db_path=db)
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    spans = con.execute("SELECT source, CAST(coverage_start AS VARCHAR), "
                        "CAST(coverage_end AS VARCHAR) FROM snapshots ORDER BY snapshot_id"
                        ).fetchall()
    con.close()
    assert spans == [("ucdp_candidate", "2023-10-01", "2023-10-31"),
                     ("ucdp_ged", "1989-01-01", "2023-12-31"),
                     ("acled", "2023-01-01", "2023-12-31")]
    assert len(list_snapshots(db_path=db)) == 3


def test_cli_names_the_older_export_and_the_fix(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sahel.cli import app

    db = tmp_path / "s.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "acled", str(_v2(tmp_path)), "--db", str(db)]).exit_code == 0
    res = runner.invoke(app, ["ingest", "acled", str(_v1(tmp_path)), "--db", str(db)])
    assert res.exit_code != 0
    assert "acled_v1.csv" in res.output and "--allow-older" in res.output
    ok = runner.invoke(app, ["ingest", "acled", str(_v1(tmp_path)), "--db", str(db),
                             "--allow-older"])
    assert ok.exit_code == 0, ok.output
