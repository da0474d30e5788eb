"""Where one ``ingest_file`` spends its time: every SQL statement and Python step, timed.

Nothing in ``src/`` is changed: the store connection that ``sahel.store.ingest`` opens is wrapped
in a proxy that times each ``execute``/``executemany``/``fetch*``/``close`` call, and the few
Python steps (``open_source``, the sha256 wait, ``_archive``) are wrapped the same way for the
duration of one run. Then a few isolated experiments on the same file, with the store's DuckDB
settings, split the staging select into its parts (CSV parse, typing, checks, row hash).

Both ingest paths are profiled: the single pass (what the benchmark's ``ingest`` runs, the first
file of a source) and the staged path (``single_pass=False``: later files, and files the single
pass gives up on); the experiments split the staged path's statements.

Called by ``bench_ingest.py --profile`` in a fresh process (``profile_ingest``). Steps and
experiments are repeated (default 3) and reported as median and minimum: on a shared machine
single timings vary by tens of percent.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from rss import peak_rss_mib

#: (pattern on the whitespace-normalised SQL, label); first match wins
_LABELS: list[tuple[str, str]] = [
    (r"^CREATE OR REPLACE TEMP TABLE _incoming AS",
     "stage: CREATE TEMP TABLE _incoming AS select_sql(read_csv): parse, type, check"),
    (r"^SELECT DISTINCT country_key_name", "stage: distinct country keys"),
    (r"_country_map", "stage: country map table"),
    (r"^SELECT source_id, count\(DISTINCT", "stage: duplicate-id check (GROUP BY id)"),
    (r"^SELECT count\(\*\), count\(\*\) FILTER", "stage: row and error counts"),
    (r"^SELECT list\(DISTINCT m\.country_iso3", "stage: coverage (countries, date range)"),
    (r"FROM duckdb_databases\(\)", "ingest: store path lookup"),
    (r"^SELECT snapshot_id FROM snapshots", "ingest: already-ingested check (sha256)"),
    (r"^BEGIN TRANSACTION", "apply: BEGIN"),
    (r"coalesce\(max\(snapshot_id\)", "apply: next snapshot id"),
    (r"^DESCRIBE _incoming", "apply: describe _incoming"),
    (r"^CREATE OR REPLACE TEMP VIEW _ok", "apply: create view _ok"),
    (r"^SELECT count\(\*\) FROM \(SELECT 1 FROM events", "apply: store has current events?"),
    (r"^SELECT count\(\*\) FROM snapshots WHERE source", "ingest: first file of the source?"),
    (r"^INSERT INTO events .*read_csv\(",
     "single pass: INSERT INTO events SELECT … FROM read_csv (parse, type, check, write)"),
    (r"_country_names", "single pass: static country-name map"),
    (r"^SELECT count\(\*\), count\(DISTINCT source_id\)",
     "single pass: counts, duplicate ids, coverage"),
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


def _profiled_ingest(path: Path, store: Path,
                     single_pass: bool = True) -> tuple[float, list[dict[str, Any]], int]:
    from contextlib import ExitStack

    from sahel.events import reader
    from sahel.store import db, ingest

    log = _Log()
    real_connect = db.connect  # what sahel.store.ingest imported as ``connect``

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
                   reader.open_source)))
        stack.enter_context(_patched(
            reader._Hasher, "result",
            _timed(log, "ingest: wait for the sha256 thread", reader._Hasher.result)))
        stack.enter_context(_patched(
            ingest, "archive_file",
            _timed(log, "ingest: archive the source (hard link)", ingest.archive_file)))
        t0 = time.perf_counter()
        res = ingest.ingest_file(path, db_path=store / "s.duckdb", source="ucdp_ged",
                                 source_version="25.1", single_pass=single_pass)
        total = time.perf_counter() - t0
    steps = log.merged()
    accounted = sum(s["seconds"] for s in steps)
    steps.append({"step": "python between steps (unattributed)",
                  "seconds": round(total - accounted, 4), "calls": 0})
    return total, steps, res.events_new


def _median_min(times: list[float]) -> dict[str, float]:
    return {"seconds": round(statistics.median(times), 4), "min_seconds": round(min(times), 4)}


def _stage_experiments(path: Path, work: Path, repeat: int) -> list[dict[str, Any]]:
    """The staging select split into its parts, each in a fresh in-memory connection."""
    from sahel.events.harmonise import ALL_LAYOUTS
    from sahel.events.layouts import checks_sql, detect_layout, select_sql, value_sql
    from sahel.events.reader import open_source

    today = date.today()
    sf = open_source(path, work)
    sf.sha256  # noqa: B018 - let the hash thread finish before timing anything
    layout = detect_layout(sf.header, ALL_LAYOUTS, file=str(path))
    rel = sf.read_csv_sql()
    values = ", ".join(f'{value_sql(n, f, layout)} AS "{n}"' for n, f in layout.fields.items())
    checks = [c for n, f in layout.fields.items() for c in checks_sql(n, f, layout, today)]
    listed = ", ".join(f"CASE WHEN {cond} THEN {msg} END" for cond, msg in checks)
    errors = f"list_filter([{listed}]::VARCHAR[], x -> x IS NOT NULL)"
    full = select_sql(layout, rel, today, extra=[])
    cases: list[tuple[str, str]] = [
        ("bare read_csv(path), auto-detect -> temp table (store settings)",
         f"CREATE TEMP TABLE x AS SELECT * FROM read_csv('{path}')"),
        ("reader's read_csv (49 x VARCHAR, no sniffing) -> count(*): parse only",
         f"SELECT count(*) FROM {rel}"),
        ("reader's read_csv -> temp table of all 49 VARCHAR columns",
         f"CREATE TEMP TABLE x AS SELECT * FROM {rel}"),
        ("typed canonical values only (no checks, no hash) -> temp table",
         f"CREATE TEMP TABLE x AS SELECT {values} FROM {rel} AS src"),
        ("row checks only (the _errors list) -> temp table",
         f"CREATE TEMP TABLE x AS SELECT {errors} AS e FROM {rel} AS src"),
        ("hash(src) of the raw 49-column row only -> temp table",
         f"CREATE TEMP TABLE x AS SELECT hash(src) AS h FROM {rel} AS src"),
        ("full select_sql (what stage_file runs) -> temp table",
         f"CREATE TEMP TABLE x AS {full}"),
    ]
    if "hash(src) AS row_hash" in full:  # older layouts.py hashed the raw row while staging
        cases.append(("full select_sql without hash(src) -> temp table",
                      "CREATE TEMP TABLE x AS "
                      + full.replace("hash(src) AS row_hash", "CAST(0 AS UBIGINT) AS row_hash")))
    times: dict[str, list[float]] = {name: [] for name, _ in cases}
    for _ in range(repeat):  # interleaved, like the benchmark
        for name, sql in cases:
            con = duckdb.connect(config={"memory_limit": "700MB", "threads": 2,
                                         "temp_directory": str(work / "tmp")})
            t0 = time.perf_counter()
            con.execute(sql).fetchall()
            times[name].append(time.perf_counter() - t0)
            con.close()
    return [{"experiment": name, **_median_min(t)} for name, t in times.items()]


def _apply_experiments(path: Path, work: Path, repeat: int) -> list[dict[str, Any]]:
    """The INSERT INTO events split into building the rows and writing them to the store."""
    from sahel.events.harmonise import stage_file
    from sahel.events.reader import open_source
    from sahel.events.schema import STORED_COLUMN_NAMES
    from sahel.store import ingest
    from sahel.store.db import _EVENT_DDL, connect

    cols = ", ".join(STORED_COLUMN_NAMES)  # generated columns are computed by the store
    con = connect(work / "apply.duckdb")
    try:
        stage_file(con, open_source(path, work), today=date.today())
        ingest._ok_view(con, "ucdp_ged", "25.1", 1)
        con.execute("CREATE TEMP TABLE _ok_rows AS SELECT * FROM _ok")
        cases: list[tuple[str, str, str | None]] = [
            ("_ok rows (country join + canonical row_hash) -> temp table, in memory",
             "CREATE TEMP TABLE _x AS SELECT * FROM _ok", None),
            ("INSERT INTO events SELECT FROM _ok (as ingest; rolled back)",
             f"INSERT INTO events ({cols}) SELECT {cols} FROM _ok", None),
            ("INSERT INTO events from rows built beforehand: the store write alone",
             f"INSERT INTO events ({cols}) SELECT {cols} FROM _ok_rows", None),
            ("same, force_compression='uncompressed' (diagnostic only)",
             f"INSERT INTO events ({cols}) SELECT {cols} FROM _ok_rows", "uncompressed"),
            ("same, into a store file in DuckDB's default v1.0.0 format (before STORAGE_VERSION)",
             f"INSERT INTO old.events ({cols}) SELECT {cols} FROM _ok_rows", None),
        ]
        con.execute(f"ATTACH '{work / 'v100.duckdb'}' AS old (STORAGE_VERSION 'v1.0.0')")
        con.execute(f"CREATE TABLE old.events ({_EVENT_DDL})")
        times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
        for _ in range(repeat):
            for name, sql, compression in cases:
                if compression:
                    con.execute(f"SET force_compression = '{compression}'")
                con.execute("BEGIN TRANSACTION")
                t0 = time.perf_counter()
                con.execute(sql)
                times[name].append(time.perf_counter() - t0)
                con.execute("ROLLBACK")
                if compression:
                    con.execute("RESET force_compression")
    finally:
        con.close()
    return [{"experiment": name, **_median_min(t)} for name, t in times.items()]


def _sha256_seconds(path: Path) -> float:
    t0 = time.perf_counter()
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return time.perf_counter() - t0


def _pandas_import_seconds() -> float:
    """What a fresh process pays when DuckDB imports pandas at its first parameterised execute."""
    code = "import time; t = time.perf_counter(); import pandas; print(time.perf_counter() - t)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return float(proc.stdout.strip())


def _profile_runs(path: Path, store: Path, repeat: int,
                  single_pass: bool) -> tuple[list[float], list[dict[str, Any]], int]:
    runs: list[list[dict[str, Any]]] = []
    totals: list[float] = []
    events = 0
    for i in range(repeat):
        run_store = store / f"run{i}-{single_pass}"
        run_store.mkdir()
        total, steps, events = _profiled_ingest(path, run_store, single_pass)
        shutil.rmtree(run_store, ignore_errors=True)
        runs.append(steps)
        totals.append(total)
    merged: list[dict[str, Any]] = []
    for step in runs[0]:
        secs = [s["seconds"] for run in runs for s in run if s["step"] == step["step"]]
        merged.append({"step": step["step"], "calls": step["calls"], **_median_min(secs)})
    return totals, merged, events


def profile_ingest(path: Path, store: Path, repeat: int = 3) -> dict[str, Any]:
    """Per-step medians over ``repeat`` profiled ingests (the single pass, as the benchmark's
    ``ingest``; then the staged path), then the isolated experiments."""
    totals, merged, events = _profile_runs(path, store, repeat, single_pass=True)
    peak = peak_rss_mib()
    staged_totals, staged, _ = _profile_runs(path, store, repeat, single_pass=False)
    experiments: list[dict[str, Any]] = []
    for group in (_stage_experiments, _apply_experiments):
        # they call sahel internals, which may change: a failure skips the group, not the report
        try:
            with tempfile.TemporaryDirectory(dir=store) as work:
                experiments += group(path, Path(work), repeat)
        except Exception as exc:
            experiments.append({"experiment": f"{group.__name__} skipped: {exc!r}"[:200],
                                "seconds": float("nan"), "min_seconds": float("nan")})
    others = [
        {"experiment": "sha256 of the file alone (one thread; overlaps the staging)",
         **_median_min([_sha256_seconds(path) for _ in range(repeat)])},
        {"experiment": "import pandas in a fresh process (DuckDB does it at the first "
                       "parameterised execute; excluded from the timings above)",
         **_median_min([_pandas_import_seconds() for _ in range(repeat)])},
    ]
    return {
        "repeat": repeat,
        "total_seconds": round(statistics.median(totals), 4),
        "total_seconds_runs": [round(t, 4) for t in totals],
        "rows": events,
        "peak_mib": round(peak, 1),  # of the profiled ingests, before the experiments
        "steps": merged,
        "staged_total_seconds": round(statistics.median(staged_totals), 4),
        "staged_steps": staged,
        "experiments": experiments + others,
    }
