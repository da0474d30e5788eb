"""Powell & Thyne coups, checked against the registry's own coup events.

The registry dates coups itself (``registry/events/coups.yaml``), with a basis. This check lines
them up with Powell & Thyne (event list V2023.09.08 or country-year file V2024.01.29) and reports
every disagreement instead of silently preferring one side: a different date (e.g. Niger 2023,
which these P&T versions date 2023-06-26 although the coup was on 2023-07-26), a different
outcome (successful vs attempt), or an event present on one side only.

Scope: for each country with at least one registry coup event, P&T events from the year of the
country's earliest registry coup event onwards (``since`` can widen or narrow that).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sahel.errors import InputError, LayoutError
from sahel.registry.importers.common import iso3_of
from sahel.registry.load import Registry
from sahel.registry.models import EventType
from sahel.settings import get_settings

PT_EVENTS_FILE = Path("coups") / "powell_thyne_coups_final_V2023.09.08.tsv"
#: Days within which two records of the same country are taken to be the same coup.
MATCH_WINDOW_DAYS = 183
_COW_ISO3 = {432: "MLI", 436: "NER", 439: "BFA", 483: "TCD", 435: "MRT", 434: "BEN", 461: "TGO",
             452: "GHA", 437: "CIV", 475: "NGA", 433: "SEN", 438: "GIN", 404: "GNB", 42: "DOM",
             775: "MMR", 481: "GAB", 625: "SDN"}


def read_powell_thyne(path: str | Path | None = None) -> pd.DataFrame:
    """P&T events as ``country, ccode, date, outcome ('coup'|'coup_attempt'), version``.

    Reads the event list (``year, month, day, coup``) or the country-year file
    (``coup1..coup4``, ``date1..date4`` written like ``26jun2023``).
    """
    file = Path(path) if path else get_settings().shared_data / PT_EVENTS_FILE
    if not file.is_file():
        raise InputError(f"Powell & Thyne file not found: {file}", file=file,
                         hint="pass --file PATH or set SAHEL_SHARED_DATA")
    frame = pd.read_csv(file, sep="\t")
    if {"year", "month", "day", "coup"} <= set(frame.columns):
        dates = pd.to_datetime(frame[["year", "month", "day"]], errors="coerce")
        out = pd.DataFrame({"country": frame["country"], "ccode": frame["ccode"],
                            "date": dates.dt.date, "code": frame["coup"],
                            "version": frame["version"]})
    elif {"coup1", "date1"} <= set(frame.columns):
        parts = []
        for i in range(1, 5):
            sub = frame[frame[f"coup{i}"] > 0]
            parts.append(pd.DataFrame({
                "country": sub["country"], "ccode": sub["ccode"],
                "date": pd.to_datetime(sub[f"date{i}"], format="%d%b%Y", errors="coerce").dt.date,
                "code": sub[f"coup{i}"], "version": sub["version"]}))
        out = pd.concat(parts, ignore_index=True)
    else:
        raise LayoutError(f"{file.name} is not a Powell & Thyne coup file", file=file, line=1,
                          hint="use powell_thyne_coups_final_*.tsv or powell_thyne_ccode_year_*")
    if out["date"].isna().any():
        raise LayoutError(f"{file.name}: {int(out['date'].isna().sum())} rows without a valid date",
                          file=file, hint="check the date columns")
    out["outcome"] = out["code"].map({2: "coup", 1: "coup_attempt"})
    out["iso3"] = [(_COW_ISO3.get(int(c)) or iso3_of(str(n)) or "")
                   for c, n in zip(out["ccode"], out["country"], strict=True)]
    return out.sort_values(["iso3", "date"]).reset_index(drop=True)


@dataclass
class CoupCheck:
    """One row per registry coup event and per in-scope P&T event, with a status."""

    table: pd.DataFrame

    @property
    def disagreements(self) -> pd.DataFrame:
        return self.table[self.table["status"] != "agree"]


def check_coups(
    registry: Registry, path: str | Path | None = None, since: int | None = None
) -> CoupCheck:
    """Compare registry coup events with Powell & Thyne; see the module docstring."""
    pt = read_powell_thyne(path)
    events = [e for e in registry.events.values()
              if e.type in {EventType.COUP, EventType.COUP_ATTEMPT} and e.country]
    version = str(pt["version"].iloc[0]) if len(pt) else ""
    rows = []
    used: set[int] = set()
    first_year: dict[str, int] = {}
    for event in events:
        assert event.country is not None
        first_year[event.country] = min(first_year.get(event.country, 9999),
                                        event.date.first.year)
    for event in sorted(events, key=lambda e: (e.country or "", e.date.first)):
        candidates = pt[(pt["iso3"] == event.country)]
        best_index, best_days = None, None
        for index, date in zip(candidates.index, candidates["date"], strict=True):
            days = _distance(event.date.first, event.date.last, date)
            if index not in used and days <= MATCH_WINDOW_DAYS and (
                    best_days is None or days < best_days):
                best_index, best_days = index, days
        base: dict[str, object] = {"country": event.country, "registry_id": event.id,
                "registry_date": str(event.date), "registry_type": event.type.value}
        if best_index is None:
            status = "missing_in_powell_thyne"
            note = f"no P&T {version} event within {MATCH_WINDOW_DAYS} days"
            if event.date.last > _version_date(version):
                note += f" (the event may postdate P&T version {version})"
            rows.append({**base, "status": status, "pt_date": None, "pt_type": None,
                         "days": None, "note": note})
            continue
        used.add(best_index)
        match = pt.loc[best_index]
        signed = _signed_days(event.date.first, event.date.last, match["date"])
        status = "agree"
        notes = []
        if signed != 0:
            status = "date_differs"
            unit = "day" if abs(signed) == 1 else "days"
            notes.append(f"P&T is {abs(signed)} {unit} {'earlier' if signed < 0 else 'later'}")
        if match["outcome"] != event.type.value:
            status = "type_differs" if status == "agree" else "date_and_type_differ"
            notes.append(f"P&T codes it as {match['outcome']}")
        rows.append({**base, "status": status, "pt_date": match["date"].isoformat(),
                     "pt_type": match["outcome"], "days": signed, "note": "; ".join(notes)})
    for index, match in pt.iterrows():
        iso = match["iso3"]
        if index in used or iso not in first_year:
            continue
        if match["date"].year < (since if since is not None else first_year[iso]):
            continue
        rows.append({"country": iso, "registry_id": None, "registry_date": None,
                     "registry_type": None, "status": "missing_in_registry",
                     "pt_date": match["date"].isoformat(), "pt_type": match["outcome"],
                     "days": None, "note": f"P&T {version} {match['country']}"})
    table = pd.DataFrame(rows, columns=["status", "country", "registry_id", "registry_date",
                                        "registry_type", "pt_date", "pt_type", "days", "note"])
    table["days"] = table["days"].astype("Int64")
    return CoupCheck(table.sort_values(["country", "registry_date", "pt_date"],
                                       na_position="last").reset_index(drop=True))


def _distance(first: dt.date, last: dt.date, other: dt.date) -> int:
    if first <= other <= last:
        return 0
    return min(abs((other - first).days), abs((other - last).days))


def _signed_days(first: dt.date, last: dt.date, other: dt.date) -> int:
    """Days from the registry date (or its precision window) to the P&T date; 0 inside it."""
    if first <= other <= last:
        return 0
    return (other - first).days if other < first else (other - last).days


def _version_date(version: str) -> dt.date:
    try:
        return dt.datetime.strptime(version.removeprefix("V"), "%Y.%m.%d").date()
    except ValueError:
        return dt.date.max
