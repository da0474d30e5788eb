"""Benchmark (issue 10): ``sahel update`` against a local fake UCDP server.

Run from the repository root::

    .venv/bin/python benchmarks/bench_update.py [--rows 400000] [--repeat 3]

Setup (not timed): the resampled 400,000-event GED file (``gen_ged.py``) zipped as
``ged251-csv.zip``, and twelve monthly candidate files for 2025 (2,000 events each, resampled
from the same rows, ids and dates moved into their month), served from memory by the tests'
fake server on 127.0.0.1 (``tests/clients/fakes.py``; no cumulative file is published, so the
update also asks for the twelve cumulative names and gets 404s).

Timed, each run in a fresh process (peak RSS from ``VmHWM``):

* ``first``: an update into an empty store: 13 HEAD probes for the plan plus the 12
  cumulative probes, 13 downloads, 13 ingests into a copy of the store, one rename;
* ``again``: the same update once more: nothing new — the plan's HEAD requests and a read of
  the store. Target ≤ 1 s plus the HTTP round trips (their count and a measured round trip are
  reported beside it).

Figures go to a rich table and ``benchmarks/out/update.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rss import peak_rss_mib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT_DIR = HERE / "out"
TODAY = date(2026, 1, 15)  # last full month: December 2025
MONTH_ROWS = 2_000


def _inputs(rows: int, seed: int) -> dict[str, Path]:
    """``{url path: file}`` of the releases the fake server publishes."""
    import duckdb

    from gen_ged import generate

    folder = OUT_DIR / f"update_{rows}"
    folder.mkdir(parents=True, exist_ok=True)
    csv = OUT_DIR / f"ged_{rows}_seed{seed}.csv"
    if not csv.exists():
        generate(csv, n=rows, seed=seed)
    files = {}
    ged_zip = folder / "ged251-csv.zip"
    if not ged_zip.exists():
        with zipfile.ZipFile(ged_zip, "w", compression=zipfile.ZIP_DEFLATED,
                             compresslevel=1) as archive:
            archive.write(csv, "GEDEvent_v25_1.csv")
    files["ged/ged251-csv.zip"] = ged_zip
    con = duckdb.connect()
    for month in range(1, 13):
        target = folder / f"GEDEvent_v25_0_{month}.csv"
        if not target.exists():
            day = f"2025-{month:02d}-15 00:00:00.000"
            con.execute(f"""
                COPY (SELECT * REPLACE (CAST(CAST(id AS BIGINT) + {month * 1_000_000} AS VARCHAR) AS id,
                                        '{day}' AS date_start, '{day}' AS date_end,
                                        '2025' AS year)
                      FROM read_csv('{csv}', all_varchar=true, sample_size=-1)
                      USING SAMPLE {MONTH_ROWS} ROWS (reservoir, {month}))
                TO '{target}' (HEADER, DELIMITER ',')
            """)
        files[f"candidateged/{target.name}"] = target
    con.close()
    return files


def _child(kind: str, store: Path, url: str, home: Path) -> None:
    import pandas  # noqa: F401  (imports outside the clock)

    import sahel.update as update

    os.environ["SAHEL_UCDP_DOWNLOAD_URL"] = url
    os.environ["SAHEL_HOME"] = str(home)
    t0 = time.perf_counter()
    report = update.update(store, today=TODAY, progress=False)
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "peak_mib": peak_rss_mib(),
                      "ingested": len(report.ingested),
                      "fetched": sum(s.action == "fetch" for s in report.plan.steps)}))


def _spawn(kind: str, store: Path, url: str, home: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)])}
    proc = subprocess.run([sys.executable, str(Path(__file__)), "--child", kind, str(store),
                           url, str(home)], capture_output=True, text=True, env=env,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run(rows: int, repeat: int, seed: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tests.clients.fakes import FakeServer, StaticFile

    files = _inputs(rows, seed)
    report: dict[str, Any] = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                              "rows": rows, "monthly_files": 12, "repeat": repeat,
                              "cpus": os.cpu_count(), "variants": {}}
    with FakeServer() as server:
        for path, file in files.items():
            handler = StaticFile(file.read_bytes())
            for method in ("GET", "HEAD"):
                server.route(method, f"/downloads/{path}", handler)
        url = server.url + "/downloads"
        work = OUT_DIR / "update_run"
        firsts, agains = [], []
        for _ in range(repeat):
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            store = work / "sahel.duckdb"
            firsts.append(_spawn("first", store, url, work))
            calls = len(server.calls())
            agains.append(_spawn("again", store, url, work))
            requests = len(server.calls()) - calls
        t0 = time.perf_counter()
        for _ in range(20):
            import httpx

            httpx.head(url + "/ged/ged251-csv.zip")
        round_trip = (time.perf_counter() - t0) / 20
    for kind, runs in (("first", firsts), ("again", agains)):
        secs = [r["seconds"] for r in runs]
        report["variants"][kind] = {
            "seconds": [round(s, 3) for s in secs],
            "median_seconds": round(statistics.median(secs), 3),
            "peak_mib_max": round(max(r["peak_mib"] for r in runs), 1),
            "ingested": runs[-1]["ingested"], "fetched": runs[-1]["fetched"]}
    again = report["variants"]["again"]
    again["http_requests"] = requests
    again["round_trip_seconds"] = round(round_trip, 4)
    again["target_seconds"] = round(1.0 + requests * round_trip, 3)
    again["pass"] = again["median_seconds"] <= again["target_seconds"]
    return report


def _print(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"sahel update: GED of {report['rows']:,} events + 12 monthly files "
                        f"({report['cpus']} CPUs)")
    for col in ("variant", "runs (s)", "median (s)", "peak RSS (MiB)", "ingested", "target"):
        table.add_column(col)
    for kind, v in report["variants"].items():
        target = (f"≤ {v['target_seconds']:.2f} s (1 s + {v['http_requests']} requests × "
                  f"{v['round_trip_seconds'] * 1000:.1f} ms): "
                  + ("PASS" if v["pass"] else "FAIL")) if kind == "again" else "(measured)"
        table.add_row(kind, ", ".join(f"{s:.2f}" for s in v["seconds"]),
                      f"{v['median_seconds']:.2f}", f"{v['peak_mib_max']:.0f}",
                      str(v["ingested"]), target)
    Console(width=140).print(table)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--rows", type=int, default=400_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, store, url, home = args.child
        _child(kind, Path(store), url, Path(home))
        return 0
    report = run(args.rows, args.repeat, args.seed)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "update.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    _print(report)
    return 0 if report["variants"]["again"]["pass"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
