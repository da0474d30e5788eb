"""Query parameters shared by the API's routes: the one filter, paging, the output format.

Why one module: every route that selects events reads the same parameters with the same rules
as the CLI (``store.filters.parse_day`` for periods, ``Filters.normalised`` for names), so a
link copied from the dashboard, a ``curl`` line and a ``sahel`` command mean the same rows.
Repeated parameters and comma lists are both accepted (``country=MLI&country=BFA`` or
``country=MLI,BFA``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from sahel.errors import ConfigError
from sahel.store.filters import Filters, parse_day

#: formats every table route can answer in (``f=``), and the media types that ask for them
FORMATS: tuple[str, ...] = ("json", "csv", "parquet")
MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8",
         "parquet": "application/vnd.apache.parquet", "geojson": "application/geo+json"}


def split_values(values: list[str] | None) -> list[str]:
    """Repeated parameters and comma lists alike: ``["MLI,BFA", "NER"]`` → three values."""
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    parts = text.split(",")
    try:
        if len(parts) != 4:
            raise ValueError
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise ConfigError(f"bbox {text!r} is not four numbers", field="bbox",
                          hint="bbox=west,south,east,north in degrees, e.g. -5.5,9.0,2.5,15.1"
                          ) from None
    return west, south, east, north


def _interval(text: str | None, start: str | None, end: str | None) -> tuple[str | None,
                                                                            str | None]:
    """``datetime=A/B`` (OGC API form; ``..`` or empty for an open end; one date alone is that
    day) or ``start``/``end`` — not both."""
    if text is None:
        return start, end
    if start or end:
        raise ConfigError("datetime and start/end both given", field="datetime",
                          hint="use datetime=2020-01-01/2020-12-31 or start=…&end=…, not both")
    if "/" not in text:
        return text, text
    a, _, b = text.partition("/")
    return (None if a in ("", "..") else a), (None if b in ("", "..") else b)


Countries = Annotated[list[str] | None, Query(
    description="ISO3 codes or English names; repeat or comma-separate (MLI,BFA,NER)")]
Admin1 = Annotated[list[str] | None, Query(
    description="admin-1 units (any source's spelling: Mopti, 'Mopti region'); implies events "
                "placed at admin-1 precision or better")]
Bbox = Annotated[str | None, Query(
    description="west,south,east,north in degrees; keeps events placed at a point inside",
    examples=["-5.5,9.0,2.5,15.1"])]
Interval = Annotated[str | None, Query(
    alias="datetime", description="OGC interval: 2020-01-01/2020-12-31, 2020/.., or one day")]
Start = Annotated[str | None, Query(description="first day: YYYY, YYYY-MM or YYYY-MM-DD")]
End = Annotated[str | None, Query(description="last day: YYYY, YYYY-MM or YYYY-MM-DD")]
Sources = Annotated[list[str] | None, Query(
    description="ucdp_ged, ucdp_candidate, acled, or ucdp (the combined UCDP record)")]
Categories = Annotated[list[str] | None, Query(description="canonical event categories")]
Civilian = Annotated[bool | None, Query(
    description="only events targeting civilians (true) or only others (false)")]
Actor = Annotated[str | None, Query(
    description="text in any actor name (case-insensitive)", max_length=200)]
AsOf = Annotated[int | None, Query(
    ge=1, le=2**31 - 1, description="the store as it was at this snapshot (see /snapshots)")]
Perpetrators = Annotated[list[str] | None, Query(
    description="registry perpetrator groups (state_forces, jihadist, …)")]
Side = Annotated[str, Query(description="whose group: any, actor1 (acting side), actor2")]


@dataclass
class Selection:
    """A parsed request filter, the perpetrator groups asked and whose."""

    filters: Filters
    perpetrator: list[str]
    side: str


def selection(country: Countries = None, admin1: Admin1 = None, bbox: Bbox = None,
              interval: Interval = None, start: Start = None, end: End = None,
              source: Sources = None, category: Categories = None, civilian: Civilian = None,
              actor: Actor = None, as_of: AsOf = None, perpetrator: Perpetrators = None,
              side: Side = "any") -> Selection:
    """The filter of a request (a FastAPI dependency; errors are the CLI's, with the API's
    parameter names)."""
    a, b = _interval(interval, start, end)
    f = Filters(countries=split_values(country), start=parse_day(a, False, "start"),
                end=parse_day(b, True, "end"), sources=split_values(source),
                categories=split_values(category), actor=actor, civilian_targeting=civilian,
                as_of=as_of, admin1=split_values(admin1), bbox=_bbox(bbox))
    try:
        f = f.normalised()
    except ConfigError as exc:
        if exc.field and exc.field.startswith("--"):
            exc.field = exc.field[2:]
        raise
    if side not in ("any", "actor1", "actor2"):
        raise ConfigError(f"unknown side {side!r}", field="side",
                          hint="use any, actor1 or actor2")
    return Selection(f, split_values(perpetrator), side)


Limit = Annotated[int | None, Query(ge=1, description="rows per page (at most the server's "
                                                       "page limit, 10,000 by default)")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="rows to skip (follow the next link)")]
Fmt = Annotated[str | None, Query(alias="f", description="json (default), csv or parquet")]
