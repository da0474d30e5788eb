"""``sahel build``: fetch (or find) the UCDP files, ingest them, summarise — the main job.

With internet it downloads the latest yearly GED and monthly candidate release. Without, it
reads a folder of already-downloaded files (``--from DIR``) and says that it does so; a missing
network without ``--from`` is an error whose fix is that option.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sahel.errors import InputError, LayoutError, SahelError, StoreError
from sahel.events import ucdp
from sahel.events.harmonise import ALL_LAYOUTS
from sahel.events.layouts import Layout, detect_layout
from sahel.events.reader import open_source, peek, sha256_file
from sahel.panels.summary import summary
from sahel.provenance import Provenance
from sahel.series.store import import_series
from sahel.settings import get_settings
from sahel.store.archive import COMPANION, archive_dir, manifests
from sahel.store.db import default_db_path, quiet
from sahel.store.filters import Filters
from sahel.store.ingest import IngestResult, ingest_file

SUFFIXES = (".csv", ".csv.gz", ".zip", ".txt", ".xlsx")


@dataclass
class BuildResult:
    mode: str  # "download" | "folder"
    ingested: list[IngestResult] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    failed: list[tuple[str, SahelError]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: the country-year summary of the focus countries, and its provenance
    summary: pd.DataFrame | None = None
    provenance: Provenance | None = None


#: the countries the main job summarises: the Sahel and the coastal states it spills into
FOCUS = ["MLI", "BFA", "NER", "TCD", "MRT", "NGA", "BEN", "TGO", "GHA", "CIV", "SEN"]


def _version_key(path: Path) -> tuple[int, tuple[int, ...]]:
    _, version = ucdp.source_and_version_from_name(path.name)
    if version is None:
        return (1, ())  # unversioned exports (explorer) last: they are the newest here
    return (0, tuple(int(p) for p in version.split(".")))


def _layout(path: Path) -> Layout:
    header, written_by = peek(path)
    return detect_layout(header, ALL_LAYOUTS, file=str(path), written_by=written_by)


def discover(folder: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """UCDP event files under ``folder`` (recursive), oldest version first, and the skipped.

    Unversioned exports come last, the published ones before the spreadsheet re-saves and the
    re-saves before the partial repairs: a file of lower fidelity then only fills the gaps the
    others leave (``Layout.fidelity``), and nothing is first stored from a repair to be revised
    by the fuller file a moment later.
    """
    found, skipped = _discover(folder)
    return [p for p, _ in found], skipped


def _discover(folder: Path) -> tuple[list[tuple[Path, Layout]], list[tuple[str, str]]]:
    if not folder.is_dir():
        raise InputError("not a folder", file=folder, hint="pass the folder holding the UCDP "
                         "files you downloaded, e.g. --from ~/Downloads/ucdp")
    found: list[tuple[Path, Layout]] = []
    skipped: list[tuple[str, str]] = []
    candidates = sorted(p for p in folder.rglob("*") if p.is_file()
                        and p.name.lower().endswith(SUFFIXES))
    for p in candidates:
        try:
            layout = _layout(p)
        except LayoutError as exc:
            skipped.append((str(p), f"not a UCDP/ACLED event file: {exc.message}"
                            + (f" ({exc.hint})" if exc.hint else "")))
            continue
        except SahelError as exc:
            skipped.append((str(p), exc.message))
            continue
        if layout.family != "ucdp":
            skipped.append((str(p), "ACLED file: ingest it with `sahel ingest acled`"))
            continue
        found.append((p, layout))
    found.sort(key=lambda f: (_version_key(f[0]), -f[1].fidelity, str(f[0])))
    return found, skipped


def _explorer_version(found: list[tuple[Path, Layout]]) -> tuple[str, str, set[Path]] | None:
    """Explorer exports carry no version. Files downloaded together come from one release, so
    the newest event among them dates the release for all (Côte d'Ivoire's last event in 2020
    does not make its export GED 21.1)."""
    explorer = [p for p, layout in found if layout.name in ucdp.UNVERSIONED]
    if not explorer:
        return None
    import duckdb

    con = quiet(duckdb.connect())
    years = []
    try:
        for p in explorer:
            with tempfile.TemporaryDirectory() as work:
                try:  # a file that cannot be read here fails at its ingest, with the reason
                    sf = open_source(p, Path(work), checksum=False)
                    years.append(con.execute(
                        "SELECT max(try_cast(year AS INTEGER)) FROM "
                        f"{sf.read_csv_sql(ignore_errors=True)}").fetchone())
                except (SahelError, duckdb.Error, UnicodeDecodeError):
                    continue
    finally:
        con.close()
    known = [int(y[0]) for y in years if y and y[0] is not None]
    if not known:
        return None
    last = max(known)
    v = ucdp.ged_version_covering(last)
    names = ", ".join(p.name for p in explorer)
    return (f">={v}", f"explorer exports carry no version; downloaded together ({names}), their "
            f"newest event ({last}) needs GED {v} or later", set(explorer))


def build(
    *,
    from_dir: Path | None = None,
    db_path: Path | None = None,
    progress: bool = True,
    on_file: Callable[[Path], None] | None = None,
    since: int = 2012,
) -> BuildResult:
    """Build or update the store from the latest UCDP releases or from ``from_dir``, then
    summarise the focus countries per year from ``since`` (the main job's table).

    A spreadsheet re-save or repair of an export (e.g. the repaired Niger files) is known to
    hold rows that cannot be read: its bad rows are set aside in ``<store folder>/rejects/``
    (line, field and reason each) and its good rows stored, as ``--skip-bad-rows`` does; the
    notes say how many and where. Any other file with a bad row fails as a whole.
    """
    settings = get_settings()
    resaved: set[Path] = set()
    found: list[tuple[Path, Layout]] = []
    files: list[tuple[Path, bool]] = []
    if from_dir is None:  # the continuous record (sahel update); NetworkError names --from
        from sahel.update import update

        report = update(db_path, settings=settings, progress=progress,
                        on_step=lambda text: on_file(Path(text)) if on_file else None)
        result = BuildResult(mode="download", ingested=report.ingested, notes=report.notes)
    else:
        found, skipped = _discover(from_dir)
        paths = [p for p, _ in found]
        resaved = {p for p, layout in found if layout.spreadsheet}
        files = [(p, True) for p in paths]
        result = BuildResult(mode="folder", skipped=skipped)
        result.notes.append(
            f"offline build from {from_dir}: files are treated as partial (events missing from "
            "a file are not taken as deletions)"
        )
        if not paths:
            raise InputError("no UCDP event files found", file=from_dir,
                             hint="download GED/candidate CSVs from UCDP into that folder")
    explorer = _explorer_version(found) if from_dir is not None else None
    for path, partial in files:
        if on_file:
            on_file(path)
        version = explorer[:2] if explorer and path in explorer[2] else None
        sample = "sample" in path.name.lower()
        if sample:
            result.notes.append(f"{path.name}: a sample by its name — stored, but not taken as "
                                "complete coverage of its countries and years")
        rejects = (Path(db_path or default_db_path()).parent / "rejects"
                   / f"{path.name}.rejects.csv") if path in resaved else None
        try:
            if rejects is not None:
                rejects.parent.mkdir(parents=True, exist_ok=True)
            res = ingest_file(
                path, db_path=db_path, partial=partial, sample=sample,
                source_version=version[0] if version else None,
                version_basis=version[1] if version else None,
                skip_bad_rows=rejects is not None, rejects_path=rejects)
        except SahelError as exc:
            result.failed.append((str(path), exc))
            continue
        except OSError as exc:  # the rejects folder cannot be made
            result.failed.append((str(path), InputError(
                f"cannot create {rejects.parent if rejects else ''} ({exc.strerror})",
                file=path, hint="check the permissions of the store's folder")))
            continue
        result.ingested.append(res)
        if res.rows_rejected:
            result.notes.append(
                f"{path.name}: a spreadsheet re-save or repair of a UCDP export — "
                f"{res.rows_loaded:,} rows read, {res.rows_rejected:,} that cannot be read set "
                f"aside in {res.rejects_path} (line, field and reason for each)")
    result.summary, result.provenance = summary(
        Filters(countries=FOCUS, start=date(since, 1, 1)), db_path=db_path)
    return result


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
                                    _redo(entry, src, Path(work), db_file)))
            except SahelError as exc:
                rep.failed.append((int(entry["snapshot_id"]), name, exc.render()))
    if rep.failed:
        rep.failed.append((0, str(old), "the old archive is kept there: nothing was deleted"))
    else:
        shutil.rmtree(old, ignore_errors=True)
    return rep


def _redo(entry: dict[str, Any], src: Path, work: Path, db_file: Path) -> int:
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
    if entry.get("kind") == "deletions":
        from sahel.store.deletions import apply_deletions

        return int(apply_deletions(named, db_path=db_file,
                                   source=str(entry.get("source", "acled"))).snapshot_id)
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
