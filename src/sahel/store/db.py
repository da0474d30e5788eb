"""The DuckDB warehouse: connection settings and registered schema migrations.

Migrations are numbered SQL steps recorded in ``schema_migrations`` (sqlite-utils style), so a
store written by an older version is upgraded in place and a store from a *newer* version is
refused instead of being damaged.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sahel.errors import NotFoundError, StoreError
from sahel.events.schema import ADDED_COLUMNS, BASE_EVENT_COLUMNS

_EVENT_DDL = ",\n    ".join(f"{c.name} {c.sql_type}" for c in BASE_EVENT_COLUMNS)

#: (version, name, SQL). Append only; never edit a released step.
MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "snapshots, events, changes",
        f"""
CREATE TABLE snapshots (
    snapshot_id INTEGER PRIMARY KEY,
    source VARCHAR NOT NULL,
    source_version VARCHAR NOT NULL,
    version_basis VARCHAR,
    layout VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    member VARCHAR,
    file_sha256 VARCHAR NOT NULL,
    file_size BIGINT NOT NULL,
    archive_path VARCHAR,
    ingested_at TIMESTAMP NOT NULL,
    mode VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL,
    events_new BIGINT NOT NULL,
    events_revised BIGINT NOT NULL,
    events_unchanged BIGINT NOT NULL,
    events_deleted BIGINT NOT NULL,
    coverage_countries VARCHAR[],
    coverage_start DATE,
    coverage_end DATE,
    notes VARCHAR,
    sahel_version VARCHAR NOT NULL,
    duckdb_version VARCHAR NOT NULL
);
CREATE TABLE events (
    {_EVENT_DDL}
);
CREATE TABLE event_changes (
    snapshot_id INTEGER NOT NULL,
    event_uid VARCHAR NOT NULL,
    change VARCHAR NOT NULL  -- revised | deleted
);
CREATE VIEW events_current AS SELECT * FROM events WHERE retired_by IS NULL;
""",
    ),
    (
        2,
        "aggregate series beside the events (sahel.series)",
        """
CREATE TABLE series_definitions (
    series VARCHAR PRIMARY KEY,
    family VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    period VARCHAR NOT NULL CHECK (period IN ('month', 'year')),
    spatial_unit VARCHAR NOT NULL CHECK (spatial_unit IN ('country', 'admin2')),
    definition VARCHAR NOT NULL,
    caveats VARCHAR,
    citation VARCHAR NOT NULL,
    licence VARCHAR NOT NULL,
    public BOOLEAN NOT NULL,
    absent_means_zero BOOLEAN NOT NULL
);
CREATE TABLE series (
    series VARCHAR NOT NULL,
    snapshot_id INTEGER NOT NULL,
    retired_by INTEGER,
    country_iso3 VARCHAR NOT NULL,
    admin1 VARCHAR,
    admin2 VARCHAR,
    admin2_pcode VARCHAR,
    year INTEGER NOT NULL,
    month INTEGER CHECK (month BETWEEN 1 AND 12),
    value DOUBLE,
    partial BOOLEAN NOT NULL
);
CREATE TABLE series_changes (
    snapshot_id INTEGER NOT NULL,
    series VARCHAR NOT NULL,
    country_iso3 VARCHAR NOT NULL,
    admin2_pcode VARCHAR,
    year INTEGER NOT NULL,
    month INTEGER,
    change VARCHAR NOT NULL,  -- revised | restated | vanished
    old_value DOUBLE,
    new_value DOUBLE
);
CREATE VIEW series_current AS SELECT * FROM series WHERE retired_by IS NULL;
""",
    ),
    (
        3,
        "warnings: values stored as given but probably wrong, counted per snapshot",
        """
