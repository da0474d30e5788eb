"""Helpers for browser tests: a live ASGI server, a headless Debian chromium, watched pages.

Nothing here knows our app's routes. The fixtures in ``tests/web/conftest.py`` wrap these:

* :class:`LiveServer` runs any ASGI app with uvicorn in a background thread on 127.0.0.1 and a
  free port (the socket is bound before uvicorn starts, so there is no port race between
  pytest-xdist workers).
* :func:`launch_browser` starts ``/usr/bin/chromium`` through Playwright's *sync* API with the
  flags that give WebGL (MapLibre) in headless mode without a GPU (:data:`CHROMIUM_ARGS`).
* :class:`WatchedPage` is a fresh context + page that records every request, aborts and records
  any request to a host other than the live server's, collects console and page errors, and
  saves screenshots to ``test-output/screenshots/<name>.png``.

Pitfall: Playwright evaluates a *bare expression* given to ``page.wait_for_function`` with
``eval`` inside the page, which a Content-Security-Policy without ``'unsafe-eval'`` refuses
("EvalError: Evaluating a string as JavaScript violates ... script-src"). Pass function source
instead: ``page.wait_for_function("() => window.ready === true")``.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, Request, Route

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "src" / "sahel" / "web" / "static"
SCREENSHOT_DIR = ROOT / "test-output" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")

# `playwright install` needs the internet; Debian's chromium is used instead (scripts/test-setup.sh).
BASE_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)
# WebGL2 without a GPU: ANGLE on SwiftShader (software Vulkan). Chromium >= 137 only falls back to
# SwiftShader for WebGL when --enable-unsafe-swiftshader is given (headless 150 still falls back
# with a deprecation warning; Playwright adds the flag too, but we do not rely on that).
# Do NOT use --use-gl=swiftshader: chromium 150 then has no WebGL context at all.
WEBGL_ARGS = ("--use-angle=swiftshader", "--enable-unsafe-swiftshader")
CHROMIUM_ARGS = (*BASE_ARGS, *WEBGL_ARGS)

_IGNORED_CONSOLE_URL = re.compile(r"/favicon\.ico(\?|$)")


class LiveServer:
    """An ASGI app served by uvicorn in a daemon thread, on 127.0.0.1 and a free port.

    >>> server = LiveServer(app).start()
    >>> server.url  # 'http://127.0.0.1:43117'
    >>> server.stop()

    Also a context manager. ``start`` returns only once uvicorn accepts connections (after the
    app's lifespan startup) and raises if it does not within ``timeout`` seconds.
    """

    def __init__(self, app: Any, *, host: str = "127.0.0.1", timeout: float = 15.0) -> None:
        self.app = app
        self.host = host
        self.timeout = timeout
        self.port: int | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("LiveServer is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc

    def start(self) -> LiveServer:
        import uvicorn

        if self._thread is not None:
            raise RuntimeError("LiveServer already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="auto",
            ws="none",  # no websockets import (and its deprecation warnings)
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)

        def run() -> None:
            try:
                self._server.run(sockets=[sock])
            except BaseException as exc:  # SystemExit on a failed lifespan startup, too
                self._error = exc
            finally:
                sock.close()

        self._thread = threading.Thread(target=run, name=f"live-server-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"LiveServer did not start within {self.timeout} s: {self._error!r}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(self.timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(5)
        self._thread = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def chromium_available() -> bool:
    return CHROMIUM.is_file()


def launch_browser(playwright: Playwright, *, extra_args: tuple[str, ...] = ()) -> Browser:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra_args], headless=True
    )


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    if not cleaned:
        raise ValueError(f"screenshot name {name!r} has no usable characters")
    return cleaned


@dataclass
class WatchedPage:
    """A browser context + page pointed at one live server, watched for leaks and errors.

    ``requests``: every URL the page (and its workers) asked for, in order.
    ``foreign_requests``: URLs on another host than ``base_url``'s; they were aborted.
    ``console_errors`` / ``page_errors``: console.error messages (CSP violations and failed
    loads land here too) and uncaught exceptions. A favicon.ico 404 is ignored.

    :meth:`problems` lists what is wrong; :meth:`verify` raises ``AssertionError`` with it.
    The ``page_factory`` fixture calls :meth:`verify` at teardown, so a test fails unless it
    consumed what it expected with :meth:`take_foreign_requests` / :meth:`take_console_errors`
    / :meth:`take_page_errors`.
    """

    base_url: str
    context: BrowserContext
    page: Page
    allow_console_errors: bool = False
    requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)

    @property
    def allowed_netloc(self) -> str:
        return urlsplit(self.base_url).netloc

    def is_foreign(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "chrome-error"):
            return False
        return parts.netloc != self.allowed_netloc

    def url(self, path: str = "/") -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def goto(self, path: str = "/", **kwargs: Any) -> Any:
        return self.page.goto(self.url(path), **kwargs)

    def shot(self, name: str) -> Path:
        """Save a full-page screenshot to ``test-output/screenshots/<name>.png``."""
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{_safe_name(name)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.screenshots.append(path)
        return path

    def take_foreign_requests(self) -> list[str]:
        taken, self.foreign_requests[:] = list(self.foreign_requests), []
        return taken

    def take_console_errors(self) -> list[str]:
        taken, self.console_errors[:] = list(self.console_errors), []
        return taken

    def take_page_errors(self) -> list[str]:
        taken, self.page_errors[:] = list(self.page_errors), []
        return taken

    def problems(self) -> list[str]:
        found = [f"request to a foreign host (aborted): {url}" for url in self.foreign_requests]
        found += [f"uncaught page error: {text}" for text in self.page_errors]
        if not self.allow_console_errors:
            found += [f"console error: {text}" for text in self.console_errors]
        return found

    def verify(self) -> None:
        found = self.problems()
        if found:
            raise AssertionError(f"page on {self.base_url}:\n  " + "\n  ".join(found))

    def close(self) -> None:
        self.context.close()

    # -- event handlers -------------------------------------------------------------------
    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if self.is_foreign(url):
            self.foreign_requests.append(url)
            route.abort("blockedbyclient")
        else:
            route.fallback()

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "") if message.location else ""
        if _IGNORED_CONSOLE_URL.search(where or ""):
            return
        self.console_errors.append(f"{message.text} ({where})" if where else message.text)

    def _on_page_error(self, error: Exception) -> None:
        self.page_errors.append(str(error))


def open_watched_page(
    browser: Browser,
    base_url: str,
    *,
    allow_console_errors: bool = False,
    viewport: tuple[int, int] = (1280, 800),
    timeout_ms: float = 15_000,
    **context_options: Any,
) -> WatchedPage:
    """A new context + page on ``browser``, watched as :class:`WatchedPage` describes."""
    options: dict[str, Any] = {
        "viewport": {"width": viewport[0], "height": viewport[1]},
        "locale": "en-GB",
        "timezone_id": "UTC",
        "reduced_motion": "reduce",
        "service_workers": "block",  # a service worker's fetches would bypass context.route
    }
    options.update(context_options)
    context = browser.new_context(**options)
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    watched = WatchedPage(
        base_url=base_url, context=context, page=page, allow_console_errors=allow_console_errors
    )
    context.on("request", watched._on_request)
    context.route("**/*", watched._route)
    page.on("console", watched._on_console)
    page.on("pageerror", watched._on_page_error)
    page.on("worker", lambda worker: worker.on("console", watched._on_console))
    return watched


PageFactory = Callable[..., WatchedPage]
