"""Spreadsheet re-saves of UCDP explorer exports: every accepted mangled form and every refusal,
on small hand-written files (issue 10, point 4). No row is copied from the shared data.

A ``;``-separated file with the explorer's 47 columns is read by the ``ucdp_explorer_sheet``
layout; a 30-column repair (CSV or .xlsx) by ``ucdp_explorer_repair``. The forms are those of
``sahel.events.sheet`` and docs/data-sources.md ("Spreadsheet re-saves"). Line numbers in errors
are the physical lines of the file (the sheet's row for a workbook).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sahel.errors import ArchiveError, InputError, LayoutError, RowError
from sahel.events.harmonise import ALL_LAYOUTS
from sahel.events.layouts import detect_layout
from sahel.store.ingest import IngestResult, ingest_file
from tests.ged_fixtures import GED_HEADER
from tests.test_ingest_errors import ged_row

TODAY = date(2025, 6, 1)
#: the explorer's 47 columns, from the hand-written GED header: no gwnoa/gwnob, *_est
EXPLORER = [{"best": "best_est", "high": "high_est", "low": "low_est"}.get(c, c)
            for c in GED_HEADER if c not in ("gwnoa", "gwnob")]
#: the 30 columns of the team's repaired workbook (Base_Niger_Nettoyee.xlsx), in its order
REPAIR = ["geom_wkt", "priogrid_gid", "country", "country_id", "region", "event_clarity",
          "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians",
          "deaths_unknown", "best_est", "high_est", "low_est", "latitude", "longitude", "id",
          "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
          "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name"]

Row = dict[str, str] | str  # a str is one raw physical line


def sheet_row(n: int, **over: str) -> dict[str, str]:
    """An explorer event in Niger as a spreadsheet re-saved it: dates month-first with a day
    above 12 (so the file settles its order), ``dyad_dset_id`` with a decimal comma."""
    day = f"03/{13 + n % 15:02d}/2020 00:00:00"
    base = ged_row(n, country="Niger", country_id="436", adm_1="Tillabéri region",
                   date_start=day, date_end=day, dyad_dset_id="15259,0", active_year="True")
    row = {{"best": "best_est", "high": "high_est", "low": "low_est"}.get(k, k): v
           for k, v in base.items() if k not in ("gwnoa", "gwnob")}
    unknown = set(over) - set(row)
    assert not unknown, unknown
    row.update(over)
    return row


def write_sheet(path: Path, rows: list[Row], *, header: list[str] = EXPLORER,
                delimiter: str = ";") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        if isinstance(r, str):
            buf.write(r + "\n")
        else:
            w.writerow([r.get(c, "") for c in header])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def ingest(path: Path, db: Path, **kwargs: Any) -> IngestResult:
    return ingest_file(path, db_path=db, today=TODAY, **kwargs)


def stored(db: Path, sql: str = "SELECT source_id, date_start, date_end, fatalities_best, "
           "latitude, category, civilian_targeting FROM events WHERE retired_by IS NULL "
           "ORDER BY source_id") -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def refused(tmp_path: Path, rows: list[Row], **kwargs: Any) -> RowError:
    path = write_sheet(tmp_path / "sheet.csv", rows, **kwargs)
    with pytest.raises(RowError) as info:
        ingest(path, tmp_path / "s.duckdb")
    assert not (tmp_path / "s.duckdb").exists() or stored(tmp_path / "s.duckdb") == []
    err = info.value
    assert err.file is not None and Path(err.file).name == "sheet.csv" and err.hint
    return err


# --------------------------------------------------------------------------- which layout


def test_who_wrote_the_file_picks_the_layout() -> None:
    assert detect_layout(EXPLORER, ALL_LAYOUTS, file="f").name == "ucdp_explorer_csv"
    assert detect_layout(EXPLORER, ALL_LAYOUTS, file="f",
                         written_by="spreadsheet").name == "ucdp_explorer_sheet"
    assert detect_layout(EXPLORER, ALL_LAYOUTS, file="f",
                         written_by="workbook").name == "ucdp_explorer_sheet"
    for by in ("csv", "spreadsheet", "workbook"):
        assert detect_layout(REPAIR, ALL_LAYOUTS, file="f", written_by=by).name == \
            "ucdp_explorer_repair"
    with pytest.raises(LayoutError) as info:  # a workbook is read as a repaired export only
        detect_layout(list(GED_HEADER), ALL_LAYOUTS, file="f", written_by="workbook")
    assert "workbook" in info.value.message and info.value.line == 1


def test_the_published_export_is_not_read_in_spreadsheet_forms(tmp_path: Path) -> None:
    """The same header with ',' is the explorer's own file: '08/22/2020 00:00' is refused."""
    path = write_sheet(tmp_path / "f.csv", [sheet_row(1, date_start="03/15/2020 00:00")],
                       delimiter=",")
    with pytest.raises(RowError) as info:
        ingest(path, tmp_path / "s.duckdb")
    assert info.value.field == "date_start" and info.value.line == 2


