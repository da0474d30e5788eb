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

from sahel.claims.spec import Definition
from sahel.errors import SahelError
from sahel.panels.series import series_months, series_total
from sahel.panels.session import Measurer
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


def definition_filters(d: Definition, countries: list[str], start: date, end: date) -> Filters:
    """The one filter a claim definition stands for (events definitions only)."""
    assert d.source is not None
    return Filters(countries=list(countries), start=start, end=end, sources=[d.source],
                   categories=list(d.categories), civilian_targeting=d.civilian_targeting,
                   admin1=list(d.admin1), admin2=list(d.admin2),
                   bbox=tuple(d.bbox) if d.bbox else None,  # type: ignore[arg-type]
                   near=tuple(d.near) if d.near else None,  # type: ignore[arg-type]
                   precision="admin1" if d.precision == "admin1" else "any")


class Store:
    """What the claim engine measures with: the store at ``as_of`` and the registry."""

    def __init__(self, db_path: Path | None = None, registry_root: Path | None = None,
                 as_of: int | None = None) -> None:
        self.db_path, self.as_of = db_path, as_of
        self.measurer = Measurer(db_path, registry_root, as_of)
        self.registry: Registry = self.measurer.registry

    def close(self) -> None:
        self.measurer.close()

    def coverage(self, source: str, countries: list[str], start: date,
                 end: date) -> tuple[bool, str]:
        """Does ``source`` cover [start, end] (by month) for every country?"""
        return self.measurer.coverage.check(source, countries, start, end)

    def measure(self, d: Definition, countries: list[str], start: date, end: date) -> Value:
        if d.series is not None:
            return self._series(d, countries, start, end)
        assert d.source is not None
        covered, note = self.coverage(d.source, countries, start, end)
        t = self.measurer.total(definition_filters(d, countries, start, end), d.measure,
                                perpetrator=list(d.perpetrator), side=d.perpetrator_side)
        return Value(t.low, t.best, t.high, t.events, covered, note, t.snapshots, t.versions)

    def split(self, d: Definition, countries: list[str], start: date, end: date,
              by: str) -> pd.DataFrame:
        """The definition's measure per perpetrator group, country, admin1 or year."""
        assert d.source is not None
        return self.measurer.split(definition_filters(d, countries, start, end), d.measure, by,
                                   perpetrator=list(d.perpetrator), side=d.perpetrator_side)

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
        try:
            total, gaps, prov = series_total(d.series, countries, start, end, as_of=self.as_of,
                                             db_path=self.db_path)
        except SahelError as exc:  # a missing series is "not measured", said plainly
            return Value(None, None, None, 0, False, f"series {d.series}: {exc.message}")
        snaps = sorted({int(s["snapshot_id"]) for s in prov.snapshots})
        return Value(total, total, total, 0, not gaps, "; ".join(gaps) or "covered", snaps,
                     [str(s["source_version"]) for s in prov.snapshots])
