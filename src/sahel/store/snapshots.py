"""The one snapshot writer, for event files and aggregate series alike.

A snapshot is one file, stored all or nothing: its archived bytes (adopted from the ingest's
private copy), a manifest that lets the store be rebuilt from the archive, the ``snapshots``
row with its coverage and counts, its warnings — and whatever rows the caller writes into its
own tables inside the same transaction. Event ingest and series import differ only in those
rows; everything else is here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

import sahel
from sahel.store.archive import Incoming, archive_dir, discard, write_manifest
from sahel.store.db import transaction


def next_id(con: duckdb.DuckDBPyConnection) -> int:
    got = con.execute("SELECT coalesce(max(snapshot_id), 0) + 1 FROM snapshots").fetchone()
    return int(got[0]) if got else 1


def existing(con: duckdb.DuckDBPyConnection, source: str, sha256: str) -> int | None:
    """The snapshot that already holds these bytes for ``source`` (a re-ingest is a no-op)."""
    got = con.execute("SELECT snapshot_id FROM snapshots WHERE source = ? AND file_sha256 = ? "
                      "ORDER BY snapshot_id LIMIT 1", [source, sha256]).fetchone()
    return int(got[0]) if got else None


@dataclass
class SnapshotRow:
    """What the ``snapshots`` table says about one ingested file."""

    source: str
    source_version: str
    version_basis: str
    layout: str
    file_name: str
    member: str | None
    sha256: str
    size: int
    mode: str
    rows_read: int
    rows_loaded: int
    coverage_countries: list[str]
    coverage_start: date | None
    coverage_end: date | None
    rows_rejected: int = 0
    rows_duplicate: int = 0
    events_new: int = 0
    events_revised: int = 0
    events_unchanged: int = 0
    events_deleted: int = 0
    notes: str | None = None
    #: kind -> (rows, example id, description), see ``snapshot_warnings``
    warnings: dict[str, tuple[int, str, str]] = field(default_factory=dict)


class Snapshot:
    """One snapshot being written (inside its transaction)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sid: int, inc: Incoming,
                 db_file: Path) -> None:
        self.con, self.id, self.inc, self.db_file = con, sid, inc, db_file
        self.archived: Path | None = None
        #: files this snapshot created, removed again if its transaction does not commit
        self.made: list[Path] = []

    def archive(self, sha256: str, manifest: dict[str, Any]) -> Path:
        """Adopt the private copy (and its companions) as this snapshot's archived file and
        write the manifest a rebuild reads."""
        archived, new = self.inc.adopt(sha256, archive_dir(self.db_file))
        if new:
            self.made.append(archived)
        self.made += self.inc.adopt_companions(archived)
        self.made.append(write_manifest(archived, self.id, {**manifest, "sha256": sha256}))
        self.archived = archived
        return archived

    def record(self, row: SnapshotRow) -> None:
        """The ``snapshots`` row (after :meth:`archive`) and the snapshot's warnings."""
        assert self.archived is not None, "archive the file before recording the snapshot"
        self.con.execute(
            "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.id, row.source, row.source_version, row.version_basis, row.layout,
             row.file_name, row.member, row.sha256, row.size, str(self.archived),
             datetime.now(UTC).replace(tzinfo=None), row.mode, row.rows_read, row.rows_loaded,
             row.rows_rejected, row.rows_duplicate, row.events_new, row.events_revised,
             row.events_unchanged, row.events_deleted, row.coverage_countries,
             row.coverage_start, row.coverage_end, row.notes, sahel.__version__,
             duckdb.__version__],
        )
        if row.warnings:
            self.con.executemany("INSERT INTO snapshot_warnings VALUES (?, ?, ?, ?)",
                                 [[self.id, kind, n, example]
                                  for kind, (n, example, _) in sorted(row.warnings.items())])


@contextmanager
def new_snapshot(con: duckdb.DuckDBPyConnection, inc: Incoming, db_file: Path,
                 before_commit: Callable[[], None] | None = None) -> Iterator[Snapshot]:
    """Open a snapshot in ONE transaction: committed with everything written inside, or —
    on any failure, a refused check or a kill — not at all, its archived files removed."""
    snap: Snapshot | None = None
    try:
        with transaction(con, inc.commit_checks(before_commit)):
            snap = Snapshot(con, next_id(con), inc, db_file)
            yield snap
    except BaseException:
        for path in snap.made if snap is not None else []:
            discard(path)
        raise
