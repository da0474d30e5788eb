"""Bad input gets an error naming file, line and field, with the fix — and the store is untouched.

Issue 2, point 6. Every fixture is a small hand-written file in the standard 49-column UCDP GED
layout, built in ``tmp_path`` at test time (no rows are copied from the shared data). Each error
case first ingests a good file into the same store and checks afterwards that the store (events,
snapshots, changes, archived sources) is exactly as it was.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import zipfile
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from sahel.cli import app
from sahel.errors import ArchiveError, EncodingError, InputError, LayoutError, RowError
from sahel.store.archive import archive_dir
from sahel.store.db import connect
from sahel.store.ingest import IngestResult, ingest_file
from tests.ged_fixtures import GED_HEADER

TODAY = date(2025, 6, 1)
VERSION = "25.1"


Row = dict[str, str] | str  # a dict is written as a CSV record; a str is one raw physical line


# --------------------------------------------------------------------------- fixture helpers


def ged_row(n: int, **over: str) -> dict[str, str]:
    """A plausible UCDP GED event in Mali (id 1000+n); keyword arguments override columns."""
    day = f"2020-03-{n % 28 + 1:02d} 00:00:00.000"
    row = {
        "id": str(1000 + n), "relid": f"MLI-2020-1-15259-{n}", "year": "2020",
        "active_year": "1", "code_status": "Clear", "type_of_violence": "1",
        "conflict_dset_id": "14113", "conflict_new_id": "14113",
        "conflict_name": "Mali: Islamic State", "dyad_dset_id": "15259", "dyad_new_id": "15259",
        "dyad_name": "Government of Mali - IS", "side_a_dset_id": "72", "side_a_new_id": "72",
        "side_a": "Government of Mali", "side_b_dset_id": "234", "side_b_new_id": "234",
        "side_b": "IS", "number_of_sources": "1",
        "source_article": f"AFP,2020-03-0{n % 9 + 1},Clashes near Menaka",
        "source_office": "AFP", "source_date": "2020-03-02", "source_headline": "Clashes",
        "source_original": "FAMa", "where_prec": "1", "where_coordinates": "Menaka town",
        "where_description": "in Menaka", "adm_1": "Menaka region", "adm_2": "Menaka cercle",
        "latitude": f"15.{n % 90:02d}", "longitude": "2.4", "geom_wkt": "POINT (2.4 15.9)",
        "priogrid_gid": "152293", "country": "Mali", "country_id": "432", "region": "Africa",
        "event_clarity": "1", "date_prec": "1", "date_start": day, "date_end": day,
        "deaths_a": "0", "deaths_b": "2", "deaths_civilians": "0", "deaths_unknown": "0",
        "best": "2", "high": "3", "low": "2", "gwnoa": "432", "gwnob": "",
    }
    unknown = set(over) - set(row)
    assert not unknown, unknown
    row.update(over)
    return row


def as_line(row: dict[str, str], header: list[str] = GED_HEADER) -> str:
    """One row as CSV text, without the newline (to damage it by hand)."""
    buf = io.StringIO()
    # lineterminator "\n" so that fields holding newlines get quoted; then drop the terminator
    csv.writer(buf, lineterminator="\n").writerow([row.get(c, "") for c in header])
    return buf.getvalue()[:-1]


def ged_text(rows: list[Row], header: list[str] = GED_HEADER) -> str:
    out = [",".join(header)]
    out += [r if isinstance(r, str) else as_line(r, header) for r in rows]
    return "\n".join(out) + "\n"


def write_ged(path: Path, rows: list[Row], *, header: list[str] = GED_HEADER,
              encoding: str = "utf-8") -> Path:
    path.write_bytes(ged_text(rows, header).encode(encoding))
    return path


def case_file(tmp_path: Path, name: str, bad: list[Row], *, n_good: int = 5,
              bad_at: int = 2) -> tuple[Path, int]:
    """``n_good`` good rows with the ``bad`` ones inserted after the first ``bad_at``.

    Returns the file and the physical line of the first bad row (header = line 1; these rows
    have no embedded newlines, so row k, 0-based, is on line k + 2).
    """
    good: list[Row] = [ged_row(i) for i in range(n_good)]
    return write_ged(tmp_path / name, good[:bad_at] + bad + good[bad_at:]), bad_at + 2


def ingest(path: Path, db: Path, **kwargs: Any) -> IngestResult:
    kwargs.setdefault("source_version", VERSION)
    return ingest_file(path, db_path=db, today=TODAY, **kwargs)


def store_state(db: Path) -> dict[str, Any]:
    """Everything an ingest may change: counts, a checksum of all event versions, archive."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        def one(sql: str) -> Any:
            got = con.execute(sql).fetchone()
            assert got is not None
            return got[0]

        state = {
            "events": one("SELECT count(*) FROM events"),
            "snapshots": one("SELECT count(*) FROM snapshots"),
            "snapshot_ids": one("SELECT list(snapshot_id ORDER BY snapshot_id) FROM snapshots"),
            "changes": one("SELECT count(*) FROM event_changes"),
            "checksum": one("SELECT sum(hash(event_uid, row_hash, retired_by)) FROM events"),
        }
    finally:
        con.close()
    arch = archive_dir(db)
    state["archive"] = sorted(p.name for p in arch.iterdir()) if arch.is_dir() else []
    return state


