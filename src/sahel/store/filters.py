"""The one filter: which stored rows a figure is made of.

Every figure (summary, panels, analyses, claims, and later the API, dashboard, forecasts and
briefs) selects its rows through :class:`Filters`, which renders parameterised SQL for a given
table alias. The visibility rule — which versions of a row are current, or were current *as of*
an earlier snapshot — is written once, in :func:`visible`, for events and series alike.
"""

from __future__ import annotations

import calendar
import difflib
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

import duckdb

from sahel.errors import ConfigError, NotFoundError
from sahel.events.countries import to_iso3
from sahel.events.places import ADMIN1_OK, POINT_OK, admin1_key, haversine_sql
from sahel.events.schema import CATEGORIES, SOURCES

Precision = Literal["any", "admin1", "point"]
FIRST_YEAR, LAST_YEAR = 1900, 2100
#: the combined UCDP record: GED where a GED release covers the country and day, else the
#: candidate releases (the newest version of each candidate event is the current one)
COMBINED = "ucdp"
UCDP_PARTS = ("ucdp_ged", "ucdp_candidate")


def parse_day(text: str | None, last: bool, option: str = "--start/--end") -> date | None:
    """``YYYY``, ``YYYY-MM`` (their first or ``last`` day) or ``YYYY-MM-DD``; None stays None.
    Every surface (CLI options, API parameters) reads a period bound with this one rule."""
    if not text:
        return None
    try:
        if len(text) == 4 and text.isdigit():
            got = date(int(text), 12, 31) if last else date(int(text), 1, 1)
        elif len(text) == 7 and text[4] == "-":
            y, m = int(text[:4]), int(text[5:])
            got = date(y, m, calendar.monthrange(y, m)[1] if last else 1)
        else:
            got = date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{text!r} is not a date", field=option,
                          hint="use YYYY, YYYY-MM or YYYY-MM-DD (a real calendar date)") from None
    if not FIRST_YEAR <= got.year <= LAST_YEAR:
        raise ConfigError(f"{text!r} is out of range", field=option,
                          hint=f"use a year between {FIRST_YEAR} and {LAST_YEAR}")
    return got


def visible(alias: str | None = None, as_of: int | None = None) -> tuple[str, list[Any]]:
    """The rows of a versioned table (``events``, ``series``) that were current at snapshot
    ``as_of`` (None: now). A row is visible from its own snapshot until the snapshot that
    retired it."""
    p = f"{alias}." if alias else ""
    if as_of is None:
        return f"{p}retired_by IS NULL", []
    return f"{p}snapshot_id <= ? AND ({p}retired_by IS NULL OR {p}retired_by > ?)", [as_of, as_of]


def ucdp_view(alias: str | None = None, as_of: int | None = None) -> tuple[str, list[Any]]:
    """The rows of the combined UCDP record: every GED row, and the candidate rows of the
    country-days no GED snapshot (visible at ``as_of``) covers. Superseded candidate events
    leave the view, not the store: each row keeps its own source, version and snapshot."""
    p = f"{alias}." if alias else ""
    outer = alias or "events"
    cutoff = [] if as_of is None else [as_of]
    return (f"({p}source = 'ucdp_ged' OR ({p}source = 'ucdp_candidate' AND NOT EXISTS ("
            "SELECT 1 FROM snapshots g WHERE g.source = 'ucdp_ged' AND g.mode <> 'sample' "
            + ("AND g.snapshot_id <= ? " if as_of is not None else "")
            + f"AND list_contains(g.coverage_countries, {outer}.country_iso3) "
            f"AND {outer}.date_start BETWEEN g.coverage_start AND g.coverage_end)))", cutoff)


