"""Issue 8, point 8: the same command on the same store prints byte-identical output.

Two fresh interpreters with different ``PYTHONHASHSEED`` values (so any list built from a set or
a dict of strings would come out in another order) run every read-only command against the same
store; their outputs must be equal byte for byte.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sahel.series.store import import_shared_series
from sahel.store.ingest import ingest_file

COMMANDS: list[list[str]] = [
    ["summary"], ["summary", "--by", "month", "-c", "MLI", "-f", "csv"],
    ["events", "-c", "BEN", "-f", "json"], ["events", "-c", "TGO", "--year", "2022"],
    ["snapshots"], ["snapshots", "-f", "json"], ["cite"], ["settings"],
    ["registry", "check"], ["registry", "network", "--at", "2023-09-16"],
    ["registry", "network", "--at", "2024-09-16", "--format", "graphml"],
    ["registry", "timeline", "mli"], ["registry", "diff", "2020-01-01", "2024-01-01"],
    ["registry", "alignment"], ["registry", "ties"], ["registry", "link-report"],
    ["registry", "freshness", "--at", "2026-11-30"],
    ["claims", "check"], ["claims", "check", "--format", "json"],
    ["analyse", "civilians", "-c", "MLI", "-c", "BFA"],
    ["analyse", "trends", "-c", "MLI", "-c", "BFA"],
    ["analyse", "sources", "-c", "MLI"],  # an error here (no ACLED): the same error twice
    ["analyse", "before-after", "aes-charter-signed", "-t", "MLI", "-t", "BFA", "--control",
     "BEN", "--control", "TGO", "--series", "ucdp_pace_deaths_best", "--placebos", "5"],
    ["analyse", "coastal"], ["analyse", "cross-border", "--reps", "20"],
    ["series", "list"], ["series", "show", "ucdp_pace_deaths_best", "-c", "NER", "--by", "year"],
    ["store", "check", "--fast"],
]

RUNNER = """
import json, sys
from typer.testing import CliRunner
from sahel.cli import app
out = {}
for args in json.loads(sys.argv[1]):
    r = CliRunner().invoke(app, args)
    out[" ".join(args)] = [r.exit_code, r.output]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    home = tmp_path_factory.mktemp("determinism")
    db = home / "sahel.duckdb"
    folder = shared_data / "ucdp_ged" / "explorer_export_2025"
    for name in ("Benin", "Burkina", "Mali", "Togo"):
        ingest_file(folder / f"{name}.csv", db_path=db, source_version="24.1")
    import_shared_series(shared_data, db_path=db)
    return home


def _run(home: Path, seed: str) -> dict[str, list[object]]:
    env = {**os.environ, "SAHEL_HOME": str(home), "PYTHONHASHSEED": seed, "COLUMNS": "200"}
    env.pop("SAHEL_DB", None)
    proc = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(COMMANDS)], env=env,
                          capture_output=True, text=True, timeout=900, check=True)
    got: dict[str, list[object]] = json.loads(proc.stdout)
    return got


@pytest.mark.slow
@pytest.mark.shared_data
def test_every_command_prints_the_same_bytes_twice(home: Path) -> None:
    first, second = _run(home, "1"), _run(home, "4242")
    failed = [k for k, (code, _) in first.items()
              if code not in (0, 1) and not k.startswith("analyse sources")]
    assert not failed, {k: first[k] for k in failed}
    differ = [k for k in first if first[k] != second[k]]
    assert not differ, "\n\n".join(f"{k}:\n{first[k][1]}\n---\n{second[k][1]}"
                                   for k in differ[:2])
