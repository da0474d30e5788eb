"""The `sahel series` sub-app: thin commands, provenance and citation beside every figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sahel.series.cli import app
from sahel.series.definitions import DEFINITIONS

pytestmark = pytest.mark.shared_data
runner = CliRunner()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "series.md"


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_show_prints_values_provenance_and_citation(db: Path) -> None:
    code, out, _ = _run("show", "ucdp_pace_deaths_best", "-c", "MLI", "--start", "2026-01",
                        "--db", str(db))
    assert code == 0, out
    assert "2026-05" in out and "pace_Hist_country_month_best" in out
    assert "sha256" in out and "cite:" in out and "Sundberg" in out
    assert "drops events whose date_start and date_end" in out


def test_show_json_by_year_and_as_of(db: Path) -> None:
    code, out, _ = _run("show", "acled_pv_events", "-c", "Mali", "--start", "2025",
                        "--end", "2025", "--by", "year", "-f", "json", "--db", str(db))
    assert code == 0
    doc = json.loads(out)
    assert doc["rows"][0]["value"] == 1594 and doc["rows"][0]["months"] == 12
    assert "ACLED" in " ".join(doc["provenance"]["citations"])
    code, out, _ = _run("show", "acled_pv_events", "-c", "MLI", "--start", "2026-02",
                        "--end", "2026-02", "--as-of", "9", "-f", "csv", "--db", str(db))
    assert code == 0 and out.splitlines()[1].split(",")[5:7] == ["98.0", "True"]


def test_list_and_import_noop(db: Path, shared_data: Path) -> None:
    code, out, _ = _run("list", "--db", str(db))
    assert code == 0 and "2026-05" in out and "acled_aggregate" in out
    code, out, _ = _run("import", str(shared_data / "ucdp_ged/derived/pace_Hist_country_month_"
                                     "best_1989-01_2026-05.csv"), "--db", str(db))
    assert code == 0 and "no-op" in out


def test_errors_become_exit_codes(tmp_path: Path, db: Path) -> None:
    bad = tmp_path / "mystery.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = _run("import", str(bad), "--db", str(tmp_path / "s.duckdb"))
    assert code == 3 and "fix:" in err and "--kind" in err
    code, _, err = _run("show", "nope", "--db", str(db))
    assert code == 5 and "unknown series" in err


def test_docs_describe_every_series_and_command() -> None:
    doc = DOCS.read_text(encoding="utf-8")
    for name, d in DEFINITIONS.items():
        assert f"`{name}`" in doc, name
        assert d.unit in doc, name
    for command in ("import", "import-shared", "list", "show"):
        assert f"`sahel series {command}`" in doc, command
