"""Golden outputs of the commands that print figures, on a store of the real shared files.

Issue 9 rebuilds how every figure is measured (one measurement layer); these files, committed
before that work, pin what ``summary``, every ``analyse`` command and ``claims check`` print, so
the rebuild can be shown to change nothing but the fixes it names. Volatile parts (ingest times,
temporary paths) are masked. Regenerate deliberately with ``SAHEL_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sahel.cli import app
from sahel.series.store import import_shared_series
from sahel.store.ingest import ingest_file
from tests.analysis.conftest import store_files

GOLDEN = Path(__file__).resolve().parent / "golden" / "cli"

#: the five claims pinned before issue 9 (in file order); claims added since have their own tests
FIRST_CLAIMS = ["aes-ct-outcomes", "coastal-spread", "jihadist-growth", "mali-vac-2023",
                "niger-lower-2023"]
COMMANDS: dict[str, list[str]] = {
    "summary": ["summary", "-c", "MLI", "-c", "BFA", "-c", "NER", "-c", "BEN", "-c", "TGO"],
    "summary_month_csv": ["summary", "-c", "BFA", "--by", "month", "--start", "2019",
                          "--end", "2020", "-f", "csv"],
    "civilians": ["analyse", "civilians", "-c", "MLI", "-c", "BFA", "-f", "md"],
    "civilians_acled": ["analyse", "civilians", "-c", "BFA", "-s", "acled", "-f", "md"],
    "trends": ["analyse", "trends", "-c", "MLI", "-c", "BFA", "-f", "md"],
    "trends_fatalities": ["analyse", "trends", "-c", "BFA", "--measure", "fatalities", "--by",
                          "perpetrator", "-f", "md"],
    "before_after": ["analyse", "before-after", "aes-charter-signed", "-t", "MLI", "-t", "BFA",
                     "--control", "BEN", "--control", "TGO", "-f", "md"],
    "before_after_series": ["analyse", "before-after", "aes-charter-signed", "-t", "MLI", "-t",
                            "BFA", "-t", "NER", "--control", "TCD", "--control", "BEN",
                            "--series", "ucdp_pace_deaths_best", "-f", "md"],
    "sources": ["analyse", "sources", "-c", "BFA", "--start", "2016", "--end", "2020", "-f",
                "md"],
    "coastal": ["analyse", "coastal", "-f", "md"],
    "cross_border": ["analyse", "cross-border", "--reps", "50", "-f", "md"],
    "claims": ["claims", "check", *FIRST_CLAIMS],
    "claims_json": ["claims", "check", *FIRST_CLAIMS, "--format", "json"],
}

_MASKS = [
    (re.compile(r"ingested \d{4}-\d\d-\d\d \d\d:\d\d:\d\d"), "ingested <time>"),
    (re.compile(r"\"ingested_at\": \"[^\"]+\""), "\"ingested_at\": \"<time>\""),
    (re.compile(r"/tmp/[^\s\"')]+"), "<tmp>"),
]


def _mask(text: str) -> str:
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return text


@pytest.fixture(scope="module")
def golden_home(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("golden-cli")
    db = home / "sahel.duckdb"
    for path in store_files(shared_data):
        ingest_file(path, db_path=db, partial=True)
    import_shared_series(shared_data, db_path=db)
    return home


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.parametrize("name", list(COMMANDS))
def test_cli_output_is_golden(golden_home: Path, monkeypatch: pytest.MonkeyPatch,
                              name: str) -> None:
    monkeypatch.setenv("SAHEL_HOME", str(golden_home))
    monkeypatch.delenv("SAHEL_DB", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, COMMANDS[name])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    text = _mask(f"exit {result.exit_code}\n{result.output}")
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("SAHEL_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
