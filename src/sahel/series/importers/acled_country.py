"""ACLED's curated country tables: political-violence events per country-month and per
country-year, reported fatalities per country-year (xlsx, ``Sheet1`` or ``Data``).

Why the vintage matters: ACLED revises counts weekly and these files are snapshots of that
process ("as-of-27Feb2026"); the as-of date in the name becomes the snapshot's version, and the
latest period in each file is flagged partial (it was cut while still being coded). Zero rows
are stored as given; omitted rows mean zero (see the series definitions).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sahel.errors import RowError
from sahel.series.importers.common import (
    Parsed,
    counts,
    map_countries,
    mark_last_period_partial,
    month_numbers,
    observations,
    read_sheet,
    require_columns,
    vintage_from_name,
    years,
)

MONTH_KIND = "acled_country_month"
YEAR_EVENTS_KIND = "acled_country_year_events"
YEAR_FATALITIES_KIND = "acled_country_year_fatalities"

DESCRIPTIONS = {
    MONTH_KIND: "ACLED xlsx COUNTRY,MONTH,YEAR,EVENTS (political violence events per "
                "country-month)",
    YEAR_EVENTS_KIND: "ACLED xlsx COUNTRY,YEAR,EVENTS (political violence events per "
                      "country-year)",
    YEAR_FATALITIES_KIND: "ACLED xlsx COUNTRY,YEAR,FATALITIES (reported fatalities per "
                          "country-year)",
}
_LAYOUT = {
    MONTH_KIND: (["COUNTRY", "MONTH", "YEAR", "EVENTS"], "EVENTS", "acled_pv_events"),
    YEAR_EVENTS_KIND: (["COUNTRY", "YEAR", "EVENTS"], "EVENTS", "acled_pv_events_country_year"),
    YEAR_FATALITIES_KIND: (["COUNTRY", "YEAR", "FATALITIES"], "FATALITIES",
                           "acled_fatalities_country_year"),
}


def sniff(header: list[str]) -> str | None:
    """The kind whose columns are exactly ``header`` (upper-case ACLED names), else None."""
    cols = [h.strip().upper() for h in header if h]
    for kind, (needed, _, _) in _LAYOUT.items():
        if cols == needed:
            return kind
    return None


def vintage(path: Path, last_label: str) -> tuple[str, str, date | None]:
    """(version, basis, as-of day) from the file name, else from the latest period."""
    got = vintage_from_name(path.name)
    if got is not None:
        return got[0], "as-of date in the file name", got[1]
    return (f"as-of {last_label} or later",
            "no as-of date in the file name: the latest period in the file", None)


def read(path: Path, kind: str) -> Parsed:
    needed, value_col, series = _LAYOUT[kind]
    df, sheet = read_sheet(path)
    df.columns = [str(c).strip().upper() for c in df.columns]
    require_columns(df.columns, needed, file=path, sheet=sheet, kind=DESCRIPTIONS[kind])
    value = counts(df[value_col], file=path, sheet=sheet, column=value_col)
    year = years(df["YEAR"], file=path, sheet=sheet, column="YEAR")
    month = (month_numbers(df["MONTH"], file=path, sheet=sheet, column="MONTH")
             if "MONTH" in needed else None)
    names = df["COUNTRY"].astype(str).str.strip()
    codes = map_countries(names, file=path, what="COUNTRY name(s)", sheet=sheet,
                          fix_example=", e.g. 'sint maarten': 'SXM'")
    frame = observations(len(df), series=series, country_iso3=names.map(codes), year=year,
                         month=month, value=value)
    keys = ["country_iso3", "year", "month"]
    dup = frame.duplicated(keys)
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise RowError(f"{int(dup.sum())} duplicate country-period row(s) in sheet {sheet!r}",
                       count=int(dup.sum()), file=path, line=i + 2, field="COUNTRY",
                       hint="each country and period must appear once")
    frame, last = mark_last_period_partial(frame)
    version, basis, as_of = vintage(path, last)
    return Parsed(kind=kind, family="acled_aggregate", source_version=version,
                  version_basis=basis, frame=frame, rows_read=len(df), as_of=as_of,
                  notes=[f"sheet {sheet!r}", f"{last} flagged partial (latest period of the "
                         "vintage)"])
