"""How canonical rows become stored event versions, and the single-pass ingest of a clean file.

The staged path (:func:`sahel.events.harmonise.stage_file`, then :mod:`sahel.store.ingest`)
reads a file into a temp table, then copies the good rows into ``events``: every value is
materialised twice. For the commonest big ingest — the first release of a source into a store,
e.g. a whole GED file on a fresh machine — :func:`insert_single_pass` does the parse, typing,
checks, country lookup and the store write in ONE parallel ``INSERT … SELECT`` over
``read_csv``: 400,000 GED events in 2.06 s instead of 2.44 s (medians of 9 runs,
``benchmarks/README.md``).

The single pass is optimistic. Whatever it cannot vouch for makes it give up with
:class:`SinglePassMiss`, inside the ingest's transaction, which is rolled back: a bad row (the
checks call ``error()``), a country name outside the static map (the ``NOT NULL`` constraint on
``country_iso3``), a duplicate id, a malformed CSV row, a wrong encoding. The staged path then
runs and finds, words and locates every problem. Both paths build their values with the same
SQL (:func:`sahel.events.harmonise.canonical_sql`, :func:`stored_select`), and
``tests/test_single_pass.py`` checks that they store identical rows for every real file of those layouts.
"""

from __future__ import annotations

from datetime import date

import duckdb

from sahel.events.countries import known_names
from sahel.events.harmonise import VALUE_WARNINGS, Staged, canonical_sql, count_warnings
from sahel.events.layouts import Layout
from sahel.events.reader import SourceFile
from sahel.events.schema import STORED_COLUMN_NAMES, STORED_TYPES

NAME_MAP = "_country_names"


class SinglePassMiss(Exception):
    """The single pass cannot take this file; the staged path must (not a user-facing error)."""


def single_pass_fits(layout: Layout, sf: SourceFile, *, skip_bad_rows: bool) -> bool:
    """Files the single pass can take, given that the source has no snapshot in the store yet.

    Left out: ``--skip-bad-rows`` (its rejects file needs the staged rows), files whose country
    resolves through a code column (ACLED's ISO numeric code), actor-based files (rebuilt from
    several rows), files without source ids (synthetic ids are made while staging), HXL files,
    and spreadsheet re-saves (small damaged files whose day/month order is first settled from
    the file itself: see ``harmonise.settle_layout``).
    """
    return (not skip_bad_rows and layout.country_code is None and not layout.one_row_per_actor
            and layout.id_column is not None and not sf.hxl and "interaction" not in sf.columns
            and not layout.spreadsheet)


def stored_select(present: set[str], *, source: str, version: str, sid: int, country: str,
                  alias: str = "i") -> str:
    """The select list of one stored version per canonical row, in ``STORED_COLUMN_NAMES`` order.

    Every value is cast to its stored type, so the virtual ``row_hash`` of a stored version and
    ``ROW_HASH_SQL`` over these rows agree. ``country`` is the SQL of ``country_iso3``.
    """
    cols = []
    for name in STORED_COLUMN_NAMES:
        if name == "source":
            expr = f"'{source}'"
        elif name == "source_version":
            expr = "'" + version.replace("'", "") + "'"
        elif name == "snapshot_id":
            expr = str(sid)
        elif name == "retired_by":
            expr = "NULL"
        elif name == "country_iso3":
            expr = country
        elif name == "year":
            expr = f"year({alias}.date_start)"
        elif name == "date_end":
            expr = f"coalesce({alias}.date_end, {alias}.date_start)"
        else:
            expr = f"{alias}.{name}" if name in present else "NULL"
        cols.append(f"CAST({expr} AS {STORED_TYPES[name]}) AS {name}")
    return ", ".join(cols)


#: joins ``m.country_iso3`` to canonical rows ``i`` by name (NULL: not a known name)
COUNTRY_JOIN = f"LEFT JOIN {NAME_MAP} AS m ON lower(i.country_key_name) = m.name_key"


def name_map(con: duckdb.DuckDBPyConnection) -> None:
    """The temp table :data:`COUNTRY_JOIN` reads: :func:`known_names`, key -> alpha-3."""
    names = known_names()
    con.execute(f"CREATE OR REPLACE TEMP TABLE {NAME_MAP} AS SELECT unnest(?::VARCHAR[]) AS "
                "name_key, unnest(?::VARCHAR[]) AS country_iso3",
                [list(names), list(names.values())])


def insert_single_pass(con: duckdb.DuckDBPyConnection, sf: SourceFile, layout: Layout, *,
                       source: str, version: str, sid: int, today: date) -> Staged:
    """Insert ``sf`` straight into ``events`` as snapshot ``sid``; call inside a transaction.

    Returns what the staged path would have found (counts, countries, dates). Raises
    :class:`SinglePassMiss` when the file needs the staged path; the caller rolls back.
    """
    name_map(con)
    rows = canonical_sql(sf, layout, today, flag_only=True)
    country = ("CASE WHEN i._bad THEN error('a row fails a check: use the staged path') "
               "ELSE m.country_iso3 END")
    select = stored_select(set(layout.fields), source=source, version=version, sid=sid,
                           country=country)
    try:
        con.execute(f"""
            INSERT INTO events ({', '.join(STORED_COLUMN_NAMES)})
            SELECT {select}
            FROM ({rows}) AS i {COUNTRY_JOIN}
        """)
    except (duckdb.Error, UnicodeDecodeError) as exc:  # the latter: DuckDB's own message cut
        raise SinglePassMiss(str(exc).splitlines()[0]) from exc  # inside a UTF-8 character
    got = con.execute("""
        SELECT count(*), count(DISTINCT source_id), min(date_start), max(date_start),
               list(DISTINCT country_iso3 ORDER BY country_iso3)
        FROM events WHERE snapshot_id = ?
    """, [sid]).fetchone()
    assert got is not None
    n, distinct = int(got[0]), int(got[1])
    if n == 0:
        raise SinglePassMiss("no rows")
    if distinct != n:
        raise SinglePassMiss("duplicate ids")  # the staged path drops or reports them
    sf.verify()  # a truncated gzip may have parsed cleanly up to the cut
    if sf.nul_bytes:
        raise SinglePassMiss("NUL bytes")  # the staged path finds the rows that hold them
    warnings = count_warnings(con, f"(SELECT * FROM events WHERE snapshot_id = {int(sid)})",
                              VALUE_WARNINGS)
    return Staged(sf=sf, layout=layout, rows_read=n, rows_ok=n, rows_rejected=0,
                  duplicates_dropped=0, countries=list(got[4]), date_min=got[2],
                  date_max=got[3], warnings=warnings)