# --------------------------------------------------------------------------- accepted forms


@pytest.mark.parametrize(("written", "day"), [
    ("03/15/2020 00:00:00", date(2020, 3, 15)),  # the explorer's own form, kept as text
    ("03/15/2020 00:00", date(2020, 3, 15)),  # seconds dropped by the spreadsheet
    ("03/15/2020", date(2020, 3, 15)),  # time dropped
    ("3/5/2020 0:00", date(2020, 3, 5)),  # one-digit month, day and hour (m/d/yyyy h:mm)
    ("03/04/2020 00:00", date(2020, 3, 4)),  # ambiguous: the column is month-first
    ("05/05/2020 00:00", date(2020, 5, 5)),  # day = month: the same either way
], ids=["hms", "hm", "date_only", "one_digit", "ambiguous_settled", "day_is_month"])
def test_accepted_date_forms(tmp_path: Path, written: str, day: date) -> None:
    rows = [sheet_row(1), sheet_row(2, date_start=written, date_end=written), sheet_row(3)]
    res = ingest(write_sheet(tmp_path / "f.csv", rows), tmp_path / "s.duckdb")
    assert (res.layout, res.rows_loaded, res.method) == ("ucdp_explorer_sheet", 3, "staged")
    got = {r[0]: r for r in stored(tmp_path / "s.duckdb")}
    assert got["1002"][1] == got["1002"][2] == day
    assert "date_start month-first" in "; ".join(res.notes)


def test_a_day_first_column_is_read_day_first(tmp_path: Path) -> None:
    """Every date with a part above 12 has it first: the column is day-first, its ambiguous
    dates too (the rule is the file's own, whichever way it goes)."""
    rows = [sheet_row(1, date_start="25/03/2020 00:00", date_end="25/03/2020 00:00"),
            sheet_row(2, date_start="04/03/2020 00:00", date_end="04/03/2020 00:00")]
    res = ingest(write_sheet(tmp_path / "f.csv", rows), tmp_path / "s.duckdb")
    assert res.rows_loaded == 2
    assert [r[1] for r in stored(tmp_path / "s.duckdb")] == [date(2020, 3, 25), date(2020, 3, 4)]


def test_decimal_commas_and_codes(tmp_path: Path) -> None:
    rows = [sheet_row(1, best_est="14668,0", high_est="14668,00", low_est="3",
                      latitude="14,5", type_of_violence="3,0"),
            sheet_row(2, latitude="13.25")]
    # a version known before reading would let the single pass take a first file: it declines
    # spreadsheet layouts (their day/month order is settled from the file first)
    res = ingest(write_sheet(tmp_path / "f.csv", rows), tmp_path / "s.duckdb",
                 source_version="24.1")
    assert (res.rows_loaded, res.method) == (2, "staged")
    got = {r[0]: r for r in stored(tmp_path / "s.duckdb")}
    assert got["1001"][3:] == (14668, 14.5, "one_sided", True)
    assert got["1002"][4] == 13.25


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(("over", "field", "words"), [
    ({"best_est": "14668,5"}, "best_est", ["'14668,5'", "not a whole number", "decimal comma"]),
    ({"best_est": "14.668"}, "best_est", ["'14.668'", "thousands separator"]),
    ({"best_est": "1,5E+02"}, "best_est", ["not a whole number"]),
    ({"latitude": "14.5,2"}, "latitude", ["not a number"]),
    ({"date_start": "03/20/2020 13:45"}, "date_start", ["time of day"]),
    ({"date_start": "2020-03-20 00:00:00"}, "date_start", ["not a date in an accepted form"]),
    ({"date_start": "02/30/2020 00:00"}, "date_start", ["not a day of the calendar"]),
    ({"date_start": "03/20/2019 00:00"}, "date_start", ["falls in 2019", "year is 2020"]),
    ({"date_end": "03/20/2021 00:00", "year": "2021"}, "date_start", ["year is 2021"]),
    ({"type_of_violence": "01/01/1900"}, "type_of_violence",
     ["'01/01/1900'", "spreadsheet turned into a date"]),
    ({"best_est": "03/01/1900"}, "best_est", ["spreadsheet turned into a date"]),
    ({"type_of_violence": "1,5"}, "type_of_violence", ["unknown value"]),
], ids=["fraction", "dot", "exponent", "two_marks", "time", "iso", "feb30", "year",
        "year_end", "serial_code", "serial_int", "code_fraction"])
