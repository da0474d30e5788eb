"""PaCE's wide country-month table of UCDP best deaths (``Hist.csv``): months × countries.

Why its own importer: the file is wide (a month-end date index and one column per country,
with PaCE's map names such as "Dem. Rep. Congo"), so every column name is resolved to ISO3 and
an unknown name stops the import with the column and the fix, rather than losing a country.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from sahel.errors import InputError, LayoutError, RowError
from sahel.series.importers.common import Parsed, csv_header, iso3, map_countries, observations

KIND = "ucdp_pace"
DESCRIPTION = "PaCE wide CSV: UCDP best deaths, month-end date × country columns (Hist.csv)"
SERIES = "ucdp_pace_deaths_best"
_ARTEFACT = re.compile(r"Unnamed: \d+")


def sniff(header: list[str]) -> bool:
    """A blank first header cell, then mostly country names."""
    if len(header) < 20 or header[0].strip() not in ("", "date"):
        return False
    known = sum(iso3(h) is not None for h in header[1:])
    return known >= 0.8 * (len(header) - 1)


def read(path: Path) -> Parsed:
    header = csv_header(path)
    if not sniff(header):
        raise LayoutError("not a PaCE wide table (a blank first header cell, then country "
                          "names)", file=path, line=1,
                          hint="check the file, or pass the right --kind")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"cannot parse the CSV ({str(exc).splitlines()[0]})", file=path,
                         hint="the file is damaged: get a fresh copy") from exc
    if list(df.columns)[1:] != header[1:]:
        raise LayoutError("duplicate or blank country column names", file=path, line=1,
                          hint="each country must appear once in the header")
    date_col = df.columns[0]
    dates = pd.to_datetime(df[date_col], format="%Y-%m-%d", errors="coerce")
    bad = dates.isna() | ~dates.dt.is_month_end
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise RowError(f"{int(bad.sum())} row(s) do not start with a month-end date "
                       f"(first: {df[date_col].iloc[i]!r})", count=int(bad.sum()), file=path,
                       line=i + 2, field="date index", hint="dates are YYYY-MM-DD month ends")
    if dates.duplicated().any():
        i = int(np.flatnonzero(dates.duplicated().to_numpy())[0])
        raise RowError("a month appears twice", file=path, line=i + 2, field="date index",
                       hint="the file is damaged: get a fresh copy")
    notes: list[str] = []
    cols = []
    for col in df.columns[1:]:
        if _ARTEFACT.fullmatch(col):
            if (df[col].str.strip() != "0").any():
                raise LayoutError(f"column {col!r} has a pandas artefact name but non-zero "
                                  "values", file=path, field=col,
                                  hint="check which country it is and rename it in the file")
            notes.append(f"column {col!r} (a pandas index artefact, all zeros) ignored")
            continue
        cols.append(col)
    codes = map_countries(cols, file=path, what="column(s)",
                          fix_example=", e.g. 'bosnia and herz.': 'BIH'")
    num = df[cols].apply(pd.to_numeric, errors="coerce")
    bad_cells = num.isna() | (num < 0) | (num % 1 != 0)
    if bad_cells.to_numpy().any():
        r, c = (int(x[0]) for x in np.nonzero(bad_cells.to_numpy()))
        raise RowError(f"{int(bad_cells.to_numpy().sum())} cell(s) are not non-negative whole "
                       f"numbers (first: {df[cols[c]].iloc[r]!r})",
                       count=int(bad_cells.to_numpy().sum()), file=path, line=r + 2,
                       field=cols[c], hint="deaths are whole numbers; get a fresh copy")
    long = num.assign(_date=dates).melt(id_vars="_date", var_name="name", value_name="value")
    frame = observations(
        len(long), series=SERIES, country_iso3=long["name"].map(codes),
        year=long["_date"].dt.year, month=long["_date"].dt.month, value=long["value"],
        partial=False)
    last = dates.max()
    return Parsed(
        kind=KIND, family="ucdp_pace", source_version=f"to {last:%Y-%m}",
        version_basis="PaCE publishes no version: named by the last month in the file",
        frame=frame, rows_read=len(df),
        notes=[*notes, f"{len(cols)} countries × {len(df)} months"],
    )