@pytest.fixture(scope="module")
def baseline_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: a store holding one good snapshot (6 Burkina Faso events, ids 1..6)."""
    tmp = tmp_path_factory.mktemp("baseline")
    rows: list[Row] = [
        ged_row(i, id=str(i), country="Burkina Faso", country_id="439", adm_1="Sahel region")
        for i in range(1, 7)
    ]
    res = ingest(write_ged(tmp / "baseline.csv", rows), tmp / "store" / "sahel.duckdb")
    assert (res.snapshot_id, res.events_new) == (1, 6)
    return tmp / "store"


@pytest.fixture(params=["after_a_snapshot", "empty"])
def store(request: pytest.FixtureRequest, tmp_path: Path, sahel_home: Path,
          baseline_store: Path) -> Path:
    """A private copy of the baseline store (store file and its archive of sources), or an
    empty store: there, a file is first tried by the single-pass ingest (sahel.store.write),
    which must give up on every problem and leave the staged path to report it the same way."""
    if request.param == "empty":
        db = tmp_path / "store" / "sahel.duckdb"
        connect(db).close()
        return db
    shutil.copytree(baseline_store, tmp_path / "store")
    return tmp_path / "store" / "sahel.duckdb"


def fails_cleanly(db: Path, path: Path, exc_type: type[Exception], **kwargs: Any) -> Any:
    """Ingest ``path`` expecting ``exc_type``; the store must be exactly as before."""
    before = store_state(db)
    with pytest.raises(exc_type) as info:
        ingest(path, db, **kwargs)
    assert store_state(db) == before
    err = info.value
    assert err.file is not None and Path(err.file).name == path.name
    assert err.hint, "every input error says how to fix it"
    assert err.hint in err.render() and "fix:" in err.render()
    return err


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- the helper itself


def test_fixture_helper_writes_a_loadable_ged_file(tmp_path: Path, store: Path) -> None:
    path, line = case_file(tmp_path, "ok.csv", [ged_row(50)], n_good=4, bad_at=1)
    assert line == 3
    assert path.read_text().splitlines()[line - 1].startswith("1050,")
    res = ingest(path, store)
    assert (res.rows_loaded, res.rows_rejected, res.events_new) == (5, 0, 5)
    assert res.layout == "ucdp_ged_csv"


# --------------------------------------------------------------------------- bad rows

ROW_CASES = [
    # (case, overrides, field, words in the message)
    ("year_0025", {"date_start": "0025-03-01 00:00:00.000"}, "date_start", ["impossible date", "0025"]),
    ("future_date", {"date_start": "2025-07-01 00:00:00.000", "date_end": "2025-07-01 00:00:00.000"},
     "date_start", ["impossible date", "future"]),
    ("not_a_date", {"date_start": "sometime in March"}, "date_start", ["not a date"]),
    ("ends_before_start", {"date_end": "2020-02-01 00:00:00.000"}, "date_end", ["ends before"]),
    ("latitude_123", {"latitude": "123.4"}, "latitude", ["123.4", "out of range"]),
    ("longitude_200", {"longitude": "200"}, "longitude", ["200", "out of range"]),
    ("latitude_text", {"latitude": "north"}, "latitude", ["not a number"]),
    ("best_many", {"best": "many"}, "best", ["many", "not a whole number"]),
    ("best_negative", {"best": "-3"}, "best", ["negative", "-3"]),
    ("best_fraction", {"best": "2.5"}, "best", ["not a whole number"]),
    ("best_empty", {"best": ""}, "best", ["is empty"]),
    ("violence_9", {"type_of_violence": "9"}, "type_of_violence", ["unknown value '9'", "1, 2, 3"]),
    ("country_atlantis", {"country": "Atlantis"}, "country", ["Atlantis", "ALIASES"]),
    ("id_empty", {"id": ""}, "id", ["is empty"]),
]


@pytest.mark.parametrize(("case", "over", "field", "words"), ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_bad_row_names_file_line_field_and_fix(tmp_path: Path, store: Path, case: str,
                                               over: dict[str, str], field: str,
                                               words: list[str]) -> None:
    path, line = case_file(tmp_path, f"{case}.csv", [ged_row(40, **over)], bad_at=3)
    err = fails_cleanly(store, path, RowError)
    assert (err.line, err.field) == (line, field) == (5, field)
    for word in words:
        assert word in err.message
    assert err.count == 1 and "(1 bad row in all)" in err.message
    assert "--skip-bad-rows" in err.hint
    assert f"{path.name}:{line}: field '{field}'" in err.render()


def test_first_bad_row_is_reported_and_all_are_counted(tmp_path: Path, store: Path) -> None:
    bad: list[Row] = [ged_row(40, latitude="-95"), ged_row(41), ged_row(42, best="lots")]
    path, line = case_file(tmp_path, "two_bad.csv", bad, bad_at=1)
    err = fails_cleanly(store, path, RowError)
    assert (err.line, err.field, err.count) == (line, "latitude", 2)
    assert "(2 bad rows in all)" in err.message
    assert f"{path.name}:{line + 2}: field 'best'" in err.message  # the others are listed too


def test_bad_row_line_counts_physical_lines_after_multiline_fields(tmp_path: Path,
                                                                   store: Path) -> None:
    """UCDP source_article fields hold newlines: the line must be the physical one."""
    multi: list[Row] = [ged_row(i, source_article="AFP\nReuters\n2020-03-02") for i in range(3)]
    path = write_ged(tmp_path / "multiline.csv", [*multi, ged_row(3), ged_row(4, best="many")])
    lines = path.read_text().splitlines()
    assert lines[11].startswith("1004,")  # header + 3 rows x 3 lines + 1 row -> line 12
    err = fails_cleanly(store, path, RowError)
    assert (err.line, err.field) == (12, "best")


def test_duplicate_id_with_different_content(tmp_path: Path, store: Path) -> None:
    path, line = case_file(tmp_path, "dup_id.csv", [ged_row(40), ged_row(40, best="9")], bad_at=2)
    err = fails_cleanly(store, path, RowError)
    assert (err.line, err.field, err.count) == (line, "id", 2)
    assert "duplicate id with different content" in err.message


def test_exact_duplicate_rows_are_dropped_not_errors(tmp_path: Path, store: Path) -> None:
    path, _ = case_file(tmp_path, "dup_same.csv", [ged_row(40), ged_row(40)])
    res = ingest(path, store)
    assert (res.rows_read, res.rows_loaded, res.rows_duplicate, res.rows_rejected) == (7, 6, 1, 0)


# --------------------------------------------------------------------------- malformed CSV

MALFORMED = [
    ("unbalanced_quote", lambda r: as_line(r).replace("Clashes,", '"Clashes,', 1)),
    ("too_many_fields", lambda r: as_line(r) + ",surplus"),
    ("too_few_fields", lambda r: ",".join(as_line(r).split(",")[:20])),
]


@pytest.mark.parametrize(("case", "damage"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_csv_row(tmp_path: Path, store: Path, case: str, damage: Any) -> None:
    path, line = case_file(tmp_path, f"{case}.csv", [damage(ged_row(40))], bad_at=2)
    err = fails_cleanly(store, path, InputError)
    assert err.line == line
    assert "malformed CSV row" in err.message
    assert "--skip-bad-rows" in err.hint and "quote" in err.hint
    assert f"{path.name}:{line}:" in err.render()


def test_malformed_row_line_counts_physical_lines_after_multiline_fields(
        tmp_path: Path, store: Path) -> None:
    multi: list[Row] = [ged_row(i, source_article="AFP\nReuters\n2020-03-02") for i in range(3)]
    path = write_ged(tmp_path / "multiline_bad.csv",
                     [*multi, ged_row(3), as_line(ged_row(4)) + ",surplus"])
    assert path.read_text().splitlines()[11].startswith("1004,")
    err = fails_cleanly(store, path, InputError)
    assert err.line == 12  # DuckDB says 6: header + 5 records


@pytest.mark.parametrize("where", ["in_the_row", "in_the_path"])
def test_malformed_row_classification_ignores_row_text_and_path(tmp_path: Path, store: Path,
                                                                where: str) -> None:
    headline = "Sites switch to UTF-8" if where == "in_the_row" else "Clashes"
    folder = tmp_path / ("downloads" if where == "in_the_row" else "gzip-downloads")
    folder.mkdir()
    path, line = case_file(folder, "headline.csv",
                           [as_line(ged_row(40, source_headline=headline)) + ",surplus"])
    err = fails_cleanly(store, path, InputError)
    assert type(err) is InputError and "malformed CSV row" in err.message
    assert err.line == line


# --------------------------------------------------------------------------- layouts


def test_wrong_layout_is_a_layout_error_on_line_1(tmp_path: Path, store: Path) -> None:
    path = tmp_path / "sipri_trade_register.csv"
    path.write_text("Recipient,Supplier,Year of order,Number ordered,Weapon designation,"
                    "Weapon description\nMali,Russia,2019,4,Mi-35M,combat helicopter\n")
    err = fails_cleanly(store, path, LayoutError)
    assert err.line == 1
    assert "unrecognised layout" in err.message and "Recipient" in err.message
    assert "UCDP or ACLED" in err.hint and "closest known layout" in err.hint


@pytest.mark.parametrize("dropped", ["date_end", "where_prec", "country", "latitude"])
def test_missing_column_of_a_recognised_layout(tmp_path: Path, store: Path, dropped: str) -> None:
    header = [c for c in GED_HEADER if c != dropped]
    path = write_ged(tmp_path / f"no_{dropped}.csv", [ged_row(i) for i in range(3)], header=header)
    err = fails_cleanly(store, path, LayoutError)
    assert (err.line, err.field) == (1, dropped)
    assert "UCDP GED" in err.message and dropped in err.message
    assert "all columns" in err.hint


def test_missing_signature_column_is_an_unrecognised_layout(tmp_path: Path, store: Path) -> None:
    """Without ``best`` no layout signature matches: the hint names what the closest one lacks."""
    header = [c for c in GED_HEADER if c != "best"]
    path = write_ged(tmp_path / "no_best.csv", [ged_row(i) for i in range(3)], header=header)
    err = fails_cleanly(store, path, LayoutError)
    assert err.line == 1
    assert "UCDP GED" in err.hint and "missing best" in err.hint


def test_header_only_file_has_no_usable_rows(tmp_path: Path, store: Path) -> None:
    path = write_ged(tmp_path / "header_only.csv", [])
    err = fails_cleanly(store, path, InputError)
    assert "no usable rows" in err.message


def test_empty_file(tmp_path: Path, store: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    err = fails_cleanly(store, path, InputError)
    assert "empty" in err.message
    assert "again" in err.hint


def test_blank_first_line(tmp_path: Path, store: Path) -> None:
    path = tmp_path / "blank_header.csv"
    path.write_text("\n" + ged_text([ged_row(1)]))
    err = fails_cleanly(store, path, InputError)
    assert err.line == 1 and "header" in err.message


def test_missing_file(tmp_path: Path, store: Path) -> None:
    err = fails_cleanly(store, tmp_path / "nowhere.csv", InputError)
    assert "no such file" in err.message


@pytest.mark.shared_data
def test_real_broken_niger_export(shared_data: Path, store: Path) -> None:
    """The explorer export re-saved by a spreadsheet: every row is one ';'-joined cell."""
    path = shared_data / "ucdp_ged" / "explorer_export_2025" / "_broken" / "Niger.csv"
    err = fails_cleanly(store, path, LayoutError)
    assert err.line == 1
    assert "unrecognised layout" in err.message
    assert "spreadsheet" in err.hint and "';'" in err.hint and "export it again" in err.hint


# --------------------------------------------------------------------------- encodings


def test_latin1_file_is_an_encoding_error_then_loads_with_encoding_latin1(
        tmp_path: Path, store: Path) -> None:
    rows: list[Row] = [ged_row(i) for i in range(3)]
    rows.insert(2, ged_row(40, adm_1="Ségou region", where_coordinates="Ségou town"))
    path = write_ged(tmp_path / "latin1.csv", rows, encoding="latin-1")
    err = fails_cleanly(store, path, EncodingError)
    assert err.line == 4
    assert "utf-8" in err.message.lower()
    assert "--encoding latin-1" in err.hint

    res = ingest(path, store, encoding="latin-1")
    assert (res.rows_loaded, res.rows_rejected) == (4, 0)
    con = duckdb.connect(str(store), read_only=True)
    try:
        got = con.execute("SELECT admin1, location FROM events WHERE source_id = '1040'").fetchall()
    finally:
        con.close()
    assert got == [("Ségou region", "Ségou town")]


def test_latin1_byte_beyond_the_first_mebibyte(tmp_path: Path, store: Path) -> None:
    """Past the header window, DuckDB finds the bad byte; still an EncodingError with the fix."""
    rows: list[Row] = [ged_row(i, id=str(10_000 + i)) for i in range(3200)]
    rows.append(ged_row(40, adm_1="Ségou region"))
    path = write_ged(tmp_path / "latin1_late.csv", rows, encoding="latin-1")
    assert path.stat().st_size > 1 << 20
    err = fails_cleanly(store, path, EncodingError)
    assert err.line == 3202
    assert "--encoding latin-1" in err.hint


def test_unsupported_encoding_name(tmp_path: Path, store: Path) -> None:
    path, _ = case_file(tmp_path, "fine.csv", [])
    before = store_state(store)
    with pytest.raises(InputError) as info:
        ingest(path, store, encoding="cp1252")
    assert info.value.field == "--encoding" and "latin-1" in (info.value.hint or "")
    assert store_state(store) == before


# --------------------------------------------------------------------------- archives


def zip_bytes(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_good_zip_loads(tmp_path: Path, store: Path) -> None:
    path = tmp_path / "ged251-csv.zip"
    path.write_bytes(zip_bytes({"GEDEvent_v25_1.csv": ged_text([ged_row(i) for i in range(8)])}))
    res = ingest_file(path, db_path=store, today=TODAY)  # version from the official name
    assert (res.source, res.source_version, res.rows_loaded) == ("ucdp_ged", "25.1", 8)


def test_bad_row_inside_a_zip_names_the_zip_and_member_line(tmp_path: Path, store: Path) -> None:
    text = ged_text([ged_row(1), ged_row(2), ged_row(3, latitude="123.4")])
    path = tmp_path / "ged251-csv.zip"
    path.write_bytes(zip_bytes({"GEDEvent_v25_1.csv": text}))
    err = fails_cleanly(store, path, RowError)
    assert (err.line, err.field) == (4, "latitude")


def test_truncated_zip(tmp_path: Path, store: Path) -> None:
    data = zip_bytes({"ged.csv": ged_text([ged_row(i) for i in range(30)])})
    path = tmp_path / "ged251-csv.zip"
    path.write_bytes(data[: len(data) // 2])
    err = fails_cleanly(store, path, ArchiveError)
    assert "truncated or damaged" in err.message
    assert "download it again" in err.hint


def test_not_a_zip_despite_the_name(tmp_path: Path, store: Path) -> None:
    path = tmp_path / "ged251-csv.zip"
    path.write_text("<html>503 Service Unavailable</html>")
    err = fails_cleanly(store, path, ArchiveError)
    assert "download it again" in err.hint


def test_zip_with_two_csvs(tmp_path: Path, store: Path) -> None:
    text = ged_text([ged_row(1)])
    path = tmp_path / "two.zip"
    path.write_bytes(zip_bytes({"a.csv": text, "b.csv": text}))
    err = fails_cleanly(store, path, InputError)
    assert "found 2" in err.message and "unzip" in err.hint


def test_good_gzip_loads(tmp_path: Path, store: Path) -> None:
    path = tmp_path / "ged.csv.gz"
    path.write_bytes(gzip.compress(ged_text([ged_row(i) for i in range(8)]).encode()))
    res = ingest(path, store)
    assert (res.rows_loaded, res.events_new) == (8, 8)


def test_bad_row_inside_a_gzip(tmp_path: Path, store: Path) -> None:
    path = tmp_path / "ged.csv.gz"
    path.write_bytes(gzip.compress(ged_text([ged_row(1), ged_row(2, best="-1")]).encode()))
    err = fails_cleanly(store, path, RowError)
    assert (err.line, err.field) == (3, "best")


def test_truncated_gzip(tmp_path: Path, store: Path) -> None:
    data = gzip.compress(ged_text([ged_row(i) for i in range(50)]).encode())
    path = tmp_path / "ged.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    err = fails_cleanly(store, path, ArchiveError)
    assert "truncated or damaged" in err.message
    assert "again" in err.hint


def _big_gzip_cut(cut: str) -> bytes:
    """A gzip of ~1.7 MB of CSV (more than the 1 MiB header window), cut at 80%."""
    data = ged_text([ged_row(i, id=str(10_000 + i)) for i in range(5000)]).encode()
    if cut == "mid_line":
        blob = gzip.compress(data)
        return blob[: int(len(blob) * 0.8)]
    # the download stopped right after a flushed block that ends a line: no partial row
    end = data.index(b"\n", int(len(data) * 0.8)) + 1
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    return comp.compress(data[:end]) + comp.flush(zlib.Z_SYNC_FLUSH)


@pytest.mark.parametrize(("cut", "skip"), [("mid_line", False), ("mid_line", True),
                                           ("line_boundary", False)])
def test_truncated_large_compressed_csv_is_an_archive_error(tmp_path: Path, store: Path, cut: str,
                                                skip: bool) -> None:
    path = tmp_path / "ged.csv.gz"
    path.write_bytes(_big_gzip_cut(cut))
    kwargs: dict[str, Any] = {"skip_bad_rows": skip, "rejects_path": tmp_path / "rejects.csv"}
    err = fails_cleanly(store, path, ArchiveError, **kwargs)
    assert "again" in err.hint


# --------------------------------------------------------------------------- --skip-bad-rows


def _three_bad(tmp_path: Path, *, malformed: str) -> tuple[Path, list[int]]:
    """10 good rows (ids 1000..1009) and 3 bad ones at known lines."""
    good: list[Row] = [ged_row(i) for i in range(10)]
    rows = [*good[:2], ged_row(40, date_start="0025-03-01 00:00:00.000"), *good[2:5],
            ged_row(41, latitude="123.4"), *good[5:8], malformed, *good[8:]]
    path = write_ged(tmp_path / "three_bad.csv", rows)
    return path, [4, 8, 12]


def test_skip_bad_rows_typed_problems(tmp_path: Path, store: Path) -> None:
    path, lines = _three_bad(tmp_path, malformed=as_line(ged_row(42, best="many")))
    rejects = tmp_path / "out" / "rejects.csv"
    res = ingest(path, store, skip_bad_rows=True, rejects_path=rejects)
    assert (res.rows_read, res.rows_loaded, res.rows_rejected, res.events_new) == (13, 10, 3, 10)
    assert res.rejects_path == str(rejects)
    got = read_rejects(rejects)
    assert [(int(r["line"]), r["field"], r["id"]) for r in got] == [
        (lines[0], "date_start", "1040"), (lines[1], "latitude", "1041"), (lines[2], "best", "1042")
    ]
    assert list(got[0])[:3] == ["line", "field", "problem"]
    assert list(got[0])[3:] == GED_HEADER  # the raw values follow, under their own names
    assert "0025" in got[0]["problem"] and got[0]["date_start"] == "0025-03-01 00:00:00.000"
    assert got[1]["latitude"] == "123.4" and got[2]["best"] == "many"
    con = duckdb.connect(str(store), read_only=True)
    try:
        ids = con.execute("SELECT list(source_id ORDER BY source_id) FROM events "
                          "WHERE snapshot_id = ?", [res.snapshot_id]).fetchone()
    finally:
        con.close()
    assert ids == ([str(1000 + i) for i in range(10)],)


def test_skip_bad_rows_malformed_line_only(tmp_path: Path, store: Path) -> None:
    path, line = case_file(tmp_path, "malformed.csv", [as_line(ged_row(40)) + ",surplus"],
                           n_good=10, bad_at=6)
    rejects = tmp_path / "rejects.csv"
    res = ingest(path, store, skip_bad_rows=True, rejects_path=rejects)
    assert (res.rows_loaded, res.rows_rejected) == (10, 1)
    got = read_rejects(rejects)
    assert [(int(r["line"]), r["field"]) for r in got] == [(line, "(row)")]
    assert "malformed CSV row" in got[0]["problem"]
    assert "surplus" in got[0]["id"]  # the raw line, as read


def test_skip_bad_rows_date_latitude_and_malformed_line(tmp_path: Path, store: Path) -> None:
    path, lines = _three_bad(tmp_path, malformed=as_line(ged_row(42)) + ",surplus")
    rejects = tmp_path / "rejects.csv"
    res = ingest(path, store, skip_bad_rows=True, rejects_path=rejects)
    assert (res.rows_loaded, res.rows_rejected) == (10, 3)
    got = read_rejects(rejects)
    assert [(int(r["line"]), r["field"]) for r in got] == [
        (lines[0], "date_start"), (lines[1], "latitude"), (lines[2], "(row)")
    ]


def test_skip_bad_rows_one_rejects_row_per_malformed_line(tmp_path: Path, store: Path) -> None:
    path, line = case_file(tmp_path, "surplus2.csv", [as_line(ged_row(40)) + ",x,y"], n_good=10)
    rejects = tmp_path / "rejects.csv"
    res = ingest(path, store, skip_bad_rows=True, rejects_path=rejects)
    assert res.rows_rejected == 1
    assert [int(r["line"]) for r in read_rejects(rejects)] == [line]


def test_skip_bad_rows_duplicate_ids_keep_each_row(tmp_path: Path, store: Path) -> None:
    path, line = case_file(tmp_path, "dup.csv", [ged_row(40), ged_row(40, best="9")], bad_at=2)
    rejects = tmp_path / "rejects.csv"
    res = ingest(path, store, skip_bad_rows=True, rejects_path=rejects)
    assert (res.rows_loaded, res.rows_rejected) == (5, 2)
    got = read_rejects(rejects)
    assert [(int(r["line"]), r["best"]) for r in got] == [(line, "2"), (line + 1, "9")]


def test_skip_bad_rows_default_rejects_path(tmp_path: Path, store: Path) -> None:
    path, _ = case_file(tmp_path, "one_bad.csv", [ged_row(40, longitude="200")])
    res = ingest(path, store, skip_bad_rows=True)
    assert res.rejects_path == str(tmp_path / "one_bad.csv.rejects.csv")
    assert len(read_rejects(Path(res.rejects_path))) == 1


def test_skip_bad_rows_when_every_row_is_bad(tmp_path: Path, store: Path) -> None:
    path = write_ged(tmp_path / "all_bad.csv", [ged_row(i, best="many") for i in range(3)])
    rejects = tmp_path / "rejects.csv"
    err = fails_cleanly(store, path, InputError, skip_bad_rows=True, rejects_path=rejects)
    assert "no usable rows" in err.message and str(rejects) in err.hint
    assert len(read_rejects(rejects)) == 3


# --------------------------------------------------------------------------- real ACLED rows

ACLED_SAMPLE = ("acled", "acled_export_global_May2020_sample.csv")


@pytest.mark.shared_data
def test_real_acled_sample_bad_rows(shared_data: Path, store: Path, tmp_path: Path) -> None:
    path = shared_data.joinpath(*ACLED_SAMPLE)
    err = fails_cleanly(store, path, RowError, source_version=None)
    assert (err.line, err.field, err.count) == (243, "event_id_cnty", 2)
    assert "is empty" in err.message
    assert f"{path}:5072: field 'country'" in err.message
    assert "--skip-bad-rows" in err.hint

    rejects = tmp_path / "acled_rejects.csv"
    res = ingest(path, store, source_version=None, skip_bad_rows=True, rejects_path=rejects)
    assert (res.source, res.rows_loaded, res.rows_rejected) == ("acled", 5069, 2)
    got = read_rejects(rejects)
    assert [(int(r["line"]), r["field"]) for r in got] == [(243, "event_id_cnty"), (5072, "country")]
    assert got[0]["event_id_cnty"] == "" and got[1]["event_id_cnty"] == "PHL10453"


# --------------------------------------------------------------------------- the CLI

runner = CliRunner()


def test_cli_bad_file_exits_3_with_location_and_fix(tmp_path: Path, store: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # short relative paths: nothing for the console to wrap
    _, line = case_file(tmp_path, "bad_lat.csv", [ged_row(40, latitude="123.4")])
    before = store_state(store)
    result = runner.invoke(app, ["ingest", "ucdp", "bad_lat.csv", "--db", str(store),
                                 "--source-version", VERSION])
    assert result.exit_code == 3, result.output
    assert f"bad_lat.csv:{line}: field 'latitude'" in result.output
    assert "fix:" in result.output and "--skip-bad-rows" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert store_state(store) == before


@pytest.mark.parametrize(("name", "content"), [
    ("sipri.csv", b"Recipient,Supplier,Year of order\nMali,Russia,2019\n"),
    ("ged251-csv.zip", b"PK\x03\x04 truncated"),
    ("latin.csv", ged_text([ged_row(1, adm_1="Ségou")]).encode("latin-1")),
])
def test_cli_input_errors_exit_3_without_traceback(tmp_path: Path, store: Path, name: str,
                                                   content: bytes,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(content)
    result = runner.invoke(app, ["ingest", "ucdp", name, "--db", str(store),
                                 "--source-version", VERSION])
    assert result.exit_code == 3, result.output
    assert f"error: {name}" in result.output and "fix:" in result.output
    assert "Traceback" not in result.output


def test_cli_skip_bad_rows_writes_rejects(tmp_path: Path, store: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _three_bad(tmp_path, malformed=as_line(ged_row(42, best="-1")))
    result = runner.invoke(app, ["ingest", "ucdp", "three_bad.csv", "--db", str(store),
                                 "--source-version", VERSION, "--skip-bad-rows",
                                 "--rejects", "rejects.csv"])
    assert result.exit_code == 0, result.output
    assert "3 bad row(s) of three_bad.csv written to rejects.csv" in result.output
    assert len(read_rejects(tmp_path / "rejects.csv")) == 3
