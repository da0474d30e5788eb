"""Ingest one file as one snapshot: all-or-nothing, idempotent, with revisions and deletions.

Order of work, and why:
1. stage the file into temp tables (:mod:`sahel.events.harmonise`) — bad input fails here,
   before anything stored is touched;
2. archive the source file, content-addressed by sha256 (the lossless raw rows);
3. in ONE transaction: retire revised/deleted versions, insert new versions, record the snapshot.
   A failure or a kill before COMMIT leaves the store exactly as it was (DuckDB discards an
   uncommitted transaction; ``tests/test_ingest_atomic.py`` kills a real ingest to show it).

The first file of a source is first tried in a single pass (:mod:`sahel.store.write`): read
straight into ``events`` inside the transaction, which is rolled back at the first thing it
cannot vouch for, and then the file takes the steps above (ADR 001 §5).
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from sahel.errors import ConfigError, InputError
from sahel.events import ucdp
from sahel.events.harmonise import ALL_LAYOUTS, COUNTRY_MAP, STAGE, Staged, detect, stage_file
from sahel.events.layouts import Layout
from sahel.events.reader import SourceFile, open_source
from sahel.events.schema import FIRST_DAY, ROW_HASH_SQL, SOURCES, STORED_COLUMN_NAMES
from sahel.outputs import check_output_path
from sahel.store import snapshots
from sahel.store.archive import Incoming, incoming, leftovers, remove
from sahel.store.db import connect, store_file, usable
from sahel.store.snapshots import SnapshotRow
from sahel.store.write import SinglePassMiss, insert_single_pass, single_pass_fits, stored_select

#: a newer export may retire at most this share of the stored events it covers, unless told
MASS_DELETE_SHARE = 0.5


@dataclass
class IngestResult:
    snapshot_id: int
    source: str
    source_version: str
    version_basis: str
    layout: str
    file: str
    sha256: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    events_new: int = 0
    events_revised: int = 0
    events_unchanged: int = 0
    events_deleted: int = 0
    noop: bool = False
    mode: str = "authoritative"
    rejects_path: str | None = None
    notes: list[str] = field(default_factory=list)
    #: kind -> (rows, example id, description): values stored as given but probably wrong
    warnings: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    seconds: float = 0.0
    #: "staged" or "single pass" (see sahel.store.write); the stored rows are the same
    method: str = "staged"


def _resolve_source(layout: Layout, source: str | None, path: Path) -> str:
    family = layout.family
    if source is not None:
        if source not in SOURCES:
            raise ConfigError(f"unknown source {source!r}", field="--source",
                              hint=f"use one of {', '.join(SOURCES)}")
        if not source.startswith(family):
            raise InputError(
                f"the file is a {layout.description}, not a {source} file",
                file=path, hint=f"ingest it as {family} (sahel ingest {family} FILE)",
            )
        return source
    if family == "acled":
        return "acled"
    inferred, _ = ucdp.source_and_version_from_name(path.name)
    return inferred or "ucdp_ged"


def _version_before_reading(source: str, version: str | None,
                            path: Path) -> tuple[str, str] | None:
    """(version, basis) when the user or an official UCDP file name says it, else None."""
    if version:
        if source.startswith("ucdp"):
            ucdp.check_version(source, version)
        return version, "given by the user"
    if source.startswith("ucdp"):
        _, inferred = ucdp.source_and_version_from_name(path.name)
        if inferred:
            return inferred, "from the official file name"
    return None


def _resolve_version(staged: Staged, source: str, version: str | None,
                     path: Path) -> tuple[str, str]:
    """(version, basis). The basis is stored so every figure says how its version was known."""
    known = _version_before_reading(source, version, path)
    if known is not None:
        return known
    if source.startswith("ucdp"):
        if staged.layout.name in ucdp.UNVERSIONED and staged.date_max is not None:
            v = ucdp.ged_version_covering(staged.date_max.year)
            return f">={v}", (
                f"explorer exports carry no version: its last event ({staged.date_max}) needs "
                f"GED {v} or later; pass --source-version to state it")
        raise ConfigError(
            "cannot tell which UCDP version this file is", file=path,
            field="--source-version", hint="pass --source-version, e.g. 25.1",
        )
    if staged.last_update is not None:
        return (f"as-of {staged.last_update.isoformat()}",
                "latest ACLED row timestamp in the file")
    dates = re.findall(r"\d{4}-\d{2}-\d{2}", path.name)
    if dates:
        return f"as-of {dates[-1]}", "export date in the file name"
    assert staged.date_max is not None
    return (f"as-of {staged.date_max.isoformat()}",
            "latest event date in the file (no export date known)")


def coverage_span(source: str, version: str, staged: Staged, path: Path) -> tuple[date, date]:
    """The days a file speaks for: inside them, a missing event means no event.

    A UCDP GED release covers 1989 to the end of the year before its number (``24.1`` → 2023);
    a monthly candidate release covers its month (late additions dated earlier are events, not
    coverage); an ACLED export covers the date range in its file name, else its events' span.
    """
    assert staged.date_min is not None and staged.date_max is not None
    v = version.lstrip(">=")
    if source == "ucdp_ged" and re.fullmatch(r"\d{2}\.\d", v):
        return date(1989, 1, 1), date(2000 + int(v[:2]) - 1, 12, 31)
    m = re.fullmatch(r"(\d{2})\.0\.(\d{1,2})", v)
    if source == "ucdp_candidate" and m:
        first = date(2000 + int(m.group(1)), int(m.group(2)), 1)
        return first, (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
    m = re.fullmatch(r"(\d{2})\.01\.(\d{2})\.(\d{2})", v)
    if source == "ucdp_candidate" and m:
        last = date(2000 + int(m.group(2)), int(m.group(3)), 1)
        return (date(2000 + int(m.group(1)), 1, 1),
                (pd.Timestamp(last) + pd.offsets.MonthEnd(0)).date())
    days = re.findall(r"(\d{4}-\d{2}-\d{2})", path.name)
    if source == "acled" and len(days) >= 2:
        first, last = date.fromisoformat(days[0]), date.fromisoformat(days[1])
        first = max(first, FIRST_DAY["acled"])
        if first <= staged.date_min and last >= staged.date_max:
            return first, last
    return staged.date_min, staged.date_max


def version_order(source: str, version: str) -> tuple[int, ...] | None:
    """A key that orders the versions of ``source`` by age, or None when one cannot be ordered.

    ACLED ``as-of 2023-03-01`` by date; GED ``24.1`` by release; candidate ``25.0.3`` (monthly)
    and ``25.01.25.12`` (quarterly) by the last month they cover. Lower bounds (``>=24.1``) and
    versions the user typed freely are not ordered, so never refused as older.
    """
    if source == "acled":
        m = re.fullmatch(r"as-of (\d{4})-(\d{2})-(\d{2})", version)
    elif source == "ucdp_ged":
        m = re.fullmatch(r"(\d{2})\.(\d)", version)
    else:
        m = (re.fullmatch(r"(\d{2})\.0\.(\d{1,2})", version)
             or re.fullmatch(r"\d{2}\.01\.(\d{2})\.(\d{2})", version))
    return tuple(int(g) for g in m.groups()) if m else None


def _newer_overwritten(con: duckdb.DuckDBPyConnection,
                       res: IngestResult) -> list[tuple[int, str, int]]:
    """(snapshot, version, events) of newer snapshots whose current events this file would
    revise or delete: ingesting exports out of order would silently roll those events back."""
    mine = version_order(res.source, res.source_version)
    if mine is None:
        return []
    rows = con.execute("""
        SELECT c.snapshot_id, s.source_version, count(*)
        FROM _changes ch JOIN _cur c USING (event_uid) JOIN snapshots s USING (snapshot_id)
        WHERE ch.change IN ('revised', 'deleted')
        GROUP BY ALL ORDER BY 1
    """).fetchall()
    out = []
    for sid, version, n in rows:
        key = version_order(res.source, version)
        if key is not None and key > mine:
            out.append((int(sid), str(version), int(n)))
    return out


def _ok_view(con: duckdb.DuckDBPyConnection, source: str, version: str, sid: int) -> None:
    """Staged good rows as they will be stored (see :func:`stored_select`), plus event_uid."""
    present = {r[0] for r in con.execute(f"DESCRIBE {STAGE}").fetchall()}
    select = stored_select(present, source=source, version=version, sid=sid,
                           country="m.country_iso3")
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW _ok AS
        SELECT '{source}:' || i.source_id AS event_uid, {select}
        FROM {STAGE} i JOIN {COUNTRY_MAP} m
          ON i.country_key_name IS NOT DISTINCT FROM m.name
         AND i.country_key_code IS NOT DISTINCT FROM m.code
        WHERE len(i._errors) = 0
    """)


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    got = con.execute(sql, params or []).fetchone()
    return int(got[0]) if got and got[0] is not None else 0


