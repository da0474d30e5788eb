"""Keep the store and its source archive consistent: check, repair, rebuild.

Why: a snapshot is only reproducible while its archived file is there with the recorded
sha256. A kill or a full disk can leave copies nobody points to (they keep the disk full), a
user can delete or edit files in the archive, and a store file can be damaged. ``sahel store
check`` says which of these happened; ``--repair`` removes leftovers and rewrites missing
manifests; ``sahel store rebuild`` makes a new store from the archive alone (ADR 003).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from sahel.errors import SahelError, StoreError
from sahel.events.reader import sha256_file
from sahel.store.archive import (
    COMPANION,
    MANIFEST,
    archive_dir,
    leftovers,
    manifests,
    remove,
    write_manifest,
)
from sahel.store.db import connect, default_db_path, store_file


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
    kind = "series" if row["layout"] in _series_kinds() else "events"
    entry: dict[str, Any] = {"kind": kind, "file_name": row["file_name"], "source": row["source"],
                             "source_version": row["source_version"], "sha256": row["file_sha256"]}
    if kind == "series":
        entry["series_kind"] = row["layout"]
    else:
        entry |= {"version_basis": row["version_basis"], "mode": row["mode"],
                  "encoding": "utf-8", "skip_bad_rows": bool(row["rows_rejected"])}
    return entry


def _series_kinds() -> set[str]:
    from sahel.series.importers import KINDS

    return set(KINDS)


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


@dataclass
class RebuildReport:
    store: Path
    kept_aside: Path | None
    rebuilt: list[tuple[int, str, int]] = field(default_factory=list)  # old sid, file, new sid
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # old sid, file, why


def rebuild_store(db_path: Path | None = None,
                  on_file: Callable[[str], None] | None = None) -> RebuildReport:
    """A new store from the archive's manifests, in snapshot order; the old store file (if
    any) and the old archive are kept aside until every file is back, then the old archive is
    removed (its bytes are in the new one, sha256-checked)."""
    from sahel.series.store import import_series
    from sahel.store.ingest import ingest_file

    db_file = Path(db_path or default_db_path())
    folder = archive_dir(db_file)
    entries = manifests(folder) if folder.is_dir() else []
    if not entries:
        raise StoreError("there is nothing to rebuild from: the archive holds no manifests",
                         file=folder, hint="re-ingest the original files (sahel build --from "
                         "DIR, sahel ingest …), or restore a backup of the store")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = None
    if db_file.exists():
        aside = db_file.with_name(f"{db_file.stem}.damaged-{stamp}{db_file.suffix}")
        os.replace(db_file, aside)
        wal = db_file.with_name(db_file.name + ".wal")
        if wal.exists():
            os.replace(wal, aside.with_name(aside.name + ".wal"))
    old = folder.with_name(f"{folder.name}.rebuild-{stamp}")
    os.replace(folder, old)
    rep = RebuildReport(store=db_file, kept_aside=aside)
    with tempfile.TemporaryDirectory(prefix="sahel-rebuild-") as work:
        for entry in entries:
            name = str(entry.get("file_name") or entry["archive"])
            src = old / str(entry["archive"])
            if on_file is not None:
                on_file(name)
            try:
                rep.rebuilt.append((int(entry["snapshot_id"]), name,
                                    _redo(entry, src, Path(work), db_file, ingest_file,
                                          import_series)))
            except SahelError as exc:
                rep.failed.append((int(entry["snapshot_id"]), name, exc.render()))
    if rep.failed:
        rep.failed.append((0, str(old), "the old archive is kept there: nothing was deleted"))
    else:
        shutil.rmtree(old, ignore_errors=True)
    return rep


def _redo(entry: dict[str, Any], src: Path, work: Path, db_file: Path, ingest_file: Any,
          import_series: Any) -> int:
    """Ingest one archived file again, under its original name, as its manifest says."""
    if not src.is_file():
        raise StoreError("the archived file is missing", file=src,
                         hint="re-ingest the original file by hand")
    if sha256_file(src) != entry.get("sha256", ""):
        raise StoreError("the archived file does not have its recorded sha256", file=src,
                         hint="re-ingest the original file by hand")
    named = work / str(entry["snapshot_id"]) / str(entry.get("file_name") or src.name)
    named.parent.mkdir(parents=True)
    shutil.copyfile(src, named)
    for companion in src.parent.glob(f"{src.name}{COMPANION}*"):
        shutil.copyfile(companion, named.parent / companion.name.split(COMPANION, 1)[1])
    if entry.get("kind") == "series":
        return int(import_series(named, kind=entry.get("series_kind"),
                                 db_path=db_file).snapshot_id)
    mode = entry.get("mode", "authoritative")
    res = ingest_file(named, source=entry.get("source"), source_version=entry.get("source_version"),
                      version_basis=entry.get("version_basis"),
                      encoding=entry.get("encoding", "utf-8"),
                      skip_bad_rows=bool(entry.get("skip_bad_rows")),
                      rejects_path=work / f"{entry['snapshot_id']}.rejects.csv",
                      partial=mode == "partial", sample=mode == "sample",
                      allow_mass_delete=True, allow_older=True, db_path=db_file)
    return int(res.snapshot_id)
