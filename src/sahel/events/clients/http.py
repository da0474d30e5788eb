"""Shared HTTP plumbing for the source clients: one timeout policy, one retry policy, one way to
say "there is no network".

Why one place: UCDP and ACLED fail in the same ways (rate limits, a 5xx while a release is being
published, a laptop in the field without a connection), and every command should give the same
clear message and the same fix. The retry loop also carries a ``before_attempt`` hook, because
for UCDP *every* attempt (errors included) counts against the daily quota.

Nothing here ever formats request headers, bodies or query strings into a message: error texts
name the host and path only. Server text that does reach a message (a redirect target, an API's
own error text) is scrubbed by the calling client's :class:`~sahel.events.clients.redact.Redactor`.

Why a total deadline (:class:`Deadline`): httpx's timeouts bound each network operation (connect,
one read, one write), so a server that trickles one byte a second never trips them and holds a
command forever (DESIGN, Pitfalls). Every request therefore runs under a deadline: each socket
connect, read and write may wait at most the time the deadline has left, and once it has passed
the next one fails. This is enforced by a thin wrapper around httpcore's own network backend
(:class:`_DeadlineBackend`), so it covers the status line, headers and a streamed body alike.
An expired deadline is reported as :class:`DeadlineExceeded`, one line naming the host and the
setting that raises it, and is never retried.
"""

from __future__ import annotations

import contextvars
import email.utils
import logging
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import httpcore
import httpx

from sahel import __version__
from sahel.errors import AuthError, ConfigError, NetworkError, QuotaError
from sahel.settings import Settings, get_settings

log = logging.getLogger(__name__)

#: The fix we print whenever a source cannot be reached at all.
NO_NETWORK_HINT = "no network: download the files elsewhere and pass `--from DIR`"

#: Answers worth trying again: rate limiting and the server's own transient failures.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

#: Connect fast (a missing network should fail in seconds), read patiently (big CSVs, slow APIs).
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)

USER_AGENT = f"sahel/{__version__} (Sahel Security Observatory)"

#: The settings that bound a whole download / a whole API request (see :mod:`sahel.settings`).
DOWNLOAD_DEADLINE_SETTING = "SAHEL_HTTP_DEADLINE"
API_DEADLINE_SETTING = "SAHEL_HTTP_API_DEADLINE"


class DeadlineExceeded(NetworkError):
    """A request (or a whole download) ran past its total deadline."""


class Deadline:
    """A total time budget for one network operation, shared by every request made within it.

    Use it as a context manager around the requests *and* the reading of their bodies: while it
    is active, every socket operation of a client made by :func:`new_client` (or passed through
    :func:`send`) waits at most :meth:`remaining` seconds. ``setting`` is the environment
    variable named in the error, so the user knows what to raise; ``note`` is added to it (for
    downloads: that the ``.part`` file is kept and the next run resumes it).
    """

    def __init__(
        self,
        seconds: float,
        *,
        url: httpx.URL | str,
        setting: str,
        note: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.setting = setting
        self.note = note
        self.host = _host(url)
        self._clock = clock
        self._ends = clock() + seconds
        self._tokens: list[contextvars.Token[Deadline | None]] = []

    def __repr__(self) -> str:
        return f"Deadline({self.seconds:g} s for {self.host}, {self.remaining():.1f} s left)"

    def remaining(self) -> float:
        """Seconds left (negative once expired)."""
        return self._ends - self._clock()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def error(self) -> DeadlineExceeded:
        """The one-line error: host, deadline and the setting to raise (no separate hint line)."""
        return DeadlineExceeded(
            f"{self.host}: no complete answer within {self.seconds:g} s; raise {self.setting} "
            f"(seconds) if the link is only slow{self.note}"
        )

    def check(self) -> None:
        """Raise :meth:`error` if the deadline has passed."""
        if self.expired():
            raise self.error()

    def __enter__(self) -> Deadline:
        self._tokens.append(_ACTIVE_DEADLINE.set(self))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _ACTIVE_DEADLINE.reset(self._tokens.pop())


#: The deadline of the operation running in this thread/context, read at every socket call.
_ACTIVE_DEADLINE: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "sahel_http_deadline", default=None
)


