"""``sahel update`` (issue 10, points 1, 5, 6): a continuous UCDP record to last month, fetched
from a local fake UCDP server — a GED zip, a cumulative candidate file, monthly files with one
month never published (404) and one re-published with corrections — or read from a folder.
All or nothing: an unreachable server, a failing file or a kill leaves the store as it was."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sahel.errors import NetworkError, StoreError
from sahel.panels import add_events, create_country_months
from sahel.store.filters import Filters
from sahel.store.maintenance import check_store
from sahel.update import _lock, update
from tests.hardening.conftest import error_text, run_cli
from tests.test_ingest_errors import ged_row, ged_text, store_state

from .fakes import FakeServer, Recorded, Reply, StaticFile, closed_port_url

TODAY = date(2025, 12, 15)  # last full month: November 2025


def _rows(month: str, ids: list[int], best: str = "2") -> list[dict[str, str]]:
    return [ged_row(i, date_start=f"{month}-{i % 27 + 1:02d} 00:00:00.000",
                    date_end=f"{month}-{i % 27 + 1:02d} 00:00:00.000", year=month[:4],
                    best=best, low=best, high=best) for i in ids]


def _zip(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


class Release(StaticFile):
    """A static file that also says its ETag, as UCDP's server does."""

    def __call__(self, request: Recorded) -> Reply:
        reply = super().__call__(request)
        reply.headers["ETag"] = '"' + hashlib.sha256(self.payload).hexdigest()[:16] + '"'
        return reply


def _files() -> dict[str, bytes]:
    ged = ged_text(_rows("2024-06", [1, 2, 3]) + _rows("2024-12", [4]))
    cumulative = ged_text(_rows("2025-02", [10, 11]) + _rows("2025-06", [12]))
    files = {"ged/ged251-csv.zip": _zip("GEDEvent_v25_1.csv", ged),
             "candidateged/GEDEvent_v25_01_25_06.csv": cumulative.encode()}
    for month, ids in ((7, [20]), (8, [21, 22]), (10, [23]), (11, [24])):
        files[f"candidateged/GEDEvent_v25_0_{month}.csv"] = ged_text(
            _rows(f"2025-{month:02d}", ids)).encode()
    return files


@pytest.fixture()
def server(fake_env: FakeServer) -> FakeServer:
    served = {path: Release(data) for path, data in _files().items()}
    for path, handler in served.items():
        for method in ("GET", "HEAD"):
            fake_env.route(method, f"/downloads/{path}", handler)
    fake_env.served = served  # type: ignore[attr-defined]
    return fake_env


def _months(db: Path) -> dict[str, int]:
    f = Filters(sources=["ucdp"], countries=["MLI"], start=date(2024, 1, 1))
    data = add_events(create_country_months(f, db_path=db, with_registry=False)).data
    return {f"{m:%Y-%m}": int(n) for m, n in zip(pd.to_datetime(data["month"]), data["events"],
                                                   strict=True)}


def test_update_builds_a_continuous_record(server: FakeServer, sahel_home: Path) -> None:
    db = sahel_home / "sahel.duckdb"
    report = update(db, today=TODAY, progress=False)
    assert [s.release.name for s in report.plan.steps] == [
        "ged251-csv.zip", "GEDEvent_v25_01_25_06.csv", "GEDEvent_v25_0_7.csv",
        "GEDEvent_v25_0_8.csv", "GEDEvent_v25_0_9.csv", "GEDEvent_v25_0_10.csv",
        "GEDEvent_v25_0_11.csv"]
    assert [s.action for s in report.plan.steps].count("missing") == 1
    assert report.plan.gaps() == ["25.0.9"] and "25.0.9" in report.notes[0]
    assert len(report.ingested) == 6
    months = _months(db)
    assert months["2024-06"] == 3 and months["2025-02"] == 2 and months["2025-08"] == 2
    assert months["2025-03"] == 0  # covered by the cumulative file: a real zero
    assert "2025-09" not in months  # never published: unknown, not zero
    assert max(months) == "2025-11"


def test_a_second_run_fetches_nothing(server: FakeServer, sahel_home: Path) -> None:
    db = sahel_home / "sahel.duckdb"
    update(db, today=TODAY, progress=False)
    gets = len(server.calls("GET"))
    before = store_state(db)
    report = update(db, today=TODAY, progress=False)
    assert not report.ingested and {s.action for s in report.plan.steps} == {"have", "missing"}
    assert len(server.calls("GET")) == gets and store_state(db) == before


def test_a_month_republished_with_corrections_is_fetched_again(server: FakeServer,
                                                                 sahel_home: Path) -> None:
    db = sahel_home / "sahel.duckdb"
    update(db, today=TODAY, progress=False)
    served = server.served  # type: ignore[attr-defined]
    served["candidateged/GEDEvent_v25_0_10.csv"].payload = ged_text(
        _rows("2025-10", [23], best="9") + _rows("2025-10", [25])).encode()
    report = update(db, today=TODAY, progress=False)
    fetched = [s.release.name for s in report.plan.steps if s.action == "fetch"]
    assert fetched == ["GEDEvent_v25_0_10.csv"]
    assert report.plan.steps[5].reason == "re-published since the last download"
    (res,) = report.ingested
    assert (res.events_revised, res.events_new) == (1, 1)
    assert _months(db)["2025-10"] == 2


