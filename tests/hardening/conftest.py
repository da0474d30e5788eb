"""Shared helpers of the hardening suite (issue 8): run the CLI as a user would and hold it to
"no traceback, no DuckDB internals, an error that names the problem and the fix"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sahel.cli import app
from sahel.store.ingest import ingest_file
from tests.test_ingest_errors import ged_row, ged_text

#: words that belong to DuckDB's or Python's internals, never to a message for a user
INTERNALS = re.compile(
    r"Traceback|parallel CSV reader|state machine|Binder Error|Catalog Error|Parser Error|"
    r"Conversion Error|_duckdb|duckdb\.|File \"|line \d+, in |strict_mode|null_padding",
)


def run_cli(args: Sequence[str], *, ok: bool | None = None) -> Result:
    """Invoke ``sahel ARGS`` in-process; fail on any exception that is not a clean exit, or on
    output that shows internals. ``ok``: also require success (True) or failure (False)."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        raise AssertionError(f"sahel {' '.join(map(str, args))} raised {exc!r}") from exc
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    found = INTERNALS.search(text)
    assert found is None, f"internals in the output ({found.group(0)!r}):\n{text[-2000:]}"
    if ok is True:
        assert result.exit_code == 0, text[-2000:]
    if ok is False:
        assert result.exit_code != 0, text[-2000:]
    return result


def error_text(result: Result) -> str:
    return result.output + (result.stderr if result.stderr_bytes is not None else "")


@pytest.fixture()
def small_ged(tmp_path: Path) -> Path:
    """Six plausible GED rows (hand-written, invented ids) in the standard layout."""
    path = tmp_path / "GEDEvent_v25_1.csv"
    path.write_text(ged_text([ged_row(n) for n in range(6)]), encoding="utf-8")
    return path


@pytest.fixture()
def loaded(tmp_path: Path, sahel_home: Path, small_ged: Path) -> Path:
    """A store (the default one of SAHEL_HOME) holding ``small_ged`` as snapshot 1."""
    db = sahel_home / "sahel.duckdb"
    ingest_file(small_ged, db_path=db)
    return db