@dataclass
class Filters:
    """Countries, period, sources, categories, actor text, civilian targeting, places and
    ``as_of``. Places: ``admin1``/``admin2`` names (the source's spelling or any spelling with
    the same :func:`~sahel.events.places.admin1_key`), a bounding box ``(west, south, east,
    north)``, or ``near = (lat, lon, km)``; ``precision`` keeps only events placed at least at
    admin-1 (``admin1``) or at a point (``point``). A place filter implies the precision it
    needs: an event known only at country level is never placed in a region or a radius."""

    countries: list[str] = field(default_factory=list)  # ISO3 or names
    start: date | None = None
    end: date | None = None
    sources: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    actor: str | None = None  # case-insensitive text in any actor field
    civilian_targeting: bool | None = None
    as_of: int | None = None  # snapshot id; None: current
    admin1: list[str] = field(default_factory=list)
    admin2: list[str] = field(default_factory=list)
    bbox: tuple[float, float, float, float] | None = None
    near: tuple[float, float, float] | None = None
    precision: Precision = "any"

    def normalised(self) -> Filters:
        iso = []
        for c in self.countries:
            code = to_iso3(c, c if len(c) == 3 else None)
            if code is None:
                raise ConfigError(f"unknown country {c!r}", field="--country",
                                  hint="use an ISO3 code (MLI, BFA, NER) or an English name")
            iso.append(code)
        for s in self.sources:
            if s not in (*SOURCES, COMBINED):
                raise ConfigError(f"unknown source {s!r}", field="--source",
                                  hint=f"use one of {', '.join((*SOURCES, COMBINED))}")
        if COMBINED in self.sources and set(UCDP_PARTS) & set(self.sources):
            raise ConfigError("ucdp (the combined record) already holds ucdp_ged and "
                              "ucdp_candidate", field="--source",
                              hint="ask for ucdp, or for its parts, not both")
        for c in self.categories:
            if c not in CATEGORIES:
                raise ConfigError(f"unknown category {c!r}", field="--category",
                                  hint=f"use one of {', '.join(CATEGORIES)}")
        if self.start and self.end and self.end < self.start:
            raise ConfigError(f"the period ends ({self.end}) before it starts ({self.start})",
                              field="--end", hint="swap --start and --end")
        if self.bbox is not None:
            west, south, east, north = self.bbox
            if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
                raise ConfigError(f"bbox {self.bbox} is not west,south,east,north in degrees",
                                  field="bbox", hint="e.g. -5.5,9.0,2.5,15.1")
        if self.near is not None:
            lat, lon, km = self.near
            if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < km <= 5000):
                raise ConfigError(f"near {self.near} is not lat,lon,km", field="near",
                                  hint="e.g. 14.911,0.218,150 (at most 5,000 km)")
        return replace(self, countries=iso, sources=list(self.sources),
                       categories=list(self.categories))

    def describe(self) -> str:
        parts = []
        if self.countries:
            parts.append("country=" + ",".join(self.countries))
        if self.start or self.end:
            parts.append(f"period={self.start or '…'}..{self.end or '…'}")
        if self.sources:
            parts.append("source=" + ",".join(self.sources))
        if self.categories:
            parts.append("category=" + ",".join(self.categories))
        if self.actor:
            parts.append(f"actor~'{self.actor}'")
        if self.civilian_targeting is not None:
            parts.append(f"civilian_targeting={self.civilian_targeting}")
        if self.admin1:
            parts.append("admin1=" + ",".join(self.admin1))
        if self.admin2:
            parts.append("admin2=" + ",".join(self.admin2))
        if self.bbox:
            parts.append("bbox=" + ",".join(f"{v:g}" for v in self.bbox))
        if self.near:
            parts.append(f"within {self.near[2]:g} km of {self.near[0]:g},{self.near[1]:g}")
        if self.precision != "any" and not (self.bbox or self.near):
            parts.append(f"precision>={self.precision}")
        parts.append(f"as_of=snapshot {self.as_of}" if self.as_of else "as_of=current")
        return "; ".join(parts)

    def sql(self, alias: str | None = None,
            con: duckdb.DuckDBPyConnection | None = None) -> tuple[str, list[Any]]:
        """``(condition, parameters)`` over the ``events`` table (alias ``alias``). ``con`` is
        needed only for ``admin1``/``admin2``: their spellings are resolved against the store."""
        p = f"{alias}." if alias else ""
        where, params = visible(alias, self.as_of)
        sql = [where]

        def add(cond: str, *values: Any) -> None:
            sql.append(cond)
            params.extend(values)

        if self.countries:
            add(f"list_contains(?, {p}country_iso3)", self.countries)
        if self.start:
            add(f"{p}date_start >= ?", self.start)
        if self.end:
            add(f"{p}date_start <= ?", self.end)
        if self.sources:
            plain = [s for s in self.sources if s != COMBINED]
            if COMBINED in self.sources:
                view, view_params = ucdp_view(alias, self.as_of)
                add(f"(list_contains(?, {p}source) OR {view})", plain, *view_params)
            else:
                add(f"list_contains(?, {p}source)", plain)
        if self.categories:
            add(f"list_contains(?, {p}category)", self.categories)
        if self.actor:
            add(f"(contains(lower(coalesce({p}actor1_raw,'')), ?) OR contains(lower(coalesce("
                f"{p}actor2_raw,'')), ?) OR contains(lower(coalesce({p}assoc_actor1_raw,'')), ?)"
                f" OR contains(lower(coalesce({p}assoc_actor2_raw,'')), ?))",
                *([self.actor.lower()] * 4))
        if self.civilian_targeting is not None:
            add(f"{p}civilian_targeting = ?", self.civilian_targeting)
        for level, names in (("admin1", self.admin1), ("admin2", self.admin2)):
            if names:
                add(f"list_contains(?, {p}{level})", self._spellings(level, names, con))
        precision = "point" if (self.bbox or self.near) else self.precision
        if precision == "admin1" or self.admin1 or self.admin2:
            add(f"{p}admin1 IS NOT NULL AND list_contains(?, {p}geo_precision)", list(ADMIN1_OK))
        if precision == "point":
            add(f"{p}latitude IS NOT NULL AND list_contains(?, {p}geo_precision)", list(POINT_OK))
        if self.bbox:
            w, s, e, n = self.bbox
            add(f"{p}longitude BETWEEN ? AND ? AND {p}latitude BETWEEN ? AND ?", w, e, s, n)
        if self.near:
            lat, lon, km = self.near
            add(f"{haversine_sql(p + 'latitude', p + 'longitude')} <= ?", lat, lat, lon, km)
        return " AND ".join(sql), params

    def _spellings(self, level: str, names: list[str],
                   con: duckdb.DuckDBPyConnection | None) -> list[str]:
        """Every stored spelling of the named units (same key) in the filtered countries; a
        name no stored event carries is refused with the closest ones (a typo must not read
        as "no violence there")."""
        if con is None:
            raise ValueError("an admin1/admin2 filter needs the connection to resolve names")
        rows = [(str(n), str(c)) for n, c in con.execute(
            f"SELECT DISTINCT {level}, country_iso3 FROM events WHERE {level} IS NOT NULL "
            "ORDER BY ALL").fetchall() if not self.countries or c in self.countries]
        keep: set[str] = set()
        for wanted in names:
            hits = {n for n, c in rows
                    if n == wanted or admin1_key(n, c) in (admin1_key(wanted, c),
                                                           admin1_key(wanted))}
            if not hits:
                close = difflib.get_close_matches(wanted, sorted({n for n, _ in rows}), n=4)
                raise NotFoundError(
                    f"no stored event names the {level} {wanted!r}"
                    + (f" in {', '.join(self.countries)}" if self.countries else ""),
                    field=level, hint=(f"did you mean {', '.join(close)}? " if close else "")
                    + "spellings follow the source (UCDP adm_1, ACLED admin1)")
            keep |= hits
        return sorted(keep)
