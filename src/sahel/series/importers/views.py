"""ViEWS prediction-challenge country-month actuals (``ged_sb``): parquet or the combined CSV.

Why the country list is read in place: the parquets carry ViEWS ``country_id`` only (not GW or
ISO), so ``views_country_list.csv`` beside them names each id; its sha256 is noted in the
snapshot so the mapping is as reproducible as the figures.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sahel.errors import InputError, LayoutError, RowError
from sahel.events.reader import sha256_file
from sahel.series.importers.common import (
    Parsed,
    counts,
    map_countries,
    observations,
    require_columns,
)

KIND = "views_cm_actuals"
DESCRIPTION = ("ViEWS cm_actuals: parquet (month_id, country_id, outcome) with "
               "views_country_list.csv beside it, or the combined CSV (…, ged_sb_best)")
SERIES = "views_ged_sb"
COUNTRY_LIST = "views_country_list.csv"
CSV_COLUMNS = ["month_id", "year", "month", "country_id", "name", "ged_sb_best"]
#: ViEWS month_id 1 = 1980-01, so 457 = 2018-01
BASE_YEAR = 1980


def sniff(header: list[str]) -> bool:
    cols = set(header)
    return {"month_id", "country_id"} <= cols and bool({"outcome", "ged_sb_best"} & cols)


def _month(month_id: pd.Series) -> tuple[pd.Series, pd.Series]:
    m = month_id.astype("int64") - 1
    return BASE_YEAR + m // 12, m % 12 + 1


def _country_list(path: Path) -> tuple[dict[int, str], str]:
    listing = path.parent / COUNTRY_LIST
    if not listing.is_file():
        raise InputError(f"{COUNTRY_LIST} is not beside the parquet", file=path,
                         hint=f"put ViEWS' {COUNTRY_LIST} (country_id,id,name) in the same "
                         "folder, or import views_cm_actuals_..._combined.csv instead")
    table = pd.read_csv(listing)
    require_columns(table.columns, ["country_id", "name"], file=listing, kind="ViEWS country "
                    "list")
    return dict(zip(table["country_id"].astype(int), table["name"].astype(str),
                    strict=True)), sha256_file(listing)


def _read_parquet(path: Path) -> tuple[pd.DataFrame, list[str]]:
    try:
        df = pd.read_parquet(path).reset_index()
    except (ValueError, OSError) as exc:  # pyarrow's errors subclass these
        raise InputError(f"cannot read the parquet file ({exc})", file=path,
                         hint="the file is damaged: get a fresh copy") from exc
    require_columns(df.columns, ["month_id", "country_id", "outcome"], file=path,
                    kind="ViEWS cm_actuals")
    names, sha = _country_list(path)
    unknown = sorted(set(df["country_id"].astype(int)) - set(names))
    if unknown:
        raise LayoutError(f"country_id(s) {unknown[:10]} are not in {COUNTRY_LIST}", file=path,
                          field="country_id", hint=f"use the {COUNTRY_LIST} of the same "
                          "ViEWS release")
    df["name"] = df["country_id"].astype(int).map(names)
    df = df.rename(columns={"outcome": "ged_sb_best"})
    return df, [f"country names from {COUNTRY_LIST} (sha256 {sha[:16]}…)"]


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot parse the CSV ({str(exc).splitlines()[0]})", file=path,
                         hint="the file is damaged: get a fresh copy") from exc
    require_columns(df.columns, CSV_COLUMNS, file=path, kind="ViEWS combined actuals")
    year, month = _month(counts(df["month_id"], file=path, sheet=None, column="month_id"))
    off = (year != df["year"]) | (month != df["month"])
    if off.any():
        i = int(off.to_numpy().nonzero()[0][0])
        raise RowError(f"month_id {df['month_id'].iloc[i]} is not {df['year'].iloc[i]}-"
                       f"{df['month'].iloc[i]:02d}", file=path, line=i + 2, field="month_id",
                       hint="month_id 457 must be 2018-01 (ViEWS month 1 = 1980-01)")
    return df


def read(path: Path) -> Parsed:
    notes: list[str] = []
    if path.suffix.lower() == ".parquet":
        df, notes = _read_parquet(path)
    else:
        df = _read_csv(path)
    if df.duplicated(["month_id", "country_id"]).any():
        i = int(df.duplicated(["month_id", "country_id"]).to_numpy().nonzero()[0][0])
        raise RowError("a (month_id, country_id) pair appears twice", file=path, line=i + 2,
                       field="country_id", hint="the file is damaged: get a fresh copy")
    value = counts(df["ged_sb_best"], file=path, sheet=None, column="ged_sb_best")
    codes = map_countries(df["name"].astype(str), file=path, what="ViEWS country name(s)",
                          fix_example=", e.g. 'congo, drc': 'COD'")
    year, month = _month(df["month_id"])
    frame = observations(len(df), series=SERIES, country_iso3=df["name"].astype(str).map(codes),
                         year=year, month=month, value=value, partial=False)
    first, last = int(df["month_id"].min()), int(df["month_id"].max())
    y0, m0 = _month(pd.Series([first, last]))
    notes.append(f"month_id {first}..{last} = {y0.iloc[0]}-{m0.iloc[0]:02d}.."
                 f"{y0.iloc[1]}-{m0.iloc[1]:02d}; {df['country_id'].nunique()} countries")
    return Parsed(kind=KIND, family="views", source_version="prediction challenge 2023/24 "
                  "cm_actuals", version_basis="ViEWS prediction-challenge evaluation actuals "
                  "(no release number in the files)", frame=frame, rows_read=len(df),
                  notes=notes)
