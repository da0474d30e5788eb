"""The country-year (or -month) summary every entry point prints first.

Measured like every other figure: the one filter, the measure definitions of
:mod:`sahel.panels.measures`. Fatalities are summed over events that report them;
``events_without_fatalities`` says how many events had none (e.g. the ACLED 7-column extract),
so a NULL is never read as zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from sahel.panels import measures
from sahel.provenance import Provenance
from sahel.store.db import check_as_of, connect
from sahel.store.filters import Filters
from sahel.store.query import _provenance


def summary(filters: Filters, *, db_path: Path | None = None,
            by: Literal["year", "month"] = "year") -> tuple[pd.DataFrame, Provenance]:
    """Events and fatalities (low/best/high) per source, country and year (or month)."""
    f = filters.normalised()
    con = connect(db_path, read_only=True)
    period = "year" if by == "year" else "strftime(date_start, '%Y-%m')"
    try:
        check_as_of(con, f.as_of)
        where, params = f.sql(con=con)
        fatal = ", ".join(f"{measures.aggregate('fatalities', b)} AS fatalities_{b}"
                          for b in measures.BOUNDS)
        df = con.execute(f"""
            SELECT source, country_iso3, {period} AS {by},
                   count(*) AS events, {fatal},
                   count(*) FILTER (WHERE fatalities_best IS NULL) AS events_without_fatalities,
                   count(*) FILTER (WHERE civilian_targeting) AS civilian_targeting_events,
                   string_agg(DISTINCT source_version, ', ' ORDER BY source_version) AS versions
            FROM events WHERE {where}
            GROUP BY ALL ORDER BY source, country_iso3, {by}
        """, params).df()
        # counts are whole numbers; a sum over events that report nothing stays missing
        for col in ("events", "fatalities_low", "fatalities_best", "fatalities_high",
                    "events_without_fatalities", "civilian_targeting_events"):
            df[col] = df[col].astype("Int64")
        return df, _provenance(con, f, where, params)
    finally:
        con.close()
