"""Where one ``ingest_file`` spends its time: every SQL statement and Python step, timed.

Nothing in ``src/`` is changed: the store connection that ``sahel.store.ingest`` opens is wrapped
in a proxy that times each ``execute``/``executemany``/``fetch*``/``close`` call, and the few
Python steps (``open_source``, the sha256 wait, ``_archive``) are wrapped the same way for the
duration of one run. Then a few isolated experiments on the same file, with the store's DuckDB
settings, split the staging select into its parts (CSV parse, typing, checks, row hash).

Called by ``bench_ingest.py --profile`` in a fresh process (``profile_ingest``).
"""

from __future__ import annotations

import hashlib
import re
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

#: (pattern on the whitespace-normalised SQL, label); first match wins
_LABELS: list[tuple[str, str]] = [
    (r"^CREATE OR REPLACE TEMP TABLE _incoming AS",
     "stage: CREATE TEMP TABLE _incoming AS select_sql(read_csv) — parse, type, check, hash"),
    (r"^SELECT DISTINCT country_key_name", "stage: distinct country keys"),
    (r"_country_map", "stage: country map table"),
    (r"^SELECT source_id, count\(DISTINCT row_hash\)", "stage: duplicate-id check (GROUP BY id)"),
    (r"^SELECT count\(\*\), count\(\*\) FILTER", "stage: row and error counts"),
    (r"^SELECT list\(DISTINCT m\.country_iso3", "stage: coverage (countries, date range)"),
    (r"FROM duckdb_databases\(\)", "ingest: store path lookup"),
    (r"^SELECT snapshot_id FROM snapshots", "ingest: already-ingested check (sha256)"),
    (r"^BEGIN TRANSACTION", "apply: BEGIN"),
    (r"coalesce\(max\(snapshot_id\)", "apply: next snapshot id"),
    (r"^DESCRIBE _incoming", "apply: describe _incoming"),
    (r"^CREATE OR REPLACE TEMP VIEW _ok", "apply: create view _ok"),
    (r"^SELECT count\(\*\) FROM \(SELECT 1 FROM events", "apply: store has current events?"),
    (r"^INSERT INTO events", "apply: INSERT INTO events SELECT FROM _ok (join, row_hash, write)"),
    (r"^SELECT count\(\*\) FROM events WHERE snapshot_id", "apply: count new events"),
    (r"^INSERT INTO snapshots", "apply: INSERT INTO snapshots"),
    (r"^COMMIT", "apply: COMMIT"),
]


def _label(sql: str) -> str:
    flat = " ".join(sql.split())
    for pattern, label in _LABELS:
        if re.search(pattern, flat):
            return label
    return "sql: " + flat[:70]


class _Log:
    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []

    def add(self, label: str, seconds: float) -> None:
        self.steps.append((label, seconds))

    def add_to_last(self, seconds: float) -> None:
        if self.steps:
            label, prev = self.steps[-1]
            self.steps[-1] = (label, prev + seconds)

    def merged(self) -> list[dict[str, Any]]:
        """Steps in first-seen order, repeated labels summed."""
        totals: dict[str, float] = {}
        calls: dict[str, int] = {}
        for label, seconds in self.steps:
            totals[label] = totals.get(label, 0.0) + seconds
            calls[label] = calls.get(label, 0) + 1
        return [{"step": k, "seconds": round(v, 4), "calls": calls[k]} for k, v in totals.items()]


class _TimedConnection:
    """Delegates to a DuckDB connection, timing every statement."""

    def __init__(self, con: duckdb.DuckDBPyConnection, log: _Log) -> None:
        self._con = con
        self._log = log

    def execute(self, sql: str, params: Any = None) -> _TimedConnection:
        t0 = time.perf_counter()
        if params is None:
            self._con.execute(sql)
        else:
            self._con.execute(sql, params)
        self._log.add(_label(sql), time.perf_counter() - t0)
        return self

    def executemany(self, sql: str, params: Any) -> _TimedConnection:
        t0 = time.perf_counter()
        self._con.executemany(sql, params)
        self._log.add(_label(sql), time.perf_counter() - t0)
        return self

    def close(self) -> None:
        t0 = time.perf_counter()
        self._con.close()
        self._log.add("close: checkpoint the store file", time.perf_counter() - t0)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._con, name)
        if not name.startswith("fetch"):
            return attr

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self._log.add_to_last(time.perf_counter() - t0)

        return timed


