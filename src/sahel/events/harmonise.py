"""Stage one source file into canonical rows (a DuckDB temp table), with every problem located.

This is the part of an ingest that touches no stored data: it reads, types, checks and
deduplicates. :mod:`sahel.store.ingest` then applies the staged rows in one transaction.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from sahel.errors import ArchiveError, EncodingError, InputError, RowError
from sahel.events import acled, sheet, ucdp
from sahel.events.countries import to_iso3
from sahel.events.layouts import Layout, detect_layout, quote, select_sql
from sahel.events.locate import find_bad_record, find_line_end_problem
from sahel.events.reader import (
    MAX_LINE_BYTES,
    SourceFile,
    find_encoding_error,
    locate_lines,
    record_line,
)
from sahel.outputs import write_file

ALL_LAYOUTS: list[Layout] = [*ucdp.LAYOUTS, *acled.LAYOUTS]
STAGE = "_incoming"
COUNTRY_MAP = "_country_map"
MAX_LISTED = 5

_ACLED_INTER = ("state forces|rebel group|political militia|identity militia|rioters|"
                "protesters|civilians|external/other forces")
#: Values stored as the source gives them, but probably wrong: each is counted per snapshot
#: (``snapshot_warnings``), reported at ingest and by ``sahel snapshots`` — never silent.
#: (kind, columns it needs, SQL condition over a staged/stored row, what a user is told)
VALUE_WARNINGS: list[tuple[str, tuple[str, ...], str, str]] = [
    ("low_above_best", ("fatalities_low", "fatalities_best"),
     "fatalities_low > fatalities_best", "low fatality estimate above the best estimate"),
    ("high_below_best", ("fatalities_high", "fatalities_best"),
     "fatalities_high < fatalities_best", "high fatality estimate below the best estimate"),
]
#: the same, over columns only a staged file has (ACLED's interaction code)
STAGED_WARNINGS: list[tuple[str, tuple[str, ...], str, str]] = [
    ("unknown_interaction", ("_icode",),
     f"_icode IS NOT NULL AND NOT regexp_full_match(_icode, '[0-8]{{1,2}}') AND NOT "
     f"regexp_full_match(lower(_icode), '({_ACLED_INTER})(-({_ACLED_INTER})| only)?')",
     "ACLED interaction code not in ACLED's codebook"),
]


def count_warnings(con: duckdb.DuckDBPyConnection, relation: str,
                   checks: list[tuple[str, tuple[str, ...], str, str]],
                   ) -> dict[str, tuple[int, str, str]]:
    """kind -> (rows, an example source id, description) for the checks that fire (checks
    whose columns ``relation`` lacks — a layout without low/high estimates — are skipped)."""
    present = {r[0] for r in con.execute(f"DESCRIBE {relation}").fetchall()}
    usable = [(k, c, t) for k, needs, c, t in checks if set(needs) <= present]
    if not usable:
        return {}
    parts = ", ".join(f"count(*) FILTER (WHERE {cond}), min(source_id) FILTER (WHERE {cond})"
                      for _, cond, _ in usable)
    got = con.execute(f"SELECT {parts} FROM {relation}").fetchone()
    assert got is not None
    out = {}
    for i, (kind, _, text) in enumerate(usable):
        if got[2 * i]:
            out[kind] = (int(got[2 * i]), str(got[2 * i + 1]), text)
    return out


@dataclass
class RowProblem:
    line: int | None
    field: str
    problem: str
    locator: str | None = None

    def render(self, file: str) -> str:
        where = f"{file}:{self.line}" if self.line else f"{file} (id {self.locator})"
        return f"{where}: field '{self.field}': {self.problem}"


@dataclass
class Staged:
    """What a staged file holds, before anything is stored."""

    sf: SourceFile
    layout: Layout
    rows_read: int
    rows_ok: int
    rows_rejected: int
    duplicates_dropped: int
    problems: list[RowProblem] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    date_min: date | None = None
    date_max: date | None = None
    last_update: date | None = None
    rejects_path: Path | None = None
    parse_rejects: int = 0
    #: kind -> (rows, example id, description): see VALUE_WARNINGS
    warnings: dict[str, tuple[int, str, str]] = field(default_factory=dict)


#: DuckDB's own words for a malformed row -> ours (DuckDB's mention its reader's internals)
_CSV_REASONS: list[tuple[str, str]] = [
    (r"expected number of columns: (\d+) found: (\d+)", "expected {0} fields, found {1}"),
    (r"unterminated quote", "a quoted field is never closed"),
    (r"quote.*(?:not|wasn't) followed|closing quote", "a closing quote is followed by text"),
    (r"invalid unicode|invalid utf", "bytes that are not valid text in this encoding"),
]


def _csv_reason(own: str) -> str:
    for pattern, words in _CSV_REASONS:
        m = re.search(pattern, own)
        if m:
            return words.format(*m.groups())
    return "the row cannot be split into the header's fields"


def _translate_duckdb(exc: duckdb.Error | UnicodeDecodeError, sf: SourceFile) -> InputError:
    """DuckDB's CSV errors, in the project's words, at the line a user sees in an editor.

    A UnicodeDecodeError is DuckDB failing to hand over its own message (it cut the echoed
    line inside a UTF-8 character): the line is then found by :func:`find_bad_record`."""
    sf.verify()  # a truncated gzip explains any parse error after the cut
    text = str(exc) if isinstance(exc, duckdb.Error) else ""
    m = re.search(r"CSV Error on Line:\s*(\d+)", text)
    line = (record_line(sf, int(m.group(1))) or int(m.group(1))) if m else None
    # classify on DuckDB's own words only: the echoed row and the file path may contain anything
    own = "\n".join(
        ln for ln in text.splitlines()
        if not ln.lstrip().startswith(("Original Line:", "file =", "file=")) and str(sf.path) not in ln
        and str(sf.read_path) not in ln
    ).lower()
    bad = (find_encoding_error(sf)
           if "invalid unicode" in own or isinstance(exc, duckdb.InternalException) else None)
    if bad is not None:
        return EncodingError(
            f"byte {bad[1]:#x} is not valid {sf.encoding}", file=sf.path, line=bad[0],
            hint="pass --encoding latin-1 (or utf-16) if the file was saved that way",
        )
    if any(w in own for w in ("gzip", "decompress", "zlib", "inflate")):
        return ArchiveError(
            "the compressed file is truncated or damaged", file=sf.path,
            hint="download or copy the file again",
        )
    size = re.search(r"maximum line size of \d+ bytes exceeded\. actual size:\s*(\d+)", own)
    if size:
        return InputError(
            f"this line is {int(size.group(1)) / 1e6:.1f} MB long; lines over "
            f"{MAX_LINE_BYTES // 1_000_000} MB are not read", file=sf.path, line=line,
            hint="a quote that is never closed runs many rows together: fix the quotes on that "
            "line, or rerun with --skip-bad-rows to set it aside",
        )
    if line is None:  # DuckDB names no line when the line endings change mid-file
        stray = find_line_end_problem(sf)
        if stray is not None:
            return InputError(
                f"malformed CSV: {stray[1]}", file=sf.path, line=stray[0],
                hint="give the file one kind of line ending (e.g. `dos2unix FILE`, or save it "
                "again from an editor), or export it again from the source",
            )
    found = find_bad_record(sf) if line is None else None
    if found is not None:
        return InputError(
            f"malformed CSV row: {found[1]}", file=sf.path, line=found[0],
            hint="fix that line (unbalanced quotes or a wrong number of fields), or rerun with "
            "--skip-bad-rows to set malformed rows aside in a rejects file",
        )
    detail = _csv_reason(own)
    m2 = re.search(r"Original Line: (.*)", text)
    if m2:
        detail += f" — line reads: {m2.group(1)[:120]}"
    return InputError(
        f"malformed CSV row: {detail}", file=sf.path, line=line,
        hint="fix that line (unbalanced quotes or a wrong number of fields), or rerun with "
        "--skip-bad-rows to set malformed rows aside in a rejects file",
    )


def _relation(sf: SourceFile, layout: Layout, *, store_rejects: bool,
              ignore_errors: bool = False) -> str:
    rel = sf.read_csv_sql(store_rejects=store_rejects, ignore_errors=ignore_errors)
    tagged = sf.hxl_filter() if sf.hxl else None
    if tagged is not None:  # the HXL row, told by one of its tags (not only the id column's:
        col, tag = quote(tagged[0]), tagged[1].replace("'", "''")  # a layout may have none)
        return f"(SELECT * FROM {rel} WHERE coalesce(trim({col}), '') <> '{tag}')"
    return rel


def detect(sf: SourceFile) -> Layout:
    """The layout of ``sf`` (by its header, and by who wrote it: see ``detect_layout``)."""
    return detect_layout(sf.header, ALL_LAYOUTS, file=str(sf.path), written_by=sf.written_by)


def settle_layout(con: duckdb.DuckDBPyConnection, sf: SourceFile, layout: Layout) -> Layout:
    """``layout`` with what a spreadsheet-written file settles about itself, read before its
    rows are typed: the country most rows name (a per-country export names one; rows naming
    another are shifted) and each date column's day/month order, from the rows that name that
    country (:mod:`sahel.events.sheet`). Malformed lines are passed over here: the typing pass
    finds and reports them."""
    rel = _relation(sf, layout, store_rejects=False, ignore_errors=True)
    one = next((f.column for f in layout.fields.values() if f.one_per_file), None)
    dates: list[sheet.DateOrder] = []
    country = None
    try:
        if one is not None:
            got = con.execute(f"SELECT c FROM (SELECT NULLIF(trim({quote(one)}), '') AS c FROM "
                              f"{rel}) WHERE c IS NOT NULL GROUP BY c ORDER BY count(*) DESC, c "
                              "LIMIT 1").fetchone()
            country = got[0] if got and len(got[0]) <= 80 else None  # longer: not a name
        where = f"WHERE NULLIF(trim({quote(one)}), '') = ?" if one and country else ""
        for f in layout.fields.values():
            if f.kind == "date" and f.column:
                got = con.execute(sheet.evidence_sql(quote(f.column), rel, where),
                                  [country] if where else []).fetchone()
                assert got is not None
                dates.append(sheet.settle(f.column, got))
    except (duckdb.Error, UnicodeDecodeError) as exc:
        raise _translate_duckdb(exc, sf) from exc
    evidence = sheet.Evidence(tuple(dates), country)
    notes = "; ".join(n for n in (layout.notes, evidence.describe()) if n)
    return dataclasses.replace(layout, evidence=evidence, notes=notes)


def _locator_column(layout: Layout, sf: SourceFile) -> str | None:
    if layout.id_column:
        return layout.id_column
    return "_col0" if "_col0" in sf.columns else None


def _group_actor_rows(con: duckdb.DuckDBPyConnection) -> None:
    """ACLED actor-based exports: one row per actor -> one row per event.

    actor1 is the row whose ``inter1`` code is the first digit of ``interaction``, actor2 the
    first other row whose code is the second digit (ACLED's dyadic convention).
    """
    cols = [r[0] for r in con.execute(f"DESCRIBE {STAGE}").fetchall()]
    keep = [c for c in cols if c not in ("actor1_raw", "assoc_actor1_raw", "_inter",
                                         "_interaction", "_errors", "source_id")]
    firsts = ", ".join(f"any_value({quote(c)}) AS {quote(c)}" for c in keep)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {STAGE} AS
        WITH g AS (
            SELECT source_id, {firsts},
                   any_value(_interaction) AS _interaction,
                   list(struct_pack(a := actor1_raw, aa := assoc_actor1_raw, i := _inter)
                        ORDER BY actor1_raw) AS actors,
                   flatten(list(_errors)) AS _errors
            FROM {STAGE} GROUP BY source_id
        ), a1 AS (
            SELECT *, list_filter(actors, x -> x.i = substr(_interaction, 1, 1))[1] AS first_actor
            FROM g
        )
        SELECT * EXCLUDE (actors, first_actor, _interaction),
               first_actor.a AS actor1_raw, first_actor.aa AS assoc_actor1_raw,
               list_filter(actors, x -> x.i = substr(_interaction, 2, 1)
                   AND x.a IS DISTINCT FROM first_actor.a)[1].a AS actor2_raw,
               list_filter(actors, x -> x.i = substr(_interaction, 2, 1)
                   AND x.a IS DISTINCT FROM first_actor.a)[1].aa AS assoc_actor2_raw
        FROM a1
    """)


