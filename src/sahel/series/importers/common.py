"""What every series importer shares: the parsed result, country names, months, checks, sheets.

Why strict checks here: an aggregate series has no event rows behind it in the store, so a
shifted column or a negative count could not be caught later. Every problem is raised before
the store is touched, naming the file, sheet, line and column, and the fix.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from sahel.errors import EncodingError, InputError, LayoutError, RowError
from sahel.events.countries import normalise, to_iso3

#: the columns of a parsed series (one row = one observation), in store order
OBS_COLUMNS = ["series", "country_iso3", "admin1", "admin2", "admin2_pcode", "year", "month",
               "value", "partial"]

#: names of the aggregate files that :func:`sahel.events.countries.to_iso3` does not resolve
#: (normalised keys). 'XAD' is a user-assigned code: Akrotiri and Dhekelia has no ISO code.
SERIES_ALIASES: dict[str, str] = {
    "bosnia and herz.": "BIH", "s. sudan": "SSD", "dominican rep.": "DOM",
    "antigua & barbuda": "ATG", "st. lucia": "LCA", "st. vincent and the grenadines": "VCT",
    "st. kitts and nevis": "KNA", "marshall is.": "MHL", "congo, drc": "COD",
    "timor leste": "TLS", "solomon is.": "SLB", "akrotiri and dhekelia": "XAD",
    "bailiwick of guernsey": "GGY", "bailiwick of jersey": "JEY",
    "caribbean netherlands": "BES", "falkland islands": "FLK",
    "french southern and antarctic lands": "ATF", "saint-barthelemy": "BLM",
    "saint-martin": "MAF", "sint maarten": "SXM",
}

MONTHS: dict[str, int] = {
    name: i for i, name in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"], start=1)
}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})


@dataclass
class Parsed:
    """A file read into observations, before anything is stored."""

    kind: str
    family: str  # snapshots.source
    source_version: str
    version_basis: str
    frame: pd.DataFrame  # OBS_COLUMNS
    rows_read: int
    notes: list[str] = field(default_factory=list)
    as_of: date | None = None  # the day the vintage was cut, when the file says it


def iso3(name: str, code: str | None = None) -> str | None:
    """ISO alpha-3 of a country name in an aggregate file (shared table, then local aliases)."""
    return to_iso3(name, code) or SERIES_ALIASES.get(normalise(name))


def map_countries(names: Iterable[str], *, file: Path, what: str, fix_example: str = "",
                  sheet: str | None = None) -> dict[str, str]:
    """{name: ISO3} for every name, or ONE error listing all unknown names and the fix.

    Two names mapping to the same code are refused too: their values would be silently added.
    """
    out: dict[str, str] = {}
    unknown: list[str] = []
    for name in dict.fromkeys(names):
        code = iso3(name)
        if code is None:
            unknown.append(name)
        else:
            out[name] = code
    where = f" (sheet {sheet!r})" if sheet else ""
    if unknown:
        raise LayoutError(
            f"{len(unknown)} {what} not known as countries{where}: "
            + ", ".join(repr(u) for u in unknown[:12]),
            file=file, field=unknown[0],
            hint="add each to SERIES_ALIASES in src/sahel/series/importers/common.py "
            f"(lower-case name -> ISO3){fix_example}",
        )
    seen: dict[str, str] = {}
    for name, code in out.items():
        if code in seen:
            raise LayoutError(
                f"{what} {seen[code]!r} and {name!r} both map to {code}{where}",
                file=file, field=name,
                hint="fix the alias in SERIES_ALIASES so each name has its own code",
            )
        seen[code] = name
    return out


def month_numbers(values: pd.Series, *, file: Path, sheet: str | None, column: str) -> pd.Series:
    """Month names ('January', 'Jan') or numbers 1-12 -> 1..12; anything else is a RowError."""
    def one(v: object) -> int | None:
        if isinstance(v, str):
            text = v.strip().lower()
            if text.isdigit():
                v = int(text)
            else:
                return MONTHS.get(text)
        if isinstance(v, (int, float)) and not pd.isna(v) and float(v).is_integer():
            n = int(v)
            return n if 1 <= n <= 12 else None
        return None

    out = values.map(one)
    bad = out.isna()
    if bad.any():
        first = int(bad.to_numpy().nonzero()[0][0])
        raise RowError(
            f"{int(bad.sum())} row(s) have a month that is not a month name or 1-12 (first: "
            f"{values.iloc[first]!r}){_sheet(sheet)}",
            count=int(bad.sum()), file=file, line=first + 2, field=column,
            hint="months must be English month names (January) or numbers 1-12",
        )
    return out.astype("int64")


def counts(values: pd.Series, *, file: Path, sheet: str | None, column: str,
           line_offset: int = 2) -> pd.Series:
    """Non-negative whole numbers, else a RowError naming the first bad line."""
    num = pd.to_numeric(values, errors="coerce")
    bad = num.isna() | (num < 0) | (num % 1 != 0)
    if bad.any():
        first = int(bad.to_numpy().nonzero()[0][0])
        raise RowError(
            f"{int(bad.sum())} value(s) are not non-negative whole numbers (first: "
            f"{values.iloc[first]!r}){_sheet(sheet)}",
            count=int(bad.sum()), file=file, line=first + line_offset, field=column,
            hint="the file is damaged or not this kind of table; get a fresh copy",
        )
    return num.astype("float64")


def years(values: pd.Series, *, file: Path, sheet: str | None, column: str) -> pd.Series:
    num = pd.to_numeric(values, errors="coerce")
    bad = num.isna() | (num < 1900) | (num > 2100) | (num % 1 != 0)
    if bad.any():
        first = int(bad.to_numpy().nonzero()[0][0])
        raise RowError(f"{int(bad.sum())} row(s) have no valid year (first: "
                       f"{values.iloc[first]!r}){_sheet(sheet)}", count=int(bad.sum()),
                       file=file, line=first + 2, field=column,
                       hint="years must be whole numbers such as 2025")
    return num.astype("int64")


def _sheet(sheet: str | None) -> str:
    return f" in sheet {sheet!r}" if sheet else ""


def require_columns(found: Iterable[str], needed: Iterable[str], *, file: Path,
                    sheet: str | None = None, kind: str) -> None:
    have = [str(c) for c in found]
    missing = [c for c in needed if c not in have]
    if missing:
        raise LayoutError(
            f"not a {kind} table{_sheet(sheet)}: missing column(s) {', '.join(missing)}; found "
            f"{', '.join(have[:12])}", file=file, field=missing[0],
            hint="check the file, or pass the right --kind (sahel series import --help)",
        )


def excel_sheets(path: Path) -> list[str]:
    """Sheet names of a workbook; a damaged or non-xlsx file is an InputError."""
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            return [str(s) for s in book.sheet_names]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"cannot read the workbook ({type(exc).__name__}: {exc})", file=path,
                         hint="the file is damaged or not an .xlsx: download it again") from exc


def read_sheet(path: Path, wanted: tuple[str, ...] = ("Data", "Sheet1")) -> tuple[pd.DataFrame,
                                                                                  str]:
    """The data sheet of an ACLED/HDX workbook (``Data``, else ``Sheet1``, else the only one).

    HDX workbooks carry a ``TOU`` (terms of use) sheet beside ``Data``; it is never data.
    """
    sheets = excel_sheets(path)
    chosen = next((s for s in wanted if s in sheets), None)
    if chosen is None:
        data = [s for s in sheets if s.upper() != "TOU"]
        if len(data) != 1:
            raise LayoutError(f"cannot tell which sheet holds the data: {', '.join(sheets)}",
                              file=path, hint=f"the data sheet should be named {wanted[0]!r}")
        chosen = data[0]
    try:
        df = pd.read_excel(path, sheet_name=chosen, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"cannot read sheet {chosen!r} ({type(exc).__name__}: {exc})",
                         file=path, hint="the file is damaged: download it again") from exc
    return df, chosen


_AS_OF = re.compile(r"as-of-(\d{1,2})?([A-Za-z]{3})[a-z]*(\d{4})", re.IGNORECASE)


def vintage_from_name(name: str) -> tuple[str, date | None] | None:
    """('as-of 2026-02-27', that day) from 'as-of-27Feb2026'; ('as-of 2026-03', None) from
    'as-of-Mar2026' (no day: the exact cut is unknown); None without an as-of part."""
    m = _AS_OF.search(name)
    if not m or m.group(2).lower() not in MONTHS:
        return None
    month, year = MONTHS[m.group(2).lower()], int(m.group(3))
    if m.group(1):
        day = date(year, month, int(m.group(1)))
        return f"as-of {day.isoformat()}", day
    return f"as-of {year}-{month:02d}", None


def mark_last_period_partial(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Flag the latest period of an ACLED vintage as partial; returns it as text ('2026-03')."""
    key = frame["year"] * 12 + frame["month"].fillna(0).astype("int64")
    last = key == key.max()
    frame = frame.assign(partial=last)
    row = frame.loc[last].iloc[0]
    label = (f"{int(row['year'])}" if pd.isna(row["month"])
             else f"{int(row['year'])}-{int(row['month']):02d}")
    return frame, label


