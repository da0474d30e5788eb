"""Coverage and the month grid: "zero inside coverage, unknown outside", written once.

A snapshot speaks for the countries and days it covers (``store.query.coverage``); inside that
span a month without events is a real zero, outside it nothing is known. Panels build their rows
on this grid; claims ask it whether a period is measured at all.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from sahel.store.filters import COMBINED, UCDP_PARTS, Filters
from sahel.store.query import coverage


def spans(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Per source and country: the covered spans of months, clipped to the filter's period
    (``source, country_iso3, first_month, last_month, snapshots, origin``). For the combined
    ``ucdp`` record the GED and candidate spans both count, under the source ``ucdp``, each
    keeping its ``origin``."""
    df = coverage(con, f.as_of)
    df = df.assign(origin=df["source"])
    if COMBINED in f.sources:
        parts = df["source"].isin(UCDP_PARTS)
        df.loc[parts, "source"] = COMBINED
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
    df = df.assign(first_day=first, last_day=last)
    df["first_month"] = pd.to_datetime(df["first_day"]).dt.to_period("M").dt.to_timestamp()
    df["last_month"] = pd.to_datetime(df["last_day"]).dt.to_period("M").dt.to_timestamp()
    df = df[df["first_month"] <= df["last_month"]]
    return df[["source", "country_iso3", "first_month", "last_month", "snapshots",
               "origin"]].reset_index(drop=True)


def months(spans_df: pd.DataFrame, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """source × country × month inside each coverage span (one date range, sliced per row);
    ``units`` (source, country_iso3, admin1…) multiplies the grid by the units seen. For the
    combined ``ucdp`` record, ``preliminary`` marks the months only candidate data cover."""
    cols = ["source", "country_iso3", "month"]
    if spans_df.empty:
        grid = pd.DataFrame(columns=cols)
    else:
        all_months = pd.date_range(pd.Timestamp(spans_df["first_month"].min()),
                                   pd.Timestamp(spans_df["last_month"].max()), freq="MS")
        values = all_months.to_numpy()
        parts = []
        for rec in spans_df.to_dict("records"):
            sel = values[(values >= pd.Timestamp(rec["first_month"]).to_datetime64())
                         & (values <= pd.Timestamp(rec["last_month"]).to_datetime64())]
            parts.append(pd.DataFrame({"source": rec["source"], "country_iso3":
                                       rec["country_iso3"], "month": sel,
                                       "_candidate": rec.get("origin") == "ucdp_candidate"}))
        grid = pd.concat(parts, ignore_index=True)
        combined = grid["source"] == COMBINED
        grid = grid.groupby(cols, as_index=False, sort=True).agg(_candidate=("_candidate", "all"))
        if combined.any():
            grid["preliminary"] = grid["_candidate"] & (grid["source"] == COMBINED)
        grid = grid.drop(columns="_candidate")
    if units is not None:
        grid = grid.merge(units, on=["source", "country_iso3"], how="inner")
    return grid


class Coverage:
    """Month coverage per (source, country), to ask whether a period is measured at all."""

    def __init__(self, con: duckdb.DuckDBPyConnection, as_of: int | None = None) -> None:
        self._spans: dict[tuple[str, str], list[tuple[pd.Period, pd.Period]]] = {}
        for r in coverage(con, as_of).to_dict("records"):
            self._spans.setdefault((r["source"], r["country_iso3"]), []).append(
                (pd.Timestamp(r["first_day"]).to_period("M"),
                 pd.Timestamp(r["last_day"]).to_period("M")))

    def countries(self) -> list[str]:
        """Every country some source covers."""
        return sorted({c for _, c in self._spans})

    def _spans_of(self, source: str, country: str) -> list[tuple[pd.Period, pd.Period]]:
        """The spans of ``source`` (the combined ``ucdp`` view: GED's and candidate's)."""
        if source == COMBINED:
            return [*self._spans.get(("ucdp_ged", country), []),
                    *self._spans.get(("ucdp_candidate", country), [])]
        return self._spans.get((source, country), [])

    def check(self, source: str, countries: list[str], start: date,
              end: date) -> tuple[bool, str]:
        """Does ``source`` cover [start, end] (by month) for every country? (ok, what lacks)"""
        gaps = []
        wanted = set(pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M"))
        for c in countries:
            spans = self._spans_of(source, c)
            if not spans:
                gaps.append(f"{c}: no {source} data in the store")
                continue
            if any(not any(a <= p <= b for a, b in spans) for p in wanted):
                shown = ", ".join(f"{a}..{b}" for a, b in sorted(spans))
                gaps.append(f"{c}: {source} covers {shown}")
        return (not gaps, "; ".join(gaps) or "covered")

    def months(self, source: str, countries: list[str], start: date,
               end: date) -> list[tuple[str, pd.Period]]:
        """(country, month) pairs of [start, end] that ``source`` covers."""
        out = []
        for c in countries:
            spans = self._spans_of(source, c)
            for p in pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M"):
                if any(a <= p <= b for a, b in spans):
                    out.append((c, p))
        return out
