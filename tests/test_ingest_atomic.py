"""An ingest is all-or-nothing: a failure or a kill before COMMIT leaves the store as it was.

Issue 2, point 6. (1) an exception raised inside the transaction (``before_commit``) rolls back
inserts, retirements and the snapshot row; (2) a real ingest in a subprocess is SIGKILLed while
its transaction is open, and the store reopens unchanged; (3) re-ingesting the same file is a
no-op. Small fixtures are hand-written in ``tmp_path``; the kill test reads the real UCDP
explorer exports in place from the shared data.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sahel.errors import StoreError
from sahel.store.db import connect
from sahel.store.ingest import ingest_file
from tests.ged_fixtures import GED_HEADER

TODAY = date(2025, 6, 1)
EXPLORER = ("ucdp_ged", "explorer_export_2025")
MALI_EVENTS = 2120
BURKINA_EVENTS = 1504



def ged_row(n: int, **over: str) -> dict[str, str]:
    """A plausible UCDP GED event in Mali (id 1000+n)."""
    day = f"2021-05-{n % 28 + 1:02d} 00:00:00.000"
    row = dict.fromkeys(GED_HEADER, "")
    row.update({
        "id": str(1000 + n), "relid": f"MLI-2021-1-15259-{n}", "year": "2021",
        "active_year": "1", "code_status": "Clear", "type_of_violence": "1",
        "conflict_name": "Mali: Islamic State", "dyad_name": "Government of Mali - IS",
        "side_a": "Government of Mali", "side_b": "IS", "number_of_sources": "1",
        "where_prec": "2", "where_coordinates": "Tessit village", "adm_1": "Gao region",
        "adm_2": "Ansongo cercle", "latitude": "15.2", "longitude": "0.9", "country": "Mali",
        "country_id": "432", "region": "Africa", "event_clarity": "1", "date_prec": "1",
        "date_start": day, "date_end": day, "deaths_a": "1", "deaths_b": "3",
        "deaths_civilians": "0", "deaths_unknown": "0", "best": "4", "high": "6", "low": "4",
        "gwnoa": "432",
    })
    row.update(over)
    return row


def write_ged(path: Path, rows: list[dict[str, str]]) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, GED_HEADER, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def store_state(db: Path) -> dict[str, Any]:
    """Counts and checksums of every table an ingest writes."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        def one(sql: str) -> Any:
            got = con.execute(sql).fetchone()
            assert got is not None
            return got[0]

        return {
            "events": one("SELECT count(*) FROM events"),
            "current": one("SELECT count(*) FROM events WHERE retired_by IS NULL"),
            "checksum": one("SELECT sum(hash(event_uid, row_hash, retired_by)) FROM events"),
            "snapshots": one("SELECT list((snapshot_id, file_sha256) ORDER BY snapshot_id) "
                             "FROM snapshots"),
            "changes": one("SELECT count(*) FROM event_changes"),
        }
    finally:
        con.close()


def boom() -> None:
    raise RuntimeError("injected failure before COMMIT")


# --------------------------------------------------------------------------- (1) failure


def test_failure_inside_the_transaction_leaves_the_store_as_before(tmp_path: Path,
                                                                   sahel_home: Path) -> None:
    db = tmp_path / "sahel.duckdb"
    first = ingest_file(write_ged(tmp_path / "ged_a.csv", [ged_row(i) for i in range(6)]),
                        db_path=db, source_version="25.1", today=TODAY)
    assert first.events_new == 6
    before = store_state(db)

    # the next release revises event 1001, withdraws 1005 and adds 1006: the transaction
    # inserts, retires (UPDATE) and records changes before it fails
    rows = [ged_row(i) for i in range(5)] + [ged_row(6)]
    rows[1]["best"] = "7"
    second = write_ged(tmp_path / "ged_b.csv", rows)
    with pytest.raises(RuntimeError, match="injected failure"):
        ingest_file(second, db_path=db, source_version="25.1", today=TODAY, before_commit=boom)
    assert store_state(db) == before

    # not mistaken for "already ingested": the same file goes in normally afterwards
    res = ingest_file(second, db_path=db, source_version="25.1", today=TODAY)
    assert not res.noop and res.snapshot_id == first.snapshot_id + 1
    assert (res.events_new, res.events_revised, res.events_unchanged, res.events_deleted) == (
        1, 1, 4, 1)
    after = store_state(db)
    assert (after["events"], after["current"], after["changes"]) == (8, 6, 2)


def test_failure_in_the_first_ingest_leaves_an_empty_store(tmp_path: Path,
                                                           sahel_home: Path) -> None:
    db = tmp_path / "sahel.duckdb"
    path = write_ged(tmp_path / "ged.csv", [ged_row(i) for i in range(3)])
    with pytest.raises(RuntimeError):
        ingest_file(path, db_path=db, source_version="25.1", today=TODAY, before_commit=boom)
    assert store_state(db) == {"events": 0, "current": 0, "checksum": None, "snapshots": None,
                               "changes": 0}
    res = ingest_file(path, db_path=db, source_version="25.1", today=TODAY)
    assert (res.noop, res.snapshot_id, res.events_new) == (False, 1, 3)


