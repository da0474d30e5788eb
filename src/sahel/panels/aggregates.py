"""Aggregates: events, fatalities and civilian deaths per place × period (× split), per source.

The one table every surface that shows a count is made of — the API's ``/aggregates``, the
dashboard's map and timelines, the briefs. Built on a :class:`~sahel.panels.session.Measurer`
(the one filter, the measure definitions, the perpetrator map) and on the coverage grid
(:mod:`sahel.panels.grid`): a country-month inside a source's coverage with no event is a row
of zeros, a month outside it is no row at all. Sources are never summed together: every row
names its source (``ucdp`` being the combined UCDP record, when both parts are stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import pandas as pd

from sahel.errors import ConfigError
from sahel.events.places import admin1_key
from sahel.panels import grid, measures, perpetrators
from sahel.panels.session import Measurer
from sahel.provenance import Provenance
from sahel.store.filters import COMBINED, UCDP_PARTS, Filters

Unit = Literal["country", "admin1"]
Period = Literal["month", "year", "total"]
Split = Literal["none", "category", "perpetrator", "civilian_targeting"]
UNITS: tuple[str, ...] = ("country", "admin1")
PERIODS: tuple[str, ...] = ("month", "year", "total")
SPLITS: tuple[str, ...] = ("none", "category", "perpetrator", "civilian_targeting")
FIGURES: tuple[str, ...] = (
    "events", "events_without_fatalities", "fatalities_low", "fatalities_best", "fatalities_high",
    "civilian_deaths_low", "civilian_deaths_best", "civilian_deaths_high")

_PERIOD_SQL = {"month": "strftime(e.date_start, '%Y-%m')",
               "year": "CAST(year(e.date_start) AS INTEGER)"}
_SPLIT_SQL = {"category": "e.category", "perpetrator": perpetrators.group_sql("e.", "m1"),
              "civilian_targeting": "coalesce(e.civilian_targeting, false)"}


@dataclass
class Aggregates:
    """The table, where its figures come from, and what a reader must know to read it."""

    table: pd.DataFrame
    provenance: Provenance
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)


def stored_sources(m: Measurer, *, combine: bool = True) -> list[str]:
    """The sources the store holds at the measurer's ``as_of``, with the two UCDP parts read
    as the combined record when both are there (GED where it reaches, candidates after) —
    unless ``combine`` is off, which lists the stored parts themselves."""
    where, params = Filters(as_of=m.as_of).sql(None)
    found = {r[0] for r in m.con.execute(
        f"SELECT DISTINCT source FROM events WHERE {where}", params).fetchall()}
    if combine and set(UCDP_PARTS) <= found:
        found = (found - set(UCDP_PARTS)) | {COMBINED}
    order = [COMBINED, *UCDP_PARTS, "acled"]
    return sorted(found, key=lambda s: order.index(s) if s in order else len(order))


def check_choice(value: str, allowed: tuple[str, ...], name: str) -> None:
    """Refuse a unit/period/split this table does not have, naming the ones it has."""
    if value not in allowed:
        raise ConfigError(f"unknown {name} {value!r}", field=name,
                          hint="use one of " + ", ".join(allowed))


def aggregates(m: Measurer, f: Filters, *, unit: str = "country", period: str = "year",
               split: str = "none", perpetrator: list[str] | None = None,
               side: str = "any") -> Aggregates:
    """Events, fatalities and civilian deaths (low/best/high) per source × ``unit`` ×
    ``period`` (× ``split``), over the events ``f`` selects (``perpetrator``: only events whose
    ``side`` is in those registry groups).

    Country rows are zero-filled inside each source's coverage (month and year; a year row
    says how many of its months are covered, and for the combined record how many of those
    only candidate data cover). Admin-1 rows exist where events do: an event placed only at
    country level is never put in a region; names of one unit spelled differently by the
    sources share ``admin1_key`` (the key the boundaries use).
    """
    check_choice(unit, UNITS, "unit")
    check_choice(period, PERIODS, "period")
    check_choice(split, SPLITS, "split")
    check_choice(side, ("any", "actor1", "actor2"), "side")
    f = replace(f, as_of=m.as_of).normalised()
    if unit == "admin1":
        f = replace(f, precision="point" if f.precision == "point" else "admin1")
    sources = list(f.sources) or stored_sources(m)
    keys = {"country_iso3": "e.country_iso3"}
    if unit == "admin1":
        keys["admin1"] = "e.admin1"
    if period != "total":
        keys[period] = _PERIOD_SQL[period]
    if split != "none":
        keys[split] = _SPLIT_SQL[split]
    frames, notes, versions = [], [], set()
    for source in sources:
        fs = replace(f, sources=[source])
        got = m.grouped(fs, keys, perpetrator=perpetrator, side=side)
        versions |= {str(v) for vs in got["versions"] for v in vs}
        got = got.drop(columns=["snapshots", "versions"])
        got.insert(0, "source", source)
        if unit == "admin1":
            got = _by_admin1_key(got, [k for k in keys if k not in ("country_iso3", "admin1")])
        elif period != "total":
            got = _zero_fill(m, fs, got, period, split)
        frames.append(got)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    table = _typed(table, unit, period, split)
    if unit == "admin1":
        notes.append("admin-1 rows exist where events do (no row: no event located there); "
                     "events located only at country level are left out")
    elif period != "total":
        notes.append("a country-" + period + " inside a source's coverage with no event is a "
                     "row of zeros; outside coverage there is no row (not measured)")
    if split == "perpetrator":
        notes.append(m.registry_note)
    definitions = [measures.DEFINITIONS["fatalities"], measures.DEFINITIONS["civilian_deaths"]]
    notes.extend(d.replace("\n\n", " ").replace("\n", " ") for d in definitions)
    prov = m.provenance(replace(f, sources=sources))
    return Aggregates(table, prov, notes, sources, sorted(versions))


def _by_admin1_key(got: pd.DataFrame, other: list[str]) -> pd.DataFrame:
    """One row per admin-1 unit whatever the spelling: sums per ``admin1_key``, named by the
    spelling that carries most events."""
    if got.empty:
        got.insert(2, "admin1_key", pd.Series(dtype=object))
        return got
    got = got.assign(admin1_key=[admin1_key(a, c) for a, c in
                                 zip(got["admin1"], got["country_iso3"], strict=True)])
    names = (got.sort_values("events", ascending=False, kind="stable")
             .drop_duplicates(["country_iso3", "admin1_key"])
             .set_index(["country_iso3", "admin1_key"])["admin1"])
    group = ["source", "country_iso3", "admin1_key", *other]
    sums = got.groupby(group, as_index=False, sort=True, dropna=False)[list(FIGURES)].sum(
        min_count=1)
    sums["events"] = sums["events"].fillna(0)
    sums.insert(2, "admin1", [names[(c, k)] for c, k in
                              zip(sums["country_iso3"], sums["admin1_key"], strict=True)])
    return sums


def _zero_fill(m: Measurer, f: Filters, got: pd.DataFrame, period: str,
               split: str) -> pd.DataFrame:
    """Country rows for every covered period (× every split value seen), zeros where no
    event; year rows say how many of their months are covered (and preliminary)."""
    cells = grid.months(grid.spans(m.con, f))
    if cells.empty:
        return got
    if "preliminary" not in cells:
        cells["preliminary"] = False
    cells = cells.assign(month=pd.to_datetime(cells["month"]).dt.strftime("%Y-%m"))
    if period == "year":
        cells = cells.assign(year=cells["month"].str[:4].astype(int))
        cells = cells.groupby(["source", "country_iso3", "year"], as_index=False).agg(
            months_covered=("month", "size"), months_preliminary=("preliminary", "sum"))
    keys = ["source", "country_iso3", period]
    if split != "none":
        values = pd.DataFrame({split: sorted(got[split].dropna().unique().tolist())})
        cells = cells.merge(values, how="cross") if not values.empty else cells.iloc[0:0]
        keys.append(split)
    out = cells.merge(got, on=keys, how="left")
    for col in ("events", "events_without_fatalities"):
        out[col] = out[col].fillna(0)
    # a covered period with no event has zero deaths; a period whose events report no
    # fatalities keeps its missing sum (never read as zero)
    empty = out["events"] == 0
    for col in FIGURES[2:]:
        out.loc[empty, col] = out.loc[empty, col].fillna(0)
    return out


def _typed(table: pd.DataFrame, unit: str, period: str, split: str) -> pd.DataFrame:
    """Stable column order and integer counts (nullable where a source reports none)."""
    cols = ["source", "country_iso3"]
    if unit == "admin1":
        cols += ["admin1", "admin1_key"]
    if period != "total":
        cols.append(period)
    if split != "none":
        cols.append(split)
    extra = [c for c in ("preliminary", "months_covered", "months_preliminary")
             if c in table.columns]
    if table.empty:
        return pd.DataFrame(columns=[*cols, *FIGURES, *extra])
    table = table[[*cols, *FIGURES, *extra]].copy()
    for col in FIGURES:
        table[col] = pd.to_numeric(table[col]).round().astype("Int64")
    for col in ("months_covered", "months_preliminary"):
        if col in table:
            table[col] = table[col].fillna(0).astype("Int64")
    if "preliminary" in table:
        table["preliminary"] = table["preliminary"].fillna(False).astype(bool)
    if period == "year":
        table["year"] = table["year"].astype("Int64")
    return table.sort_values(cols, kind="stable").reset_index(drop=True)
