"""Benchmark: ingest a 400,000-event GED file and compare it with a bare ``duckdb.read_csv``.

Run from the repository root::

    .venv/bin/python benchmarks/bench_ingest.py [--rows 400000] [--repeat 3] [--profile]

Every measured run is a fresh Python process, so its peak RSS (``ru_maxrss``) belongs to that
run alone. The child times only the work itself (imports and interpreter start are excluded for
every variant alike) and prints one JSON line that the parent collects.

Variants:

* ``baseline`` (the official baseline): ``CREATE TABLE t AS SELECT * FROM read_csv(?)`` in an
  in-memory DuckDB with default settings and auto-detection — the file fully materialised;
* ``baseline_arrow`` (information): ``duckdb.read_csv(path).to_arrow_table()``;
* ``ingest``: ``sahel.store.ingest.ingest_file`` into a fresh store each run.

Figures go to a rich table and to ``benchmarks/out/ingest.json``; ``--profile`` adds a per-step
breakdown of one ingest (``benchmarks/out/ingest_profile.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "out"
TARGET_RATIO = 1.5
TARGET_PEAK_MIB = 1024.0
OFFICIAL_BASELINE = "baseline"
VARIANTS: dict[str, str] = {
    "baseline": "duckdb CREATE TABLE AS SELECT * FROM read_csv(path) (in-memory, defaults)",
    "baseline_arrow": "duckdb.read_csv(path).to_arrow_table()",
    "ingest": "sahel ingest_file(path, fresh store, source=ucdp_ged, version 25.1)",
}


def _peak_mib() -> float:
    """Peak RSS of this process in MiB (Linux reports ru_maxrss in KiB, macOS in bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


# --- child side: one measured run per process --------------------------------------------------


def _run_baseline(path: Path, _store: Path) -> dict[str, Any]:
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(path)])
    seconds = time.perf_counter() - t0
    got = con.execute("SELECT count(*) FROM t").fetchone()
    con.close()
    return {"seconds": seconds, "rows": int(got[0]) if got else 0}


def _run_baseline_arrow(path: Path, _store: Path) -> dict[str, Any]:
    import duckdb

    t0 = time.perf_counter()
    table = duckdb.read_csv(str(path)).to_arrow_table()
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "rows": table.num_rows}


def _run_ingest(path: Path, store: Path) -> dict[str, Any]:
    from sahel.store.ingest import ingest_file

    t0 = time.perf_counter()
    res = ingest_file(path, db_path=store / "s.duckdb", source="ucdp_ged",
                      source_version="25.1")
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "rows": res.events_new, "rows_rejected": res.rows_rejected}


_RUNNERS: dict[str, Callable[[Path, Path], dict[str, Any]]] = {
    "baseline": _run_baseline,
    "baseline_arrow": _run_baseline_arrow,
    "ingest": _run_ingest,
}


def _child(kind: str, path: Path, store: Path) -> None:
    if kind == "profile":
        from ingest_profile import profile_ingest

        result: dict[str, Any] = profile_ingest(path, store)
    else:
        result = _RUNNERS[kind](path, store)
    result.setdefault("peak_mib", _peak_mib())
    print(json.dumps(result))


# --- parent side --------------------------------------------------------------------------------


def _spawn(kind: str, path: Path) -> dict[str, Any]:
    """Run one variant in a fresh interpreter, with a fresh store directory beside the file.

    The store sits on the file's filesystem, as ``$SAHEL_HOME/downloads`` and the store do, so
    the source archive is a hard link and not a copy.
    """
    store = Path(tempfile.mkdtemp(prefix=f"run-{kind}-", dir=path.parent))
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(path),
               "--store", str(store)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"{kind} run failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
        result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        result["process_seconds"] = wall
        return result
    finally:
        shutil.rmtree(store, ignore_errors=True)


def _warm_cache(path: Path) -> None:
    """Read the file once so every timed run sees it in the page cache (none pays the disk)."""
    with path.open("rb") as fh:
        while fh.read(1 << 24):
            pass


def _machine(path: Path, rows: int) -> dict[str, Any]:
    import duckdb

    return {
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "platform": platform.platform(),
        "file": str(path),
        "file_bytes": path.stat().st_size,
        "file_mib": round(path.stat().st_size / 2**20, 1),
        "rows": rows,
    }