def test_keyboard_interrupt_inside_the_transaction_is_rolled_back(tmp_path: Path,
                                                                  sahel_home: Path) -> None:
    db = tmp_path / "sahel.duckdb"
    ingest_file(write_ged(tmp_path / "ged_a.csv", [ged_row(i) for i in range(3)]),
                db_path=db, source_version="25.1", today=TODAY)
    before = store_state(db)

    def ctrl_c() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_file(write_ged(tmp_path / "ged_b.csv", [ged_row(i) for i in range(3, 9)]),
                    db_path=db, source_version="25.1", today=TODAY, partial=True,
                    before_commit=ctrl_c)
    assert store_state(db) == before


# --------------------------------------------------------------------------- (2) kill -9

KILLED_INGEST = """
import sys, time
from pathlib import Path
from sahel.store.ingest import ingest_file

marker = Path(sys.argv[3])

def hang() -> None:
    marker.write_text("inside the transaction")
    time.sleep(60)

version = sys.argv[4] if len(sys.argv) > 4 else None
res = ingest_file(Path(sys.argv[1]), db_path=Path(sys.argv[2]), source_version=version,
                  before_commit=hang)
print("committed", res.method, flush=True)
"""


def run_until_killed(path: Path, db: Path, marker: Path, version: str | None = None) -> None:
    """Ingest ``path`` in a subprocess; SIGKILL it once it sits inside its transaction."""
    args = [str(path), str(db), str(marker), *([version] if version else [])]
    proc = subprocess.Popen([sys.executable, "-c", KILLED_INGEST, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(f"the ingest ended before its transaction (rc {proc.returncode}):\n"
                            f"{out.decode()}{err.decode()}")
            if time.monotonic() > deadline:
                pytest.fail("the ingest never reached its transaction within 60 s")
            time.sleep(0.02)
        # while it holds the store, another writer gets a clear StoreError, not a hang
        with pytest.raises(StoreError) as locked:
            connect(db)
        assert locked.value.hint and "another sahel process" in locked.value.hint
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        assert proc.stdout is not None and proc.stderr is not None
        out = proc.stdout.read()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert b"committed" not in out


@pytest.mark.shared_data
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_midway_leaves_the_store_as_before(shared_data: Path, tmp_path: Path,
                                                sahel_home: Path) -> None:
    burkina = shared_data.joinpath(*EXPLORER, "Burkina.csv")
    mali = shared_data.joinpath(*EXPLORER, "Mali.csv")
    db = tmp_path / "sahel.duckdb"
    assert ingest_file(burkina, db_path=db).events_new == BURKINA_EVENTS
    before = store_state(db)

    run_until_killed(mali, db, tmp_path / "in-transaction")
    assert store_state(db) == before
    res = ingest_file(mali, db_path=db)
    assert not res.noop and res.snapshot_id == 2
    assert (res.rows_loaded, res.events_new, res.events_deleted) == (MALI_EVENTS, MALI_EVENTS, 0)
    after = store_state(db)
    assert after["events"] == after["current"] == BURKINA_EVENTS + MALI_EVENTS


@pytest.mark.shared_data
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_inside_a_single_pass_leaves_an_empty_store(shared_data: Path, tmp_path: Path,
                                                        sahel_home: Path) -> None:
    """The first file of a source goes straight into ``events`` (sahel.store.write): a kill
    after its INSERT and before COMMIT must leave no event, snapshot or change behind."""
    mali = shared_data.joinpath(*EXPLORER, "Mali.csv")
    db = tmp_path / "sahel.duckdb"
    connect(db).close()
    run_until_killed(mali, db, tmp_path / "in-transaction", ">=24.1")
    assert store_state(db) == {"events": 0, "current": 0, "checksum": None, "snapshots": None,
                               "changes": 0}
    res = ingest_file(mali, db_path=db, source_version=">=24.1")
    assert (res.method, res.snapshot_id, res.events_new) == ("single pass", 1, MALI_EVENTS)


# --------------------------------------------------------------------------- (3) no-op


def test_reingesting_the_same_file_is_a_noop(tmp_path: Path, sahel_home: Path) -> None:
    db = tmp_path / "sahel.duckdb"
    path = write_ged(tmp_path / "ged.csv", [ged_row(i) for i in range(5)])
    first = ingest_file(path, db_path=db, source_version="25.1", today=TODAY)
    before = store_state(db)

    again = ingest_file(path, db_path=db, source_version="25.1", today=TODAY)
    assert again.noop and again.snapshot_id == first.snapshot_id
    assert again.sha256 == first.sha256
    assert any("already ingested" in n for n in again.notes)
    assert store_state(db) == before

    # same bytes under another name: still the same snapshot (the file hash decides)
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(path.read_bytes())
    third = ingest_file(copy, db_path=db, source_version="25.1", today=TODAY)
    assert third.noop and third.snapshot_id == first.snapshot_id
    assert store_state(db) == before


def test_noop_never_reaches_the_transaction(tmp_path: Path, sahel_home: Path) -> None:
    db = tmp_path / "sahel.duckdb"
    path = write_ged(tmp_path / "ged.csv", [ged_row(i) for i in range(5)])
    ingest_file(path, db_path=db, source_version="25.1", today=TODAY)
    res = ingest_file(path, db_path=db, source_version="25.1", today=TODAY, before_commit=boom)
    assert res.noop
