"""A local fake HTTP server for client tests: no test may talk to a live service.

``FakeServer`` is a ``ThreadingHTTPServer`` on 127.0.0.1, port 0, serving in a thread. Routes map
``(method, path)`` to a handler that receives the recorded request and returns a :class:`Reply`.
Every request is recorded (method, path, query, headers, body) so tests can assert what the
client sent — and what it did *not* send. ``Reply.cut_after`` announces the full length but sends
only part of the body, then drops the connection: an interrupted transfer.

Reusable beyond these tests (CLI and ingest tests can point ``SAHEL_*_URL`` at it).
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit


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
    """What to answer. ``cut_after`` sends only that many body bytes, then hangs up.

    ``reason`` replaces the reason phrase; ``trickle`` is the pause in seconds between single
    bytes of the body (and of the head too with ``trickle_head``); ``raw_head`` is sent instead
    of the status line and headers the server would build.
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None
    reason: str | None = None
    trickle: float | None = None
    trickle_head: bool = False
    raw_head: bytes | None = None

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
        head = reply.raw_head if reply.raw_head is not None else self._head(reply)
        if reply.trickle is not None and reply.trickle_head:
            if not self._trickle(head, reply.trickle):
                return
        elif not self._write(head):
            return
        if self.command == "HEAD":
            return
        payload = reply.body if reply.cut_after is None else reply.body[: reply.cut_after]
        if reply.trickle is not None:
            self._trickle(payload, reply.trickle)
        else:
            self._write(payload)

    def _head(self, reply: Reply) -> bytes:
        reason = reply.reason if reply.reason is not None else self.responses.get(
            reply.status, ("",)
        )[0]
        lines = [f"HTTP/1.0 {reply.status} {reason}"]
        headers = {"Content-Length": str(len(reply.body)), **reply.headers}
        lines += [f"{name}: {value}" for name, value in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # the client hung up (a deadline, a cut): expected
            return False
        return True

    def _trickle(self, data: bytes, pause: float) -> bool:
        """Send ``data`` a byte at a time until done, the client hangs up or the server stops."""
        stopping = self.server.fake.stopping
        for index in range(len(data)):
            if stopping.is_set() or not self._write(data[index : index + 1]):
                return False
            stopping.wait(pause)
        return True

    do_GET = do_POST = do_HEAD = _handle


class FakeServer:
    """A recording HTTP server on 127.0.0.1; use as a context manager or call start/stop."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: list[Recorded] = []
        self.errors: list[BaseException] = []
        self.stopping = threading.Event()
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
        self.stopping.set()  # ends any trickle still running
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


def header_safe(text: str) -> str:
    """``text`` as a header value: one line, its UTF-8 bytes sent as they are (as servers do)."""
    return " ".join(text.split()).encode("utf-8").decode("latin-1")


def _every_u_escape(text: str) -> str:
    return "".join(c if c.isascii() and c.isalnum() else f"\\u{ord(c):04x}" for c in text)


def _html_numeric(text: str) -> str:
    return "".join(c if c.isalnum() else f"&#{ord(c)};" for c in text)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


_CREDENTIALS = ("authorization", "x-ucdp-access-token", "cookie")


def echoed_values(request: Recorded) -> list[str]:
    """Every value the client sent: header values, form or JSON fields, query, target, body
    (credentials first, so that even an echo cut short carries them)."""
    form: dict[str, str] = {}
    with contextlib.suppress(UnicodeDecodeError):
        form = request.form
    secret_first = sorted(request.headers.items(), key=lambda item: item[0] not in _CREDENTIALS)
    values = [*(value for _name, value in secret_first), *form.values()]
    try:
        data = json.loads(request.body or b"null")
    except ValueError:
        data = None
    if isinstance(data, dict):
        values += [str(v) for v in data.values()]
    if "username" in form and "password" in form:  # as a Basic-auth echo would show them
        values.append(f"Basic {_b64(form['username'] + ':' + form['password'])}")
    values += [*request.query.values(), request.raw_target, request.body.decode("utf-8", "replace")]
    return [v for v in values if v]


def echo_text(request: Recorded) -> str:
    """The request echoed raw and in every encoding careless servers use."""
    encoders = (
        lambda v: v,
        lambda v: quote(v),
        lambda v: quote(v, safe=""),
        lambda v: quote(v, safe="").lower(),
        lambda v: quote_plus(v),
        lambda v: quote_plus(v).lower(),
        lambda v: quote(quote(v, safe=""), safe=""),
        lambda v: json.dumps(v),
        lambda v: json.dumps(v, ensure_ascii=False),
        _every_u_escape,
        html.escape,
        _html_numeric,
        _b64,
        lambda v: repr(v.encode("utf-8")),
    )
    return " | ".join(encode(value) for value in echoed_values(request) for encode in encoders)


def echo_reply(request: Recorded, status: int = 400, **extra: Any) -> Reply:
    """An error that echoes the request in its JSON body, a header and the reason phrase."""
    text = echo_text(request)
    data = {"error": text, "error_description": text, "message": text, **extra}
    return Reply(
        status=status,
        body=json.dumps(data).encode("utf-8"),
        headers={"Content-Type": "application/json", "X-Echo": header_safe(text)},
        reason=header_safe("Refused " + " ".join(echoed_values(request)))[:2000],
    )
