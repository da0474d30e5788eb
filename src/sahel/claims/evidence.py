"""Measure one definition over one period and set of countries — from events or a series.

No SQL here: a claim definition becomes one :class:`~sahel.store.filters.Filters` and is measured
by the measurement layer (:class:`sahel.panels.session.Measurer` for events,
:mod:`sahel.panels.series` for aggregate series), so a claim shows the same number as a panel,
the API or a brief for the same filter. Every value says whether its source actually covers the
period for every country asked: an uncovered period is "not measured", never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from sahel.claims.places import Places, load_places
from sahel.claims.shapes import Place
from sahel.claims.spec import Definition
from sahel.errors import NotFoundError, RegistryError, SahelError
from sahel.panels.series import series_months, series_total
from sahel.panels.session import Measurer, SideTotal
from sahel.registry.load import Registry
from sahel.store.filters import Filters


@dataclass
class Value:
    low: float | None
    best: float | None
    high: float | None
    events: int
    covered: bool
    coverage_note: str
    snapshots: list[int] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"low": self.low, "best": self.best, "high": self.high, "events": self.events,
                "covered": self.covered, "coverage": self.coverage_note,
                "snapshots": self.snapshots, "versions": self.versions}


def _near(place: Place, places: Places | None) -> tuple[float, float, float] | None:
    if place.near is not None:
        lat, lon, km = place.near
        return (lat, lon, km)
    if place.near_place is not None:
        named = (places or load_places()).get(place.near_place.place)
        return (named.lat, named.lon, place.near_place.km)
    return None


def definition_filters(d: Definition, countries: list[str], start: date, end: date,
                       place: Place | None = None, places: Places | None = None) -> Filters:
    """The one filter a claim definition stands for (events definitions only); ``place`` (a
    part of a presence claim) narrows the definition's own place."""
    assert d.source is not None
    own = d.place()
    extra = place or Place()
    if ((own.near or own.near_place) and (extra.near or extra.near_place)) or (
            own.bbox and extra.bbox):
        raise RegistryError("a definition with its own radius (box) cannot take a place's "
                            "radius (box) too", field="places", hint="put the radius or box "
                            "on the place or on the definition, not both")
    bbox = extra.bbox or own.bbox
    return Filters(countries=list(countries), start=start, end=end, sources=[d.source],
                   categories=list(d.categories), civilian_targeting=d.civilian_targeting,
                   admin1=[*own.admin1, *extra.admin1], admin2=[*own.admin2, *extra.admin2],
                   bbox=tuple(bbox) if bbox else None,  # type: ignore[arg-type]
                   near=_near(own, places) or _near(extra, places),
                   precision="admin1" if d.precision == "admin1" else "any")


