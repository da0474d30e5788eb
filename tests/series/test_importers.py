"""Each importer on the real shared file, figures recomputed independently of the importers.

The expected numbers are both the data README's (checked with pandas when the files were
collected) and a fresh reading of the file here with the csv module, openpyxl or pandas.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sahel.series import SeriesImportResult, get_series
from tests.series.conftest import (
    ACLED_CM_FEB,
    ACLED_CM_MAR,
    ACLED_CY_EVENTS,
    ACLED_CY_FAT,
    BFA_PV,
    MONTHS,
    PACE,
    VIEWS_DIR,
    pace_columns,
    xlsx_records,
)

pytestmark = pytest.mark.shared_data
SAHEL = {"MLI": "Mali", "BFA": "Burkina Faso", "NER": "Niger"}


def _total(db: Path, name: str, iso: str, start: date, end: date, **kw: object) -> float:
    df, _ = get_series(name, countries=[iso], start=start, end=end, db_path=db, **kw)  # type: ignore[arg-type]
    return float(df["value"].sum())


def test_pace_totals(shared_data: Path, db: Path, results: dict[str, SeriesImportResult]) -> None:
    cols = pace_columns(shared_data / PACE)
    res = results[Path(PACE).name]
    assert res.observations == 449 * 133 and res.countries == 133
    assert (res.coverage_start, res.coverage_end) == (date(1989, 1, 1), date(2026, 5, 31))
    readme_since_2023_07 = {"MLI": 6116, "BFA": 10520, "NER": 3182}
    readme_all = {"MLI": 19611, "BFA": 20742, "NER": 8115}
    for iso, name in SAHEL.items():
        mine = sum(v for d, v in cols[name] if d >= "2023-07-01")
        stored = _total(db, "ucdp_pace_deaths_best", iso, date(2023, 7, 1), date(2026, 5, 31))
        assert stored == mine == readme_since_2023_07[iso], iso
        assert _total(db, "ucdp_pace_deaths_best", iso, date(1989, 1, 1),
                      date(2026, 12, 31)) == sum(v for _, v in cols[name]) == readme_all[iso]
    # the renamed countries resolve, and nothing is lost overall
    grand = sum(v for name, vals in cols.items() if not name.startswith("Unnamed")
                for _, v in vals)
    df, _ = get_series("ucdp_pace_deaths_best", db_path=db)
    assert df["value"].sum() == grand
    assert {"CIV", "COD", "CAF", "BIH", "SSD"} <= set(df["country_iso3"])
    civ = sum(v for _, v in cols["Côte d'Ivoire"])
    assert df.loc[df["country_iso3"] == "CIV", "value"].sum() == civ


def test_views_totals(shared_data: Path, db: Path) -> None:
    folder = shared_data / VIEWS_DIR
    names = pd.read_csv(folder / "views_country_list.csv").set_index("country_id")["name"]
    parts = [pd.read_parquet(p).reset_index() for p in sorted(folder.glob("cm_actuals_*.parquet"))]
    raw = pd.concat(parts)
    raw["name"] = raw["country_id"].map(names)
    mine = raw.groupby("name")["outcome"].sum()
    combined = pd.read_csv(next(folder.glob("*combined.csv"))).groupby("name")["ged_sb_best"].sum()
    readme = {"MLI": 5359, "BFA": 9070, "NER": 2531}
    for iso, name in SAHEL.items():
        stored = _total(db, "views_ged_sb", iso, date(2018, 1, 1), date(2024, 4, 30))
        assert stored == mine[name] == combined[name] == readme[iso], iso
    df, _ = get_series("views_ged_sb", db_path=db)
    assert len(df) == len(raw) == 14516 and df["country_iso3"].nunique() == 191
    assert df["value"].sum() == raw["outcome"].sum()
    assert (df["period"].min(), df["period"].max()) == ("2018-01", "2024-04")


def _acled_month_totals(records: list[dict[str, object]]) -> dict[tuple[str, int, int], int]:
    return {(str(r["COUNTRY"]), int(r["YEAR"]), MONTHS.index(str(r["MONTH"])) + 1):  # type: ignore[call-overload]
            int(r["EVENTS"]) for r in records}  # type: ignore[call-overload]


def test_acled_country_month(shared_data: Path, db: Path,
                             results: dict[str, SeriesImportResult]) -> None:
    feb = _acled_month_totals(xlsx_records(shared_data / ACLED_CM_FEB))
    mar = _acled_month_totals(xlsx_records(shared_data / ACLED_CM_MAR))
    assert len(feb) == 28516 and len(mar) == 28622
    feb_sid = results[Path(ACLED_CM_FEB).name].snapshot_id
    readme_2021_2026_02 = {"MLI": 7316, "BFA": 7594, "NER": 2442}
    for iso, name in SAHEL.items():
        mine = sum(v for (c, y, _), v in feb.items() if c == name and y >= 2021)
        stored = _total(db, "acled_pv_events", iso, date(2021, 1, 1), date(2026, 2, 28),
                        as_of=feb_sid)
        assert stored == mine == readme_2021_2026_02[iso], iso
        for when, src in ((feb_sid, feb), (None, mar)):
            df, _ = get_series("acled_pv_events", countries=[iso], as_of=when, db_path=db,
                               fill_zero=False)
            got = {(int(r.year), int(r.month)): int(r.value) for r in df.itertuples()}
            assert got == {(y, m): v for (c, y, m), v in src.items() if c == name}, (iso, when)
    cur, _ = get_series("acled_pv_events", db_path=db, fill_zero=False)
    assert len(cur) == len(mar) and cur["value"].sum() == sum(mar.values())
    assert set(cur.loc[cur["partial"], "period"]) == {"2026-03"}
    old, _ = get_series("acled_pv_events", db_path=db, fill_zero=False, as_of=feb_sid)
    assert set(old.loc[old["partial"], "period"]) == {"2026-02"}


def _by_country_year(records: list[dict[str, object]], col: str) -> dict[tuple[str, int], int]:
    return {(str(r["COUNTRY"]), int(r["YEAR"])): int(r[col]) for r in records}  # type: ignore[call-overload]


def test_acled_country_year_events_and_fatalities(shared_data: Path, db: Path) -> None:
    events = _by_country_year(xlsx_records(shared_data / ACLED_CY_EVENTS), "EVENTS")
    fat = _by_country_year(xlsx_records(shared_data / ACLED_CY_FAT), "FATALITIES")
    readme_events_2025 = {"MLI": 1594, "BFA": 1371, "NER": 549}
    readme_fat = {"MLI": (4329, 4023, 3943), "BFA": (8499, 7487, 5274),
                  "NER": (1156, 1863, 1935)}
    for iso, name in SAHEL.items():
        stored = _total(db, "acled_pv_events_country_year", iso, date(2025, 1, 1),
                        date(2025, 12, 31))
        assert stored == events[(name, 2025)] == readme_events_2025[iso]
        df, _ = get_series("acled_fatalities_country_year", countries=[iso],
                           start=date(2023, 1, 1), end=date(2025, 12, 31), db_path=db)
        assert tuple(df["value"].astype(int)) == tuple(fat[(name, y)] for y in (2023, 2024, 2025))
        assert tuple(df["value"].astype(int)) == readme_fat[iso]
    for name, src in (("acled_pv_events_country_year", events),
                      ("acled_fatalities_country_year", fat)):
        df, _ = get_series(name, db_path=db, fill_zero=False)
        assert len(df) == len(src) and df["value"].sum() == sum(src.values())
        assert set(df.loc[df["partial"], "period"]) == {"2026"}


def test_acled_bfa_admin2(shared_data: Path, db: Path) -> None:
    """Political violence file read independently; the civilian-targeting file (same importer,
    same layout) is checked against the data README's totals to keep the suite fast."""
    records = xlsx_records(shared_data / BFA_PV)
    assert len(records) == 15255
    recent = [r for r in records if int(r["Year"]) >= 2021]  # type: ignore[call-overload]
    by_pcode: dict[str, int] = defaultdict(int)
    for r in records:
        by_pcode[str(r["Admin2 Pcode"])] += int(r["Events"])  # type: ignore[call-overload]
    readme = {("pv", "events"): 6378, ("pv", "fatalities"): 24261,
              ("civ", "events"): 2598, ("civ", "fatalities"): 7281}
    for (family, what), expected in readme.items():
        stored = _total(db, f"acled_bfa_{family}_{what}_admin2", "BFA", date(2021, 1, 1),
                        date(2025, 3, 31))
        if family == "pv":
            assert stored == sum(int(r[what.title()]) for r in recent)  # type: ignore[call-overload]
        assert stored == expected, (family, what)
    for family in ("pv", "civ"):
        df, _ = get_series(f"acled_bfa_{family}_events_admin2", db_path=db)
        assert len(df) == 15255 and df["admin2_pcode"].nunique() == 45
        assert set(df.loc[df["partial"], "period"]) == {"2025-03"}
        kadiogo = df[df["admin2_pcode"] == "BF1300"]
        assert set(kadiogo["admin2"]) == {"Kadiogo"} and set(kadiogo["admin1"]) == {"Centre"}
        if family == "pv":
            assert df.groupby("admin2_pcode")["value"].sum().to_dict() == by_pcode