def _keep_fuller(con: duckdb.DuckDBPyConnection, layout: Layout) -> int:
    """A spreadsheet-written file (re-saved or repaired export) does not revise an event whose
    current version came from a file of higher fidelity (the published export, or the fuller
    re-save): that version stays current, counted as unchanged. Returns how many."""
    mine = [lay.name for lay in ALL_LAYOUTS if lay.fidelity <= layout.fidelity]
    got = con.execute("""
        UPDATE _changes SET change = 'unchanged' WHERE change = 'revised' AND event_uid IN (
            SELECT c.event_uid FROM _cur c JOIN snapshots s USING (snapshot_id)
            WHERE NOT list_contains(?, s.layout))
    """, [mine]).fetchone()
    return int(got[0]) if got else 0


def _apply(con: duckdb.DuckDBPyConnection, res: IngestResult, staged: Staged, *,
           partial: bool, allow_mass_delete: bool, allow_older: bool, sid: int,
           span: tuple[date, date]) -> None:
    """Diff the staged rows against the current store and write the new snapshot."""
    source = res.source
    cols = ", ".join(STORED_COLUMN_NAMES)
    has_current = _count(con, "SELECT count(*) FROM (SELECT 1 FROM events WHERE source = ? "
                              "AND retired_by IS NULL LIMIT 1)", [source])
    if not has_current:
        con.execute(f"INSERT INTO events ({cols}) SELECT {cols} FROM _ok")
        res.events_new = _count(con, "SELECT count(*) FROM events WHERE snapshot_id = ?", [sid])
        return
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _cur AS
        SELECT event_uid, row_hash, country_iso3, date_start, snapshot_id FROM events
        WHERE source = ? AND retired_by IS NULL
    """, [source])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _changes AS
        SELECT o.event_uid,
               CASE WHEN c.event_uid IS NULL THEN 'new'
                    WHEN c.row_hash <> o.row_hash THEN 'revised' ELSE 'unchanged' END AS change
        FROM (SELECT event_uid, {ROW_HASH_SQL} AS row_hash FROM _ok) o
        LEFT JOIN _cur c USING (event_uid)
    """)
    if staged.layout.spreadsheet:
        kept = _keep_fuller(con, staged.layout)
        if kept:
            res.notes.append(f"{kept:,} event(s) stored from a fuller file were left as they "
                             "are (a re-saved or repaired export never revises those)")
    synthetic = staged.layout.id_column is None
    if not partial and not synthetic and staged.countries:
        con.execute("""
            INSERT INTO _changes
            SELECT c.event_uid, 'deleted' FROM _cur c
            WHERE list_contains(?, c.country_iso3) AND c.date_start BETWEEN ? AND ?
              AND NOT EXISTS (SELECT 1 FROM _ok o WHERE o.event_uid = c.event_uid)
        """, [staged.countries, *span])
    counts = dict(con.execute("SELECT change, count(*) FROM _changes GROUP BY 1").fetchall())
    res.events_new = int(counts.get("new", 0))
    res.events_revised = int(counts.get("revised", 0))
    res.events_unchanged = int(counts.get("unchanged", 0))
    res.events_deleted = int(counts.get("deleted", 0))
    rolls_back = res.events_revised or res.events_deleted
    newer = _newer_overwritten(con, res) if rolls_back and not allow_older else []
    if newer:
        sid0, version0, n0 = newer[0]
        raise InputError(
            f"this file ({res.source} {res.source_version}) is older than snapshot {sid0} "
            f"({version0}), yet would revise or delete {n0:,} of the events that snapshot made "
            "current" + (f" (and events of {len(newer) - 1} other newer snapshot(s))"
                         if len(newer) > 1 else ""),
            file=res.file,
            hint="ingest exports oldest first; to make this older export current anyway, rerun "
            "with --allow-older (every snapshot stays queryable with --as-of)",
        )
    if res.events_deleted and not allow_mass_delete:
        covered = _count(con, "SELECT count(*) FROM _cur WHERE list_contains(?, country_iso3) "
                              "AND date_start BETWEEN ? AND ?",
                         [staged.countries, *span])
        if res.events_deleted > MASS_DELETE_SHARE * covered:
            raise InputError(
                f"this file would mark {res.events_deleted:,} of the {covered:,} stored "
                f"{source} events it covers ({', '.join(staged.countries[:6])}, "
                f"{span[0]}..{span[1]}) as deleted",
                file=res.file,
                hint="if it is a sample or partial export, rerun with --partial; if the source "
                "really withdrew them, rerun with --allow-mass-delete",
            )
    con.execute("""
        UPDATE events SET retired_by = ?
        WHERE retired_by IS NULL AND source = ?
          AND event_uid IN (SELECT event_uid FROM _changes WHERE change IN ('revised','deleted'))
    """, [sid, source])
    con.execute(f"""
        INSERT INTO events ({cols}) SELECT {cols} FROM _ok
        WHERE event_uid IN (SELECT event_uid FROM _changes WHERE change IN ('new','revised'))
    """)
    con.execute("""
        INSERT INTO event_changes
        SELECT ?, event_uid, change FROM _changes WHERE change IN ('revised','deleted')
    """, [sid])