def _timed(log: _Log, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            log.add(label, time.perf_counter() - t0)

    return wrapper


@contextmanager
def _patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def _profiled_ingest(path: Path, store: Path) -> tuple[float, list[dict[str, Any]], int]:
    from contextlib import ExitStack

    from sahel.events import reader
    from sahel.store import ingest

    log = _Log()
    real_connect = ingest.connect

    def connect(db_path: Path | None = None) -> Any:
        t0 = time.perf_counter()
        con = real_connect(db_path)
        log.add("ingest: connect + create schema (migrations)", time.perf_counter() - t0)
        return _TimedConnection(con, log)

    with ExitStack() as stack:
        stack.enter_context(_patched(ingest, "connect", connect))
        stack.enter_context(_patched(
            ingest, "open_source",
            _timed(log, "ingest: open_source (header, delimiter; sha256 thread starts)",
                   ingest.open_source)))
        stack.enter_context(_patched(
            reader._Hasher, "result",
            _timed(log, "ingest: wait for the sha256 thread", reader._Hasher.result)))
        stack.enter_context(_patched(
            ingest, "_archive",
            _timed(log, "ingest: archive the source (hard link)", ingest._archive)))
        t0 = time.perf_counter()
        res = ingest.ingest_file(path, db_path=store / "s.duckdb", source="ucdp_ged",
                                 source_version="25.1")
        total = time.perf_counter() - t0
    steps = log.merged()
    accounted = sum(s["seconds"] for s in steps)
    steps.append({"step": "python between steps (unattributed)",
                  "seconds": round(total - accounted, 4), "calls": 0})
    return total, steps, res.events_new


def _experiments(path: Path, store: Path) -> list[dict[str, Any]]:
    """Isolated costs, each in a fresh connection with the store's settings."""
    import tempfile

    from sahel.events.harmonise import ALL_LAYOUTS
    from sahel.events.layouts import checks_sql, detect_layout, select_sql, value_sql
    from sahel.events.reader import open_source

    out: list[dict[str, Any]] = []
    today = date.today()
    with tempfile.TemporaryDirectory(dir=store) as work:
        sf = open_source(path, Path(work))
        sf.sha256  # noqa: B018 - let the hash thread finish before timing anything
        layout = detect_layout(sf.header, ALL_LAYOUTS, file=str(path))
        rel = sf.read_csv_sql()
        values = ", ".join(f'{value_sql(n, f, layout)} AS "{n}"' for n, f in layout.fields.items())
        checks = [c for n, f in layout.fields.items() for c in checks_sql(n, f, layout, today)]
        errors = f"list_filter([{', '.join(checks)}]::VARCHAR[], x -> x IS NOT NULL)"
        cases: list[tuple[str, str]] = [
            ("bare read_csv(path) auto-detect -> temp table (store settings)",
             f"CREATE TEMP TABLE x AS SELECT * FROM read_csv('{path}')"),
            ("reader's read_csv (49 x VARCHAR, no sniffing) -> count(*) (parse only)",
             f"SELECT count(*) FROM {rel}"),
            ("reader's read_csv (49 x VARCHAR) -> temp table of all 49 columns",
             f"CREATE TEMP TABLE x AS SELECT * FROM {rel}"),
            ("typed canonical values only (no checks, no hash) -> temp table",
             f"CREATE TEMP TABLE x AS SELECT {values} FROM {rel} AS src"),
            ("row checks only (_errors list) -> temp table",
             f"CREATE TEMP TABLE x AS SELECT {errors} AS e FROM {rel} AS src"),
            ("hash(src) of the whole 49-column row only -> temp table",
             f"CREATE TEMP TABLE x AS SELECT hash(src) AS h FROM {rel} AS src"),
            ("full select_sql (what stage_file runs) -> temp table",
             f"CREATE TEMP TABLE x AS {select_sql(layout, rel, today, extra=[])}"),
        ]
        for name, sql in cases:
            con = duckdb.connect(config={"memory_limit": "700MB", "threads": 2,
                                         "temp_directory": str(Path(work) / "tmp")})
            t0 = time.perf_counter()
            con.execute(sql).fetchall()
            out.append({"experiment": name, "seconds": round(time.perf_counter() - t0, 4)})
            con.close()
    t0 = time.perf_counter()
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    out.append({"experiment": "sha256 of the file alone (one thread)",
                "seconds": round(time.perf_counter() - t0, 4)})
    return out


def profile_ingest(path: Path, store: Path) -> dict[str, Any]:
    total, steps, events = _profiled_ingest(path, store)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "total_seconds": round(total, 4),
        "rows": events,
        "peak_mib": round(peak, 1),  # of the profiled ingest, before the experiments
        "steps": steps,
        "experiments": _experiments(path, store),
    }