def observations(n: int, **columns: object) -> pd.DataFrame:
    """A frame of ``n`` rows in :data:`OBS_COLUMNS` order.

    Each column is a Series/array of length ``n`` (positions, not index labels, count) or a
    scalar repeated on every row; columns not given are NULL.
    """
    data: dict[str, object] = {}
    for col in OBS_COLUMNS:
        value = columns.get(col)
        if isinstance(value, pd.Series):
            value = value.to_numpy()
        elif value is None or isinstance(value, (str, bool, int, float)):
            value = [value] * n
        data[col] = value
    df = pd.DataFrame(data)
    df["year"] = df["year"].astype("int64")
    df["month"] = df["month"].astype("Int64")
    df["value"] = df["value"].astype("float64")
    df["partial"] = df["partial"].fillna(False).astype("bool")
    for col in ("series", "country_iso3", "admin1", "admin2", "admin2_pcode"):
        df[col] = df[col].astype("object")
    return df


def csv_header(path: Path) -> list[str]:
    """The first line of a UTF-8 CSV (every CSV series file is UTF-8)."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return next(csv.reader(fh), [])
    except UnicodeDecodeError as exc:
        raise EncodingError("the file is not UTF-8 text", file=path,
                            hint="these CSVs are UTF-8; get a fresh copy") from exc