def test_refused_forms(tmp_path: Path, over: dict[str, str], field: str,
                       words: list[str]) -> None:
    err = refused(tmp_path, [sheet_row(1), sheet_row(2), sheet_row(3, **over), sheet_row(4)])
    assert (err.line, err.field, err.count) == (4, field, 1)
    assert all(w in err.message for w in words), err.message


def test_an_ambiguous_date_is_refused_when_the_file_does_not_settle_the_order(
        tmp_path: Path) -> None:
    """No date of the column has a part above 12: is 03/04 March or April? Not guessed."""
    rows = [sheet_row(1, date_start="03/04/2020 00:00", date_end="03/04/2020 00:00"),
            sheet_row(2, date_start="05/05/2020 00:00", date_end="05/05/2020 00:00")]
    err = refused(tmp_path, rows)
    assert (err.line, err.field, err.count) == (2, "date_start", 1)
    assert "ambiguous date '03/04/2020 00:00'" in err.message
    assert "none of its dates has a part above 12" in err.message


def test_a_column_of_both_orders_settles_nothing(tmp_path: Path) -> None:
    rows = [sheet_row(1, date_start="03/25/2020 00:00:00", date_end="03/25/2020 00:00:00"),
            sheet_row(2, date_start="25/03/2020 00:00",  # day-first: itself unambiguous
                      date_end="03/25/2020 00:00:00"),
            sheet_row(3, date_start="03/04/2020 00:00", date_end="03/25/2020 00:00:00")]
    err = refused(tmp_path, rows)
    assert (err.line, err.field, err.count) == (4, "date_start", 1)
    assert "month-first dates such as '03/25/2020 00:00:00'" in err.message
    assert "day-first dates such as '25/03/2020 00:00'" in err.message


