"""Monthly values from an aggregate series, shaped like an event panel's rows, so analyses
can reach past the last event (the series continue to 2026 where UCDP/ACLED events stop)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from sahel.errors import ConfigError
from sahel.provenance import Provenance


def series_months(name: str, countries: list[str], start: date, end: date,
                  db_path: Path | None = None) -> tuple[pd.DataFrame, Provenance]:
    """country_iso3, month (first day), y_low/y_best/y_high (= value: a series has one figure);
    partial months (a vintage cut mid-month) are left out."""
    from sahel.series.query import get_series

    df, prov = get_series(name, countries=countries, start=start, end=end, db_path=db_path)
    if df.empty:
        return pd.DataFrame(columns=["country_iso3", "month", "y_low", "y_best", "y_high"]), prov
    if df["month"].isna().all():
        raise ConfigError(f"{name} is a yearly series; a before/after study needs months",
                          field="--series", hint="use a monthly series (sahel series list)")
    df = df[~df["partial"].fillna(False).astype(bool)]
    month = pd.to_datetime(pd.DataFrame({"year": df["year"], "month": df["month"], "day": 1}))
    value = df["value"].astype(float).to_numpy()
    out = pd.DataFrame({"country_iso3": df["country_iso3"].to_numpy(), "month": month.to_numpy(),
                        "y_low": value, "y_best": value, "y_high": value})
    return out.reset_index(drop=True), prov
