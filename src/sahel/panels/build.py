"""``create_…``/``add_…`` verbs over the event store (DuckDB does the counting).

The rows come from the one filter (:class:`~sahel.store.filters.Filters`), the grid from the one
coverage rule (:mod:`sahel.panels.grid`), the perpetrator from the one map
(:mod:`sahel.panels.perpetrators`) and every measure from its one definition
(:mod:`sahel.panels.measures`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd
import pyarrow as pa

from sahel.errors import PanelError
from sahel.events.places import ADMIN1_OK
from sahel.panels import grid, measures, perpetrators
from sahel.panels.base import KEYS, Panel, Unit
from sahel.store.db import check_as_of, connect, quiet
from sahel.store.filters import COMBINED, Filters
from sahel.store.query import _provenance

By = Literal["category", "perpetrator", "civilian_targeting"] | None
BOUNDS = measures.BOUNDS


def _fetch_events(con: duckdb.DuckDBPyConnection, where: str, params: list[object], unit: Unit,
                  actor_map: pd.DataFrame | None, combined: bool = False) -> pa.Table:
    """The panel's filtered events, once, as an Arrow table: every ``add_…`` verb then counts
    in memory instead of filtering (and joining the registry) the store again."""
    if actor_map is not None:
        perpetrators.attach(con, actor_map)
        perp, join = perpetrators.group_sql("e.", "m1"), perpetrators.joins("e.")
    else:
        perp, join = "CAST(NULL AS VARCHAR)", ""
    admin = ("AND e.admin1 IS NOT NULL AND list_contains(?, e.geo_precision)"
             if unit == "admin1_month" else "")
    source = ("CASE WHEN e.source LIKE 'ucdp%' THEN 'ucdp' ELSE e.source END" if combined
              else "e.source")
    return con.execute(f"""
        SELECT {source} AS source, e.country_iso3, e.admin1, e.category, e.civilian_targeting,
               e.fatalities_low, e.fatalities_best, e.fatalities_high,
               e.fatalities_civilians,
               CAST(date_trunc('month', e.date_start) AS TIMESTAMP) AS month,
               {perp} AS perpetrator
        FROM events e {join}
        WHERE {where} {admin}
    """, [*params, *([list(ADMIN1_OK)] if admin else [])]).to_arrow_table()


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
        where, params = f.sql("e", con)
        bare, bare_params = f.sql(None, con)
        if with_registry:
            actor_map, note = perpetrators.perpetrator_map(
                perpetrators.names_in(con, bare, bare_params), registry_root)
        else:
            actor_map, note = None, None
        coverage = grid.spans(con, f)
        prov = _provenance(con, f, bare, bare_params)
        events = _fetch_events(con, where, params, unit, actor_map, COMBINED in f.sources)
        excluded = pd.DataFrame()
        units = None
        if unit == "admin1_month":
            units = _memory(events).execute(
                "SELECT DISTINCT source, country_iso3, admin1 FROM _pe").df()
            excluded = con.execute(f"""
                SELECT source, country_iso3, count(*) AS events,
                       sum(fatalities_best) AS fatalities_best,
                       'location known only at country level (or no admin1): kept out of '
                       || 'admin1 figures' AS reason
                FROM events WHERE {bare}
                  AND (admin1 IS NULL OR geo_precision IS NULL
                       OR NOT list_contains(?, geo_precision))
                GROUP BY ALL ORDER BY ALL
            """, [*bare_params, list(ADMIN1_OK)]).df()
    finally:
        con.close()
    rows = grid.months(coverage, units)
    return Panel(unit, rows.sort_values(KEYS[unit]).reset_index(drop=True), f, prov, coverage,
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


def _aggregate(panel: Panel, cols: dict[str, str], by: By, where: str | None,
               prefix: str) -> pd.DataFrame:
    if panel.events is None:
        raise PanelError("this panel has no events attached",
                         hint="build it with create_country_months/create_admin1_months")
    con = _memory(panel.events)
    keys = ", ".join(panel.keys)
    group = _by_expr(by, panel)
    sel = ", ".join(f"{expr} AS {name}" for name, expr in cols.items())
    cond = f"WHERE {where}" if where else ""
    sql = (f"SELECT {keys}{', ' + group + ' AS _grp' if group else ''}, {sel} "
           f"FROM _pe {cond} GROUP BY ALL")
    agg = con.execute(sql).df()
    if group:
        agg = agg.pivot_table(index=panel.keys, columns="_grp", values=list(cols),
                              aggfunc="sum")
        agg.columns = [f"{prefix}{col[0]}__{col[1]}" for col in agg.columns]
        agg = agg.reset_index()
    else:
        agg = agg.rename(columns={m: f"{prefix}{m}" for m in cols})
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
    cols = {f"{name}_{b}": measures.aggregate("fatalities", b) for b in BOUNDS}
    cols[f"{name}_reported"] = "count(fatalities_best)"
    agg = _aggregate(panel, cols, by, where, prefix="")
    return _attach(panel, agg, {name: "fatalities (low/best/high) by "
                                f"{by or 'all'}{' where ' + where if where else ''}"})


def add_civilian_deaths(panel: Panel, *, by: By = None, where: str | None = None,
                        name: str = "civilian_deaths") -> Panel:
    """Civilian deaths, low/best/high, with each source's own definition
    (:func:`sahel.panels.measures.civilian_deaths`)."""
    agg = _aggregate(panel, {f"{name}_{b}": measures.aggregate("civilian_deaths", b)
                             for b in BOUNDS}, by, where, prefix="")
    return _attach(panel, agg, {name: measures.DEFINITIONS["civilian_deaths"]
                                + (f" Where {where}." if where else "")})
