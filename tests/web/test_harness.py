"""Self-test of the browser harness on a tiny Starlette app (not our web app).

The map page runs under a strict Content-Security-Policy (no inline script, no eval): the
vendored MapLibre GL (ES modules, same-origin module worker) draws the vendored Natural Earth
countries through topojson-client on a blank style, offline.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tests.web.browser_harness import SCREENSHOT_DIR, STATIC_DIR, LiveServer, WatchedPage

CSP = (
    "default-src 'self'; script-src 'self'; worker-src 'self' blob:; img-src 'self' data: blob:; "
    "style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
FILL = (43, 122, 120)  # #2b7a78

MAP_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>harness map</title>
<link rel="stylesheet" href="/static/vendor/maplibre-gl/maplibre-gl.css">
<link rel="stylesheet" href="/page.css">
<script src="/static/vendor/topojson-client/topojson-client.min.js"></script>
<script type="module" src="/map.mjs"></script>
</head><body><div id="map"></div></body></html>
"""
PAGE_CSS = "html, body { margin: 0; } #map { width: 960px; height: 600px; }\n"
MAP_JS = """import * as maplibregl from '/static/vendor/maplibre-gl/maplibre-gl.mjs';

const topo = await (await fetch('/static/vendor/world-atlas/countries-110m.json')).json();
const countries = topojson.feature(topo, topo.objects.countries);
const map = new maplibregl.Map({
  container: 'map',
  style: {version: 8, sources: {}, layers: [
    {id: 'bg', type: 'background', paint: {'background-color': '#f4f1ea'}}]},
  center: [0, 15], zoom: 2.2, attributionControl: false, fadeDuration: 0,
});
map.addControl(new maplibregl.NavigationControl());
map.on('error', (event) => console.error('map error:', event.error && event.error.message));
window.__map = map;
map.on('load', () => {
  map.addSource('countries', {type: 'geojson', data: countries});
  map.addLayer({id: 'countries-fill', type: 'fill', source: 'countries',
                paint: {'fill-color': '#2b7a78'}});
  map.addLayer({id: 'countries-line', type: 'line', source: 'countries',
                paint: {'line-color': '#17252a', 'line-width': 0.8}});
  map.once('idle', () => { window.__ready = true; });
});
"""
FOREIGN_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>leaky page</title></head>
<body><p>leaks</p><img id="leak" src="https://example.com/x.png" alt=""></body></html>
"""


class ContentSecurityPolicy:
    """Pure ASGI middleware: the CSP header on every response except /foreign."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/foreign"):
            await self.app(scope, receive, send)
            return

        async def send_with_csp(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"content-security-policy", CSP.encode())]
            await send(message)

        await self.app(scope, receive, send_with_csp)


def make_app() -> Any:
    async def index(_: Request) -> Response:
        return HTMLResponse(MAP_HTML)

    async def page_css(_: Request) -> Response:
        return Response(PAGE_CSS, media_type="text/css")

    async def map_js(_: Request) -> Response:
        return Response(MAP_JS, media_type="text/javascript")

    async def foreign(_: Request) -> Response:
        return HTMLResponse(FOREIGN_HTML)

    async def empty(_: Request) -> Response:
        return HTMLResponse('<!doctype html><html lang="en"><title>empty</title><p>empty</p></html>')

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/page.css", page_css),
            Route("/map.mjs", map_js),
            Route("/foreign", foreign),
            Route("/empty", empty),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        ]
    )
    return ContentSecurityPolicy(app)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(make_app()) as live:
        yield live


def test_live_server_serves_and_stops() -> None:
    live = LiveServer(make_app()).start()
    try:
        response = httpx.get(live.url + "/", timeout=5)
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == CSP
        assert httpx.get(live.url + "/static/vendor/MANIFEST.json", timeout=5).status_code == 200
    finally:
        live.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(live.url + "/", timeout=2)


def test_live_server_reports_a_failed_startup() -> None:
    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("no store")
        yield

    with pytest.raises(RuntimeError, match="did not start"):
        LiveServer(Starlette(lifespan=lifespan), timeout=5).start()


@pytest.mark.browser
def test_map_renders_offline_under_csp(server: LiveServer, page_factory: Callable[..., WatchedPage]) -> None:
    watched = page_factory(server.url, viewport=(960, 600))
    response = watched.goto("/")
    assert response is not None and response.headers["content-security-policy"] == CSP
    # Function source, not a bare expression: the CSP refuses Playwright's eval of expressions.
    watched.page.wait_for_function("() => window.__ready === true")

    assert watched.page.locator("#map canvas.maplibregl-canvas").count() == 1
    state = watched.page.evaluate(
        """() => {
            const map = window.__map;
            const mali = map.project([-2.0, 17.5]);
            return {
                loaded: map.loaded(),
                features: map.queryRenderedFeatures({layers: ['countries-fill']}).length,
                atMali: map.queryRenderedFeatures(mali, {layers: ['countries-fill']})
                           .map((f) => f.properties.name),
            };
        }"""
    )
    assert state["loaded"] is True
    assert state["features"] > 50
    assert state["atMali"] == ["Mali"]
    # The worker is a same-origin module worker, and the harness sees its request.
    assert any("/static/vendor/maplibre-gl/maplibre-gl-worker.mjs" in url for url in watched.requests)

    path = watched.shot("harness-map")
    assert path == SCREENSHOT_DIR / "harness-map.png"
    with Image.open(path) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    assert rgb.shape == (600, 960, 3)
    share = float((np.abs(rgb - np.array(FILL)).max(axis=2) <= 6).mean())
    assert share > 0.10, f"only {share:.1%} of the pixels in the countries' colour: WebGL drew nothing?"


@pytest.mark.browser
def test_foreign_request_is_caught_and_reported(
    server: LiveServer, page_factory: Callable[..., WatchedPage]
) -> None:
    watched = page_factory(server.url)
    watched.goto("/foreign")
    watched.page.wait_for_function("() => document.getElementById('leak').complete")
    assert watched.page.evaluate("() => document.getElementById('leak').naturalWidth") == 0

    assert watched.foreign_requests == ["https://example.com/x.png"]
    assert "request to a foreign host (aborted): https://example.com/x.png" in watched.problems()
    with pytest.raises(AssertionError, match=r"example\.com/x\.png"):
        watched.verify()

    # Acknowledge what this test provoked, or the page_factory teardown fails the test.
    assert watched.take_foreign_requests() == ["https://example.com/x.png"]
    errors = watched.take_console_errors()
    assert any("ERR_BLOCKED_BY_CLIENT" in text for text in errors), errors
    watched.verify()


@pytest.mark.browser
def test_console_and_page_errors_are_collected(
    server: LiveServer, page_factory: Callable[..., WatchedPage]
) -> None:
    watched = page_factory(server.url)
    watched.goto("/empty")
    watched.verify()
    # Script from the test runs through CDP (not subject to the page's CSP); the timeout throws
    # from the page's own event loop, so it is an uncaught page error.
    with watched.page.expect_event("pageerror"):
        watched.page.evaluate(
            "() => { console.error('boom in console'); setTimeout(() => { throw new Error('boom'); }); }"
        )
    assert watched.problems() == ["uncaught page error: boom", "console error: boom in console"]
    assert watched.take_console_errors() == ["boom in console"]
    assert watched.take_page_errors() == ["boom"]
    watched.verify()
