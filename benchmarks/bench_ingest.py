"""Benchmark: ingest a 400,000-event GED file and compare it with a bare ``duckdb.read_csv``.

Run from the repository root::

    .venv/bin/python benchmarks/bench_ingest.py [--rows 400000] [--repeat 3] [--profile]

Every measured run is a fresh Python process, so its peak RSS belongs to that run alone: it is
read from ``VmHWM`` (``benchmarks/rss.py`` says why not ``ru_maxrss``). The child times only
the work itself and prints one JSON line that the parent collects. Imports and interpreter start
are excluded for every variant alike — including pandas and pyarrow, imported before the clock
starts: DuckDB imports pandas lazily on the first ``execute`` with parameters (about 0.4-0.6 s
here), a fixed per-process cost that would otherwise land inside whichever timed region happens
to bind a parameter first.

Variants:

* ``baseline`` (the official baseline): ``CREATE TABLE t AS SELECT * FROM read_csv(?)`` in an
  in-memory DuckDB with default settings and auto-detection — the file fully materialised;
* ``baseline_arrow`` (information): ``duckdb.read_csv(path).to_arrow_table()``;
* ``baseline_disk`` (information): the same ``CREATE TABLE AS SELECT * FROM read_csv`` into a
  fresh DuckDB *file*, closed (checkpointed) inside the timing — the like-for-like reference
  for a store that persists what it reads;
* ``ingest``: ``sahel.store.ingest.ingest_file`` into a fresh store each run — the first file
  of a source, so it takes the single pass (``sahel.store.write``; the run records its method);
* ``ingest_staged`` (information): the same with ``single_pass=False``, the staged path that
  every later file of a source, and every file the single pass gives up on, takes.

Figures go to a rich table and to ``benchmarks/out/ingest.json``; ``--profile`` adds a per-step
breakdown of the ingest (``benchmarks/out/ingest_profile.json``, see ``ingest_profile.py``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
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

from rss import peak_rss_mib, peak_source

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "out"
TARGET_RATIO = 1.5
TARGET_PEAK_MIB = 1024.0
#: slowest/fastest run of one variant above this: warn that the medians are not reliable
NOISY_SPREAD = 1.25
OFFICIAL_BASELINE = "baseline"
VARIANTS: dict[str, str] = {
    "baseline": "duckdb CREATE TABLE AS SELECT * FROM read_csv(path) (in-memory, defaults)",
    "baseline_arrow": "duckdb.read_csv(path).to_arrow_table()",
    "baseline_disk": "duckdb CREATE TABLE AS SELECT * FROM read_csv(path) into a new .duckdb file",
    "ingest": "sahel ingest_file(path, fresh store, source=ucdp_ged, version 25.1)",
    "ingest_staged": "the same with single_pass=False: the staged path (temp table, then copy)",
}


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


def _run_baseline_disk(path: Path, store: Path) -> dict[str, Any]:
    import duckdb

    db = store / "baseline.duckdb"
    t0 = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(path)])
    con.close()  # checkpoint, as the ingest's close does
    seconds = time.perf_counter() - t0
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute("SELECT count(*) FROM t").fetchone()
    con.close()
    return {"seconds": seconds, "rows": int(got[0]) if got else 0,
            "db_mib": round(db.stat().st_size / 2**20, 1)}


def _run_ingest(path: Path, store: Path, *, single_pass: bool = True) -> dict[str, Any]:
    from sahel.store.ingest import ingest_file

    t0 = time.perf_counter()
    res = ingest_file(path, db_path=store / "s.duckdb", source="ucdp_ged",
                      source_version="25.1", single_pass=single_pass)
    seconds = time.perf_counter() - t0
    db = store / "s.duckdb"
    return {"seconds": seconds, "rows": res.events_new, "rows_rejected": res.rows_rejected,
            "method": res.method, "db_mib": round(db.stat().st_size / 2**20, 1)}


def _run_ingest_staged(path: Path, store: Path) -> dict[str, Any]:
    return _run_ingest(path, store, single_pass=False)


_RUNNERS: dict[str, Callable[[Path, Path], dict[str, Any]]] = {
    "baseline": _run_baseline,
    "baseline_arrow": _run_baseline_arrow,
    "baseline_disk": _run_baseline_disk,
    "ingest": _run_ingest,
    "ingest_staged": _run_ingest_staged,
}


def _preimport() -> None:
    """Import before the clock starts (see the module docstring)."""
    for module in ("duckdb", "pandas", "pyarrow", "sahel.store.ingest"):
        importlib.import_module(module)


def _child(kind: str, path: Path, store: Path) -> None:
    _preimport()
    if kind == "profile":
        from ingest_profile import profile_ingest

        result: dict[str, Any] = profile_ingest(path, store)
    else:
        result = _RUNNERS[kind](path, store)
    result.setdefault("peak_mib", peak_rss_mib())
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
        "peak_rss_from": peak_source(),
    }


def _console() -> Any:
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 120)


def _print_table(report: dict[str, Any]) -> None:
    from rich.table import Table

    console = _console()
    m = report["machine"]
    table = Table(title=f"Ingest benchmark: {m['rows']:,} events, {m['file_mib']} MiB "
                        f"({m['cpu_count']} CPUs, duckdb {m['duckdb']}, Python {m['python']})")
    table.add_column("variant")
    table.add_column("runs (s)")
    table.add_column("median (s)", justify="right")
    table.add_column("min (s)", justify="right")
    table.add_column("peak RSS (MiB)", justify="right")
    table.add_column("× baseline", justify="right")
    base = report["variants"][OFFICIAL_BASELINE]["median_seconds"]
    for name, v in report["variants"].items():
        label = name + (" (official)" if name == OFFICIAL_BASELINE else "")
        table.add_row(label, ", ".join(f"{s:.2f}" for s in v["seconds"]),
                      f"{v['median_seconds']:.2f}", f"{v['min_seconds']:.2f}",
                      f"{v['peak_mib_max']:.0f}",
                      f"{v['median_seconds'] / base:.2f}")
    console.print(table)
    for check in report["checks"]:
        colour = "green" if check["pass"] else "red"
        console.print(f"[{colour}]{'PASS' if check['pass'] else 'FAIL'}[/{colour}] "
                      f"{check['name']}: {check['value']} (target {check['target']})")
    console.print(f"other estimates of the ratio: of the minima {report['ratio_of_minima']:.2f}; "
                  f"median of per-repeat ratios {report['ratio_median_of_paired_repeats']:.2f}")
    noisy = {k: v for k, v in report["spread_max_over_min"].items() if v > NOISY_SPREAD}
    if noisy:
        console.print(f"[yellow]noisy machine: slowest/fastest run = "
                      f"{', '.join(f'{k} {v:.2f}' for k, v in noisy.items())}; the ratio of "
                      f"medians is not reliable at --repeat {report['repeat']}, use more repeats"
                      f"[/yellow]")
    console.print(f"baseline = {VARIANTS[OFFICIAL_BASELINE]}")


def _steps_table(title: str, steps: list[dict[str, Any]], total: float) -> Any:
    from rich.table import Table

    table = Table(title=title)
    table.add_column("step")
    table.add_column("median (s)", justify="right")
    table.add_column("min (s)", justify="right")
    table.add_column("share", justify="right")
    for step in steps:
        if step["seconds"] < 0.005:
            continue
        table.add_row(step["step"], f"{step['seconds']:.3f}", f"{step['min_seconds']:.3f}",
                      f"{100 * step['seconds'] / total:.0f}%")
    small = sum(s["seconds"] for s in steps if s["seconds"] < 0.005)
    table.add_row("(all steps under 5 ms)", f"{small:.3f}", "", f"{100 * small / total:.0f}%")
    return table


def _print_profile(profile: dict[str, Any]) -> None:
    from rich.table import Table

    console = _console()
    n = profile["repeat"]
    console.print(_steps_table(
        f"Where one ingest spends its time, single pass (median of {n} profiled runs: "
        f"{profile['total_seconds']:.2f} s; peak {profile['peak_mib']:.0f} MiB)",
        profile["steps"], profile["total_seconds"]))
    if "staged_steps" in profile:
        console.print(_steps_table(
            f"The same file by the staged path, single_pass=False (median of {n} runs: "
            f"{profile['staged_total_seconds']:.2f} s)",
            profile["staged_steps"], profile["staged_total_seconds"]))
    iso = Table(title="Isolated costs on the same file (store settings: 2 threads, 700 MB)")
    iso.add_column("experiment")
    iso.add_column("median (s)", justify="right")
    iso.add_column("min (s)", justify="right")
    for exp in profile["experiments"]:
        iso.add_row(exp["experiment"], f"{exp['seconds']:.3f}", f"{exp['min_seconds']:.3f}")
    console.print(iso)


def _generate(path: Path, rows: int, seed: int) -> None:
    """In a child process: this parent stays small (its peak would leak into ru_maxrss)."""
    print(f"generating {path} ...", flush=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "gen_ged.py"), str(path), "--rows", str(rows),
                    "--seed", str(seed)], check=True)
    print(f"  done in {time.perf_counter() - t0:.1f} s", flush=True)


def run(rows: int, repeat: int, seed: int, out_dir: Path, profile: bool,
        variants: list[str]) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"ged_{rows}_seed{seed}.csv"
    if not path.exists():
        _generate(path, rows, seed)
    _warm_cache(path)
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    for i in range(repeat):
        for kind in variants:  # interleaved, so drift on the machine hits every variant alike
            result = _spawn(kind, path)
            runs[kind].append(result)
            method = f"  ({result['method']})" if "method" in result else ""
            print(f"  repeat {i + 1}/{repeat} {kind:<15} {result['seconds']:6.2f} s  "
                  f"peak {result['peak_mib']:6.0f} MiB  rows {result['rows']:,}{method}",
                  flush=True)
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
            "min_seconds": round(min(secs), 4),
            "process_seconds": [round(r["process_seconds"], 4) for r in results],
            "peak_mib": [round(p, 1) for p in peaks],
            "peak_mib_max": round(max(peaks), 1),
            "rows": results[0]["rows"],
        }
        for key in ("db_mib", "method"):
            if key in results[0]:
                summary[kind][key] = results[0][key]
    ratio = summary["ingest"]["median_seconds"] / summary[OFFICIAL_BASELINE]["median_seconds"]
    ratio_min = summary["ingest"]["min_seconds"] / summary[OFFICIAL_BASELINE]["min_seconds"]
    # each repeat runs baseline and ingest back to back: their ratio is less exposed to drift
    paired = statistics.median(
        i["seconds"] / b["seconds"] for i, b in zip(runs["ingest"], runs[OFFICIAL_BASELINE],
                                                    strict=True)
    )
    spread = {k: round(max(v["seconds"]) / min(v["seconds"]), 2) for k, v in summary.items()}
    peak = summary["ingest"]["peak_mib_max"]
    report: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "official_baseline": OFFICIAL_BASELINE,
        "repeat": repeat,
        "seed": seed,
        "machine": _machine(path, rows),
        "variants": summary,
        "ratio": round(ratio, 3),
        "ratio_of_minima": round(ratio_min, 3),
        "ratio_median_of_paired_repeats": round(paired, 3),
        "spread_max_over_min": spread,
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
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated subset of {', '.join(VARIANTS)} "
                        "(baseline and ingest are always run)")
    parser.add_argument("--child", choices=[*VARIANTS, "profile"], help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.path, args.store)
        return 0
    wanted = {v.strip() for v in args.variants.split(",")} | {OFFICIAL_BASELINE, "ingest"}
    unknown = wanted - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variant(s): {', '.join(sorted(unknown))}")
    variants = [v for v in VARIANTS if v in wanted]
    report = run(args.rows, args.repeat, args.seed, args.out_dir.resolve(), args.profile,
                 variants)
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
