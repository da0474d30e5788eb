"""``create_…``/``add_…`` verbs over the event store (DuckDB does the counting).

Perpetrator: the group (registry) of the event's *acting* side, ``actor1_raw`` — ACLED's actor1
and UCDP's side_a (the government in state-based conflict, the perpetrator in one-sided
violence). Names the registry does not know are ``unmapped``, never dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd
import pyarrow as pa

from sahel.errors import PanelError
from sahel.panels.base import KEYS, Panel, Unit
from sahel.store.db import check_as_of, connect, quiet
from sahel.store.query import Filters, _provenance, coverage

By = Literal["category", "perpetrator", "civilian_targeting"] | None
BOUNDS = ("low", "best", "high")
#: geo precisions whose admin1 is trusted; coarser events are counted apart in admin1 panels
ADMIN1_OK = ("exact", "near", "admin2", "admin1", "region")

_AMAP = "_panel_actor_map"


def _actor_map(con: duckdb.DuckDBPyConnection, where: str, params: list[object],
               registry_root: Path | None) -> tuple[pd.DataFrame, str]:
    """raw actor name -> perpetrator group, from the registry (computed, never stored)."""
    from sahel.registry.link import ActorMatcher
    from sahel.registry.load import load_registry

    names = [r[0] for r in con.execute(
        f"SELECT DISTINCT actor1_raw FROM events WHERE {where} AND actor1_raw IS NOT NULL "
        f"UNION SELECT DISTINCT actor2_raw FROM events WHERE {where} AND actor2_raw IS NOT NULL",
        params + params).fetchall()]
    registry = load_registry(registry_root)
    mapping = ActorMatcher.from_registry(registry).mapping(names, registry)
    note = (f"perpetrator groups from the registry ({len(registry.actors)} actors, "
            f"{len(registry.ties)} ties) resolved at query time")
    return mapping[["raw_name", "actor_id", "perpetrator_group"]], note


def _coverage(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    df = coverage(con, f.as_of)
    if f.sources:
        df = df[df["source"].isin(f.sources)]
    if f.countries:
        df = df[df["country_iso3"].isin(f.countries)]
    first = pd.to_datetime(df["first_day"])
    last = pd.to_datetime(df["last_day"])
    if f.start is not None:
        first = first.where(first >= pd.Timestamp(f.start), pd.Timestamp(f.start))
    if f.end is not None:
        last = last.where(last <= pd.Timestamp(f.end), pd.Timestamp(f.end))
    df["first_day"], df["last_day"] = first, last
    df["first_month"] = pd.to_datetime(df["first_day"]).dt.to_period("M").dt.to_timestamp()
    df["last_month"] = pd.to_datetime(df["last_day"]).dt.to_period("M").dt.to_timestamp()
    df = df[df["first_month"] <= df["last_month"]]
    return df[["source", "country_iso3", "first_month", "last_month", "snapshots"]].reset_index(
        drop=True)


def _grid(coverage: pd.DataFrame, units: pd.DataFrame | None) -> pd.DataFrame:
    """source × country × month inside each coverage span (one date range, sliced per row)."""
    cols = ["source", "country_iso3", "month"]
    if coverage.empty:
        grid = pd.DataFrame(columns=cols)
    else:
        months = pd.date_range(pd.Timestamp(coverage["first_month"].min()),
                               pd.Timestamp(coverage["last_month"].max()), freq="MS")
        values = months.to_numpy()
        parts = []
        for rec in coverage.to_dict("records"):
            sel = values[(values >= pd.Timestamp(rec["first_month"]).to_datetime64())
                         & (values <= pd.Timestamp(rec["last_month"]).to_datetime64())]
            parts.append(pd.DataFrame({"source": rec["source"],
                                       "country_iso3": rec["country_iso3"], "month": sel}))
        grid = pd.concat(parts, ignore_index=True)
    if units is not None:
        grid = grid.merge(units, on=["source", "country_iso3"], how="inner")
    return grid


def _fetch_events(con: duckdb.DuckDBPyConnection, f: Filters, unit: Unit,
                  actor_map: pd.DataFrame | None) -> pa.Table:
    """The panel's filtered events, once, as an Arrow table: every ``add_…`` verb then counts
    in memory instead of filtering (and joining the registry) the store again."""
    where, params = f.where()
    if actor_map is not None:
        con.register(_AMAP, actor_map)
        perp = ("CASE WHEN e.actor1_raw IS NULL THEN 'unmapped' "
                "ELSE coalesce(m.perpetrator_group, 'unmapped') END")
        join = f"LEFT JOIN {_AMAP} m ON m.raw_name = e.actor1_raw"
    else:
        perp, join = "CAST(NULL AS VARCHAR)", ""
    admin_ok = ", ".join(f"'{g}'" for g in ADMIN1_OK)
    admin = (f"AND e.admin1 IS NOT NULL AND e.geo_precision IN ({admin_ok})"
             if unit == "admin1_month" else "")
    qualified = where.replace("snapshot_id", "e.snapshot_id").replace("retired_by", "e.retired_by")
    return con.execute(f"""
        SELECT e.source, e.country_iso3, e.admin1, e.category, e.civilian_targeting,
               e.fatalities_low, e.fatalities_best, e.fatalities_high,
               e.fatalities_civilians,
               CAST(date_trunc('month', e.date_start) AS TIMESTAMP) AS month,
               {perp} AS perpetrator
        FROM events e {join}
        WHERE {qualified} {admin}
    """, params).to_arrow_table()


_MEMORY: list[duckdb.DuckDBPyConnection] = []


def _memory(events: pa.Table) -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for all panels of the process (opening one costs ~15 ms), with
    ``_pe`` bound to this panel's events (Arrow: registered without a copy)."""
    if not _MEMORY:
        _MEMORY.append(quiet(duckdb.connect()))
    con = _MEMORY[0]
    con.register("_pe", events)
    return con


