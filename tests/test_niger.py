"""Niger from the repaired explorer exports (issue 10, point 4): what is recovered, against
~588 expected, each count computed here independently (csv module, pandas) on the files read in
place in ``shared/data/ucdp_ged/explorer_export_2025/_repaired/``.

* ``Niger_corr_semicolon.csv``: a row is readable when its ``country`` is ``Niger`` (the 256
  others are cut short after ``source_article``) and its ``type_of_violence`` is a code, not a
  spreadsheet date (``01/01/1900``): 327 events.
* ``Base_Niger_Nettoyee.xlsx``: every row (517 events, 30 columns).
* ``UEMOA_GED_…xlsx``: 516 Niger events, all in the workbook above (nothing new for Niger).
* together: 517 distinct Niger events of the 588 distinct ids in the mangled original
  (``_broken/Niger.csv``).
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sahel.build import build
from sahel.store.ingest import IngestResult, ingest_file

pytestmark = pytest.mark.shared_data

TODAY = date(2026, 1, 1)
REPAIRED = Path("ucdp_ged/explorer_export_2025/_repaired")
CSV_NAME, BASE, UEMOA = ("Niger_corr_semicolon.csv", "Base_Niger_Nettoyee.xlsx",
                         "UEMOA_GED_cleaned_merged_fusionacled.xlsx")
DATE = re.compile(r"(\d\d)/(\d\d)/(\d{4}) 00:00(:00)?")


def raw_rows(shared: Path) -> list[tuple[int, dict[str, str]]]:
    """(physical line, row) of the repaired CSV, by the csv module alone."""
    out = []
    with (shared / REPAIRED / CSV_NAME).open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        header = next(reader)
        start = reader.line_num + 1
        for cells in reader:
            assert len(cells) == len(header) == 47
            out.append((start, dict(zip(header, cells, strict=True))))
            start = reader.line_num + 1
    return out


def readable(row: dict[str, str]) -> bool:
    return row["country"] == "Niger" and row["type_of_violence"] in ("1", "2", "3")


def month_first(text: str) -> date:
    m = DATE.fullmatch(text)
    assert m, text
    return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))


def day(value: object) -> date:
    return pd.Timestamp(str(value)).date()


def niger_store(db: Path) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT e.*, s.file_name FROM events e JOIN snapshots s "
                           "USING (snapshot_id) WHERE country_iso3 = 'NER' AND retired_by IS NULL "
                           "AND e.source = 'ucdp_ged'").df()
    finally:
        con.close()


def ingest(shared: Path, name: str, db: Path, tmp: Path) -> IngestResult:
    return ingest_file(shared / REPAIRED / name, db_path=db, today=TODAY, skip_bad_rows=True,
                       rejects_path=tmp / f"{name}.rejects.csv")


@pytest.fixture(scope="module")
def workbook(shared_data: Path) -> pd.DataFrame:
    return pd.read_excel(shared_data / REPAIRED / BASE, dtype=object)


def test_the_csv_recovers_its_readable_rows_and_rejects_the_rest_by_line(
        shared_data: Path, tmp_path: Path) -> None:
    rows = raw_rows(shared_data)
    good = {r["id"]: r for _, r in rows if readable(r)}
    shifted = {r["id"]: line for line, r in rows if r["country"] != "Niger"}
    serial = {r["id"]: line for line, r in rows if r["country"] == "Niger" and not readable(r)}
    assert (len(rows), len(good), len(shifted), len(serial)) == (586, 327, 256, 3)
    res = ingest(shared_data, CSV_NAME, tmp_path / "s.duckdb", tmp_path)
    assert (res.layout, res.mode, res.rows_read, res.rows_loaded, res.rows_rejected) == (
        "ucdp_explorer_sheet", "partial", 586, 327, 259)
    df = niger_store(tmp_path / "s.duckdb")
    assert sorted(df.source_id) == sorted(good)
    for _, e in df.iterrows():  # every stored value against the raw row
        r = good[e.source_id]
        assert day(e.date_start) == month_first(r["date_start"]) and e.year == int(r["year"])
        assert day(e.date_end) == month_first(r["date_end"])
        assert (e.fatalities_best, e.fatalities_low, e.fatalities_high) == (
            int(r["best_est"]), int(r["low_est"]), int(r["high_est"]))
        assert e.actor1_raw == r["side_a"] and e.latitude == float(r["latitude"])
    with open(tmp_path / f"{CSV_NAME}.rejects.csv", newline="", encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    first = {}
    for r in rejects:
        first.setdefault(r["id"], r)
    assert {k: int(v["line"]) for k, v in first.items()} == {**shifted, **serial}
    assert {v["field"] for k, v in first.items() if k in shifted} == {"country"}
    assert all("column-shifted or cut short" in v["problem"] for k, v in first.items()
               if k in shifted)
    assert all("spreadsheet turned into a date" in v["problem"] for k, v in first.items()
               if k in serial)


def test_month_first_is_what_the_article_dates_say(shared_data: Path) -> None:
    """The ambiguous dates the rule reads month-first (all 170 written ``HH:MM`` by the
    spreadsheet) are checked against the date of the article they cite: month-first fits
    (event on or before the article, within two months) for most, day-first alone for none."""
    fits = {"month": 0, "day": 0, "both": 0, "neither": 0}
    for _, r in raw_rows(shared_data):
        m = DATE.fullmatch(r["date_start"])
        article = re.search(r",(\d{4}-\d\d-\d\d),", r["source_article"])
        if not readable(r) or not m or not article:
            continue
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if a > 12 or b > 12 or a == b:
            continue
        published = date.fromisoformat(article.group(1))
        ok = [0 <= (published - date(year, mo, d)).days <= 62 for mo, d in ((a, b), (b, a))]
        fits["both" if all(ok) else "month" if ok[0] else "day" if ok[1] else "neither"] += 1
    assert fits["day"] == 0 and fits["month"] > 100, fits


def test_the_repaired_workbook_recovers_all_its_rows(shared_data: Path, tmp_path: Path,
                                                     workbook: pd.DataFrame) -> None:
    res = ingest(shared_data, BASE, tmp_path / "s.duckdb", tmp_path)
    assert (res.layout, res.rows_loaded, res.rows_rejected) == ("ucdp_explorer_repair", 517, 0)
    assert workbook.id.nunique() == len(workbook) == 517
    df = niger_store(tmp_path / "s.duckdb").set_index("source_id")
    for _, r in workbook.iterrows():
        e = df.loc[str(r.id)]
        assert day(e.date_start) == month_first(r.date_start) and e.year == r.year
        assert (e.fatalities_best, e.fatalities_high) == (r.best_est, r.high_est)
        assert e.latitude == pytest.approx(float(r.latitude))
        assert e.actor1_raw is None and e.geo_precision is None  # not in the workbook


def test_all_three_files_together(shared_data: Path, tmp_path: Path,
                                  workbook: pd.DataFrame) -> None:
    """In build's order (the fuller file first): the CSV's 327 events keep their actors, the
    workbook adds the events the CSV lost, the merged UEMOA file adds none for Niger."""
    db = tmp_path / "s.duckdb"
    results = [ingest(shared_data, name, db, tmp_path) for name in (CSV_NAME, BASE, UEMOA)]
    # (UEMOA's other countries are new in this store, which holds no other file)
    assert [(r.events_new, r.events_revised) for r in results[:2]] == [(327, 0), (190, 0)]
    uemoa = pd.read_excel(shared_data / REPAIRED / UEMOA, dtype=object)
    csv_ids = {r["id"] for _, r in raw_rows(shared_data) if readable(r)}
    expected = csv_ids | {str(i) for i in workbook.id} | {
        str(i) for i in uemoa[uemoa.country == "Niger"].id}
    df = niger_store(db)
    assert set(df.source_id) == expected and len(expected) == 517
    assert df.event_uid.is_unique
    assert set(df[df.source_id.isin(csv_ids)].file_name) == {CSV_NAME}
    assert UEMOA not in set(df.file_name)
    assert df[df.source_id.isin(csv_ids)].actor1_raw.notna().all()
    assert (day(df.date_start.min()), day(df.date_start.max())) == (
        date(1989, 9, 19), date(2023, 12, 29))
    # the ~588 expected: distinct ids at the start of a record of the mangled original
    broken = (shared_data / "ucdp_ged/explorer_export_2025/_broken/Niger.csv").read_text(
        encoding="utf-8", errors="replace")
    ids = set(re.findall(r'^"?(\d{4,6})[,;]', broken, flags=re.MULTILINE))
    assert len(ids) == 588 and expected <= ids


def test_build_takes_the_repaired_files(shared_data: Path, tmp_path: Path,
                                        sahel_home: Path) -> None:
    db = tmp_path / "store" / "s.duckdb"
    res = build(from_dir=shared_data / "ucdp_ged", db_path=db, progress=False)
    assert not res.failed
    by = {Path(r.file).name: r for r in res.ingested}
    assert (by[CSV_NAME].rows_loaded, by[CSV_NAME].rows_rejected) == (327, 259)
    assert by[CSV_NAME].rejects_path == str(tmp_path / "store" / "rejects"
                                            / f"{CSV_NAME}.rejects.csv")
    assert Path(str(by[CSV_NAME].rejects_path)).is_file()
    assert any(CSV_NAME in n and "259" in n for n in res.notes)
    assert by[BASE].events_new + by[CSV_NAME].events_new >= 516  # one may be in the GED sample
    assert any("_broken/Niger.csv" in path for path, _ in res.skipped)
    df = niger_store(db)
    assert df.source_id.nunique() == 517
    assert res.summary is not None and "NER" in set(res.summary.country_iso3)