CREATE TABLE snapshot_warnings (
    snapshot_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    count BIGINT NOT NULL,
    example VARCHAR,
    PRIMARY KEY (snapshot_id, kind)
);
""",
    ),
    (
        4,
        "deaths of each side (UCDP deaths_a/deaths_b), for claims about one side's losses",
        "\n".join(f"ALTER TABLE events ADD COLUMN {c.name} {c.sql_type};" for c in ADDED_COLUMNS),
    ),
]

#: tables every migrated store has (a store missing one is damaged, not merely old)
TABLES = ("schema_migrations", "snapshots", "events", "event_changes", "series_definitions",
          "series", "series_changes", "snapshot_warnings")

LATEST = MIGRATIONS[-1][0]

#: On-disk format of a *new* store file. DuckDB's default still writes the v1.0 format (readable
#: by DuckDB 1.0 onwards); the v1.3+ formats compress strings with a cheaper dictionary+FSST
#: scheme, which cut the store write of a 400,000-event ingest from ~0.95 to ~0.65 s at the same
#: size (``benchmarks/README.md``). The store is only ever read through the pinned DuckDB, so the
#: newer format costs users nothing. A store created earlier keeps its format (DuckDB reads both).
STORAGE_VERSION = "v1.5.0"


def default_db_path() -> Path:
    from sahel.settings import get_settings

    return get_settings().db_path


DAMAGED_HINT = ("restore the file from a backup, or rebuild it from the archived source files: "
                "`sahel store rebuild` (it keeps the damaged file aside)")


def damaged(path: Path, what: str) -> StoreError:
    """The one error for a store file that cannot be read as a store."""
    return StoreError(f"the store is damaged: {what}", file=path, hint=DAMAGED_HINT)


#: DuckDB's words (the OS's, quoted) for a write that the device refused
_NO_ROOM = {"no space left on device": "the device holding the store is full",
            "disk quota exceeded": "the disk quota is exhausted",
            "file too large": "the store file would exceed the size this system allows"}


def write_failure(exc: duckdb.Error, path: Path) -> StoreError | None:
    """The store error for DuckDB failing to *write* the store (a full device, a quota, a file
    size limit), or None for any other error. Nothing was stored: a failed write is within the
    transaction, which DuckDB discards."""
    low = str(exc).lower()
    for words, what in _NO_ROOM.items():
        if words in low:
            return StoreError(f"cannot write the store: {what}", file=path,
                              hint="free some space, then run this again (nothing was stored; "
                              "`sahel store check --repair` removes what failed ingests left)")
    return None


def _open_error(path: Path, exc: duckdb.Error) -> StoreError:
    text = str(exc)
    first = text.splitlines()[0] if text else type(exc).__name__
    low = text.lower()
    full = write_failure(exc, path)
    if full is not None:
        return full
    if re.search(r"\block\b|conflicting lock|locked", low):  # not "block": a damaged block
        return StoreError("the store is in use", file=path,
                          hint="another sahel process is writing to it (an ingest or build): "
                          "wait for it to finish, then run this again")
    if "is a directory" in low:
        return StoreError("the store path is a folder", file=path,
                          hint="point --db / SAHEL_DB at a file, e.g. DIR/sahel.duckdb")
    if "not a valid duckdb database" in low:
        return StoreError("this file is not a sahel store (not a DuckDB database)", file=path,
                          hint="check --db / SAHEL_DB; if it was the store, " + DAMAGED_HINT)
    if "serializ" in low or "corrupt" in low or "read enough bytes" in low or "checksum" in low:
        return damaged(path, first.removeprefix("IO Error: "))
    if "permission denied" in low or "read-only" in low:
        return StoreError("cannot open the store: permission denied", file=path,
                          hint="check the permissions of the store file and its folder")
    return StoreError(f"cannot open the store ({first})", file=path, hint=DAMAGED_HINT)


_LAST: Path | None = None


def io_error(exc: duckdb.Error) -> StoreError:
    """A DuckDB I/O or corruption error raised mid-query, as the store error it is (the edges
    call this: the query itself cannot know which block of which file is damaged)."""
    path = _LAST or Path("(the store)")
    return _open_error(path, exc)


def connect(path: Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, unless ``read_only``, create and migrate) the store at ``path``."""
    path = path or default_db_path()
    if path.is_dir():
        raise StoreError("the store path is a folder", file=path,
                         hint="point --db / SAHEL_DB at a file, e.g. DIR/sahel.duckdb")
    if read_only and not path.exists():
        for parent in path.parents:
            if parent.exists() and not parent.is_dir():
                raise StoreError(f"{parent} is a file, not a folder", file=path,
                                 hint="set SAHEL_HOME (or --db) to a folder path")
        raise StoreError(
            "no event store yet",
            file=path,
            hint="run `sahel build` or `sahel ingest ucdp FILE` first (or set SAHEL_DB)",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise StoreError(f"cannot create the folder {path.parent}", file=path,
                         hint="SAHEL_HOME (or --db) must be a folder path you may write to; "
                         "a file of that name is in the way") from None
    tmp = path.parent / ".duckdb-tmp"
    global _LAST  # the edge names this file when DuckDB fails mid-query
    _LAST = path
    try:
        con = duckdb.connect(
            str(path),
            read_only=read_only,
            config={"memory_limit": "700MB", "temp_directory": str(tmp),
                    "threads": os.cpu_count() or 2,
                    "storage_compatibility_version": STORAGE_VERSION},
        )
    except duckdb.Error as exc:
        raise _open_error(path, exc) from exc
    try:
        quiet(con)
        if not read_only:
            migrate(con, path)
        else:
            _check_version(con, path)
        _check_tables(con, path)
    except duckdb.Error as exc:
        con.close()
        raise _open_error(path, exc) from exc
    except BaseException:
        con.close()
        raise
    return con


def _check_tables(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A store at schema version N has every table of N: a missing one means damage (the
    tables are never dropped), and every later query would fail with DuckDB's words."""
    version = _applied(con)
    if version == 0:
        if con.execute("SELECT count(*) FROM information_schema.tables").fetchone() == (0,):
            return  # an empty store opened read-only
        raise damaged(path, "it has tables but no schema_migrations record")
    expected = {name for v, _, sql in MIGRATIONS if v <= version for name in TABLES
                if f"CREATE TABLE {name} " in sql} | {"schema_migrations"}
    present = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables").fetchall()}
    missing = sorted(expected - present)
    if missing:
        raise damaged(path, f"table(s) {', '.join(missing)} missing")


def _applied(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    got = con.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(got[0]) if got and got[0] is not None else 0


def _check_version(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    current = _applied(con)
    if current > LATEST:
        raise StoreError(
            f"the store has schema version {current}, newer than this sahel ({LATEST})",
            file=path,
            hint="upgrade sahel (pip install -U sahel) to read it",
        )
    return current


def migrate(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    current = _check_version(con, path)
    if current == 0:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
        )
    for version, name, sql in MIGRATIONS:
        if version <= current:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                        [version, name])


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection,
                before_commit: Callable[[], None] | None = None) -> Iterator[None]:
    """All or nothing: a failure — or a kill — before COMMIT leaves the store as it was.

    ``before_commit`` is a fault-injection point for tests (called inside the transaction).
    """
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        if before_commit is not None:
            before_commit()
        con.execute("COMMIT")
    except BaseException as exc:
        # A fatal error (DuckDB raises one on some invalid UTF-8) invalidates the database
        # instance, and ROLLBACK with it. Nothing was committed, and DuckDB discards the open
        # transaction with the instance: keep the error that explains what happened.
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        full = write_failure(exc, _LAST or Path("(the store)")) if isinstance(
            exc, duckdb.Error) else None
        if full is not None:  # a full device at COMMIT (the WAL) or mid-write: say so
            raise full from exc
        raise


def check_as_of(con: duckdb.DuckDBPyConnection, as_of: int | None) -> None:
    """``as_of`` must name a snapshot of this store: a wrong id would otherwise answer as if
    the store had been empty (too small) or current (too large), and be taken for a figure."""
    if as_of is None:
        return
    got = con.execute("SELECT min(snapshot_id), max(snapshot_id), "
                      "count(*) FILTER (WHERE snapshot_id = ?) FROM snapshots",
                      [as_of]).fetchone()
    if got is None or not got[2]:
        span = (f"this store has snapshots {got[0]}–{got[1]}" if got and got[0] is not None
                else "this store has no snapshots yet")
        raise NotFoundError(f"there is no snapshot {as_of} ({span})", field="--as-of",
                            hint="`sahel snapshots` lists them; leave --as-of out for the "
                            "current store")


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Turn off DuckDB's own progress bar on ``con``.

    DuckDB prints it to stdout for any query over 2 s: into the CSV/JSON that ``sahel events``
    writes to stdout, and among rich's tables. Long work shows progress through rich instead.
    """
    con.execute("SET enable_progress_bar = false")
    return con


def usable(con: duckdb.DuckDBPyConnection) -> bool:
    """False once a fatal error has invalidated the database instance behind ``con``."""
    try:
        con.execute("SELECT 1")
    except duckdb.Error:
        return False
    return True


def store_file(con: duckdb.DuckDBPyConnection) -> Path:
    """The file behind ``con`` (to place the source archive beside it)."""
    got = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = "
                      "current_database()").fetchone()
    assert got is not None
    return Path(str(got[0]))
