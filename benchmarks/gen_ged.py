"""Generate a large UCDP GED file in the standard 49-column layout from the real rows.

The real UCDP rows are read in place from ``<shared>/ucdp_ged/`` (never copied):

* ``explorer_export_2025/*.csv``: web-explorer exports (47 columns, a trailing comma on every
  row, ``best_est/high_est/low_est``, no ``gwnoa/gwnob``, dates ``MM/DD/YYYY HH:MM:SS``,
  ``active_year`` True/False); the ``_broken`` and ``_repaired`` subfolders are skipped;
* ``sample/uncertainUCDP_ucdpged_v23_1_sample1000.csv``: standard layout, ``active_year`` 1/0;
* ``candidate/GEDEvent_v23_0_10.csv``: standard layout, ``active_year`` true/false.

Every row is mapped to the standard layout as the official CSV writes it (dates
``YYYY-MM-DD 00:00:00.000``, ``active_year`` True/False), then ``n`` rows are drawn with
replacement (numpy, seeded: the same ``n`` and ``seed`` give the same file) and given new unique
ids ``10_000_000 + i`` and a matching ``relid`` suffix. DuckDB ``COPY`` writes the plain CSV.

Usage: ``.venv/bin/python benchmarks/gen_ged.py OUT.csv [--rows 400000] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

#: the standard GED CSV columns, in the official order
STANDARD_COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name",
    "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b",
    "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
    "source_original", "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2",
    "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)
#: first id given to generated events (real GED ids are below 1,500,000)
ID_BASE = 10_000_000
EXPLORER_DIR = "explorer_export_2025"
SAMPLE_FILE = "sample/uncertainUCDP_ucdpged_v23_1_sample1000.csv"
CANDIDATE_FILE = "candidate/GEDEvent_v23_0_10.csv"
_DATE_FORMATS = ("%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S.%g", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d",
                 "%m/%d/%Y")
#: explorer name -> standard name (the explorer lacks gwnoa/gwnob: written empty)
_EXPLORER_RENAMES = {"best": "best_est", "high": "high_est", "low": "low_est"}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _default_shared() -> Path:
    from sahel.settings import get_settings

    return get_settings().shared_data


def source_files(shared: Path) -> list[Path]:
    """The real UCDP GED files, in a fixed order (the pool's order, hence the resample's)."""
    base = shared / "ucdp_ged"
    explorer = sorted((base / EXPLORER_DIR).glob("*.csv"))  # glob("*.csv") skips subfolders
    files = [*explorer, base / SAMPLE_FILE, base / CANDIDATE_FILE]
    missing = [str(f) for f in files if not f.is_file()]
    if missing or not explorer:
        raise FileNotFoundError(
            f"UCDP GED files not found under {base}: {', '.join(missing) or 'no explorer exports'}"
            " (set SAHEL_SHARED_DATA)"
        )
    return files


def _standard_select(columns: list[str]) -> str:
    """Select list mapping one file's (all-VARCHAR) columns to the standard layout."""
    present = set(columns)
    fmts = ", ".join(_lit(f) for f in _DATE_FORMATS)
    out: list[str] = []
    for name in STANDARD_COLUMNS:
        src = name if name in present else _EXPLORER_RENAMES.get(name)
        if src is None or src not in present:
            out.append(f"CAST(NULL AS VARCHAR) AS {_q(name)}")
        elif name in ("date_start", "date_end"):
            out.append(
                f"strftime(try_strptime(NULLIF(trim({_q(src)}), ''), [{fmts}]), "
                f"'%Y-%m-%d %H:%M:%S') || '.000' AS {_q(name)}"
            )
        elif name == "active_year":
            out.append(
                f"CASE lower(trim({_q(src)})) WHEN 'true' THEN 'True' WHEN '1' THEN 'True' "
                f"WHEN 'false' THEN 'False' WHEN '0' THEN 'False' END AS {_q(name)}"
            )
        else:
            out.append(f"{_q(src)} AS {_q(name)}")
    return ", ".join(out)


def build_pool(con: duckdb.DuckDBPyConnection, shared: Path) -> int:
    """Temp table ``pool``: the 49 standard columns, rows in file order (``rowid`` 0..)."""
    cols = ", ".join(f"{_q(c)} VARCHAR" for c in STANDARD_COLUMNS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE pool ({cols})")
    for path in source_files(shared):
        rel = f"read_csv({_lit(str(path))}, all_varchar = true, header = true)"
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()]
        if not {"id", "date_start", "country"} <= set(columns):
            raise ValueError(f"{path}: not a UCDP GED file (columns {columns[:5]}...)")
        # rowid follows insertion order, which is file order (preserve_insertion_order)
        con.execute(f"INSERT INTO pool SELECT {_standard_select(columns)} FROM {rel}")
    bad = con.execute(
        "SELECT count(*) FROM pool WHERE date_start IS NULL OR id IS NULL "
        "OR active_year IS NULL"
    ).fetchone()
    if bad and bad[0]:
        raise ValueError(f"{bad[0]} real rows lack an id, a readable date or active_year")
    got = con.execute("SELECT count(*) FROM pool").fetchone()
    assert got is not None
    return int(got[0])


def generate(out: Path, n: int = 400_000, seed: int = 1, shared: Path | None = None) -> Path:
    """Write ``n`` resampled real GED rows (standard layout, new ids) to ``out``; return it."""
    if n < 1:
        raise ValueError("n must be at least 1")
    shared = shared if shared is not None else _default_shared()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        size = build_pool(con, shared)
        rng = np.random.default_rng(seed)
        picks = pd.DataFrame({
            "i": np.arange(n, dtype=np.int64),
            "k": rng.integers(0, size, size=n, dtype=np.int64),
        })
        con.register("picks", picks)
        select: list[str] = []
        for name in STANDARD_COLUMNS:
            if name == "id":
                select.append(f"CAST({ID_BASE} + p.i AS VARCHAR) AS id")
            elif name == "relid":
                # "MLI-2020-1-15259-18" -> "MLI-2020-1-15259-<new id>"
                select.append(
                    f"regexp_replace(coalesce(s.relid, 'GEN-0'), '-[^-]*$', '') || '-' || "
                    f"CAST({ID_BASE} + p.i AS VARCHAR) AS relid"
                )
            else:
                select.append(f"s.{_q(name)}")
        tmp = out.with_name(out.name + f".part{os.getpid()}")
        con.execute(f"""
            COPY (
                SELECT {', '.join(select)}
                FROM picks p JOIN pool s ON s.rowid = p.k
                ORDER BY p.i
            ) TO {_lit(str(tmp))} (FORMAT csv, HEADER, DELIMITER ',')
        """)
        con.unregister("picks")
    finally:
        con.close()
    tmp.replace(out)  # atomic: an interrupted run never leaves a half-written file behind
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shared", type=Path, default=None)
    args = parser.parse_args(argv)
    path = generate(args.out, n=args.rows, seed=args.seed, shared=args.shared)
    print(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB, {args.rows:,} rows)")


if __name__ == "__main__":
    main()
