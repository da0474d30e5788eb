"""CoupCats coup months: every coup attempt in the world, month by month, to December 2025.

Why beside the Powell & Thyne reader: CoupCats (Thyne et al.) is the monthly continuation of the
same coup list by one of its authors, it reaches the 2025 events (Guinea-Bissau, Madagascar,
Benin's failed attempt) that the 2023 Powell & Thyne file cannot know, and it dates Niger 2023
correctly to July. The forecast room uses it as the *global* coup history; the registry's own
coup events (curated, dated to the day, to 2026) are added on top for the countries it covers.

Only the columns needed are read (``country, ccode, year, month, coup_attempt,
coup_successful``); ``coup_attempt`` is 1 for every attempt, successful or not.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sahel.errors import InputError, LayoutError
from sahel.registry.importers.common import iso3_of
from sahel.settings import get_settings

COUPCATS_FILE = Path("coups") / "coupcats" / "coupcats_2.c.base_data.csv.gz"
_COLUMNS = ["country", "ccode", "year", "month", "coup_attempt", "coup_successful"]
#: CoupCats names pycountry does not resolve, by COW code (the code is the identity).
_CCODE_ISO3 = {260: "DEU", 265: "DDR", 315: "CSK", 345: "YUG", 347: "XKX", 365: "RUS",
               437: "CIV", 572: "SWZ", 678: "YEM", 680: "YMD", 712: "MNG", 731: "PRK",
               732: "KOR", 817: "VNM", 816: "VNM", 860: "TLS", 626: "SSD", 490: "COD",
               484: "COG", 403: "STP", 404: "GNB", 439: "BFA", 552: "ZWE", 775: "MMR"}


def read_coupcats(path: str | Path | None = None) -> pd.DataFrame:
    """Coup attempts as ``iso3, year, month, successful`` (one row per country-month with an
    attempt; ``successful`` is True when the month's attempt succeeded)."""
    file = Path(path) if path else get_settings().shared_data / COUPCATS_FILE
    if not file.is_file():
        raise InputError(f"CoupCats file not found: {file}", file=file,
                         hint="set SAHEL_SHARED_DATA to the shared data folder (it holds "
                         f"{COUPCATS_FILE})")
    try:
        frame = pd.read_csv(file, usecols=lambda c: c in _COLUMNS)
    except (ValueError, OSError, EOFError) as exc:
        raise InputError(f"cannot read the CoupCats file ({str(exc).splitlines()[0]})",
                         file=file, hint="the file is damaged: get a fresh copy") from exc
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise LayoutError(f"{file.name} lacks column(s) {', '.join(missing)}", file=file, line=1,
                          hint="use CoupCats' 2.c.base_data file")
    hits = frame[frame["coup_attempt"].fillna(0) > 0].copy()
    hits["iso3"] = [_CCODE_ISO3.get(int(c)) or iso3_of(str(n)) or ""
                    for c, n in zip(hits["ccode"], hits["country"], strict=True)]
    hits["successful"] = hits["coup_successful"].fillna(0) > 0
    out = hits.loc[hits["iso3"] != "", ["iso3", "year", "month", "successful"]]
    return out.astype({"year": int, "month": int}).sort_values(["iso3", "year", "month"]) \
        .reset_index(drop=True)