def ingest_file(
    path: Path,
    *,
    source: str | None = None,
    source_version: str | None = None,
    db_path: Path | None = None,
    encoding: str = "utf-8",
    skip_bad_rows: bool = False,
    rejects_path: Path | None = None,
    partial: bool = False,
    sample: bool = False,
    version_basis: str | None = None,
    allow_mass_delete: bool = False,
    allow_older: bool = False,
    today: date | None = None,
    before_commit: Callable[[], None] | None = None,
    single_pass: bool = True,
) -> IngestResult:
    """Ingest ``path`` as one snapshot of the store at ``db_path`` (default: settings).

    ``partial``: the file is an extract (e.g. one month), so events missing from it are not
    deletions. ``sample``: a random sample — stored, but it says nothing about the months and
    countries it spans (no coverage, no deletions), so panels never read its gaps as zeros.
    ``allow_older``: let a file older than a stored snapshot (by :func:`version_order`) revise or
    delete the events that snapshot made current; refused otherwise.
    ``single_pass=False`` forces the staged path even for a file the single pass could take
    (:mod:`sahel.store.write`; the stored rows are the same, only slower).
    ``before_commit`` is a fault-injection point for tests (called inside the transaction).
    """
    t0 = time.perf_counter()
    path = Path(path)
    today = today or datetime.now(UTC).date()
    mode = "sample" if sample else "partial" if partial else "authoritative"
    if skip_bad_rows or rejects_path is not None:
        rejects_path = Path(rejects_path or default_rejects_path(path))
        check_output_path(rejects_path, what="rejects", not_inputs=[path])
    con = connect(db_path)
    db_file = store_file(con)
    options = {"kind": "events", "file_name": path.name, "encoding": encoding,
               "skip_bad_rows": skip_bad_rows, "mode": mode}
    try:
        remove(leftovers(con, db_file))  # of an ingest killed or failed before this one
        with (tempfile.TemporaryDirectory(prefix="sahel-ingest-") as work,
              incoming(path, db_file) as inc):
            sf = open_source(path, Path(work), encoding=encoding, data_path=inc.copy)
            if sf.transcoded:
                options["encoding"] = sf.encoding
            layout = detect(sf)
            sf.check_header()
            if layout.spreadsheet and mode == "authoritative":  # a re-saved or repaired
                mode = "partial"  # export is never complete: missing events are not deletions
                options["mode"] = mode
            src = _resolve_source(layout, source, path)
            known = _version_before_reading(src, source_version, path)
            res: IngestResult | None = None
            if (single_pass and known is not None
                    and single_pass_fits(layout, sf, skip_bad_rows=skip_bad_rows)
                    and not _count(con, "SELECT count(*) FROM snapshots WHERE source = ?", [src])):
                res = _ingest_single_pass(
                    con, sf, layout, src, known[0], version_basis or known[1], mode=mode,
                    db_file=db_file, today=today, inc=inc, options=options,
                    before_commit=before_commit)
                if res is None and not usable(con):  # the single pass hit a fatal error
                    con.close()
                    con = connect(db_file)
            if res is None:
                staged = stage_file(con, sf, today=today, skip_bad_rows=skip_bad_rows,
                                    rejects_path=rejects_path, layout=layout)
                version, basis = _resolve_version(staged, src, source_version, path)
                res = _ingest_staged(con, staged, src, version, version_basis or basis,
                                     mode=mode, db_file=db_file, inc=inc, options=options,
                                     allow_mass_delete=allow_mass_delete,
                                     allow_older=allow_older, before_commit=before_commit)
            if sf.transcoded:
                res.notes.append(sf.transcoded)
    finally:
        con.close()
    res.seconds = time.perf_counter() - t0
    return res


