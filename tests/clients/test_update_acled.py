"""``sahel update acled`` (issue 10, point 3): only what ACLED changed since the newest stored
export (its ``timestamp`` filter) and its list of withdrawn events, from a local fake ACLED;
revisions and deletions recorded as snapshots, ``--as-of`` still sees the old state, a rebuild
from the archive replays them, and the credentials never appear anywhere."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sahel.build import rebuild_store
from sahel.store.filters import Filters
from sahel.store.ingest import ingest_file
from sahel.store.query import query_events
from sahel.update import update_acled
from tests import acled_fixtures as acled
from tests.hardening.conftest import error_text, run_cli

from .fakes import FakeServer, Recorded, Reply

USER, PASSWORD = "analyst+sahel@example.org", "pw S@hel/s3cret&="
SINCE = 1_699_920_000  # 2023-11-14 00:00 UTC, the day the stored export is dated to


class FakeAcled:
    def __init__(self, server: FakeServer) -> None:
        self.tokens: set[str] = set()
        self.changed = [acled.row("MLI2", "2023-01-06", 5, ts=1_710_000_000),
                        acled.row("MLI9", "2023-12-01", 1, ts=1_710_000_100)]
        self.deleted = [{"event_id_cnty": "MLI3", "deleted_timestamp": 1_710_000_500},
                        {"event_id_cnty": "BFA77", "deleted_timestamp": 1_710_000_600}]
        server.route("POST", "/oauth/token", self.token)
        server.route("GET", "/api/acled/read", self.read)
        server.route("GET", "/api/deleted/read", self.read_deleted)

    def token(self, request: Recorded) -> Reply:
        form = request.form
        if (form.get("username"), form.get("password")) != (USER, PASSWORD):
            return Reply.json({"error": f"bad login {form}"}, status=400)
        access = f"acc-{uuid.uuid4().hex}"
        self.tokens.add(access)
        return Reply.json({"token_type": "Bearer", "expires_in": 86400,
                           "access_token": access, "refresh_token": f"ref-{uuid.uuid4().hex}"})

    def _page(self, request: Recorded, rows: list[dict[str, Any]]) -> Reply:
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return Reply.json({"message": "no"}, status=401)
        limit, page = int(request.query["limit"]), int(request.query["page"])
        data = rows[(page - 1) * limit: page * limit]
        return Reply.json({"status": 200, "success": True, "count": len(data), "data": data})

    def read(self, request: Recorded) -> Reply:
        since = int(request.query["timestamp"])
        assert request.query["timestamp_where"] == ">="
        isos = request.query["iso"].split("|")
        return self._page(request, [r for r in self.changed if int(r["timestamp"]) >= since
                                    and r["iso"] in isos])

    def read_deleted(self, request: Recorded) -> Reply:
        since = int(request.query["deleted_timestamp"])
        return self._page(request, [r for r in self.deleted if r["deleted_timestamp"] >= since])


@pytest.fixture()
def world(fake_env: FakeServer, monkeypatch: pytest.MonkeyPatch,
          sahel_home: Path) -> tuple[FakeServer, FakeAcled, Path]:
    monkeypatch.setenv("ACLED_USERNAME", USER)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    export = acled.write(sahel_home.parent / "export.csv",
                         [acled.row(f"MLI{i}", f"2023-01-0{i}", i, ts=1_700_000_000)
                          for i in range(1, 5)])
    db = sahel_home / "sahel.duckdb"
    ingest_file(export, db_path=db)
    return fake_env, FakeAcled(fake_env), db


def _current(db: Path, as_of: int | None = None) -> dict[str, int]:
    df, _ = query_events(Filters(sources=["acled"], as_of=as_of), db_path=db)
    return dict(zip(df["event_uid"], df["fatalities_best"].astype(int), strict=True))


def test_only_the_changes_and_the_withdrawals_are_applied(
        world: tuple[FakeServer, FakeAcled, Path], caplog: pytest.LogCaptureFixture) -> None:
    server, _fake, db = world
    caplog.set_level(logging.DEBUG)
    report = update_acled(db)
    assert report.since.isoformat() == "2023-11-14" and report.countries == ["MLI"]
    (read,) = server.calls("GET", "/api/acled/read")
    assert read.query["timestamp"] == str(SINCE) and read.query["iso"] == "466"
    assert (report.changed_rows, report.deleted_rows) == (2, 2)
    changes, deletions = report.ingested
    assert (changes.mode, changes.events_revised, changes.events_new,
            changes.events_deleted) == ("partial", 1, 1, 0)
    assert (deletions.mode, deletions.events_deleted) == ("deletions", 1)
    assert "1 listed event(s) were not current" in deletions.notes[0]
    assert _current(db) == {"acled:MLI1": 1, "acled:MLI2": 5, "acled:MLI4": 4, "acled:MLI9": 1}
    assert _current(db, as_of=1) == {"acled:MLI1": 1, "acled:MLI2": 2, "acled:MLI3": 3,
                                     "acled:MLI4": 4}
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT change, count(*) FROM event_changes GROUP BY 1 ORDER BY 1"
                       ).fetchall() == [("deleted", 1), ("revised", 1)]
    con.close()
    texts = [r.getMessage() for r in caplog.records]
    for secret in (USER, PASSWORD):
        assert not any(secret in t for t in texts)


def test_a_rebuild_replays_the_withdrawals(world: tuple[FakeServer, FakeAcled, Path]) -> None:
    _, _, db = world
    update_acled(db)
    before = _current(db)
    rebuilt = rebuild_store(db)
    assert not rebuilt.failed and _current(db) == before


def test_nothing_new_changes_nothing(world: tuple[FakeServer, FakeAcled, Path]) -> None:
    _, fake, db = world
    fake.changed, fake.deleted = [], []
    report = update_acled(db)
    assert not report.ingested and _current(db)["acled:MLI3"] == 3


def test_the_cli_reports_and_never_shows_the_credentials(
        world: tuple[FakeServer, FakeAcled, Path]) -> None:
    _, _, db = world
    out = error_text(run_cli(["update", "acled", "--db", db], ok=True))
    assert "2 changed row(s), 2 withdrawn event(s)" in out
    for secret in (USER, PASSWORD):
        assert secret not in out
    for path in db.parent.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".csv", ".txt"):
            assert PASSWORD not in path.read_text(errors="replace")


def test_no_acled_data_yet_is_a_clear_error(fake_env: FakeServer, sahel_home: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACLED_USERNAME", USER)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    out = error_text(run_cli(["update", "acled"], ok=False))
    assert "no ACLED data" in out and "sahel ingest acled" in out
