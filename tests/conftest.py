"""Shared fixtures. Real data is read in place from ../shared/data (never copied).

Under ``CI=true`` a test that needs the shared data and cannot find it fails instead of skipping,
so a CI run without the data cannot pass silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sahel.settings import get_settings


def _shared_dir() -> Path:
    return get_settings().shared_data


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = _shared_dir()
    if not (path / "README.md").is_file():
        message = f"shared data not found at {path} (set SAHEL_SHARED_DATA)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture()
def sahel_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty SAHEL_HOME for one test, so no test touches the user's store."""
    home = tmp_path / "sahel-home"
    monkeypatch.setenv("SAHEL_HOME", str(home))
    monkeypatch.delenv("SAHEL_DB", raising=False)
    for name in ("SAHEL_UCDP_TOKEN", "ACLED_USERNAME", "ACLED_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def _no_inherited_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest-xdist workers run with COLUMNS=80, which ``sahel.render.console`` honours: tables
    then fold differently than in a plain run. Tests that need a width pass COLUMNS themselves."""
    monkeypatch.delenv("COLUMNS", raising=False)
