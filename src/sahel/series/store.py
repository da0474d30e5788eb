"""Import one series file as one snapshot: all-or-nothing, idempotent, with revisions.

Same rules as event ingest (:mod:`sahel.store.ingest`), for the same reasons:
1. parse and check the whole file first (:mod:`sahel.series.importers`) — bad input fails
   before the store is touched;
2. archive the file, content-addressed by sha256, beside the store;
3. in ONE transaction: write the definitions, retire changed or vanished values inside the
   file's coverage, insert new values, record the changes and the snapshot. A newer vintage
   therefore keeps the older values reachable with ``as_of``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from sahel.errors import InputError
from sahel.events.reader import sha256_file
from sahel.series.definitions import DEFINITIONS
from sahel.series.importers import parse, views
from sahel.series.importers.common import OBS_COLUMNS, Parsed

# NOTE: private helper of sahel.store.ingest, imported rather than copied (see the report).
from sahel.store import snapshots
from sahel.store.archive import Incoming, incoming, leftovers, remove
from sahel.store.db import connect, store_file
from sahel.store.snapshots import SnapshotRow

#: the files of ../shared/data imported by :func:`import_shared_series`, in vintage order
SHARED_FILES: list[str] = [
    "ucdp_ged/derived/pace_Hist_country_month_best_1989-01_2026-05.csv",
    *(f"views/prediction_challenge_actuals/cm_actuals_{y}.parquet" for y in range(2018, 2025)),
    "acled/country_aggregates/number_of_political_violence_events_by_country-month-year_"
    "as-of-27Feb2026.xlsx",
    "acled/country_aggregates/number_of_political_violence_events_by_country-month-year_"
    "as-of-Mar2026_coupcats-acled.xlsx",
    "acled/country_aggregates/number_of_political_violence_events_by_country-year_"
    "as-of-06Mar2026.xlsx",
    "acled/country_aggregates/number_of_reported_fatalities_by_country-year_as-of-06Mar2026.xlsx",
    "acled/hdx_aggregates/burkina-faso_hrp_political_violence_events_and_fatalities_by_"
    "month-year_as-of-03apr2025.xlsx",
    "acled/hdx_aggregates/burkina-faso_hrp_civilian_targeting_events_and_fatalities_by_"
    "month-year_as-of-03apr2025.xlsx",
]

#: the store type of each column of a parsed frame (an all-NULL pandas column has none)
_TYPES = {"series": "VARCHAR", "snapshot_id": "INTEGER", "country_iso3": "VARCHAR",
          "admin1": "VARCHAR", "admin2": "VARCHAR", "admin2_pcode": "VARCHAR",
          "year": "INTEGER", "month": "INTEGER", "value": "DOUBLE", "partial": "BOOLEAN"}
_KEY = ("{t}.series || '|' || {t}.country_iso3 || '|' || coalesce({t}.admin2_pcode, '') || "
        "'|' || {t}.year || '|' || coalesce({t}.month, 0)")


@dataclass
class SeriesImportResult:
    snapshot_id: int
    kind: str
    family: str
    source_version: str
    version_basis: str
    file: str
    sha256: str
    series: list[str] = field(default_factory=list)
    rows_read: int = 0
    observations: int = 0
    new: int = 0
    revised: int = 0  # value changed
    restated: int = 0  # same value, partial flag or names changed
    unchanged: int = 0
    vanished: int = 0  # in the older vintage's coverage, absent from this one
    coverage_start: date | None = None
    coverage_end: date | None = None
    countries: int = 0
    noop: bool = False
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _period_bounds(frame: pd.DataFrame) -> tuple[date, date]:
    first = frame.sort_values(["year", "month"], na_position="first").iloc[0]
    last = frame.sort_values(["year", "month"], na_position="first").iloc[-1]
    start = date(int(first["year"]), 1 if pd.isna(first["month"]) else int(first["month"]), 1)
    if pd.isna(last["month"]):
        end = date(int(last["year"]), 12, 31)
    else:
        y, m = int(last["year"]), int(last["month"])
        end = date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)
    return start, end


def _older_vintage(con: duckdb.DuckDBPyConnection, parsed: Parsed) -> list[str]:
    """A warning when a dated vintage older than one already stored is imported after it.

    Its values become current (last import wins, as for events); the note says so, so that a
    reader of the snapshot list is not surprised.
    """
    if not parsed.source_version.startswith("as-of "):
        return []
    newer = con.execute("SELECT snapshot_id, source_version FROM snapshots WHERE layout = ? AND "
                        "source_version LIKE 'as-of %' AND source_version > ? ORDER BY 1",
                        [parsed.kind, parsed.source_version]).fetchall()
    return [f"older vintage than snapshot {sid} ({version}): its values are current now"
            for sid, version in newer]


def _apply(con: duckdb.DuckDBPyConnection, parsed: Parsed, sid: int,
           res: SeriesImportResult) -> None:
    """Diff the parsed observations against the current values and write the changes."""
    new = parsed.frame.assign(snapshot_id=sid)
    con.register("_series_new_df", new)
    typed = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in _TYPES.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE _new AS SELECT *, {_KEY.format(t='n')} AS k "
                f"FROM (SELECT {typed} FROM _series_new_df) n")
    con.unregister("_series_new_df")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cur AS
        SELECT s.*, {_KEY.format(t='s')} AS k FROM series s
        WHERE s.retired_by IS NULL AND s.series IN (SELECT DISTINCT series FROM _new)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _cov AS
        SELECT series, list(DISTINCT country_iso3 ORDER BY country_iso3) AS countries,
               min(year * 12 + coalesce(month, 1)) AS p0, max(year * 12 + coalesce(month, 12)) AS p1
        FROM _new GROUP BY series
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _cmp AS
        SELECT coalesce(n.k, c.k) AS k, coalesce(n.series, c.series) AS series,
               coalesce(n.country_iso3, c.country_iso3) AS country_iso3,
               coalesce(n.admin2_pcode, c.admin2_pcode) AS admin2_pcode,
               coalesce(n.year, c.year) AS year, coalesce(n.month, c.month) AS month,
               c.value AS old_value, n.value AS new_value,
               CASE WHEN c.k IS NULL THEN 'new'
                    WHEN n.k IS NULL THEN 'vanished'
                    WHEN c.value IS DISTINCT FROM n.value THEN 'revised'
                    WHEN c.partial <> n.partial OR c.admin1 IS DISTINCT FROM n.admin1
                         OR c.admin2 IS DISTINCT FROM n.admin2 THEN 'restated'
                    ELSE 'unchanged' END AS change
        FROM _new n FULL OUTER JOIN _cur c ON n.k = c.k
    """)
    # a value missing from the new file is a change only inside the file's coverage; for a
    # series where absent rows mean zero, a stored zero that vanished did not change
    con.execute("""
        DELETE FROM _cmp WHERE change = 'vanished' AND NOT EXISTS (
            SELECT 1 FROM _cov v WHERE v.series = _cmp.series
              AND list_contains(v.countries, _cmp.country_iso3)
              AND _cmp.year * 12 + coalesce(_cmp.month, 1) >= v.p0
              AND _cmp.year * 12 + coalesce(_cmp.month, 12) <= v.p1)
    """)
    zero_absent = [n for n, d in DEFINITIONS.items() if d.absent_means_zero]
    con.execute("UPDATE _cmp SET change = 'unchanged' WHERE change = 'vanished' AND "
                "old_value = 0 AND list_contains(?, series)", [zero_absent])
    counts = dict(con.execute("SELECT change, count(*) FROM _cmp GROUP BY 1").fetchall())
    res.new, res.revised = int(counts.get("new", 0)), int(counts.get("revised", 0))
    res.restated, res.vanished = int(counts.get("restated", 0)), int(counts.get("vanished", 0))
    res.unchanged = int(counts.get("unchanged", 0))
    con.execute(f"""
        UPDATE series SET retired_by = ?
        WHERE retired_by IS NULL AND series IN (SELECT DISTINCT series FROM _new)
          AND {_KEY.format(t='series')} IN (
              SELECT k FROM _cmp WHERE change IN ('revised', 'restated', 'vanished'))
    """, [sid])
    cols = ", ".join(["series", "snapshot_id", *OBS_COLUMNS[1:]])
    con.execute(f"""
        INSERT INTO series ({cols}) SELECT {cols} FROM _new
        WHERE k IN (SELECT k FROM _cmp WHERE change IN ('new', 'revised', 'restated'))
    """)
    con.execute("""
        INSERT INTO series_changes
        SELECT ?, series, country_iso3, admin2_pcode, year, month, change, old_value, new_value
        FROM _cmp WHERE change IN ('revised', 'restated', 'vanished')
    """, [sid])


