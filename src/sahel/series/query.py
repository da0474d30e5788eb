"""Read aggregate series with their provenance, and say where they reach beyond the events.

Why zeros are filled here and not at import: ACLED omits zero rows, so the store keeps exactly
what ACLED published and the reader decides; every filled value says so (``filled_zero``),
and nothing is filled before a country's first row (ACLED did not cover it then) or after the
series' last period.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from sahel.errors import ConfigError, NotFoundError
from sahel.provenance import Provenance
from sahel.series.definitions import definition
from sahel.store.db import check_as_of, connect
from sahel.store.filters import Filters, visible

_UNIT = ["country_iso3", "admin2_pcode"]
_SNAP_KEYS = ["snapshot_id", "source", "source_version", "version_basis", "file_name",
              "file_sha256", "ingested_at", "mode"]


def _open(db_path: Path | None) -> duckdb.DuckDBPyConnection:
    con = connect(db_path, read_only=True)
    got = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = "
                      "'series'").fetchone()
    if not got or not got[0]:
        con.close()
        raise NotFoundError("no series in this store yet",
                            hint="run `sahel series import-shared` or `sahel series import FILE`")
    return con


def _p(year: pd.Series | int, month: pd.Series | int | None, monthly: bool) -> Any:
    """Period index: months since year 0 (monthly) or the year (yearly)."""
    return year * 12 + month - 1 if monthly and month is not None else year


def _label(p: int, monthly: bool) -> str:
    return f"{p // 12}-{p % 12 + 1:02d}" if monthly else str(p)


def _end_date(p: int, monthly: bool) -> date:
    if not monthly:
        return date(p, 12, 31)
    y, m = divmod(p + 1, 12)
    return date(y, m + 1, 1) - timedelta(days=1)


def _series_periods(con: duckdb.DuckDBPyConnection, name: str, vis: str, params: list[Any],
                    monthly: bool) -> tuple[int | None, set[int]]:
    """(last period of the series, partial periods) over all visible rows."""
    col = "year * 12 + month - 1" if monthly else "year"
    last = con.execute(f"SELECT max({col}) FROM series WHERE series = ? AND {vis}",
                       [name, *params]).fetchone()
    partial = con.execute(f"SELECT DISTINCT {col} FROM series WHERE series = ? AND {vis} AND "
                          "partial", [name, *params]).fetchall()
    return (int(last[0]) if last and last[0] is not None else None), {int(r[0]) for r in partial}


def _fill(rows: pd.DataFrame, last: int, partial: set[int], monthly: bool) -> pd.DataFrame:
    """Add the absent periods of each unit, from its first row to ``last``, as flagged zeros."""
    rows = rows.assign(_p=_p(rows["year"], rows["month"], monthly),
                       admin2_pcode=rows["admin2_pcode"].fillna(""), filled_zero=False)
    units = rows.groupby(_UNIT, sort=False).agg(first=("_p", "min"), admin1=("admin1", "last"),
                                                admin2=("admin2", "last")).reset_index()
    grid = units.loc[units.index.repeat(last - units["first"] + 1)].copy()
    grid["_p"] = grid["first"] + grid.groupby(_UNIT).cumcount()
    missing = grid.merge(rows[[*_UNIT, "_p"]], on=[*_UNIT, "_p"], how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"]
    if not missing.empty:
        add = missing[[*_UNIT, "admin1", "admin2", "_p"]].assign(
            series=rows["series"].iloc[0], year=missing["_p"] // 12 if monthly else missing["_p"],
            month=(missing["_p"] % 12 + 1) if monthly else None, value=0.0,
            partial=missing["_p"].isin(partial), snapshot_id=None, filled_zero=True)
        rows = pd.concat([rows, add], ignore_index=True)
    rows["admin2_pcode"] = rows["admin2_pcode"].replace("", None)
    return rows.drop(columns="_p")


def _to_year(df: pd.DataFrame) -> pd.DataFrame:
    """Monthly -> yearly sums; a year with fewer than 12 months or a partial month is partial."""
    keys = ["series", "country_iso3", "admin1", "admin2", "admin2_pcode", "year"]
    out = df.groupby(keys, dropna=False, sort=True).agg(
        value=("value", "sum"), months=("value", "size"), partial=("partial", "any"),
        filled_zero_months=("filled_zero", "sum")).reset_index()
    out["partial"] = out["partial"] | (out["months"] < 12)
    out.insert(list(out.columns).index("year"), "period", out["year"].astype(str))
    return out


def get_series(
    name: str, *, countries: list[str] | None = None, start: date | None = None,
    end: date | None = None, as_of: int | None = None, db_path: Path | None = None,
    fill_zero: bool = True, by: Literal["month", "year"] | None = None,
) -> tuple[pd.DataFrame, Provenance]:
    """Values of series ``name`` with provenance (snapshots, definition, citation).

    ``start``/``end`` select whole periods (the month or year containing the date).
    ``fill_zero``: for series whose absent rows mean zero (ACLED), add them as ``filled_zero``.
    ``by='year'`` sums a monthly series per year (``months``, ``partial`` say how complete).
    """
    d = definition(name)
    monthly = d.period == "month"
    if by == "month" and not monthly:
        raise ConfigError(f"{name} is a yearly series", field="--by", hint="use --by year")
    f = Filters(countries=list(countries or []), start=start, end=end, as_of=as_of).normalised()
    con = _open(db_path)
    try:
        check_as_of(con, as_of)
        vis, params = visible(None, as_of)
        last, partial = _series_periods(con, name, vis, params, monthly)
        if last is None:
            raise NotFoundError(f"series {name} has no values in this store"
                                + (f" as of snapshot {as_of}" if as_of else ""),
                                hint="run `sahel series import-shared` (or import its file)")
        where, wparams = f"series = ? AND {vis}", [name, *params]
        if f.countries:
            where += " AND list_contains(?, country_iso3)"
            wparams.append(f.countries)
        rows = con.execute(f"""
            SELECT series, country_iso3, admin1, admin2, admin2_pcode, year, month, value,
                   partial, snapshot_id FROM series WHERE {where}""", wparams).df()
        rows["filled_zero"] = False
        filled = fill_zero and d.absent_means_zero and not rows.empty
        if filled:
            rows = _fill(rows, last, partial, monthly)
        p = _p(rows["year"], rows["month"], monthly)
        keep = pd.Series(True, index=rows.index)
        if start:
            keep &= p >= _p(start.year, start.month, monthly)
        if end:
            keep &= p <= _p(end.year, end.month, monthly)
        rows = rows[keep]
        rows = rows.sort_values(["country_iso3", "admin2_pcode", "year", "month"],
                                na_position="first").reset_index(drop=True)
        rows.insert(5, "period", [
            _label(int(q), monthly) for q in _p(rows["year"], rows["month"], monthly)])
        sids = sorted({int(s) for s in rows["snapshot_id"].dropna()})
        prov = _provenance(con, name, f, sids, filled=int(rows["filled_zero"].sum()),
                           partial=sorted(set(rows.loc[rows["partial"], "period"])))
    finally:
        con.close()
    rows["snapshot_id"] = rows["snapshot_id"].astype("Int64")
    rows["month"] = rows["month"].astype("Int64")
    if by == "year" and monthly:
        rows = _to_year(rows.drop(columns="period"))
    if d.spatial_unit == "country":
        rows = rows.drop(columns=["admin1", "admin2", "admin2_pcode"])
    if not monthly or by == "year":
        rows = rows.drop(columns=["month"], errors="ignore")
    return rows, prov


def _provenance(con: duckdb.DuckDBPyConnection, name: str, f: Filters, sids: list[int], *,
                filled: int, partial: list[str]) -> Provenance:
    got = con.execute("SELECT unit, period, spatial_unit, definition, caveats, citation, "
                      "licence FROM series_definitions WHERE series = ?", [name]).fetchone()
    if got is None:
        raise NotFoundError(f"series {name} has no stored definition",
                            hint="re-import its file (sahel series import FILE)")
    unit, period, spatial, text, caveats, citation, licence = got
    snaps = con.execute(f"""
        SELECT {', '.join(_SNAP_KEYS[:-2])}, CAST(ingested_at AS VARCHAR), mode FROM snapshots
        WHERE list_contains(?, snapshot_id) ORDER BY snapshot_id""", [sids]).fetchall()
    desc = f"series={name}; {f.describe()}"
    desc += f"; {filled} absent period(s) filled as zero (filled_zero)" if filled else ""
    desc += f"; partial period(s): {', '.join(partial)}" if partial else ""
    return Provenance(
        desc, [dict(zip(_SNAP_KEYS, r, strict=True)) for r in snaps],
        [f"{name} ({unit} per {spatial} and {period}): {text} Caveats: {caveats}",
         f"{citation} Licence: {licence}."])


def list_series(db_path: Path | None = None) -> pd.DataFrame:
    """Every imported series: definition, coverage, last period, current snapshots."""
    con = _open(db_path)
    try:
        current = visible("s")[0]
        return con.execute(f"""
            SELECT d.series, d.family, d.unit, d.period, d.spatial_unit AS spatial,
                   count(DISTINCT s.country_iso3) AS countries, count(*) AS values,
                   min(CASE WHEN s.month IS NULL THEN CAST(s.year AS VARCHAR)
                       ELSE printf('%d-%02d', s.year, s.month) END) AS first,
                   max(CASE WHEN s.month IS NULL THEN CAST(s.year AS VARCHAR)
                       ELSE printf('%d-%02d', s.year, s.month) END) AS last,
                   array_to_string(list_sort(list(DISTINCT CASE WHEN s.partial THEN (
                       CASE WHEN s.month IS NULL THEN CAST(s.year AS VARCHAR)
                       ELSE printf('%d-%02d', s.year, s.month) END) END)), ', ') AS partial,
                   array_to_string(list_sort(list(DISTINCT s.snapshot_id)), ', ') AS snapshots,
                   max(s.snapshot_id) AS latest_snapshot, max(n.coverage_end) AS coverage_end,
                   d.public, d.licence, d.definition
            FROM series_definitions d JOIN series s ON s.series = d.series AND {current}
                 JOIN snapshots n ON n.snapshot_id = s.snapshot_id
            GROUP BY ALL ORDER BY d.family, d.series
        """).df()
    finally:
        con.close()


def coverage_end(name: str, country: str, *, db_path: Path | None = None,
                 as_of: int | None = None, complete_only: bool = False) -> date | None:
    """Last day of the last period series ``name`` covers for ``country`` (None: not at all).

    For ACLED series absent rows are zeros, so a covered country reaches the series' end.
    ``complete_only`` stops before a partial period.
    """
    d = definition(name)
    monthly = d.period == "month"
    iso = Filters(countries=[country]).normalised().countries[0]
    col = "year * 12 + month - 1" if monthly else "year"
    con = _open(db_path)
    try:
        check_as_of(con, as_of)
        vis, params = visible(None, as_of)
        has = con.execute(f"SELECT count(*) FROM series WHERE series = ? AND country_iso3 = ? "
                          f"AND {vis}", [name, iso, *params]).fetchone()
        if not has or not has[0]:
            return None
        scope = "" if d.absent_means_zero else " AND country_iso3 = ?"
        sparams: list[Any] = [name, *([] if d.absent_means_zero else [iso]), *params]
        last = con.execute(f"SELECT max({col}) FROM series WHERE series = ?{scope} AND {vis}",
                           sparams).fetchone()
        assert last is not None and last[0] is not None
        p = int(last[0])
        partial = {int(r[0]) for r in con.execute(
            f"SELECT DISTINCT {col} FROM series WHERE series = ?{scope} AND {vis} AND "
            "partial", sparams).fetchall()}
        if complete_only:
            while p in partial:
                p -= 1
        end = _end_date(p, monthly)
        if p in partial:  # cut inside the period: the snapshot knows the day when it can
            cut = con.execute(f"""
                SELECT max(coverage_end) FROM snapshots WHERE snapshot_id IN (
                    SELECT snapshot_id FROM series WHERE series = ?{scope} AND {vis}
                    AND {col} = ?)""", [*sparams, p]).fetchone()
            if cut and cut[0] is not None:
                end = min(end, cut[0])
        return end
    finally:
        con.close()


def coverage_note(name: str, country: str, *, db_path: Path | None = None,
                  as_of: int | None = None) -> str:
    """One sentence for evidence: where the events stop and how far series ``name`` goes on.

    e.g. "MLI: events end 2023-12-31 (ucdp_ged); series ucdp_pace_deaths_best (deaths (UCDP
    best estimate)) continues to 2026-05-31, snapshot 3 (ucdp_pace to 2026-05)."
    """
    d = definition(name)
    iso = Filters(countries=[country]).normalised().countries[0]
    end = coverage_end(name, iso, db_path=db_path, as_of=as_of)
    con = _open(db_path)
    try:
        check_as_of(con, as_of)
        vis, params = visible(None, as_of)
        events = con.execute(f"SELECT source, max(date_start) FROM events WHERE "
                             f"country_iso3 = ? AND {vis} GROUP BY source ORDER BY source",
                             [iso, *params]).fetchall()
        snap = con.execute(f"""
            SELECT s.snapshot_id, s.source, s.source_version FROM snapshots s
            WHERE s.snapshot_id = (SELECT max(snapshot_id) FROM series WHERE series = ? AND
                                   country_iso3 = ? AND {vis})""", [name, iso, *params]
                           ).fetchone()
    finally:
        con.close()
    ev = ("events end " + ", ".join(f"{e[1]} ({e[0]})" for e in events) if events
          else "no events stored")
    if end is None or snap is None:
        return f"{iso}: {ev}; series {name} has no values for {iso}."
    partial = coverage_end(name, iso, db_path=db_path, as_of=as_of, complete_only=True)
    tail = f" (complete to {partial})" if partial != end else ""
    return (f"{iso}: {ev}; series {name} ({d.unit}) continues to {end}{tail}, snapshot "
            f"{snap[0]} ({snap[1]} {snap[2]}). Definition: {d.definition}")
