"""A local fake HTTP server for client tests: no test may talk to a live service.

``FakeServer`` is a ``ThreadingHTTPServer`` on 127.0.0.1, port 0, serving in a thread. Routes map
``(method, path)`` to a handler that receives the recorded request and returns a :class:`Reply`.
Every request is recorded (method, path, query, headers, body) so tests can assert what the
client sent — and what it did *not* send. ``Reply.cut_after`` announces the full length but sends
only part of the body, then drops the connection: an interrupted transfer.

Reusable beyond these tests (CLI and ingest tests can point ``SAHEL_*_URL`` at it).
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it. Header names are lower-case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    raw_target: str

    @property
    def form(self) -> dict[str, str]:
        """The body parsed as ``application/x-www-form-urlencoded``."""
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))


@dataclass
class Reply:
    """What to answer. ``cut_after`` sends only that many body bytes, then hangs up."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        return cls(
            status=status,
            body=json.dumps(data).encode("utf-8"),
            headers={"Content-Type": "application/json", **(headers or {})},
        )


Handler = Callable[[Recorded], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client hang-ups (broken pipe after a cut) are expected; stay quiet."""


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: simple and deterministic

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        recorded = Recorded(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            raw_target=self.path,
        )
        reply = self.server.fake.dispatch(recorded)
        self.send_response(reply.status)
        headers = {"Content-Length": str(len(reply.body)), **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        payload = reply.body if reply.cut_after is None else reply.body[: reply.cut_after]
        self.wfile.write(payload)
        self.wfile.flush()

    do_GET = do_POST = do_HEAD = _handle


class FakeServer:
    """A recording HTTP server on 127.0.0.1; use as a context manager or call start/stop."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: list[Recorded] = []
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, method: str, path: str, handler: Handler | Reply) -> None:
        """Answer ``method path`` with ``handler`` (a function of the request, or a fixed Reply)."""
        if isinstance(handler, Reply):
            fixed = handler
            self.routes[(method.upper(), path)] = lambda _request: fixed
        else:
            self.routes[(method.upper(), path)] = handler

    def dispatch(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
        handler = self.routes.get((request.method, request.path))
        if handler is None and request.method == "HEAD":
            handler = self.routes.get(("GET", request.path))
        if handler is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        try:
            return handler(request)
        except Exception as exc:  # surfaced to the test through .errors
            self.errors.append(exc)
            return Reply(500, b"fake handler failed", {"Content-Type": "text/plain"})

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        """Recorded requests, optionally only those with this method and/or path."""
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method) and (path is None or r.path == path)
            ]

    def start(self) -> FakeServer:
        server = _Server(("127.0.0.1", 0), _RequestHandler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


_RANGE = re.compile(r"bytes=(\d+)-")


@dataclass
class StaticFile:
    """A file served with optional ``Range`` support, like UCDP's download server.

    ``cut_first`` cuts the first full-body answer after that many bytes. ``honour_range=False``
    answers 200 with the whole file to every request. ``announce_total`` lies about the total
    size in ``Content-Range`` (to provoke a size mismatch).
    """

    payload: bytes
    content_type: str = "application/octet-stream"
    honour_range: bool = True
    cut_first: int | None = None
    announce_total: int | None = None
    served: int = 0

    def __call__(self, request: Recorded) -> Reply:
        headers = {"Content-Type": self.content_type, "Accept-Ranges": "bytes"}
        match = _RANGE.fullmatch(request.headers.get("range", ""))
        cut = None
        if request.method == "GET":
            self.served += 1
            cut = self.cut_first if self.served == 1 else None
        if match and self.honour_range:
            start = int(match.group(1))
            total = len(self.payload)
            if start >= total:
                return Reply(416, b"", {"Content-Range": f"bytes */{total}"})
            announced = self.announce_total or total
            headers["Content-Range"] = f"bytes {start}-{total - 1}/{announced}"
            return Reply(206, self.payload[start:], headers, cut_after=cut)
        return Reply(200, self.payload, headers, cut_after=cut)


def closed_port_url() -> str:
    """``http://127.0.0.1:<port>`` where nothing listens: connections are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