def _map_countries(con: duckdb.DuckDBPyConnection) -> list[tuple[str | None, str | None]]:
    keys = con.execute(
        f"SELECT DISTINCT country_key_name, country_key_code FROM {STAGE}"
    ).fetchall()
    rows = [(n, c, to_iso3(n, c)) for n, c in keys]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {COUNTRY_MAP} (name VARCHAR, code VARCHAR, "
                "country_iso3 VARCHAR)")
    if rows:
        con.executemany(f"INSERT INTO {COUNTRY_MAP} VALUES (?, ?, ?)", rows)
    unknown = [(n, c) for n, c, iso in rows if iso is None and (n or c)]
    for name, code in unknown:
        shown = name if name is None or len(name) <= 80 else name[:79] + "…"
        msg = (f"country\tunknown country '{shown}'"
               + (f" (code {code})" if code else "")
               + "; add it to ALIASES in sahel/events/countries.py")
        con.execute(
            f"UPDATE {STAGE} SET _errors = list_append(_errors, ?) "
            "WHERE country_key_name IS NOT DISTINCT FROM ? "
            "AND country_key_code IS NOT DISTINCT FROM ?",
            [msg, name, code],
        )
    return [(n, c) for n, c in unknown]


def _handle_duplicates(con: duckdb.DuckDBPyConnection) -> int:
    dups = con.execute(f"""
        SELECT source_id, count(DISTINCT hash(t)) FROM {STAGE} AS t
        WHERE source_id IN (SELECT source_id FROM {STAGE} WHERE source_id IS NOT NULL
                            GROUP BY source_id HAVING count(*) > 1)
        GROUP BY source_id
    """).fetchall()
    if not dups:
        return 0
    conflicting = [d for d, h in dups if h > 1]
    for sid in conflicting:
        con.execute(
            f"UPDATE {STAGE} SET _errors = list_append(_errors, "
            "'id\tduplicate id with different content in the same file') WHERE source_id = ?",
            [sid],
        )
    before = con.execute(f"SELECT count(*) FROM {STAGE}").fetchone()
    con.execute(f"""
        DELETE FROM {STAGE} WHERE rowid IN (
            SELECT rowid FROM (
                SELECT rowid, row_number() OVER (PARTITION BY source_id ORDER BY rowid) AS rn
                FROM {STAGE} WHERE len(_errors) = 0 AND source_id IN (
                    SELECT source_id FROM {STAGE} GROUP BY source_id HAVING count(*) > 1))
            WHERE rn > 1)
    """)
    after = con.execute(f"SELECT count(*) FROM {STAGE}").fetchone()
    assert before is not None and after is not None
    return int(before[0]) - int(after[0])