def _create(unit: Unit, f: Filters, db_path: Path | None, registry_root: Path | None,
            with_registry: bool) -> Panel:
    f = f.normalised()
    con = connect(db_path, read_only=True)
    try:
        check_as_of(con, f.as_of)
        where, params = f.where()
        actor_map, note = (_actor_map(con, where, params, registry_root) if with_registry
                           else (None, None))
        coverage = _coverage(con, f)
        prov = _provenance(con, f, where, params)
        events = _fetch_events(con, f, unit, actor_map)
        excluded = pd.DataFrame()
        units = None
        if unit == "admin1_month":
            units = _memory(events).execute(
                "SELECT DISTINCT source, country_iso3, admin1 FROM _pe").df()
            admin_ok = ", ".join(f"'{g}'" for g in ADMIN1_OK)
            excluded = con.execute(f"""
                SELECT source, country_iso3, count(*) AS events,
                       sum(fatalities_best) AS fatalities_best,
                       'location known only at country level (or no admin1): kept out of '
                       || 'admin1 figures' AS reason
                FROM events WHERE {where}
                  AND (admin1 IS NULL OR geo_precision IS NULL
                       OR geo_precision NOT IN ({admin_ok}))
                GROUP BY ALL ORDER BY ALL
            """, params).df()
    finally:
        con.close()
    grid = _grid(coverage, units)
    return Panel(unit, grid.sort_values(KEYS[unit]).reset_index(drop=True), f, prov, coverage,
                 excluded, {}, note, db_path, actor_map, events)


def create_country_months(filters: Filters | None = None, *, db_path: Path | None = None,
                          registry_root: Path | None = None,
                          with_registry: bool = True) -> Panel:
    """One row per source × country × month inside each source's snapshot coverage."""
    return _create("country_month", filters or Filters(), db_path, registry_root, with_registry)


def create_admin1_months(filters: Filters | None = None, *, db_path: Path | None = None,
                         registry_root: Path | None = None,
                         with_registry: bool = True) -> Panel:
    """One row per source × country × admin1 × month; events located only at country level
    are kept out and counted in ``panel.excluded``. Admin1 names are each source's own."""
    return _create("admin1_month", filters or Filters(), db_path, registry_root, with_registry)


def _by_expr(by: By, panel: Panel) -> str | None:
    if by is None:
        return None
    if by == "perpetrator":
        if panel.actor_map is None:
            raise PanelError("this panel was created without the registry",
                             hint="create it with with_registry=True to split by perpetrator")
        return "perpetrator"
    if by == "civilian_targeting":
        return "CASE WHEN civilian_targeting THEN 'civilian_targeting' ELSE 'other' END"
    return "category"


