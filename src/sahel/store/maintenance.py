"""Keep the store and its source archive consistent: check and repair.

Why: a snapshot is only reproducible while its archived file is there with the recorded
sha256. A kill or a full disk can leave copies nobody points to (they keep the disk full), a
user can delete or edit files in the archive, and a store file can be damaged. ``sahel store
check`` says which of these happened; ``--repair`` removes leftovers and rewrites missing
manifests; ``sahel store rebuild`` (:func:`sahel.build.rebuild_store`, above both the event
and the series rooms) makes a new store from the archive alone (ADR 003).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from sahel.events.reader import sha256_file
from sahel.store.archive import (
    MANIFEST,
    archive_dir,
    leftovers,
    remove,
    write_manifest,
)
from sahel.store.db import connect, store_file


@dataclass
class Problem:
    kind: str  # missing_file | sha256_mismatch | missing_manifest | leftover | dangling_ref
    where: str
    detail: str
    fix: str


@dataclass
class CheckReport:
    store: Path
    archive: Path
    snapshots: int = 0
    files_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    bytes_freed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _manifest_entry(row: dict[str, Any]) -> dict[str, Any]:
    """A manifest rebuilt from a snapshots row (stores made before manifests existed)."""
    kind = "events" if row["layout"] in _event_layouts() else "series"
    entry: dict[str, Any] = {"kind": kind, "file_name": row["file_name"], "source": row["source"],
                             "source_version": row["source_version"], "sha256": row["file_sha256"]}
    if kind == "series":
        entry["series_kind"] = row["layout"]
    else:
        entry |= {"version_basis": row["version_basis"], "mode": row["mode"],
                  "encoding": "utf-8", "skip_bad_rows": bool(row["rows_rejected"])}
    return entry


def _event_layouts() -> set[str]:
    from sahel.events import acled, ucdp

    return {lay.name for lay in (*ucdp.LAYOUTS, *acled.LAYOUTS)}


def check_store(db_path: Path | None = None, *, repair: bool = False,
                verify_hashes: bool = True) -> CheckReport:
    """Every snapshot's archived file present with its sha256 and manifest; no leftovers; no
    row pointing to a snapshot that does not exist. ``repair``: remove leftovers, rewrite
    missing manifests (what cannot be repaired is reported with the way back)."""
    con = connect(db_path, read_only=not repair)
    try:
        db_file = store_file(con)
        folder = archive_dir(db_file)
        rep = CheckReport(store=db_file, archive=folder)
        cols = ["snapshot_id", "source", "source_version", "version_basis", "layout",
                "file_name", "file_sha256", "archive_path", "mode", "rows_rejected"]
        rows = [dict(zip(cols, r, strict=True)) for r in con.execute(
            f"SELECT {', '.join(cols)} FROM snapshots ORDER BY snapshot_id").fetchall()]
        rep.snapshots = len(rows)
        for row in rows:
            _check_snapshot(rep, row, folder, repair=repair, verify_hashes=verify_hashes)
        _check_references(con, rep)
        left = leftovers(con, db_file)
        if repair and left:
            rep.bytes_freed = remove(left)
            rep.repaired.append(f"removed {len(left)} leftover file(s), "
                                f"{rep.bytes_freed / 2**20:.1f} MiB freed")
        else:
            rep.problems += [Problem("leftover", str(p), "no snapshot points to it",
                                     "sahel store check --repair removes it") for p in left]
    finally:
        con.close()
    return rep


def _check_snapshot(rep: CheckReport, row: dict[str, Any], folder: Path, *, repair: bool,
                    verify_hashes: bool) -> None:
    sid = row["snapshot_id"]
    if not row["archive_path"]:
        return
    path = folder / Path(str(row["archive_path"])).name
    where = f"snapshot {sid} ({row['file_name']})"
    if not path.is_file():
        rep.problems.append(Problem(
            "missing_file", where, f"its archived file {path.name} is missing",
            f"re-ingest the original {row['file_name']} (sha256 {row['file_sha256'][:16]}…) "
            "or restore the archive folder from a backup"))
        return
    rep.files_checked += 1
    if verify_hashes and sha256_file(path) != row["file_sha256"]:
        rep.problems.append(Problem(
            "sha256_mismatch", where, f"{path.name} no longer has the recorded sha256 (it was "
            "edited or damaged)", f"restore it from a backup, or re-ingest the original "
            f"{row['file_name']}"))
    side = path.with_name(path.name + MANIFEST.format(sid=sid))
    if not side.is_file():
        if repair:
            write_manifest(path, int(sid), _manifest_entry(row))
            rep.repaired.append(f"manifest of snapshot {sid} rewritten")
        else:
            rep.problems.append(Problem(
                "missing_manifest", where, "no manifest: `sahel store rebuild` could not redo "
                "it", "sahel store check --repair writes it from the store"))


def _check_references(con: duckdb.DuckDBPyConnection, rep: CheckReport) -> None:
    for table, column in (("events", "snapshot_id"), ("events", "retired_by"),
                          ("event_changes", "snapshot_id"), ("series", "snapshot_id"),
                          ("series", "retired_by"), ("snapshot_warnings", "snapshot_id")):
        try:
            got = con.execute(f"SELECT count(*), min({column}) FROM {table} WHERE {column} "
                              "IS NOT NULL AND {column} NOT IN (SELECT snapshot_id FROM "
                              "snapshots)".replace("{column}", column)).fetchone()
        except duckdb.CatalogException:
            continue  # an older store without this table
        if got and got[0]:
            rep.problems.append(Problem(
                "dangling_ref", f"{table}.{column}", f"{got[0]:,} row(s) point to snapshot "
                f"{got[1]}, which does not exist", "the store is damaged: restore it from a "
                "backup, or `sahel store rebuild`"))