def _problems(con: duckdb.DuckDBPyConnection, sf: SourceFile, layout: Layout,
              limit: int | None) -> list[RowProblem]:
    sql = f"SELECT _locator, _errors FROM {STAGE} WHERE len(_errors) > 0"
    rows = con.execute(sql + " ORDER BY rowid" + (f" LIMIT {limit}" if limit else "")).fetchall()
    lines = locate_lines(sf, _locator_column(layout, sf), [r[0] or "" for r in rows])
    seen: dict[str, int] = {}
    out: list[RowProblem] = []
    for locator, errors in rows:
        key = locator or ""
        k = seen.get(key, 0)
        seen[key] = k + 1
        found = lines.get(key, [])
        line = found[k] if k < len(found) else (found[-1] if found else None)
        for err in errors:
            fld, _, problem = err.partition("\t")
            out.append(RowProblem(line, fld, problem, locator))
    return out


def _write_rejects(con: duckdb.DuckDBPyConnection, staged: Staged, path: Path) -> None:
    """Rejected rows with line, field and problem, and the raw values, for the user to fix."""
    sf, layout = staged.sf, staged.layout
    problems = _problems(con, sf, layout, limit=None)
    by_locator: dict[str, dict[int | None, list[RowProblem]]] = {}
    for p in problems:
        by_locator.setdefault(p.locator or "", {}).setdefault(p.line, []).append(p)
    loc_col = _locator_column(layout, sf)
    raw_rows: list[tuple[Any, ...]] = []
    if loc_col and by_locator:
        con.execute("CREATE OR REPLACE TEMP TABLE _bad_ids (v VARCHAR)")
        con.executemany("INSERT INTO _bad_ids VALUES (?)", [[k] for k in by_locator])
        raw_rows = con.execute(
            f"SELECT * FROM {_relation(sf, layout, store_rejects=False, ignore_errors=True)} src "
            f"WHERE coalesce(trim({quote(loc_col)}), '') IN (SELECT v FROM _bad_ids)"
        ).fetchall()
    write_file(path, lambda tmp: _write_rejects_csv(con, staged, tmp, problems, by_locator,
                                                    loc_col, raw_rows), what="rejects")
    staged.rejects_path = path


