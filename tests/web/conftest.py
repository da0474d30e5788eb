"""Fixtures for browser tests (helpers in ``tests/web/browser_harness.py``).

* ``browser`` (session): Debian's /usr/bin/chromium through Playwright's sync API, one per
  pytest-xdist worker. Missing chromium or Playwright: the test fails under ``CI=true`` and is
  skipped otherwise (``scripts/test-setup.sh`` installs chromium).
* ``page_factory(base_url, **options)``: a :class:`~tests.web.browser_harness.WatchedPage`
  (fresh context + page) pointed at a live server; at teardown the test fails if the page asked
  for another host, threw, or logged a console error it did not take.
* ``live_server_factory(app)``: a started :class:`~tests.web.browser_harness.LiveServer`, stopped
  at teardown (for a server shared by a module, use ``LiveServer`` in a module-scoped fixture).

Tests that drive a browser carry ``@pytest.mark.browser`` (registered here; tests using the
``browser`` or ``page_factory`` fixtures get it automatically), so ``-m "not browser"`` skips them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from tests.web.browser_harness import (
    CHROMIUM,
    LiveServer,
    WatchedPage,
    chromium_available,
    launch_browser,
    open_watched_page,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

BROWSER_FIXTURES = frozenset({"browser", "page_factory"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives headless chromium through Playwright (tests/web/browser_harness.py)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


def _unavailable(message: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not chromium_available():
        _unavailable(f"{CHROMIUM} not found: run scripts/test-setup.sh (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright; no `playwright install` needed)")
    playwright = sync_playwright().start()
    try:
        launched = launch_browser(playwright)
    except BaseException:
        playwright.stop()
        raise
    try:
        yield launched
    finally:
        launched.close()
        playwright.stop()


@pytest.fixture()
def page_factory(browser: Browser) -> Iterator[Callable[..., WatchedPage]]:
    pages: list[WatchedPage] = []

    def make(base_url: str, **options: Any) -> WatchedPage:
        watched = open_watched_page(browser, base_url, **options)
        pages.append(watched)
        return watched

    yield make
    problems: list[str] = []
    for watched in pages:
        problems += watched.problems()
        watched.close()
    if problems:
        pytest.fail("browser page problems:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture()
def live_server_factory() -> Iterator[Callable[[Any], LiveServer]]:
    servers: list[LiveServer] = []

    def make(app: Any) -> LiveServer:
        server = LiveServer(app).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
