"""Fixtures of the dashboard's browser tests: the real analysis store (UCDP explorer exports,
candidate 23.0.10, ACLED exports, the aggregate series) built once per session from the shared
files read in place, and live servers of the app over it — one local (127.0.0.1: ACLED rows
shown to the local user) and one public (ACLED aggregates only).

Pages are opened with ``tests/web/conftest.py``'s ``page_factory``: a test fails if a page asks
another host for anything, throws, or logs a console error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from sahel.series.store import import_shared_series
from sahel.store.ingest import ingest_file
from sahel.web.app import create_app
from sahel.web.serve import serve_config
from tests.analysis.conftest import store_files
from tests.web.browser_harness import LiveServer, WatchedPage

DESKTOP = (1280, 800)
MOBILE = (390, 844)


@pytest.fixture(scope="session")
def browser_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("browser-store") / "store.duckdb"
    for path in store_files(shared_data):
        ingest_file(path, db_path=db, partial=True)
    import_shared_series(shared_data, db_path=db)
    return db


def _serve(db: Path, shared: Path, *, public: bool, warm: bool = True) -> LiveServer:
    config = serve_config(db, shared_data=shared, public=public)
    # warming computes every claim's verdict at startup: only the server whose claims page is
    # opened needs it
    return LiveServer(create_app(replace(config, warm=warm))).start()


@pytest.fixture(scope="session")
def live(browser_store: Path, shared_data: Path) -> Iterator[LiveServer]:
    """The dashboard as the local user sees it."""
    server = _serve(browser_store, shared_data, public=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def public_live(browser_store: Path, shared_data: Path) -> Iterator[LiveServer]:
    """The same store served to the public (``sahel serve --public``)."""
    server = _serve(browser_store, shared_data, public=True, warm=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def bare_live(browser_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A local server given a data folder without the admin-1 boundary file."""
    empty = tmp_path_factory.mktemp("no-shared-data")
    server = _serve(browser_store, empty, public=False, warm=False)
    yield server
    server.stop()


@pytest.fixture()
def open_page(live: LiveServer, page_factory: Callable[..., WatchedPage]) -> Callable[..., WatchedPage]:
    """``open_page('/map?country=MLI')``: a watched page on the local server, once the page
    says it is drawn (``body[data-ready]``)."""
    def go(path: str, *, server: LiveServer | None = None,
           viewport: tuple[int, int] = DESKTOP) -> WatchedPage:
        watched = page_factory((server or live).url, viewport=viewport)
        watched.goto(path)
        wait_ready(watched)
        return watched
    return go


def wait_ready(watched: WatchedPage, timeout: float = 30_000) -> None:
    watched.page.wait_for_function("() => document.body.dataset.ready === 'true'", timeout=timeout)


def wait_render(watched: WatchedPage, before: str | None, timeout: float = 30_000) -> None:
    """Wait until the page finished a new render (``body[data-render]`` changed)."""
    watched.page.wait_for_function(
        "(before) => document.body.dataset.render && document.body.dataset.render !== before",
        arg=before, timeout=timeout)


def render_id(watched: WatchedPage) -> str | None:
    value: str | None = watched.page.evaluate("() => document.body.dataset.render || null")
    return value


def get_json(server: LiveServer, url: str) -> Any:
    response = httpx.get(server.url + url, timeout=30)
    response.raise_for_status()
    return response.json()


def read_csv(text: str) -> list[dict[str, str]]:
    """Rows of an API CSV, without its ``#`` provenance lines."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return list(csv.DictReader(io.StringIO(body)))


def download_csv(watched: WatchedPage, selector: str) -> tuple[str, str]:
    """Click a CSV link; return (the link's URL, the downloaded text)."""
    link = watched.page.locator(selector)
    href = link.get_attribute("href")
    assert href and "f=csv" in href, href
    with watched.page.expect_download() as info:
        link.click()
    path = info.value.path()
    return href, Path(path).read_text(encoding="utf-8")
