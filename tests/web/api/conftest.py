"""Fixtures of the API tests: the real analysis store (UCDP explorer exports, candidate 23.0.10,
ACLED exports, the aggregate series) built once per session from the shared files read in
place, and test clients of a local and a public server over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sahel.series.store import import_shared_series
from sahel.store.ingest import ingest_file
from sahel.web.app import create_app
from sahel.web.state import ServeConfig
from tests.analysis.conftest import store_files


@pytest.fixture(scope="session")
def web_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("web-store") / "store.duckdb"
    for path in store_files(shared_data):
        ingest_file(path, db_path=db, partial=True)
    import_shared_series(shared_data, db_path=db)
    return db


def client_for(db: Path, shared: Path, **options: object) -> TestClient:
    config = ServeConfig(db_path=db, shared_data=shared, warm=False, **options)  # type: ignore[arg-type]
    return TestClient(create_app(config))


@pytest.fixture(scope="session")
def api(web_store: Path, shared_data: Path) -> Iterator[TestClient]:
    """A client of the server as the local user sees it (bound to 127.0.0.1)."""
    with client_for(web_store, shared_data) as client:
        yield client


@pytest.fixture(scope="session")
def public_api(web_store: Path, shared_data: Path) -> Iterator[TestClient]:
    """A client of the same store served to the public (``--public``)."""
    with client_for(web_store, shared_data, public=True) as client:
        yield client
