"""ACLED's HDX admin-2 × month tables (Burkina Faso): events and fatalities in one sheet.

Why P-codes are the identity: province names vary across sources and vintages (accents,
transliterations), while OCHA P-codes are stable and join to boundaries.
One file gives two series (events, fatalities); which family — political violence or civilian
targeting — comes from the file name (HDX names them so), or from ``--kind``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sahel.errors import LayoutError, RowError
from sahel.series.importers.acled_country import vintage
from sahel.series.importers.common import (
    Parsed,
    counts,
    iso3,
    mark_last_period_partial,
    month_numbers,
    observations,
    read_sheet,
    require_columns,
    years,
)

PV_KIND = "acled_hdx_admin2_pv"
CIV_KIND = "acled_hdx_admin2_civ"
DESCRIPTIONS = {
    PV_KIND: "ACLED/HDX xlsx (sheet Data) admin-2 × month political violence events and "
             "fatalities ('political_violence' in the name)",
    CIV_KIND: "ACLED/HDX xlsx (sheet Data) admin-2 × month civilian targeting events and "
              "fatalities ('civilian_targeting' in the name)",
}
COLUMNS = ["Country", "Admin1", "Admin2", "ISO3", "Admin2 Pcode", "Admin1 Pcode", "Month",
           "Year", "Events", "Fatalities"]
_PREFIX = {PV_KIND: "pv", CIV_KIND: "civ"}


def sniff(header: list[str], name: str) -> str | None:
    """The kind for an HDX admin-2 sheet: pv or civ by file name; '' if the name says neither."""
    if not {"Admin2", "Admin2 Pcode", "Events", "Fatalities", "Month"} <= set(header):
        return None
    low = name.lower()
    if "civilian_targeting" in low or "civilian-targeting" in low:
        return CIV_KIND
    if "political_violence" in low or "political-violence" in low:
        return PV_KIND
    return ""


def read(path: Path, kind: str) -> Parsed:
    df, sheet = read_sheet(path, ("Data",))
    require_columns(df.columns, COLUMNS, file=path, sheet=sheet, kind=DESCRIPTIONS[kind])
    codes = {(str(n), str(c)) for n, c in zip(df["Country"], df["ISO3"], strict=True)}
    resolved = {iso3(n, c) for n, c in codes}
    if len(resolved) != 1 or None in resolved:
        raise LayoutError(f"expected one country, found {sorted(codes)} in sheet {sheet!r}",
                          file=path, field="ISO3",
                          hint="HDX admin-2 files cover one country each")
    country = resolved.pop()
    assert country is not None
    year = years(df["Year"], file=path, sheet=sheet, column="Year")
    month = month_numbers(df["Month"], file=path, sheet=sheet, column="Month")
    pcode = df["Admin2 Pcode"].astype(str).str.strip()
    blank = (pcode == "") | df["Admin2 Pcode"].isna()
    if blank.any():
        i = int(blank.to_numpy().nonzero()[0][0])
        raise RowError("a row has no Admin2 Pcode", file=path, line=i + 2,
                       field="Admin2 Pcode", hint="P-codes identify provinces; get a fresh "
                       "copy from HDX")
    keyed = df.assign(_y=year, _m=month, _p=pcode)
    dup = keyed.duplicated(["_p", "_y", "_m"])
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise RowError(f"{int(dup.sum())} duplicate province-month row(s) in sheet {sheet!r}",
                       count=int(dup.sum()), file=path, line=i + 2, field="Admin2 Pcode",
                       hint="each province and month must appear once")
    frames = []
    for col, what in (("Events", "events"), ("Fatalities", "fatalities")):
        value = counts(df[col], file=path, sheet=sheet, column=col)
        frames.append(observations(
            len(df), series=f"acled_bfa_{_PREFIX[kind]}_{what}_admin2", country_iso3=country,
            admin1=df["Admin1"].astype(str).str.strip(),
            admin2=df["Admin2"].astype(str).str.strip(), admin2_pcode=pcode, year=year,
            month=month, value=value))
    marked = [mark_last_period_partial(f) for f in frames]
    last = marked[0][1]
    version, basis, as_of = vintage(path, last)
    return Parsed(kind=kind, family="acled_aggregate", source_version=version,
                  version_basis=basis, frame=pd.concat([m[0] for m in marked],
                                                       ignore_index=True),
                  rows_read=len(df), as_of=as_of,
                  notes=[f"sheet {sheet!r}", f"{pcode.nunique()} provinces",
                         f"{last} flagged partial (latest period of the vintage)"])