class Store:
    """What the claim engine measures with: the store at ``as_of``, the registry, and the
    named places."""

    def __init__(self, db_path: Path | None = None, registry_root: Path | None = None,
                 as_of: int | None = None, places: Places | None = None) -> None:
        self.db_path, self.as_of = db_path, as_of
        self.registry_root = registry_root
        self.measurer = Measurer(db_path, registry_root, as_of)
        self.registry: Registry = self.measurer.registry
        self.places = places or load_places()
        #: series totals already read (claims ask for the same country-years again and again)
        self._series_memo: dict[tuple[str, tuple[str, ...], date, date], Value] = {}

    def filters(self, d: Definition, countries: list[str], start: date, end: date,
                place: Place | None = None) -> Filters:
        return definition_filters(d, countries, start, end, place, self.places)

    def close(self) -> None:
        self.measurer.close()

    def coverage(self, source: str, countries: list[str], start: date,
                 end: date) -> tuple[bool, str]:
        """Does ``source`` cover [start, end] (by month) for every country?"""
        return self.measurer.coverage.check(source, countries, start, end)

    def measure(self, d: Definition, countries: list[str], start: date, end: date,
                place: Place | None = None) -> Value:
        if d.series is not None:
            return self._series(d, countries, start, end)
        assert d.source is not None
        covered, note = self.coverage(d.source, countries, start, end)
        t = self.measurer.total(self.filters(d, countries, start, end, place), d.measure,
                                perpetrator=list(d.perpetrator), side=d.perpetrator_side)
        return Value(t.low, t.best, t.high, t.events, covered, note, t.snapshots, t.versions)

    def split(self, d: Definition, countries: list[str], start: date, end: date,
              by: str, *, place: Place | None = None) -> pd.DataFrame:
        """The definition's measure per perpetrator group (actor1's), country, admin1, year
        or month: ``key, events, low, best, high``."""
        assert d.source is not None
        return self.measurer.split(self.filters(d, countries, start, end, place), d.measure,
                                   by, perpetrator=list(d.perpetrator), side=d.perpetrator_side)

    def place_problem(self, d: Definition, countries: list[str], start: date, end: date,
                      place: Place | None = None) -> str | None:
        """Why the definition's (or ``place``'s) admin-1/admin-2 names cannot be measured —
        no stored event carries such a name — or None. A misspelt unit must read as "not
        measured, check the name", never as "no violence there"."""
        if d.series is not None:
            return None
        own, extra = d.place(), place or Place()
        if not (own.admin1 or own.admin2 or extra.admin1 or extra.admin2):
            return None
        try:
            self.measurer.total(self.filters(d, countries, start, end, place), "events")
        except NotFoundError as exc:
            return exc.message + (f" ({exc.hint})" if exc.hint else "")
        return None

    def rows(self, f: Filters, columns: list[str]) -> pd.DataFrame:
        """Event rows of ``f`` (with the registry groups of both sides), for incident claims."""
        return self.measurer.rows(f, columns)

    def side_deaths(self, d: Definition, countries: list[str], start: date, end: date,
                    side: list[str], against: list[str]) -> tuple[SideTotal, bool, str]:
        """Deaths of the ``side`` groups (against ``against``, if given) over the definition's
        events, with coverage."""
        assert d.source is not None
        covered, note = self.coverage(d.source, countries, start, end)
        f = self.filters(d, countries, start, end)
        return self.measurer.side_deaths(f, side, against=against or None), covered, note

    def monthly(self, d: Definition, countries: list[str], start: date,
                end: date) -> tuple[pd.DataFrame, list[int], list[str]]:
        """Monthly values (country_iso3, month Period, low, best, high) for the months each
        country is covered — zeros inside coverage, no row outside — with snapshots/versions."""
        if d.series is not None:
            return self._series_monthly(d, countries, start, end)
        return self.measurer.monthly(definition_filters(d, countries, start, end), d.measure,
                                     perpetrator=list(d.perpetrator), side=d.perpetrator_side)

    def _series_monthly(self, d: Definition, countries: list[str], start: date,
                        end: date) -> tuple[pd.DataFrame, list[int], list[str]]:
        assert d.series is not None
        cols = ["country_iso3", "month", "low", "best", "high"]
        try:
            df, prov = series_months(d.series, countries, start, end, as_of=self.as_of,
                                     db_path=self.db_path)
        except SahelError:  # no such series in the store, or a yearly one: no months
            return pd.DataFrame(columns=cols), [], []
        months = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")
        out = pd.DataFrame({"country_iso3": df["country_iso3"].to_numpy(),
                            "month": pd.PeriodIndex(pd.to_datetime(df["month"]), freq="M"),
                            **{b: df["value"].to_numpy(float) for b in ("low", "best", "high")}})
        out = out[out["month"].isin(months)]
        snaps = sorted({int(s["snapshot_id"]) for s in prov.snapshots})
        return (out.reset_index(drop=True), snaps,
                [str(s["source_version"]) for s in prov.snapshots])

    def _series(self, d: Definition, countries: list[str], start: date, end: date) -> Value:
        assert d.series is not None
        key = (d.series, tuple(countries), start, end)
        if key not in self._series_memo:
            self._series_memo[key] = self._read_series(d, countries, start, end)
        memo = self._series_memo[key]
        return Value(memo.low, memo.best, memo.high, memo.events, memo.covered,
                     memo.coverage_note, list(memo.snapshots), list(memo.versions))

    def _read_series(self, d: Definition, countries: list[str], start: date,
                     end: date) -> Value:
        assert d.series is not None
        try:
            total, gaps, prov = series_total(d.series, countries, start, end, as_of=self.as_of,
                                             db_path=self.db_path)
        except SahelError as exc:  # a missing series is "not measured", said plainly
            return Value(None, None, None, 0, False, f"series {d.series}: {exc.message}")
        snaps = sorted({int(s["snapshot_id"]) for s in prov.snapshots})
        return Value(total, total, total, 0, not gaps, "; ".join(gaps) or "covered", snaps,
                     [str(s["source_version"]) for s in prov.snapshots])