def default_rejects_path(path: Path) -> Path:
    """Where ``--skip-bad-rows`` writes the rows it sets aside, unless told."""
    return path.with_name(path.name + ".rejects.csv")


def _result(staged: Staged, source: str, version: str, basis: str, sha: str,
            mode: str) -> IngestResult:
    res = IngestResult(
        snapshot_id=0, source=source, source_version=version, version_basis=basis,
        layout=staged.layout.name, file=str(staged.sf.path), sha256=sha,
        rows_read=staged.rows_read, rows_loaded=staged.rows_ok,
        rows_rejected=staged.rows_rejected, rows_duplicate=staged.duplicates_dropped, mode=mode,
        rejects_path=str(staged.rejects_path) if staged.rejects_path else None,
        warnings=dict(staged.warnings),
    )
    if staged.layout.notes:
        res.notes.append(staged.layout.notes)
    if staged.layout.id_column is None:
        res.notes.append("revisions and deletions are not tracked for synthetic ids")
    return res


def _row(res: IngestResult, staged: Staged, span: tuple[date, date]) -> SnapshotRow:
    return SnapshotRow(
        source=res.source, source_version=res.source_version, version_basis=res.version_basis,
        layout=staged.layout.name, file_name=staged.sf.path.name, member=staged.sf.member,
        sha256=res.sha256, size=staged.sf.size, mode=res.mode, rows_read=res.rows_read,
        rows_loaded=res.rows_loaded, rows_rejected=res.rows_rejected,
        rows_duplicate=res.rows_duplicate, events_new=res.events_new,
        events_revised=res.events_revised, events_unchanged=res.events_unchanged,
        events_deleted=res.events_deleted, coverage_countries=staged.countries,
        coverage_start=span[0], coverage_end=span[1], notes="; ".join(res.notes) or None,
        warnings=res.warnings)