def _host(url: httpx.URL | str) -> str:
    """``host`` or ``host:port`` of ``url`` (never user info, path or query)."""
    try:
        parsed = httpx.URL(str(url))
    except httpx.InvalidURL:
        return "the server"
    return f"{parsed.host}:{parsed.port}" if parsed.port else parsed.host or "the server"


def _budget(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    """``timeout`` capped by what the active deadline has left; raise ``expired`` if nothing is."""
    deadline = _ACTIVE_DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline.remaining()
    if left <= 0:
        raise expired(f"total deadline of {deadline.seconds:g} s passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write waits no longer than the deadline allows."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _budget(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _budget(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        budget = _budget(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, budget))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend, with connections that honour the active :class:`Deadline`.

    Name resolution (``getaddrinfo``) happens inside the wrapped connect and cannot be cut
    short; everything after it can.
    """

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        budget = _budget(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, budget, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        budget = _budget(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, budget, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def arm(client: httpx.Client) -> bool:
    """Make ``client``'s connections honour the active :class:`Deadline`; True if they do.

    httpx has no public hook for a network backend, so this wraps the one held by each of the
    client's connection pools (its default transport and any proxy mounts from the environment).
    httpx is pinned (pyproject) and the deadline tests fail if this stops working. A client with
    a custom transport is left alone: its deadline is then checked only between requests and
    between chunks of a streamed body.
    """
    armed = True
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        if not isinstance(transport, httpx.HTTPTransport):
            armed = armed and transport is None
            continue
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if not isinstance(backend, httpcore.NetworkBackend):
            log.warning("cannot enforce the HTTP deadline inside reads (httpx internals changed)")
            armed = False
            continue
        if not isinstance(backend, _DeadlineBackend):
            pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
    return armed


def api_deadline(url: httpx.URL | str, settings: Settings | None = None) -> Deadline:
    """A fresh deadline for one API request, as long as ``SAHEL_HTTP_API_DEADLINE`` says."""
    seconds = (settings or get_settings()).http_api_deadline
    return Deadline(seconds, url=url, setting=API_DEADLINE_SETTING)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to try again.

    ``attempts`` counts every try (so 4 means one try and three retries). Waits double from
    ``backoff`` and never exceed ``max_wait``; a server's ``Retry-After`` wins when it is given.
    ``sleep`` is injectable so tests do not wait.
    """

    attempts: int = 4
    backoff: float = 1.0
    max_wait: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    def wait(self, attempt: int, response: httpx.Response | None = None) -> float:
        """Seconds to wait after failed try number ``attempt`` (1-based)."""
        if response is not None:
            advised = retry_after_seconds(response)
            if advised is not None:
                return min(advised, self.max_wait)
        return float(min(self.backoff * 2 ** (attempt - 1), self.max_wait))


DEFAULT_RETRY = RetryPolicy()


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The server's ``Retry-After`` in seconds (delta or HTTP date), or ``None``."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def new_client(
    *,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    follow_redirects: bool = False,
    headers: dict[str, str] | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` with our timeouts and User-Agent.

    Redirects are off by default: a client carrying a token in a custom header (UCDP) must not
    follow a redirect to another host. Plain downloads turn them on. The client is armed for
    total deadlines (:func:`arm`); ``timeout`` still bounds each single operation.
    """
    client = httpx.Client(
        timeout=timeout,
        follow_redirects=follow_redirects,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
    )
    arm(client)
    return client


def safe_url(url: httpx.URL | str) -> str:
    """``scheme://host[:port]/path`` without user info or query, for messages and logs."""
    parsed = httpx.URL(str(url))
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}{parsed.path}"


def network_error(url: httpx.URL | str, exc: Exception) -> NetworkError:
    """Translate a transport failure into a :class:`NetworkError` with a useful hint."""
    where = safe_url(url)
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.ProxyError):
        return NetworkError(f"cannot reach {where} ({type(exc).__name__})", hint=NO_NETWORK_HINT)
    if isinstance(exc, httpx.TimeoutException):
        return NetworkError(
            f"{where} did not answer in time ({type(exc).__name__})",
            hint="try again later; if it keeps failing, " + NO_NETWORK_HINT,
        )
    return NetworkError(
        f"the connection to {where} broke ({type(exc).__name__})",
        hint="try again; downloads resume where they stopped",
    )


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    retry: RetryPolicy = DEFAULT_RETRY,
    stream: bool = False,
    before_attempt: Callable[[], None] | None = None,
    deadline: Deadline | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request, retrying 429/5xx answers and broken connections with backoff.

    A refused connection or a failed DNS lookup is *not* retried: it means there is no network
    (or the URL is wrong), and waiting a minute to say so helps nobody. The last answer is
    returned even when its status is an error, so that callers can map 401/403/404 to their own
    message; use :func:`raise_for_status`. With ``stream=True`` the caller must close it, and
    should read the body inside ``with deadline:`` so the deadline covers it too.

    All tries share ``deadline`` (default: a fresh :func:`api_deadline`). When it runs out the
    request fails with :class:`DeadlineExceeded` and is not retried; a retry whose wait would
    outlast it is not made (the last answer or error stands).
    """
    arm(client)
    deadline = deadline or api_deadline(url)
    try:
        request = client.build_request(method, url, **kwargs)
    except httpx.InvalidURL as exc:
        raise ConfigError(f"invalid URL {url!r}: {exc}", hint="check the *_URL settings") from exc
    with deadline:
        for attempt in range(1, retry.attempts + 1):
            deadline.check()
            last = attempt == retry.attempts
            if before_attempt is not None:
                before_attempt()
            try:
                response = client.send(request, stream=stream)
            except httpx.UnsupportedProtocol as exc:
                raise ConfigError(
                    f"unsupported URL {safe_url(url)!r}", hint="URLs must start with https://"
                ) from exc
            except (httpx.ConnectError, httpx.ProxyError) as exc:
                if deadline.expired():
                    raise deadline.error() from exc
                raise network_error(url, exc) from exc
            except httpx.TransportError as exc:
                if deadline.expired():
                    raise deadline.error() from exc
                wait = retry.wait(attempt)
                if last or wait >= deadline.remaining():
                    raise network_error(url, exc) from exc
                log.info(
                    "%s %s failed (%s); retry in %.1fs",
                    method,
                    safe_url(url),
                    type(exc).__name__,
                    wait,
                )
                retry.sleep(wait)
                continue
            if response.status_code in RETRY_STATUSES and not last:
                wait = retry.wait(attempt, response)
                if wait >= deadline.remaining():
                    return response
                response.close()
                log.info(
                    "%s %s answered %d; retry in %.1fs",
                    method,
                    safe_url(url),
                    response.status_code,
                    wait,
                )
                retry.sleep(wait)
                continue
            return response
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def raise_for_status(response: httpx.Response, *, what: str, auth_hint: str | None = None) -> None:
    """Raise the matching :class:`NetworkError` subclass unless ``response`` is a success.

    The message carries the status and the path, never the body (which might echo a
    credential) nor the query string.
    """
    if response.is_success:
        return
    status = response.status_code
    where = safe_url(response.request.url)
    if response.is_redirect:
        target = response.headers.get("location", "?")
        raise NetworkError(
            f"{what}: {where} moved to {safe_url(response.request.url.join(target))} "
            f"(HTTP {status})",
            hint="update the *_URL setting to the new address "
            "(credentials are never sent across redirects)",
        )
    if status in (401, 403):
        raise AuthError(
            f"{what}: {where} refused the credentials (HTTP {status})",
            hint=auth_hint or "check your credentials",
        )
    if status == 429:
        raise QuotaError(
            f"{what}: {where} is rate-limiting requests (HTTP 429)",
            hint="wait a while and try again",
        )
    if status == 404:
        raise NetworkError(
            f"{what}: {where} does not exist (HTTP 404)",
            hint="check the version and the *_URL settings",
        )
    raise NetworkError(
        f"{what}: {where} answered HTTP {status}",
        hint="try again later; if it keeps failing, " + NO_NETWORK_HINT,
    )


def read_json(response: httpx.Response, *, what: str) -> dict[str, Any]:
    """The JSON object in ``response``, or a :class:`NetworkError` saying it is not one."""
    try:
        data = response.json()
    except ValueError as exc:
        raise NetworkError(
            f"{what}: {safe_url(response.request.url)} did not answer JSON",
            hint="the service may be down or the *_URL setting may point to a web page",
        ) from exc
    if not isinstance(data, dict):
        raise NetworkError(
            f"{what}: {safe_url(response.request.url)} answered JSON that is not an object",
            hint="the API format may have changed; please report it",
        )
    return data