def _write_rejects_csv(con: duckdb.DuckDBPyConnection, staged: Staged, path: Path,
                       problems: list[RowProblem],
                       by_locator: dict[str, dict[int | None, list[RowProblem]]],
                       loc_col: str | None, raw_rows: list[tuple[Any, ...]]) -> None:
    sf = staged.sf
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["line", "field", "problem", *sf.columns])
        idx = sf.columns.index(loc_col) if loc_col else None
        nth: dict[str, int] = {}
        for raw in raw_rows:  # file order: the k-th row with an id pairs with its k-th line
            key = (str(raw[idx]).strip() if idx is not None and raw[idx] is not None else "")
            groups = list(by_locator.get(key, {}).values())
            k = nth.get(key, 0)
            nth[key] = k + 1
            for p in groups[k] if k < len(groups) else []:
                w.writerow([p.line or "", p.field, p.problem, *raw])
        if staged.parse_rejects:
            for line, message, csv_line in con.execute(
                "SELECT line, first(error_message ORDER BY column_idx), first(csv_line) "
                "FROM reject_errors GROUP BY line ORDER BY line"
            ).fetchall():
                w.writerow([record_line(sf, int(line)) or line, "(row)",
                            f"malformed CSV row: {_csv_reason(message.lower())}", csv_line])