def test_a_shifted_row_is_refused_not_repaired(tmp_path: Path) -> None:
    """A row cut short after source_article (as in the repaired Niger CSV) and a row whose
    values moved one column: refused as shifted, at their physical lines, even after a quoted
    field that spans two lines."""
    cut = {c: v for c, v in sheet_row(3).items()
           if EXPLORER.index(c) <= EXPLORER.index("source_article")}
    cut["type_of_violence"] = "01/01/1900"
    good2 = sheet_row(2, source_article="AFP,2020-03-02,Clashes\nnear Ayorou")
    moved = sheet_row(4)
    values = [moved[c] for c in EXPLORER]
    moved = dict(zip(EXPLORER, ["", *values[:-1]], strict=True))
    moved["id"] = "1004"
    path = write_sheet(tmp_path / "sheet.csv", [sheet_row(1), good2, cut, moved, sheet_row(5)])
    with pytest.raises(RowError) as info:
        ingest(path, tmp_path / "s.duckdb")
    err = info.value
    assert (err.line, err.field, err.count) == (5, "country", 2)
    assert "column-shifted or cut short: it is empty" in err.message
    assert "per-country export say 'Niger'" in err.message
    assert "sheet.csv:6: field 'country': the row is column-shifted" in err.message
    assert "it holds '152293'" in err.message  # the moved row's priogrid_gid
    res = ingest(path, tmp_path / "s.duckdb", skip_bad_rows=True,
                 rejects_path=tmp_path / "rejects.csv")
    assert (res.rows_loaded, res.rows_rejected, res.events_new) == (3, 2, 3)
    with (tmp_path / "rejects.csv").open(newline="", encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    firsts = {}
    for r in rejects:
        firsts.setdefault(r["id"], r)
    assert {k: (v["line"], v["field"]) for k, v in firsts.items()} == {
        "1003": ("5", "country"), "1004": ("6", "country")}


def test_a_row_with_too_many_fields_is_refused_with_its_line(tmp_path: Path) -> None:
    extra = ";".join([sheet_row(3)[c] for c in EXPLORER] + ["surplus"])
    path = write_sheet(tmp_path / "sheet.csv", [sheet_row(1), sheet_row(2), extra, sheet_row(4)])
    with pytest.raises(InputError) as info:
        ingest(path, tmp_path / "s.duckdb")
    assert info.value.line == 4 and "fields" in info.value.message
    res = ingest(path, tmp_path / "s.duckdb", skip_bad_rows=True,
                 rejects_path=tmp_path / "rejects.csv")
    assert (res.rows_loaded, res.rows_rejected) == (3, 1)


# --------------------------------------------------------------------------- which file wins


def test_a_resave_never_revises_the_published_export_and_adds_no_deletions(
        tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    published = [sheet_row(i) for i in (1, 2)]
    ingest(write_sheet(tmp_path / "Niger.csv", published, delimiter=","), db,
           source_version="24.1")
    resaved = [sheet_row(1, best_est="99"), sheet_row(3)]  # 2 missing, 1 different
    res = ingest(write_sheet(tmp_path / "resaved.csv", resaved), db, source_version="24.1")
    assert (res.mode, res.events_new, res.events_revised, res.events_unchanged,
            res.events_deleted) == ("partial", 1, 0, 1, 0)
    assert any("left as they are" in n for n in res.notes)
    assert [r[3] for r in stored(db)] == [2, 2, 2]  # the published best estimates stay


def test_the_fuller_file_revises_a_repair(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    repair = write_sheet(tmp_path / "repair.csv", [sheet_row(1)], header=REPAIR)
    first = ingest(repair, db)
    assert (first.layout, first.events_new) == ("ucdp_explorer_repair", 1)
    assert stored(db, "SELECT actor1_raw, admin1, geo_precision FROM events") == [
        (None, None, None)]
    res = ingest(write_sheet(tmp_path / "sheet.csv", [sheet_row(1)]), db)
    assert (res.events_revised, res.events_new) == (1, 0)
    assert stored(db, "SELECT actor1_raw, admin1 FROM events WHERE retired_by IS NULL") == [
        ("Government of Mali", "Tillabéri region")]
    again = ingest(repair, db)  # the repair cannot take the actors away again
    assert again.noop or (again.events_revised, again.events_unchanged) == (0, 1)


# --------------------------------------------------------------------------- workbooks


def write_workbook(path: Path, rows: list[list[Any]], *, sheets: int = 1) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    for r in rows:
        book.active.append(r)
    for n in range(1, sheets):
        book.create_sheet(f"Other{n}")
    book.save(path)
    return path


def repair_cells(n: int, **over: Any) -> list[Any]:
    row: dict[str, Any] = {c: v for c, v in sheet_row(n).items() if c in REPAIR}
    row.update(id=1000 + n, year=2020, best_est=2, latitude=14.25, longitude=1.0)
    row.update(over)
    return [row[c] for c in REPAIR]


def test_a_workbook_is_read_with_sheet_rows_as_lines(tmp_path: Path) -> None:
    rows = [REPAIR, repair_cells(1), repair_cells(2, best_est=2.5), repair_cells(3),
            repair_cells(4, date_start=dt.datetime(2020, 3, 4))]
    path = write_workbook(tmp_path / "repair.xlsx", rows)
    with pytest.raises(RowError) as info:
        ingest(path, tmp_path / "s.duckdb")
    err = info.value
    assert (err.line, err.field, err.count) == (3, "best_est", 2)
    assert "'2.5' is not a whole number" in err.message
    # a typed date cell: the spreadsheet parsed it, in an order nothing can check
    assert "repair.xlsx:5: field 'date_start': '2020-03-04 00:00:00' is not a date" in err.message
    res = ingest(path, tmp_path / "s.duckdb", skip_bad_rows=True,
                 rejects_path=tmp_path / "rejects.csv")
    assert (res.layout, res.rows_loaded, res.rows_rejected) == ("ucdp_explorer_repair", 2, 2)
    got = stored(tmp_path / "s.duckdb")
    assert [(r[0], r[1], r[3], r[4]) for r in got] == [
        ("1001", date(2020, 3, 14), 2, 14.25), ("1003", date(2020, 3, 16), 2, 14.25)]


@pytest.mark.parametrize("case", ["two_sheets", "line_break", "damaged"])
def test_workbooks_that_cannot_be_read(tmp_path: Path, case: str) -> None:
    path = tmp_path / "repair.xlsx"
    if case == "two_sheets":
        write_workbook(path, [REPAIR, repair_cells(1)], sheets=2)
        expected: type[Exception] = InputError
    elif case == "line_break":
        write_workbook(path, [REPAIR, repair_cells(1), repair_cells(2, conflict_name="a\nb")])
        expected = InputError
    else:
        write_workbook(path, [REPAIR, repair_cells(1)])
        with zipfile.ZipFile(path) as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        with zipfile.ZipFile(path, "w") as zf:  # still a workbook by its index, but damaged
            for name, data in members.items():
                zf.writestr(name, data[: len(data) // 2] if "worksheets" in name else data)
        expected = ArchiveError
    with pytest.raises(expected) as info:
        ingest(path, tmp_path / "s.duckdb")
    err = info.value
    assert isinstance(err, InputError) and err.hint and Path(str(err.file)).name == "repair.xlsx"
    if case == "line_break":
        assert (err.line, err.field) == (3, "conflict_name")