def _print_table(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    m = report["machine"]
    table = Table(title=f"Ingest benchmark: {m['rows']:,} events, {m['file_mib']} MiB "
                        f"({m['cpu_count']} CPUs, duckdb {m['duckdb']}, Python {m['python']})")
    table.add_column("variant")
    table.add_column("runs (s)")
    table.add_column("median (s)", justify="right")
    table.add_column("peak RSS (MiB)", justify="right")
    table.add_column("× baseline", justify="right")
    base = report["variants"][OFFICIAL_BASELINE]["median_seconds"]
    for name, v in report["variants"].items():
        label = name + (" (official)" if name == OFFICIAL_BASELINE else "")
        table.add_row(label, ", ".join(f"{s:.2f}" for s in v["seconds"]),
                      f"{v['median_seconds']:.2f}", f"{v['peak_mib_max']:.0f}",
                      f"{v['median_seconds'] / base:.2f}")
    console.print(table)
    for check in report["checks"]:
        colour = "green" if check["pass"] else "red"
        console.print(f"[{colour}]{'PASS' if check['pass'] else 'FAIL'}[/{colour}] "
                      f"{check['name']}: {check['value']} (target {check['target']})")
    console.print(f"baseline = {VARIANTS[OFFICIAL_BASELINE]}")


def _print_profile(profile: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    total = profile["total_seconds"]
    table = Table(title=f"Where one ingest spends its time (total {total:.2f} s; "
                        f"peak {profile['peak_mib']:.0f} MiB)")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    table.add_column("share", justify="right")
    for step in profile["steps"]:
        table.add_row(step["step"], f"{step['seconds']:.3f}",
                      f"{100 * step['seconds'] / total:.0f}%")
    console.print(table)
    iso = Table(title="Isolated costs on the same file (store settings: 2 threads, 700 MB)")
    iso.add_column("experiment")
    iso.add_column("seconds", justify="right")
    for exp in profile["experiments"]:
        iso.add_row(exp["experiment"], f"{exp['seconds']:.3f}")
    console.print(iso)


def run(rows: int, repeat: int, seed: int, out_dir: Path, profile: bool,
        variants: list[str]) -> dict[str, Any]:
    from gen_ged import generate

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"ged_{rows}_seed{seed}.csv"
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        t0 = time.perf_counter()
        generate(path, n=rows, seed=seed)
        print(f"  done in {time.perf_counter() - t0:.1f} s", flush=True)
    _warm_cache(path)
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    for i in range(repeat):
        for kind in variants:  # interleaved, so drift on the machine hits every variant alike
            result = _spawn(kind, path)
            runs[kind].append(result)
            print(f"  repeat {i + 1}/{repeat} {kind:<15} {result['seconds']:6.2f} s  "
                  f"peak {result['peak_mib']:6.0f} MiB  rows {result['rows']:,}", flush=True)
            if result["rows"] != rows:
                raise RuntimeError(f"{kind} read {result['rows']:,} rows, expected {rows:,}")
    summary: dict[str, Any] = {}
    for kind, results in runs.items():
        secs = [r["seconds"] for r in results]
        peaks = [r["peak_mib"] for r in results]
        summary[kind] = {
            "description": VARIANTS[kind],
            "seconds": [round(s, 4) for s in secs],
            "median_seconds": round(statistics.median(secs), 4),
            "process_seconds": [round(r["process_seconds"], 4) for r in results],
            "peak_mib": [round(p, 1) for p in peaks],
            "peak_mib_max": round(max(peaks), 1),
            "rows": results[0]["rows"],
        }
    ratio = summary["ingest"]["median_seconds"] / summary[OFFICIAL_BASELINE]["median_seconds"]
    peak = summary["ingest"]["peak_mib_max"]
    report: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "official_baseline": OFFICIAL_BASELINE,
        "repeat": repeat,
        "seed": seed,
        "machine": _machine(path, rows),
        "variants": summary,
        "ratio": round(ratio, 3),
        "targets": {"ratio_max": TARGET_RATIO, "ingest_peak_mib_max": TARGET_PEAK_MIB},
        "checks": [
            {"name": "median(ingest) / median(baseline)", "value": round(ratio, 3),
             "target": f"<= {TARGET_RATIO}", "pass": ratio <= TARGET_RATIO},
            {"name": "ingest peak RSS (MiB, max over runs)", "value": peak,
             "target": f"<= {TARGET_PEAK_MIB:.0f}", "pass": peak <= TARGET_PEAK_MIB},
        ],
    }
    report["pass"] = all(c["pass"] for c in report["checks"])
    (out_dir / "ingest.json").write_text(json.dumps(report, indent=2) + "\n")
    _print_table(report)
    if profile:
        prof = _spawn("profile", path)
        prof["machine"] = report["machine"]
        (out_dir / "ingest_profile.json").write_text(json.dumps(prof, indent=2) + "\n")
        _print_profile(prof)
    print(f"wrote {out_dir / 'ingest.json'}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark sahel ingest against read_csv.")
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    parser.add_argument("--profile", action="store_true",
                        help="also break one ingest down by step (ingest_profile.json)")
    parser.add_argument("--no-arrow", action="store_true",
                        help="skip the informational to_arrow_table() variant")
    parser.add_argument("--child", choices=[*VARIANTS, "profile"], help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.path, args.store)
        return 0
    variants = [v for v in VARIANTS if not (args.no_arrow and v == "baseline_arrow")]
    report = run(args.rows, args.repeat, args.seed, args.out_dir.resolve(), args.profile,
                 variants)
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
