"""Fixtures for the claim tests on the real shared files.

``real_store`` is the analysis store (UCDP explorer exports, UCDP candidate 23.0.10, ACLED) plus
the aggregate series, built once per session and read-only. ``ged`` reads a UCDP explorer
export with pandas alone — the independent side of every comparison (never through sahel).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from sahel.series.store import import_shared_series
from sahel.store.ingest import ingest_file
from tests.analysis.conftest import store_files

#: UCDP side names in the explorer exports and the group each belongs to, written by hand
#: (independent of the registry's matcher)
STATE = {"Government of Mali", "Government of Burkina Faso", "Government of Benin",
         "Government of Togo"}
JIHADIST = {"IS", "JNIM"}


@pytest.fixture(scope="session")
def real_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("claims-real") / "store.duckdb"
    for path in store_files(shared_data):
        ingest_file(path, db_path=db, partial=True)
    import_shared_series(shared_data, db_path=db)
    return db


@pytest.fixture(scope="session")
def ged(shared_data: Path) -> Callable[[str], pd.DataFrame]:
    """``ged("Mali")``: the explorer export as pandas reads it (``index_col=False``: every row
    has a trailing comma), with ``day``, ``end`` and ``year`` columns."""
    cache: dict[str, pd.DataFrame] = {}

    def read(name: str) -> pd.DataFrame:
        if name not in cache:
            df = pd.read_csv(shared_data / "ucdp_ged" / "explorer_export_2025" / f"{name}.csv",
                             index_col=False)
            df["day"] = pd.to_datetime(df["date_start"]).dt.date
            df["end"] = pd.to_datetime(df["date_end"]).dt.date
            df["year"] = pd.to_datetime(df["date_start"]).dt.year
            cache[name] = df
        return cache[name]

    return read


@pytest.fixture()
def spec_dir(tmp_path: Path) -> Callable[..., Path]:
    """Write claim specs (name=YAML text) into a fresh claims folder and return it."""
    def make(**bodies: str) -> Path:
        folder = tmp_path / "claims"
        folder.mkdir(exist_ok=True)
        for name, body in bodies.items():
            (folder / f"{name}.yaml").write_text(body, encoding="utf-8")
        return folder
    return make
