"""Benchmark (issue 4): build all panels and run all claims on the 400,000-event store.

Run from the repository root::

    .venv/bin/python benchmarks/bench_analysis.py [--rows 400000] [--repeat 3]

Setup (not timed): generate the resampled GED file (``gen_ged.py``), ingest it into a store
under ``benchmarks/out/``, and import the aggregate series from ``../shared/data`` into the
same store. Timed, each repeat in a fresh process (peak RSS per run, from ``VmHWM``):

* ``panels``: country-month and admin1-month panels for every country in the store, with
  events, fatalities (low/best/high), civilian deaths, and splits by category and perpetrator
  (registry groups) — target ≤ 2 s;
* ``claims``: every claim in ``registry/claims/`` — target ≤ 10 s.

Figures go to a rich table and ``benchmarks/out/analysis.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rss import peak_rss_mib

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "out"
TARGETS = {"panels": 2.0, "claims": 10.0}


def _panels(store: Path) -> dict[str, Any]:
    from sahel.panels import (
        add_civilian_deaths,
        add_events,
        add_fatalities,
        create_admin1_months,
        create_country_months,
    )

    t0 = time.perf_counter()
    sizes = {}
    for create in (create_country_months, create_admin1_months):
        p = create(db_path=store)
        p = add_events(p)
        p = add_events(p, by="category", name="cat")
        p = add_events(p, by="perpetrator", name="perp")
        p = add_fatalities(p)
        p = add_fatalities(p, by="perpetrator", name="fat")
        p = add_civilian_deaths(p)
        sizes[p.unit] = [len(p.data), len(p.data.columns)]
    return {"seconds": time.perf_counter() - t0, "shape": sizes}


def _claims(store: Path) -> dict[str, Any]:
    from sahel.claims.engine import check_claims

    t0 = time.perf_counter()
    results = check_claims(db_path=store)
    return {"seconds": time.perf_counter() - t0,
            "verdicts": {r.claim.id: r.verdict for r in results}}


def _child(kind: str, store: Path) -> None:
    import pandas  # noqa: F401  (imports outside the clock, as in bench_ingest)

    import sahel.claims.engine
    import sahel.panels  # noqa: F401

    out = _panels(store) if kind == "panels" else _claims(store)
    out["peak_mib"] = peak_rss_mib()
    print(json.dumps(out, default=str))


def _spawn(kind: str, store: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    proc = subprocess.run([sys.executable, str(Path(__file__)), "--child", kind, str(store)],
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _setup(rows: int, seed: int) -> Path:
    from gen_ged import generate
    from sahel.settings import get_settings
    from sahel.store.ingest import ingest_file

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    csv = OUT_DIR / f"ged_{rows}_seed{seed}.csv"
    if not csv.exists():
        generate(csv, n=rows, seed=seed)
    store = OUT_DIR / f"analysis_{rows}.duckdb"
    if not store.exists():
        ingest_file(csv, db_path=store, source="ucdp_ged", source_version="25.1")
        from sahel.series.store import import_shared_series

        import_shared_series(get_settings().shared_data, db_path=store)
    return store


def run(rows: int, repeat: int, seed: int) -> dict[str, Any]:
    store = _setup(rows, seed)
    report: dict[str, Any] = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                              "rows": rows, "repeat": repeat, "cpus": os.cpu_count(),
                              "store": str(store), "variants": {}}
    for kind in ("panels", "claims"):
        runs = [_spawn(kind, store) for _ in range(repeat)]
        secs = [r["seconds"] for r in runs]
        report["variants"][kind] = {
            "seconds": [round(s, 3) for s in secs],
            "median_seconds": round(statistics.median(secs), 3),
            "peak_mib_max": round(max(r["peak_mib"] for r in runs), 1),
            "target_seconds": TARGETS[kind],
            "pass": statistics.median(secs) <= TARGETS[kind],
            "detail": {k: v for k, v in runs[-1].items() if k not in ("seconds", "peak_mib")},
        }
    return report


def _print(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Panels and claims on {report['rows']:,} events "
                        f"({report['cpus']} CPUs)")
    for col in ("variant", "runs (s)", "median (s)", "target (s)", "peak RSS (MiB)", ""):
        table.add_column(col)
    for kind, v in report["variants"].items():
        table.add_row(kind, ", ".join(f"{s:.2f}" for s in v["seconds"]),
                      f"{v['median_seconds']:.2f}", f"{v['target_seconds']:.0f}",
                      f"{v['peak_mib_max']:.0f}", "PASS" if v["pass"] else "FAIL")
    Console(width=120).print(table)
    verdicts = report["variants"]["claims"]["detail"].get("verdicts", {})
    for cid, verdict in verdicts.items():
        print(f"  {cid}: {verdict}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--rows", type=int, default=400_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child", nargs=2, metavar=("KIND", "STORE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return 0
    report = run(args.rows, args.repeat, args.seed)
    (OUT_DIR / "analysis.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    _print(report)
    return 0 if all(v["pass"] for v in report["variants"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
