"""Issue 8, points 5 and 6: the archive always matches its snapshot, and faults leave nothing.

The archived source is a private copy taken before the read (never a hard link), its sha256 is
over exactly the bytes loaded, an input that changes or disappears during the ingest is refused
with no snapshot, and whatever a failed or killed ingest left behind is removed by the next one
(or by ``sahel store check --repair``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from sahel.errors import InputError, StoreError
from sahel.store.archive import archive_dir
from sahel.store.ingest import ingest_file
from sahel.store.maintenance import check_store
from sahel.store.query import raw_rows
from tests.hardening.conftest import error_text, run_cli
from tests.test_ingest_errors import ged_row, ged_text, store_state


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _archive_files(db: Path) -> list[str]:
    folder = archive_dir(db)
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_the_archive_is_a_copy_that_outlives_edits_of_the_input(small_ged: Path,
                                                                tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    original = small_ged.read_bytes()
    res = ingest_file(small_ged, db_path=db)
    archived = archive_dir(db) / f"{res.sha256[:20]}.csv"
    assert res.sha256 == _sha(small_ged) == _sha(archived)
    assert archived.stat().st_ino != small_ged.stat().st_ino
    assert archived.stat().st_nlink == 1
    small_ged.write_text("edited afterwards\n")  # in place: a hard link would follow this
    assert archived.read_bytes() == original
    assert check_store(db).ok
    row = raw_rows("ucdp_ged:1003", db_path=db)[0]["row"]
    assert row["id"] == "1003"


def _append(path: Path) -> None:
    with path.open("a") as fh:
        fh.write("\n")


def _rewrite_same_size(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-3:-2] = b"9"
    path.write_bytes(bytes(data))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def _replace_by_rename(path: Path) -> None:
    other = path.with_name("other.csv")
    other.write_bytes(path.read_bytes())
    os.replace(other, path)


MUTATIONS: dict[str, Callable[[Path], None]] = {
    "appended": _append, "rewritten": _rewrite_same_size, "replaced": _replace_by_rename,
    "deleted": lambda p: p.unlink(),
}


@pytest.mark.parametrize("single_pass", [True, False], ids=["single-pass", "staged"])
@pytest.mark.parametrize("how", list(MUTATIONS))
def test_an_input_changed_during_the_ingest_is_refused(small_ged: Path, tmp_path: Path,
                                                       how: str, single_pass: bool) -> None:
    db = tmp_path / "s.duckdb"
    seed = tmp_path / "seed.csv"
    seed.write_text(ged_text([ged_row(50, country="Benin", country_id="434")]),
                    encoding="utf-8")
    ingest_file(seed, db_path=db, source_version="25.1")
    before, files = store_state(db), _archive_files(db)
    if single_pass:  # the single pass takes the first file of a source: use another source
        small_ged = small_ged.rename(small_ged.with_name("GEDEvent_v25_0_3.csv"))
    with pytest.raises(InputError) as info:
        ingest_file(small_ged, db_path=db, single_pass=single_pass,
                    before_commit=lambda: MUTATIONS[how](small_ged))
    assert info.value.file == str(small_ged)
    assert ("disappeared" if how == "deleted" else "changed") in info.value.message
    assert "nothing was stored" in (info.value.hint or "")
    assert store_state(db) == before
    assert _archive_files(db) == files


def test_a_failed_transaction_leaves_no_archive_file(small_ged: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    seed = tmp_path / "seed.csv"
    seed.write_text(ged_text([ged_row(50, country="Benin", country_id="434")]),
                    encoding="utf-8")
    ingest_file(seed, db_path=db, source_version="25.1")
    files = _archive_files(db)

    def disk_full() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        ingest_file(small_ged, db_path=db, before_commit=disk_full)
    assert _archive_files(db) == files
    assert check_store(db).ok


def _plant_leftovers(db: Path) -> list[Path]:
    folder = archive_dir(db)
    planted = [folder / ".incoming" / "deadbeef" / "half.csv", folder / "0123456789abcdef0123.csv",
               folder / "0123456789abcdef0123.csv.snapshot-99.json", folder / "x.csv.part",
               db.parent / ".duckdb-tmp" / "spill.tmp"]
    for p in planted:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x" * 1000)
    return planted


def test_leftovers_of_a_killed_ingest_are_reported_then_repaired(loaded: Path) -> None:
    files = _archive_files(loaded)
    _plant_leftovers(loaded)
    report = check_store(loaded)
    assert {p.kind for p in report.problems} == {"leftover"} and len(report.problems) == 5
    out = error_text(run_cli(["store", "check"], ok=False))
    assert "leftover" in out and "--repair" in out
    out = error_text(run_cli(["store", "check", "--repair"], ok=True))
    assert "removed 5 leftover file(s)" in out
    assert _archive_files(loaded) == files
    assert check_store(loaded).ok


def test_the_next_ingest_removes_leftovers(loaded: Path, tmp_path: Path) -> None:
    planted = _plant_leftovers(loaded)
    other = tmp_path / "GEDEvent_v25_0_4.csv"
    other.write_text(ged_text([ged_row(70)]), encoding="utf-8")
    ingest_file(other, db_path=loaded)
    assert not any(p.exists() for p in planted)
    assert check_store(loaded).ok


def test_store_check_finds_missing_edited_and_unmanifested_files(loaded: Path) -> None:
    folder = archive_dir(loaded)
    data = next(p for p in folder.iterdir() if p.suffix == ".csv")
    manifest = next(folder.glob("*.snapshot-1.json"))
    manifest.unlink()
    report = check_store(loaded)
    assert [p.kind for p in report.problems] == ["missing_manifest"]
    repaired = check_store(loaded, repair=True)
    assert repaired.ok and "manifest of snapshot 1 rewritten" in repaired.repaired
    data.write_bytes(data.read_bytes() + b"tampered")
    assert [p.kind for p in check_store(loaded).problems] == ["sha256_mismatch"]
    with pytest.raises(StoreError, match="sha256"):
        raw_rows("ucdp_ged:1001", db_path=loaded)
    data.unlink()
    problems = check_store(loaded).problems
    assert [p.kind for p in problems] == ["missing_file"]
    assert "re-ingest the original" in problems[0].fix
    out = error_text(run_cli(["events", "--raw", "ucdp_ged:1001"], ok=False))
    assert "archived source file" in out and "fix:" in out


def test_a_multi_file_ingest_reports_file_by_file(tmp_path: Path, sahel_home: Path) -> None:
    good1, bad, good2 = (tmp_path / f"{n}.csv" for n in ("GEDEvent_v25_0_1", "broken",
                                                          "GEDEvent_v25_0_2"))
    good1.write_text(ged_text([ged_row(1)]), encoding="utf-8")
    bad.write_text(ged_text([ged_row(2, best="many")]), encoding="utf-8")
    good2.write_text(ged_text([ged_row(3, date_start="2025-02-01 00:00:00.000",
                                       date_end="2025-02-01 00:00:00.000", year="2025")]),
                     encoding="utf-8")
    result = run_cli(["ingest", "ucdp", good1, bad, good2, "--source", "ucdp_candidate"],
                     ok=False)
    out = error_text(result)
    assert result.exit_code == 3
    assert "committed" in out and "GEDEvent_v25_0_1.csv" in out and "GEDEvent_v25_0_2.csv" in out
    assert "broken.csv:2" in out and "2 of 3 file(s) committed; 1 failed" in out
    snaps = error_text(run_cli(["snapshots", "-f", "csv"], ok=True))
    assert "GEDEvent_v25_0_1.csv" in snaps and "GEDEvent_v25_0_2.csv" in snaps
    assert "broken.csv" not in snaps


def test_series_import_archives_a_copy_with_its_companion(tmp_path: Path, shared_data: Path,
                                                          sahel_home: Path) -> None:
    from sahel.series.store import import_series

    folder = shared_data / "views" / "prediction_challenge_actuals"
    parquet = next(folder.rglob("cm_actuals_2018.parquet"), None)
    assert parquet is not None, "ViEWS actuals missing from the shared data"
    db = sahel_home / "sahel.duckdb"
    res = import_series(parquet, db_path=db)
    archived = sorted(p.name for p in archive_dir(db).iterdir())
    assert archived == sorted([f"{res.sha256[:20]}.parquet",
                               f"{res.sha256[:20]}.parquet.snapshot-1.json",
                               f"{res.sha256[:20]}.parquet.with-views_country_list.csv"])
    assert check_store(db).ok
