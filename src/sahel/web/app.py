"""The web application: the API, the dashboard pages, their assets — and the edge where every
error becomes JSON with a hint, never a stack trace.

Security (issue 11, point 6): the store is opened read-only; SQL is parameterised in the
measurement layer; GET/HEAD only; page size, URL and body sizes are bounded; CORS is off unless
origins are named; every response carries ``X-Content-Type-Options: nosniff`` and a
Content-Security-Policy without inline script, and no page loads anything from another host.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

import sahel
from sahel.errors import (
    AccessError,
    NotFoundError,
    SahelError,
    StoreError,
)
from sahel.faults import crash_report, store_failure
from sahel.web.api import router, warm
from sahel.web.state import Observatory, ServeConfig

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
PAGES: tuple[str, ...] = ("map", "country", "network", "claims", "data")
MAX_URL = 8 * 1024
MAX_BODY = 16 * 1024

#: no inline script or style at all: cytoscape's one container rule lives in css/cytoscape.css,
#: linked with the id cytoscape looks for before it would inject a <style> element
CSP = ("default-src 'self'; script-src 'self'; "
       "style-src 'self'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]

log = logging.getLogger("sahel.web")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def status_of(exc: SahelError) -> int:
    """The HTTP status of a user-causable error."""
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, AccessError):
        return 403
    if isinstance(exc, StoreError):
        return 503
    return 400


def error_body(status: int, kind: str, message: str, *, hint: str | None = None,
               field: str | None = None, file: str | None = None,
               line: int | None = None) -> dict[str, Any]:
    """The one error shape of the API: what, where (field/file/line) and the fix."""
    error: dict[str, Any] = {"status": status, "type": kind, "message": message}
    for key, value in (("field", field), ("file", file), ("line", line), ("hint", hint)):
        if value is not None:
            error[key] = value
    return {"error": error}


def _json_error(status: int, body: dict[str, Any],
                headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


class Guard:
    """Pure ASGI middleware: bounded URLs and bodies, GET/HEAD only, security headers on every
    response (also on errors and static files)."""

    def __init__(self, app: ASGIApp, allow_options: bool = False) -> None:
        self.app, self.allow_options = app, allow_options

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"server"]
                headers.extend(SECURITY_HEADERS)
                message["headers"] = headers
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:  # a bug, or the store failing mid-read: never a traceback
            if started:
                raise
            await bug_response(scope, exc)(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope) -> Response | None:
        raw = scope.get("raw_path") or scope.get("path", "").encode()
        if len(raw) + len(scope.get("query_string", b"")) > MAX_URL:
            return _json_error(414, error_body(414, "URITooLong", "the URL is too long",
                                               hint=f"keep URLs under {MAX_URL:,} bytes"))
        allowed = ("GET", "HEAD", "OPTIONS") if self.allow_options else ("GET", "HEAD")
        if scope.get("method") not in allowed:
            return _json_error(405, error_body(405, "MethodNotAllowed",
                                               f"{scope.get('method')} is not allowed",
                                               hint="this server is read-only: use GET"),
                               headers={"Allow": "GET, HEAD"})
        for key, value in scope.get("headers", []):
            if key == b"content-length" and value.strip() != b"0":
                try:
                    size = int(value)
                except ValueError:
                    size = MAX_BODY + 1
                if size > MAX_BODY:
                    return _json_error(413, error_body(
                        413, "ContentTooLarge", "request bodies are not accepted",
                        hint="send parameters in the query string of a GET"))
        return None


def bug_response(scope: Scope, exc: Exception) -> Response:
    """A failure no request caused: a store that cannot be read (503, with the way back) or a
    bug (500; the traceback goes to a crash file, one line to the server's log)."""
    translated = store_failure(exc)
    if translated is not None:
        status = status_of(translated)
        return _json_error(status, error_body(status, type(translated).__name__,
                                              translated.message, hint=translated.hint))
    note = crash_report(exc)
    log.error("%s %s: %s", scope.get("method"), scope.get("path"), note)
    return _json_error(500, error_body(500, "InternalError", note,
                                       hint="retry later; the server keeps running"))


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(SahelError)
    async def sahel_error(request: Request, exc: SahelError) -> Response:
        status = status_of(exc)
        field = exc.field
        if field and field.startswith("--"):  # the CLI's option name -> the API's parameter
            field = field[2:].replace("-", "_")
        return _json_error(status, error_body(status, type(exc).__name__, exc.message,
                                              hint=exc.hint, field=field,
                                              file=_public_file(exc.file), line=exc.line))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "path")]
        name = ".".join(loc) or None
        message = str(first.get("msg", "invalid parameter"))
        got = first.get("input")
        text = f"{name}: {message}" if name else message
        if isinstance(got, str | int | float):
            text += f" (got {str(got)[:80]!r})"
        return _json_error(400, error_body(
            400, "InvalidParameter", text, field=name,
            hint="see /api/v1/openapi.json for this endpoint's parameters"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        hint = ("see /api/v1 for the resources" if request.url.path.startswith("/api")
                else "pages: " + ", ".join(f"/{p}" for p in PAGES))
        message = "not found" if exc.status_code == 404 else str(exc.detail)
        return _json_error(exc.status_code, error_body(exc.status_code, "HTTPError", message,
                                                       hint=hint),
                           headers=getattr(exc, "headers", None))



def _public_file(file: str | None) -> str | None:
    """A file named in an error, without the server's folders (only its name)."""
    return Path(file).name if file else None


def _install_pages(app: FastAPI) -> None:
    pages = STATIC / "pages"

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/map", status_code=307)

    for name in PAGES:
        def page(name: str = name) -> Response:
            path = pages / f"{name}.html"
            if not path.is_file():
                raise NotFoundError(f"the {name} page is not installed", file=path.name,
                                    hint="reinstall the package (pip install -e .)")
            return FileResponse(path, media_type="text/html; charset=utf-8",
                                headers={"Cache-Control": "no-cache"})
        app.add_api_route(f"/{name}", page, methods=["GET"], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")


def create_app(config: ServeConfig) -> FastAPI:
    """The application over the store ``config.db_path`` (opened read-only at startup)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "observatory", None) is not None:  # given by its owner (tests)
            yield
            return
        obs = app.state.observatory = Observatory(config)
        warming = threading.Thread(target=warm, args=(obs,), name="sahel-warm", daemon=True)
        if config.warm:
            warming.start()
        try:
            yield
        finally:
            if warming.is_alive():
                warming.join(timeout=60)
            obs.close()
            app.state.observatory = None

    app = FastAPI(title="Sahel Security Observatory", version=sahel.__version__,
                  description="Read-only API of the Sahel Security Observatory: conflict-event "
                  "aggregates (UCDP, ACLED), the registry of security-cooperation ties, and "
                  "the published claims checked against the data. Every answer carries its "
                  "provenance (sources, versions, snapshots, filters, citation).",
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None,
                  lifespan=lifespan)
    app.include_router(router)
    _install_errors(app)
    _install_pages(app)
    from starlette.middleware.gzip import GZipMiddleware

    # the map's first load (boundaries, a year of aggregates, event points) is ~2.5 MB of JSON;
    # level 5 takes it to a fraction at a small CPU cost (benchmarks/bench_web.py)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    if config.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET", "HEAD"], allow_headers=["If-None-Match"],
                           expose_headers=["ETag", "Link", "X-Total-Count", "X-Sahel-State",
                                           "X-Sahel-Sources", "X-Sahel-Versions",
                                           "X-Sahel-Snapshots", "X-Sahel-Filters",
                                           "X-Sahel-Citation"])
    app.add_middleware(Guard, allow_options=bool(config.cors_origins))
    return app
