"""Read the store: filtered events, country-year summaries, snapshots — each with its provenance.

Every result carries a :class:`Provenance` (sources, versions, snapshots, files, filters,
citation) so that whatever prints it can say where each figure comes from.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from sahel.errors import AccessError, NotFoundError, StoreError
from sahel.events import acled, ucdp
from sahel.events.layouts import Layout
from sahel.events.reader import open_source, sha256_file
from sahel.events.schema import FIRST_DAY, SOURCES
from sahel.provenance import FAMILIES, Provenance, citations_for
from sahel.store.archive import archive_dir, require_archive
from sahel.store.db import check_as_of, connect, store_file
from sahel.store.filters import Filters

Audience = Literal["local", "public"]


def _provenance(con: duckdb.DuckDBPyConnection, f: Filters, where: str,
                params: list[Any]) -> Provenance:
    snaps = con.execute(f"""
        SELECT snapshot_id, source, source_version, version_basis, file_name, file_sha256,
               CAST(ingested_at AS VARCHAR) AS ingested_at, mode
        FROM snapshots WHERE snapshot_id IN (SELECT DISTINCT snapshot_id FROM events
                                             WHERE {where})
        ORDER BY snapshot_id
    """, params).fetchall()
    keys = ["snapshot_id", "source", "source_version", "version_basis", "file_name",
            "file_sha256", "ingested_at", "mode"]
    rows = [dict(zip(keys, r, strict=True)) for r in snaps]
    sources = sorted({r["source"] for r in rows})
    return Provenance(f.describe(), rows, citations_for(sources))


def snapshot_provenance(ids: list[int], filters: str, *,
                        db_path: Path | None = None) -> Provenance:
    """The provenance of figures read from the snapshots ``ids`` (claims, whose definitions
    each carry their own filters): those snapshots and the citations of their sources."""
    con = connect(db_path, read_only=True)
    try:
        snaps = con.execute("""
            SELECT snapshot_id, source, source_version, version_basis, file_name, file_sha256,
                   CAST(ingested_at AS VARCHAR) AS ingested_at, mode
            FROM snapshots WHERE list_contains(?, snapshot_id) ORDER BY snapshot_id
        """, [list(ids)]).fetchall()
    finally:
        con.close()
    keys = ["snapshot_id", "source", "source_version", "version_basis", "file_name",
            "file_sha256", "ingested_at", "mode"]
    rows = [dict(zip(keys, r, strict=True)) for r in snaps]
    sources = sorted({r["source"] for r in rows})
    families = [FAMILIES[s][0] for s in sources if s in FAMILIES]
    return Provenance(filters, rows, citations_for(sources) + families)


PUBLIC_COLUMNS = [
    "event_uid", "source", "source_version", "snapshot_id", "date_start", "date_end", "year",
    "date_precision", "country_iso3", "admin1", "admin2", "location", "latitude", "longitude",
    "geo_precision", "category", "category_raw", "sub_category_raw", "civilian_targeting",
    "actor1_raw", "actor2_raw", "assoc_actor1_raw", "assoc_actor2_raw", "fatalities_best",
    "fatalities_low", "fatalities_high", "fatalities_civilians",
]


def for_audience(f: Filters, audience: Audience) -> Filters:
    """The filter of the event rows ``audience`` may see: all of them locally; for the public,
    never ACLED's (its terms forbid redistributing rows). Asking a public surface for ACLED
    rows alone is refused with the reason, not answered with an empty table."""
    if audience == "local":
        return f
    # fails closed: anything but the exact local value is public
    if f.sources and set(f.sources) <= {"acled"}:
        raise AccessError(
            "ACLED event rows cannot be published: ACLED's terms allow aggregates only",
            field="source",
            hint="ask for aggregates, or for UCDP events (source=ucdp_ged, ucdp_candidate, "
                 "ucdp); the local user sees ACLED rows on a server bound to 127.0.0.1")
    return replace(f, sources=[s for s in (f.sources or list(SOURCES)) if s != "acled"])


def query_events(
    filters: Filters,
    *,
    db_path: Path | None = None,
    limit: int | None = None,
    audience: Audience = "local",
) -> tuple[pd.DataFrame, Provenance]:
    """Events matching ``filters``. ``audience='public'`` never returns ACLED rows.

    ACLED's terms allow the registered user to work with the rows locally but forbid
    redistributing them; every public surface (API, web, reports) must pass ``public``.
    """
    f = for_audience(filters.normalised(), audience)
    con = connect(db_path, read_only=True)
    try:
        check_as_of(con, f.as_of)
        where, params = f.sql(con=con)
        sql = (f"SELECT {', '.join(PUBLIC_COLUMNS)} FROM events WHERE {where} "
               "ORDER BY date_start, event_uid")
        if limit:
            sql += f" LIMIT {int(limit)}"
        df = con.execute(sql, params).df()
        return df, _provenance(con, f, where, params)
    finally:
        con.close()


def coverage(con: duckdb.DuckDBPyConnection, as_of: int | None = None) -> pd.DataFrame:
    """Per source and country, the spans of days the stored snapshots cover: one row per
    unbroken span (``first_day, last_day, snapshots``).

    Inside a span, no event means zero events; outside it — before, after, or in a gap between
    two spans (a candidate month UCDP never published) — nothing is known. Snapshots ingested
    as samples (``--sample``) hold events but establish no coverage.
    """
    # stores written before FIRST_DAY existed may hold an ACLED span "from 1900"
    first = "CASE source " + " ".join(f"WHEN '{s}' THEN greatest(coverage_start, DATE '{d}')"
                                      for s, d in FIRST_DAY.items()) + " ELSE coverage_start END"
    rows = con.execute(f"""
        SELECT source, c, {first}, coverage_end, snapshot_id
        FROM snapshots, unnest(coverage_countries) AS u(c)
        WHERE snapshot_id <= ? AND mode <> 'sample' AND coverage_start IS NOT NULL
          AND events_new + events_revised + events_unchanged > 0
        ORDER BY source, c, coverage_start, snapshot_id
    """, [as_of if as_of is not None else 2**31 - 1]).fetchall()
    spans: list[list[Any]] = []
    for source, country, first, last, sid in rows:
        cur = spans[-1] if spans else None
        if (cur is not None and cur[0] == source and cur[1] == country
                and first <= cur[3] + timedelta(days=1)):
            cur[3] = max(cur[3], last)
            cur[4].append(int(sid))
        else:
            spans.append([source, country, first, last, [int(sid)]])
    for span in spans:
        span[4] = sorted(span[4])
    return pd.DataFrame(spans, columns=["source", "country_iso3", "first_day", "last_day",
                                        "snapshots"])


def list_snapshots(*, db_path: Path | None = None) -> pd.DataFrame:
    con = connect(db_path, read_only=True)
    try:
        has_warnings = con.execute("SELECT count(*) FROM information_schema.tables WHERE "
                                   "table_name = 'snapshot_warnings'").fetchone() == (1,)
        warnings = ("(SELECT string_agg(kind || ': ' || count, '; ' ORDER BY kind) FROM "
                    "snapshot_warnings w WHERE w.snapshot_id = s.snapshot_id)"
                    if has_warnings else "NULL")
        return con.execute(f"""
            SELECT snapshot_id, source, source_version, layout, file_name,
                   left(file_sha256, 12) AS sha256, CAST(ingested_at AS VARCHAR)[:19] AS ingested_at,
                   mode, rows_read, rows_loaded, rows_rejected, events_new, events_revised,
                   events_unchanged, events_deleted, {warnings} AS warnings, version_basis, notes
            FROM snapshots s ORDER BY snapshot_id
        """).df()
    finally:
        con.close()


def _layout_by_name(name: str) -> Layout:
    for lay in (*ucdp.LAYOUTS, *acled.LAYOUTS):
        if lay.name == name:
            return lay
    raise NotFoundError(f"unknown layout {name!r}")


def raw_rows(event_uid: str, *, db_path: Path | None = None,
             audience: Audience = "local") -> list[dict[str, Any]]:
    """The source row(s) of every stored version of ``event_uid``, read from the archive.

    Lossless: the archived file is the original bytes (sha256-checked at ingest).
    """
    if audience != "local" and event_uid.startswith("acled:"):  # fails closed
        raise AccessError("ACLED source rows cannot be published",
                          hint="use derived aggregates instead")
    import tempfile

    con = connect(db_path, read_only=True)
    try:
        versions = con.execute("""
            SELECT e.snapshot_id, e.source_id, s.archive_path, s.layout, s.file_name,
                   s.file_sha256, e.retired_by
            FROM events e JOIN snapshots s USING (snapshot_id)
            WHERE e.event_uid = ? ORDER BY e.snapshot_id
        """, [event_uid]).fetchall()
        if not versions:
            raise NotFoundError(f"no event {event_uid!r} in the store",
                                hint="event ids look like ucdp_ged:339334 or acled:MLI4682")
        out: list[dict[str, Any]] = []
        for sid, source_id, archive, layout_name, file_name, sha, retired in versions:
            layout = _layout_by_name(layout_name)
            stored = require_archive(archive_dir(store_file(con)) / Path(archive).name)
            if sha256_file(stored) != sha:
                raise StoreError("the archived file no longer has its recorded sha256",
                                 file=stored, hint="run `sahel store check`; re-ingest the "
                                 f"original {file_name} or restore the archive from a backup")
            with tempfile.TemporaryDirectory() as work:
                sf = open_source(stored, Path(work), checksum=False)
                rel = sf.read_csv_sql()
                col = layout.id_column
                if col is None:
                    raise NotFoundError(
                        f"{layout.description} has no ids; raw rows cannot be addressed",
                        hint=f"open the archived file {archive}",
                    )
                rows = con.execute(
                    f"SELECT * FROM {rel} WHERE trim(\"{col}\") = ?", [source_id]
                ).df()
            for rec in rows.to_dict(orient="records"):
                out.append({"snapshot_id": sid, "file": file_name, "sha256": sha,
                            "current": retired is None,
                            "row": json.loads(json.dumps(rec, default=str))})
        return out
    finally:
        con.close()