def _aggregate(panel: Panel, measures: dict[str, str], by: By, where: str | None,
               prefix: str) -> pd.DataFrame:
    if panel.events is None:
        raise PanelError("this panel has no events attached",
                         hint="build it with create_country_months/create_admin1_months")
    con = _memory(panel.events)
    keys = ", ".join(panel.keys)
    group = _by_expr(by, panel)
    sel = ", ".join(f"{expr} AS {name}" for name, expr in measures.items())
    cond = f"WHERE {where}" if where else ""
    sql = (f"SELECT {keys}{', ' + group + ' AS _grp' if group else ''}, {sel} "
           f"FROM _pe {cond} GROUP BY ALL")
    agg = con.execute(sql).df()
    if group:
        agg = agg.pivot_table(index=panel.keys, columns="_grp", values=list(measures),
                              aggfunc="sum")
        agg.columns = [f"{prefix}{col[0]}__{col[1]}" for col in agg.columns]
        agg = agg.reset_index()
    else:
        agg = agg.rename(columns={m: f"{prefix}{m}" for m in measures})
    return agg


def _attach(panel: Panel, agg: pd.DataFrame, definitions: dict[str, str]) -> Panel:
    if panel.data.empty:
        raise PanelError(
            f"the {panel.unit} panel is empty: no stored source covers {panel.filters.describe()}",
            hint="check `sahel snapshots` for what the store covers, or widen the filters",
        )
    new_cols = [c for c in agg.columns if c not in panel.keys]
    clash = [c for c in new_cols if c in panel.data.columns]
    if clash:
        raise PanelError(f"the panel already has {', '.join(clash)}",
                         hint="pass another name= to add the same measure twice")
    # align on the keys only, then append the new columns: re-merging the whole (growing)
    # panel for every verb would copy it each time
    aligned = panel.data[panel.keys].merge(agg, on=panel.keys, how="left")
    # inside coverage, no event means zero
    new = pd.DataFrame({c: aligned[c].astype("Float64").fillna(0).to_numpy() for c in new_cols},
                       index=panel.data.index)
    return panel.with_data(pd.concat([panel.data, new], axis=1), definitions)


def add_events(panel: Panel, *, by: By = None, where: str | None = None,
               name: str = "events") -> Panel:
    """Count events (optionally split ``by`` category, perpetrator or civilian targeting).

    ``where`` is a SQL condition on canonical columns (e.g. ``"category = 'one_sided'"``).
    """
    agg = _aggregate(panel, {"n": "count(*)"}, by, where, prefix="")
    agg = agg.rename(columns=lambda c: c.replace("n", name, 1) if c == "n" or c.startswith(
        "n__") else c)
    return _attach(panel, agg, {name: f"events{' by ' + by if by else ''}"
                                f"{' where ' + where if where else ''}"})


def add_fatalities(panel: Panel, *, by: By = None, where: str | None = None,
                   name: str = "fatalities") -> Panel:
    """Sum fatalities low/best/high (ACLED: one count, so all three equal).

    Events that report no fatalities (e.g. the ACLED 7-column extract) add nothing; the
    ``{name}_reported`` column counts the events whose fatalities are known.
    """
    measures = {f"{name}_{b}": f"sum(fatalities_{b})" for b in BOUNDS}
    measures[f"{name}_reported"] = "count(fatalities_best)"
    agg = _aggregate(panel, measures, by, where, prefix="")
    return _attach(panel, agg, {name: "fatalities (low/best/high) by "
                                f"{by or 'all'}{' where ' + where if where else ''}"})


def add_civilian_deaths(panel: Panel, *, by: By = None, where: str | None = None,
                        name: str = "civilian_deaths") -> Panel:
    """Civilian deaths, low/best/high, with each source's own definition:

    * UCDP: ``deaths_civilians`` of every event (all violence types). UCDP gives civilian deaths
      as a best estimate only; low/high scale it by the event's low/best and high/best ratios.
    * ACLED: fatalities of civilian-targeting events (ACLED does not split deaths by status).
    """
    ucdp = "source LIKE 'ucdp%'"
    measures = {
        f"{name}_low": (f"sum(CASE WHEN {ucdp} THEN round(fatalities_civilians * "
                        "coalesce(fatalities_low / nullif(fatalities_best, 0), 1)) "
                        "WHEN civilian_targeting THEN fatalities_low ELSE 0 END)"),
        f"{name}_best": (f"sum(CASE WHEN {ucdp} THEN fatalities_civilians "
                         "WHEN civilian_targeting THEN fatalities_best ELSE 0 END)"),
        f"{name}_high": (f"sum(CASE WHEN {ucdp} THEN round(fatalities_civilians * "
                         "coalesce(fatalities_high / nullif(fatalities_best, 0), 1)) "
                         "WHEN civilian_targeting THEN fatalities_high ELSE 0 END)"),
    }
    agg = _aggregate(panel, measures, by, where, prefix="")
    return _attach(panel, agg, {name: (add_civilian_deaths.__doc__ or "")
                                + (f" Where {where}." if where else "")})