def _manifest(res: IngestResult, options: dict[str, object]) -> dict[str, object]:
    return {**options, "source": res.source, "source_version": res.source_version,
            "version_basis": res.version_basis}


def _ingest_staged(con: duckdb.DuckDBPyConnection, staged: Staged, source: str, version: str,
                   basis: str, *, mode: str, db_file: Path, inc: Incoming,
                   options: dict[str, object], allow_mass_delete: bool, allow_older: bool,
                   before_commit: Callable[[], None] | None) -> IngestResult:
    """The general path: diff the staged rows against the store, in one transaction."""
    path = staged.sf.path
    res = _result(staged, source, version, basis, staged.sf.sha256, mode)
    found = snapshots.existing(con, source, res.sha256)
    if found is not None:
        res.snapshot_id, res.noop = found, True
        res.notes.append(f"already ingested as snapshot {found}: nothing to do")
        return res
    with snapshots.new_snapshot(con, inc, db_file, before_commit) as snap:
        res.snapshot_id = snap.id
        snap.archive(res.sha256, _manifest(res, options))
        _ok_view(con, source, version, snap.id)
        span = coverage_span(source, version, staged, path)
        _apply(con, res, staged, partial=mode != "authoritative",
               allow_mass_delete=allow_mass_delete, allow_older=allow_older, sid=snap.id,
               span=span)
        snap.record(_row(res, staged, span))
    return res


def _ingest_single_pass(con: duckdb.DuckDBPyConnection, sf: SourceFile, layout: Layout,
                        source: str, version: str, basis: str, *, mode: str, db_file: Path,
                        today: date, inc: Incoming, options: dict[str, object],
                        before_commit: Callable[[], None] | None,
                        ) -> IngestResult | None:
    """The first file of a source, read straight into the store; None: use the staged path."""
    try:
        with snapshots.new_snapshot(con, inc, db_file, before_commit) as snap:
            staged = insert_single_pass(con, sf, layout, source=source, version=version,
                                        sid=snap.id, today=today)
            res = _result(staged, source, version, basis, sf.sha256, mode)
            res.snapshot_id, res.events_new, res.method = snap.id, staged.rows_ok, "single pass"
            snap.archive(res.sha256, _manifest(res, options))
            snap.record(_row(res, staged, coverage_span(source, version, staged, sf.path)))
    except SinglePassMiss:
        return None
    return res
