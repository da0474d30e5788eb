"""The benchmark's GED generator: standard layout, new unique ids, and a file the ingest loads."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from sahel.events.ucdp import GED_COLUMNS
from sahel.store.ingest import ingest_file

_GEN = Path(__file__).resolve().parents[1] / "benchmarks" / "gen_ged.py"


def _gen_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_gen_ged", _GEN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return _gen_module()


@pytest.fixture(scope="module")
def generated(gen: ModuleType, shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "ged_2000.csv"
    path: Path = gen.generate(out, n=2000, seed=7, shared=shared_data)
    return path


def test_generated_file_has_the_standard_layout(gen: ModuleType, generated: Path) -> None:
    con = duckdb.connect()
    rel = f"read_csv('{generated}', all_varchar = true, header = true)"
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()]
    assert tuple(columns) == tuple(gen.STANDARD_COLUMNS) == GED_COLUMNS
    rows, ids, relids, bad_dates, bad_active = con.execute(f"""
        SELECT count(*), count(DISTINCT id), count(DISTINCT relid),
               count(*) FILTER (WHERE NOT regexp_full_match(date_start,
                   '\\d{{4}}-\\d{{2}}-\\d{{2}} 00:00:00\\.000')),
               count(*) FILTER (WHERE active_year NOT IN ('True', 'False'))
        FROM {rel}
    """).fetchone() or (0, 0, 0, 0, 0)
    assert rows == 2000
    assert ids == 2000 and relids == 2000
    assert bad_dates == 0 and bad_active == 0
    first = con.execute(f"SELECT id, relid FROM {rel} LIMIT 1").fetchone()
    assert first is not None
    assert first[0] == str(gen.ID_BASE) and first[1].endswith(f"-{gen.ID_BASE}")


def test_generation_is_deterministic(gen: ModuleType, generated: Path, shared_data: Path,
                                     tmp_path: Path) -> None:
    again: Path = gen.generate(tmp_path / "again.csv", n=2000, seed=7, shared=shared_data)
    assert again.read_bytes() == generated.read_bytes()
    other: Path = gen.generate(tmp_path / "other.csv", n=2000, seed=8, shared=shared_data)
    assert other.read_bytes() != generated.read_bytes()


def test_ingest_loads_every_generated_event(generated: Path, tmp_path: Path) -> None:
    res = ingest_file(generated, db_path=tmp_path / "s.duckdb", source="ucdp_ged",
                      source_version="25.1")
    assert res.layout == "ucdp_ged_csv"
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (2000, 2000, 0)
    assert res.events_new == 2000
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    try:
        got = con.execute("SELECT count(*), count(DISTINCT source_id) FROM events").fetchone()
    finally:
        con.close()
    assert got == (2000, 2000)