def _mark_nul_bytes(con: duckdb.DuckDBPyConnection, sf: SourceFile, layout: Layout) -> int:
    """Refuse rows whose stored text holds a NUL byte (a damaged or binary file: the value
    would print as nothing and compare unequal to its visible twin); the NUL bytes found
    elsewhere (in columns that are not stored) are returned, to be counted as a warning."""
    texts = [(name, f.column) for name, f in layout.fields.items()
             if f.kind in ("text", "map") and f.column and not name.startswith("_")]
    flagged = 0
    for name, column in texts:
        n = con.execute(
            f"UPDATE {STAGE} SET _errors = list_append(_errors, ?) "
            f"WHERE contains({quote(name)}, chr(0))",
            [f"{column}\tholds a NUL byte (\\0): the file is damaged or not plain text; "
             "remove the NUL bytes or export it again"],
        ).fetchone()
        flagged += int(n[0]) if n else 0
    return 0 if flagged else sf.nul_bytes


def canonical_sql(sf: SourceFile, layout: Layout, today: date, *, store_rejects: bool = False,
                  flag_only: bool = False) -> str:
    """The one select that reads ``sf`` as canonical rows (see :func:`select_sql`).

    Besides the canonical columns: ``_locator`` (what finds a row's line again on the error
    path), ``_updated`` (ACLED's row timestamp, which dates an export), the country keys, and
    the checks as ``_errors`` or, with ``flag_only``, ``_bad``. Shared by the staged path and
    the single-pass ingest (:mod:`sahel.store.write`), so both store the same values.
    """
    extra = []
    loc = _locator_column(layout, sf)
    if not flag_only:
        extra.append(f"coalesce({quote(loc)}, '') AS _locator" if loc else "'' AS _locator")
    if "timestamp" in sf.columns:
        extra.append("try_cast(src.\"timestamp\" AS BIGINT) AS _updated")
    else:
        extra.append("CAST(NULL AS BIGINT) AS _updated")
    if not flag_only:
        extra.append('src."interaction" AS _icode' if "interaction" in sf.columns
                     else "CAST(NULL AS VARCHAR) AS _icode")
    rel = _relation(sf, layout, store_rejects=store_rejects)
    wanted = [c for c in (loc, "timestamp", "interaction") if c and c in sf.columns]
    return select_sql(layout, rel, today, extra=extra, columns=wanted, available=sf.columns,
                      flag_only=flag_only)


