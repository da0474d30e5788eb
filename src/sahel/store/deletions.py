"""A source's list of withdrawn events, applied as one snapshot.

ACLED publishes the events it has withdrawn (``/api/deleted/read``: ``event_id_cnty`` and
``deleted_timestamp``). An incremental update fetches only the rows changed since the last
snapshot, so a withdrawn event would otherwise stay current for ever. The list is stored like
any file — archived by sha256, one transaction, replayed by ``sahel store rebuild`` — and the
events it names are retired with the change ``deleted``: they stay reachable with ``--as-of``.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sahel.errors import InputError, LayoutError
from sahel.events.reader import csv_reader, sha256_file
from sahel.store import snapshots
from sahel.store.archive import incoming, leftovers, remove
from sahel.store.db import connect, store_file
from sahel.store.ingest import IngestResult
from sahel.store.snapshots import SnapshotRow

LAYOUT = "acled_deleted"


def _read(path: Path, shown: Path) -> tuple[list[str], int | None]:
    """The event ids of a deleted-events list and its newest deletion time."""
    ids: list[str] = []
    newest: int | None = None
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv_reader(fh, ",")
            header = [h.strip() for h in next(reader, [])]
            if "event_id_cnty" not in header:
                raise LayoutError("not a deleted-events list: no event_id_cnty column",
                                  file=shown, line=1, field="event_id_cnty",
                                  hint="pass the CSV of ACLED's /api/deleted/read")
            i = header.index("event_id_cnty")
            t = header.index("deleted_timestamp") if "deleted_timestamp" in header else None
            for row in reader:
                value = row[i].strip() if i < len(row) else ""
                if not value:
                    raise InputError("a row without an event id", file=shown,
                                     line=reader.line_num, field="event_id_cnty",
                                     hint="remove the empty row")
                ids.append(value)
                if t is not None and t < len(row) and row[t].strip().isdigit():
                    newest = max(newest or 0, int(row[t]))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read the list ({exc})", file=shown,
                         hint="pass the CSV written by `sahel update acled`") from exc
    return ids, newest


def apply_deletions(path: Path, *, db_path: Path | None = None, source: str = "acled",
                    before_commit: Callable[[], None] | None = None) -> IngestResult:
    """Retire the current events of ``source`` that the list at ``path`` names."""
    t0 = time.perf_counter()
    path = Path(path)
    con = connect(db_path)
    db_file = store_file(con)
    try:
        remove(leftovers(con, db_file))
        with incoming(path, db_file) as inc:
            ids, newest = _read(inc.copy, path)
            sha = sha256_file(inc.copy)
            day = (datetime.fromtimestamp(newest, UTC).date().isoformat() if newest
                   else "unknown")
            res = IngestResult(snapshot_id=0, source=source,
                               source_version=f"deletions as-of {day}",
                               version_basis="newest deleted_timestamp in the list",
                               layout=LAYOUT, file=str(path), sha256=sha, rows_read=len(ids),
                               rows_loaded=len(ids), mode="deletions")
            found = snapshots.existing(con, source, sha)
            if found is not None:
                res.snapshot_id, res.noop = found, True
                res.notes.append(f"already applied as snapshot {found}: nothing to do")
                return res
            with snapshots.new_snapshot(con, inc, db_file, before_commit) as snap:
                res.snapshot_id = snap.id
                snap.archive(sha, {"kind": "deletions", "source": source,
                                   "file_name": path.name,
                                   "source_version": res.source_version})
                uids = sorted({f"{source}:{i}" for i in ids})
                con.execute("CREATE OR REPLACE TEMP TABLE _withdrawn AS "
                            "SELECT unnest(?::VARCHAR[]) AS event_uid", [uids])
                con.execute("UPDATE events SET retired_by = ? WHERE source = ? AND retired_by "
                            "IS NULL AND event_uid IN (SELECT event_uid FROM _withdrawn)",
                            [snap.id, source])
                con.execute("INSERT INTO event_changes SELECT ?, event_uid, 'deleted' FROM events "
                            "WHERE retired_by = ? ORDER BY event_uid", [snap.id, snap.id])
                got = con.execute("SELECT count(*) FROM event_changes WHERE snapshot_id = ?",
                                  [snap.id]).fetchone()
                res.events_deleted = int(got[0]) if got else 0
                unknown = len(uids) - res.events_deleted
                if unknown:
                    res.notes.append(f"{unknown} listed event(s) were not current in the store "
                                     "(never ingested, or already withdrawn)")
                snap.record(SnapshotRow(
                    source=source, source_version=res.source_version,
                    version_basis=res.version_basis, layout=LAYOUT, file_name=path.name,
                    member=None, sha256=sha, size=inc.signature[2], mode="deletions",
                    rows_read=len(ids), rows_loaded=len(ids), coverage_countries=[],
                    coverage_start=None, coverage_end=None,
                    events_deleted=res.events_deleted, notes="; ".join(res.notes) or None))
    finally:
        con.close()
    res.seconds = time.perf_counter() - t0
    return res
