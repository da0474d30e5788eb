"""Measure one definition over one period and set of countries — from events or a series.

Every value says whether its source actually covers the period for every country asked. An
uncovered period is "not measured", never zero: a claim about 2023 cannot be tested on an
ACLED file that ends in 2020.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from sahel.claims.spec import Definition
from sahel.errors import SahelError
from sahel.store.db import connect
from sahel.store.query import coverage

ADMIN1_OK = ("exact", "near", "admin2", "admin1", "region")
_AMAP = "_claims_actor_map"


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


class Store:
    """A read-only view of the event store (and series) with the registry's actor groups."""

    def __init__(self, db_path: Path | None = None, registry_root: Path | None = None) -> None:
        from sahel.registry.link import ActorMatcher
        from sahel.registry.load import load_registry

        self.db_path = db_path
        self.con = connect(db_path, read_only=True)
        names = [r[0] for r in self.con.execute(
            "SELECT DISTINCT actor1_raw FROM events WHERE actor1_raw IS NOT NULL UNION "
            "SELECT DISTINCT actor2_raw FROM events WHERE actor2_raw IS NOT NULL").fetchall()]
        registry = load_registry(registry_root)
        self.registry = registry
        amap = ActorMatcher.from_registry(registry).mapping(names, registry)
        self.con.register(_AMAP, amap[["raw_name", "perpetrator_group"]])
        # (source, country) -> (first, last) covered month; fixed for the life of the Store
        self._coverage: dict[tuple[str, str], tuple[pd.Period, pd.Period]] = {
            (r["source"], r["country_iso3"]): (pd.Timestamp(r["first_day"]).to_period("M"),
                                               pd.Timestamp(r["last_day"]).to_period("M"))
            for r in coverage(self.con).to_dict("records")}

    def close(self) -> None:
        self.con.close()

    def coverage(self, source: str, countries: list[str], start: date,
                 end: date) -> tuple[bool, str]:
        """Does ``source`` cover [start, end] (by month) for every country?"""
        gaps = []
        want_first, want_last = pd.Period(start, "M"), pd.Period(end, "M")
        for c in countries:
            span = self._coverage.get((source, c))
            if span is None:
                gaps.append(f"{c}: no {source} data in the store")
                continue
            first, last = span
            if first > want_first or last < want_last:
                gaps.append(f"{c}: {source} covers {first}..{last}")
        return (not gaps, "; ".join(gaps) or "covered")

    def _where(self, d: Definition, countries: list[str], start: date,
               end: date) -> tuple[str, list[Any]]:
        assert d.source is not None
        where = ["e.retired_by IS NULL", "e.source = ?", "list_contains(?, e.country_iso3)",
                 "e.date_start BETWEEN ? AND ?"]
        params: list[Any] = [d.source, countries, start, end]
        if d.categories:
            where.append("list_contains(?, e.category)")
            params.append(d.categories)
        if d.civilian_targeting is not None:
            where.append("e.civilian_targeting = ?")
            params.append(d.civilian_targeting)
        if d.perpetrator:
            side1 = "list_contains(?, m1.perpetrator_group)"
            if d.perpetrator_side == "actor1":
                where.append(side1)
                params.append(d.perpetrator)
            else:
                where.append(f"({side1} OR list_contains(?, m2.perpetrator_group))")
                params += [d.perpetrator, d.perpetrator]
        if d.precision == "admin1" or d.measure == "admin1_areas":
            ok = ", ".join(f"'{g}'" for g in ADMIN1_OK)
            where.append(f"e.admin1 IS NOT NULL AND e.geo_precision IN ({ok})")
        joins = (f"LEFT JOIN {_AMAP} m1 ON m1.raw_name = e.actor1_raw "
                 f"LEFT JOIN {_AMAP} m2 ON m2.raw_name = e.actor2_raw")
        return f"FROM events e {joins} WHERE {' AND '.join(where)}", params

    def measure(self, d: Definition, countries: list[str], start: date, end: date) -> Value:
        if d.series is not None:
            return self._series(d, countries, start, end)
        assert d.source is not None
        covered, note = self.coverage(d.source, countries, start, end)
        body, params = self._where(d, countries, start, end)
        row = self.con.execute(f"""
            SELECT count(*), {_measure_sql(d.measure)},
                   list(DISTINCT e.snapshot_id ORDER BY e.snapshot_id),
                   list(DISTINCT e.source_version ORDER BY e.source_version)
            {body}
        """, params).fetchone()
        assert row is not None
        n, lo, be, hi, snaps, versions = row
        return Value(_num(lo), _num(be), _num(hi), int(n), covered, note, list(snaps or []),
                     list(versions or []))

    def monthly(self, d: Definition, countries: list[str], start: date,
                end: date) -> tuple[pd.DataFrame, list[int], list[str]]:
        """Monthly values (country_iso3, month Period, low, best, high) for the months each
        country is covered — zeros inside coverage, no row outside — with snapshots/versions."""
        cols = ["country_iso3", "month", "low", "best", "high"]
        months = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")
        if d.series is not None:
            return self._series_monthly(d, countries, start, end, months)
        assert d.source is not None
        grid = []
        for c in countries:
            for p in months:
                ok, _ = self.coverage(d.source, [c], p.start_time.date(), p.end_time.date())
                if ok:
                    grid.append((c, p))
        body, params = self._where(d, countries, start, end)
        got = self.con.execute(f"""
            SELECT e.country_iso3, strftime(e.date_start, '%Y-%m') AS ym, {_measure_sql(d.measure)}
            {body} GROUP BY ALL
        """, params).fetchall()
        found = {(c, ym): (lo, be, hi) for c, ym, lo, be, hi in got}
        rows = [(c, p, *(float(x or 0) for x in found.get((c, str(p)), (0, 0, 0))))
                for c, p in grid]
        meta = self.con.execute(f"""
            SELECT list(DISTINCT e.snapshot_id ORDER BY e.snapshot_id),
                   list(DISTINCT e.source_version ORDER BY e.source_version) {body}
        """, params).fetchone()
        assert meta is not None
        return (pd.DataFrame(rows, columns=cols), list(meta[0] or []),
                [str(v) for v in meta[1] or []])

    def _series_monthly(self, d: Definition, countries: list[str], start: date, end: date,
                        months: pd.PeriodIndex) -> tuple[pd.DataFrame, list[int], list[str]]:
        from sahel.series import query as series_query

        assert d.series is not None
        cols = ["country_iso3", "month", "low", "best", "high"]
        try:
            df, prov = series_query.get_series(d.series, countries=countries, start=start,
                                               end=end, db_path=self.db_path)
        except SahelError:
            return pd.DataFrame(columns=cols), [], []
        if df.empty or df["month"].isna().all():
            return pd.DataFrame(columns=cols), [], []  # a yearly series has no months
        df = df[~df["partial"].fillna(False).astype(bool)]
        month = pd.PeriodIndex(pd.to_datetime(dict(year=df["year"], month=df["month"], day=1)),
                               freq="M")
        out = pd.DataFrame({"country_iso3": df["country_iso3"].to_numpy(), "month": month,
                            "low": df["value"].to_numpy(float), "best": df["value"].to_numpy(float),
                            "high": df["value"].to_numpy(float)})
        out = out[out["month"].isin(months)]
        snaps = sorted({int(s["snapshot_id"]) for s in prov.snapshots})
        return (out.reset_index(drop=True), snaps,
                [str(s["source_version"]) for s in prov.snapshots])

    def _series(self, d: Definition, countries: list[str], start: date, end: date) -> Value:
        from sahel.series import query as series_query

        assert d.series is not None
        try:
            df, prov = series_query.get_series(d.series, countries=countries, start=start,
                                               end=end, db_path=self.db_path)
        except SahelError as exc:  # a missing series is "not measured", said plainly
            return Value(None, None, None, 0, False, f"series {d.series}: {exc.message}")
        ends = {c: series_query.coverage_end(d.series, c, db_path=self.db_path)
                for c in countries}
        gaps = [f"{c}: {d.series} ends {e}" if e else f"{c}: no {d.series} values"
                for c, e in ends.items() if e is None or e < end]
        have = set(df["country_iso3"]) if not df.empty else set()
        gaps += [f"{c}: no {d.series} values" for c in countries
                 if c not in have and ends.get(c) is not None]
        total = float(df["value"].sum()) if not df.empty else 0.0
        snaps = sorted({int(s["snapshot_id"]) for s in prov.snapshots})
        return Value(total, total, total, 0, not gaps, "; ".join(gaps) or "covered", snaps,
                     [str(s["source_version"]) for s in prov.snapshots])


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def _measure_sql(measure: str) -> str:
    if measure == "events":
        return "count(*), count(*), count(*)"
    if measure == "fatalities":
        return "sum(e.fatalities_low), sum(e.fatalities_best), sum(e.fatalities_high)"
    if measure == "admin1_areas":
        n = "count(DISTINCT e.country_iso3 || '/' || e.admin1)"
        return f"{n}, {n}, {n}"
    ucdp = "e.source LIKE 'ucdp%'"
    return ", ".join(
        f"sum(CASE WHEN {ucdp} THEN " + (
            "e.fatalities_civilians" if b == "best" else
            f"round(e.fatalities_civilians * coalesce(e.fatalities_{b} / "
            "nullif(e.fatalities_best, 0), 1))")
        + f" WHEN e.civilian_targeting THEN e.fatalities_{b} ELSE 0 END)"
        for b in ("low", "best", "high"))