def test_dry_run_changes_nothing(server: FakeServer, sahel_home: Path) -> None:
    db = sahel_home / "sahel.duckdb"
    out = error_text(run_cli(["update", "--dry-run", "--db", db], ok=True))
    assert "dry run" in out and "GEDEvent_v25_0_9.csv" in out and "missing" in out
    assert not db.exists() and not server.calls("GET")


def test_offline_from_a_folder(server: FakeServer, sahel_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    for path, data in _files().items():
        (folder / Path(path).name).parent.mkdir(parents=True, exist_ok=True)
        (folder / Path(path).name).write_bytes(data)
    online, offline = sahel_home / "a.duckdb", sahel_home / "b.duckdb"
    update(online, today=TODAY, progress=False)
    update(offline, from_dir=folder, today=TODAY)
    assert _months(online) == _months(offline)


def test_an_unreachable_server_leaves_the_store_as_it_was(server: FakeServer, sahel_home: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    db = sahel_home / "sahel.duckdb"
    update(db, today=TODAY, progress=False)
    before = store_state(db)
    monkeypatch.setenv("SAHEL_UCDP_DOWNLOAD_URL", closed_port_url() + "/downloads")
    with pytest.raises(NetworkError):
        update(db, today=TODAY, progress=False)
    result = run_cli(["update", "--db", db], ok=False)
    assert result.exit_code == 7 and len(result.stderr.strip().splitlines()) == 2  # error, fix
    assert store_state(db) == before


def test_a_failing_file_rolls_the_whole_update_back(server: FakeServer, sahel_home: Path) -> None:
    served = server.served  # type: ignore[attr-defined]
    served["candidateged/GEDEvent_v25_0_8.csv"].payload = b"not,a,ucdp,file\n1,2,3,4\n"
    db = sahel_home / "sahel.duckdb"
    with pytest.raises(Exception) as info:
        update(db, today=TODAY, progress=False)
    assert "GEDEvent_v25_0_8.csv" in str(info.value)
    assert not db.exists()  # nothing half-done: the GED and the cumulative file are not in
    assert not list(sahel_home.glob(".update-*"))


def test_two_updates_at_once_are_refused(server: FakeServer, sahel_home: Path) -> None:
    db = sahel_home / "sahel.duckdb"
    with _lock(db), pytest.raises(StoreError, match="another update"):
        update(db, today=TODAY, progress=False)


KILLER = """
import os, signal, sys
from datetime import date
from pathlib import Path
import sahel.update as u
real = u.ingest_file
count = [0]
def dying(*a, **k):
    count[0] += 1
    if count[0] == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*a, **k)
u.ingest_file = dying
u.update(Path(sys.argv[1]), today=date(2025, 12, 15), progress=False)
"""


def test_a_kill_mid_update_leaves_the_store_as_before(server: FakeServer,
                                                      sahel_home: Path) -> None:
    db = sahel_home / "sahel.duckdb"
    update(db, today=date(2025, 8, 15), progress=False)  # an older record, to July
    before = store_state(db)
    proc = subprocess.run([sys.executable, "-c", KILLER, str(db)], env=dict(os.environ),
                          capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL
    # the store is as before; what the killed update archived is a leftover no snapshot names
    report = check_store(db)
    assert {p.kind for p in report.problems} <= {"leftover"}
    check_store(db, repair=True)
    assert store_state(db) == before
    report = update(db, today=TODAY, progress=False)  # the next run finishes the job
    assert len(report.ingested) == 3 and max(_months(db)) == "2025-11"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM snapshots").fetchone() == (6,)
    con.close()


def test_a_sample_of_a_ged_release_is_not_the_release(tmp_path: Path, sahel_home: Path) -> None:
    """A folder holding only a 1,000-event sample of GED 23.1 (as the shared data do) has no
    GED to build a continuous record on: said so, never taken as complete coverage."""
    from sahel.errors import InputError

    folder = tmp_path / "dl"
    folder.mkdir()
    (folder / "uncertainUCDP_ucdpged_v23_1_sample1000.csv").write_text(
        ged_text(_rows("2020-01", [1])), encoding="utf-8")
    with pytest.raises(InputError, match="no UCDP GED release"):
        update(sahel_home / "s.duckdb", from_dir=folder, today=TODAY)


def test_the_cli_update_shows_progress_and_the_plan(server: FakeServer, sahel_home: Path) -> None:
    db = sahel_home / "sahel.duckdb"
    out = error_text(run_cli(["update", "--db", db], ok=True))
    assert "committed" in out and "GEDEvent_v25_0_11.csv" in out and "25.0.9" in out
    out = error_text(run_cli(["update", "--db", db], ok=True))
    assert "nothing new" in out