def import_series(path: Path, *, kind: str | None = None, db_path: Path | None = None,
                  before_commit: Callable[[], None] | None = None) -> SeriesImportResult:
    """Import ``path`` (kind detected from its columns and name) as one snapshot.

    Re-importing the same bytes is a no-op; a newer vintage retires the values it changes.
    ``before_commit`` is a fault-injection point for tests (called inside the transaction).
    """
    t0 = time.perf_counter()
    path = Path(path)
    con = connect(db_path)
    try:
        db_file = store_file(con)
        remove(leftovers(con, db_file))  # of an import or ingest killed before this one
        with incoming(path, db_file, companions=[views.COUNTRY_LIST]) as inc:
            res = _import_copy(con, inc, kind, db_file, before_commit)
    finally:
        con.close()
    res.seconds = time.perf_counter() - t0
    return res


def _import_copy(con: duckdb.DuckDBPyConnection, inc: Incoming, kind: str | None,
                 db_file: Path, before_commit: Callable[[], None] | None,
                 ) -> SeriesImportResult:
    """Parse, hash and store the private copy of the file (see :mod:`sahel.store.archive`)."""
    path = inc.original
    parsed = parse(inc.copy, kind)
    sha = sha256_file(inc.copy)
    start, end = _period_bounds(parsed.frame)
    if parsed.as_of is not None and start <= parsed.as_of < end:
        end = parsed.as_of  # the vintage was cut inside its last (partial) period
    names = sorted(parsed.frame["series"].unique())
    res = SeriesImportResult(
        snapshot_id=0, kind=parsed.kind, family=parsed.family,
        source_version=parsed.source_version, version_basis=parsed.version_basis,
        file=str(path), sha256=sha, series=names, rows_read=parsed.rows_read,
        observations=len(parsed.frame), coverage_start=start, coverage_end=end,
        countries=int(parsed.frame["country_iso3"].nunique()), notes=list(parsed.notes))
    found = snapshots.existing(con, parsed.family, sha)
    if found is not None:
        res.snapshot_id, res.noop = found, True
        res.notes.append(f"already imported as snapshot {found}: nothing to do")
        return res
    res.notes.extend(_older_vintage(con, parsed))
    countries = sorted(parsed.frame["country_iso3"].unique())
    with snapshots.new_snapshot(con, inc, db_file, before_commit) as snap:
        sid = res.snapshot_id = snap.id
        snap.archive(sha, {"kind": "series", "series_kind": parsed.kind, "file_name": path.name,
                           "source": parsed.family, "source_version": parsed.source_version})
        con.executemany("INSERT OR REPLACE INTO series_definitions VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [DEFINITIONS[n].row() for n in names])
        _apply(con, parsed, sid, res)
        res.notes.append(f"{res.new} new, {res.revised} revised, {res.restated} restated, "
                         f"{res.vanished} vanished, {res.unchanged} unchanged values")
        snap.record(SnapshotRow(
            source=parsed.family, source_version=parsed.source_version,
            version_basis=parsed.version_basis, layout=parsed.kind, file_name=path.name,
            member=None, sha256=sha, size=inc.signature[2], mode="authoritative",
            rows_read=parsed.rows_read, rows_loaded=len(parsed.frame),
            coverage_countries=countries, coverage_start=start, coverage_end=end,
            notes="series " + ", ".join(names) + "; " + "; ".join(res.notes)))
    return res


def import_shared_series(shared_dir: Path | None = None,
                         db_path: Path | None = None) -> list[SeriesImportResult]:
    """Import every aggregate series file of the shared data folder, older vintages first.

    All files are checked to exist before the first import, so a missing file stops the run
    before it has half-imported the folder.
    """
    if shared_dir is None:
        from sahel.settings import get_settings

        shared_dir = get_settings().shared_data
    paths = [Path(shared_dir) / rel for rel in SHARED_FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise InputError(f"{len(missing)} series file(s) missing: {', '.join(missing[:3])}",
                         file=shared_dir, hint="set SAHEL_SHARED_DATA to the shared data folder "
                         "(it holds README.md, ucdp_ged/, views/, acled/)")
    return [import_series(p, db_path=db_path) for p in paths]
