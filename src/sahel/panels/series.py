"""Aggregate series as measurements: the one series -> months conversion.

Series reach where events stop (the UCDP-derived table runs to 2026); analyses and claims read
them through these two functions, so a partial month, a yearly series or a missing country is
handled the same way everywhere.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from sahel.errors import ConfigError
from sahel.provenance import Provenance

COLUMNS = ["country_iso3", "month", "value"]


def series_months(name: str, countries: list[str], start: date, end: date, *,
                  as_of: int | None = None, db_path: Path | None = None,
                  ) -> tuple[pd.DataFrame, Provenance]:
    """``country_iso3, month`` (first day, a Timestamp), ``value``: one figure per
    country-month. Partial months (a vintage cut mid-month) are left out; a yearly series is
    refused (it has no months)."""
    from sahel.series.query import get_series

    df, prov = get_series(name, countries=countries, start=start, end=end, as_of=as_of,
                          db_path=db_path)
    if df.empty:
        return pd.DataFrame(columns=COLUMNS), prov
    if df["month"].isna().all():
        raise ConfigError(f"{name} is a yearly series: it has no months", field="series",
                          hint="use a monthly series (sahel series list)")
    df = df[~df["partial"].fillna(False).astype(bool)]
    month = pd.to_datetime(pd.DataFrame({"year": df["year"], "month": df["month"], "day": 1}))
    out = pd.DataFrame({"country_iso3": df["country_iso3"].to_numpy(), "month": month.to_numpy(),
                        "value": df["value"].astype(float).to_numpy()})
    return out.reset_index(drop=True), prov


def series_total(name: str, countries: list[str], start: date, end: date, *,
                 as_of: int | None = None, db_path: Path | None = None,
                 ) -> tuple[float, list[str], Provenance]:
    """The sum over [start, end], the gaps that keep it from being complete (a country the
    series does not reach to ``end``), and the provenance."""
    from sahel.series.query import coverage_end, get_series

    df, prov = get_series(name, countries=countries, start=start, end=end, as_of=as_of,
                          db_path=db_path)
    ends = {c: coverage_end(name, c, db_path=db_path, as_of=as_of) for c in countries}
    gaps = [f"{c}: {name} ends {e}" if e else f"{c}: no {name} values"
            for c, e in ends.items() if e is None or e < end]
    have = set(df["country_iso3"]) if not df.empty else set()
    gaps += [f"{c}: no {name} values" for c in countries
             if c not in have and ends.get(c) is not None]
    total = float(df["value"].sum()) if not df.empty else 0.0
    return total, gaps, prov