def stage_file(
    con: duckdb.DuckDBPyConnection,
    sf: SourceFile,
    *,
    today: date,
    skip_bad_rows: bool = False,
    rejects_path: Path | None = None,
    layout: Layout | None = None,
) -> Staged:
    """Read ``sf`` into the temp table ``_incoming`` (canonical columns + ``_errors``).

    Without ``skip_bad_rows`` any bad row raises :class:`RowError` naming file, line, field and
    fix; with it, bad rows are written to ``rejects_path`` and left out.
    """
    layout = layout or detect(sf)
    if layout.spreadsheet and layout.evidence is None:
        layout = settle_layout(con, sf, layout)
    sql = canonical_sql(sf, layout, today, store_rejects=skip_bad_rows)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} AS {sql}")
    except (duckdb.Error, UnicodeDecodeError) as exc:
        raise _translate_duckdb(exc, sf) from exc
    sf.verify()
    nul_unstored = _mark_nul_bytes(con, sf, layout) if sf.nul_bytes else 0
    parse_rejects = 0
    if skip_bad_rows:
        got = con.execute("SELECT count(DISTINCT line) FROM reject_errors").fetchone()
        parse_rejects = int(got[0]) if got else 0
    if layout.one_row_per_actor:
        _group_actor_rows(con)
    _map_countries(con)
    dropped = _handle_duplicates(con)
    stats = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE len(_errors) > 0) FROM {STAGE}"
    ).fetchone()
    assert stats is not None
    total, bad = int(stats[0]), int(stats[1])
    staged = Staged(
        sf=sf, layout=layout, rows_read=total + dropped + parse_rejects, rows_ok=total - bad,
        rows_rejected=bad + parse_rejects, duplicates_dropped=dropped,
        parse_rejects=parse_rejects,
    )
    if bad and not skip_bad_rows:
        problems = _problems(con, sf, layout, limit=MAX_LISTED)
        first = problems[0]
        listed = "\n  ".join(p.render(str(sf.path)) for p in problems[1:MAX_LISTED])
        more = f"\n  {listed}" if listed else ""
        raise RowError(
            f"{first.problem} ({bad} bad row{'s' if bad != 1 else ''} in all){more}",
            count=bad, file=sf.path, line=first.line, field=first.field,
            hint="fix the rows in the source file, or rerun with --skip-bad-rows to load the "
            "good rows and write the bad ones to a rejects file",
        )
    if (bad or parse_rejects) and skip_bad_rows:
        target = rejects_path or sf.path.with_name(sf.path.name + ".rejects.csv")
        _write_rejects(con, staged, target)
    # a row timestamp after today is bogus: it must not date the export (a later, real export
    # would then look older than this one), so it is counted and left out of the dating
    horizon = int(datetime(today.year, today.month, today.day, tzinfo=UTC).timestamp()) + 86400
    cov = con.execute(f"""
        SELECT list(DISTINCT m.country_iso3 ORDER BY m.country_iso3), min(i.date_start),
               max(i.date_start), max(i._updated) FILTER (WHERE i._updated <= ?),
               count(*) FILTER (WHERE i._updated > ?), min(i.source_id) FILTER (WHERE i._updated > ?)
        FROM {STAGE} i JOIN {COUNTRY_MAP} m
          ON i.country_key_name IS NOT DISTINCT FROM m.name
         AND i.country_key_code IS NOT DISTINCT FROM m.code
        WHERE len(i._errors) = 0
    """, [horizon, horizon, horizon]).fetchone()
    assert cov is not None
    staged.countries = [c for c in (cov[0] or []) if c]
    staged.date_min, staged.date_max = cov[1], cov[2]
    if cov[3]:
        staged.last_update = datetime.fromtimestamp(int(cov[3]), UTC).date()
    good = f"(SELECT * FROM {STAGE} WHERE len(_errors) = 0)"
    staged.warnings = count_warnings(con, good, VALUE_WARNINGS + STAGED_WARNINGS)
    if cov[4]:
        staged.warnings["timestamp_in_future"] = (
            int(cov[4]), str(cov[5]), "row timestamp after today (not used to date the export)")
    if nul_unstored:
        staged.warnings["nul_bytes"] = (
            nul_unstored, "", "NUL bytes in columns that are not stored (kept in the archive)")
    if staged.rows_ok == 0:
        raise InputError(
            "no usable rows in the file", file=sf.path,
            hint="check that it is the file you meant; --skip-bad-rows wrote the problems to "
            f"{staged.rejects_path}" if staged.rejects_path else "check that it has data rows",
        )
    return staged
