"""Shared HTTP plumbing for the source clients: one timeout policy, one retry policy, one way to
say "there is no network".

Why one place: UCDP and ACLED fail in the same ways (rate limits, a 5xx while a release is being
published, a laptop in the field without a connection), and every command should give the same
clear message and the same fix. The retry loop also carries a ``before_attempt`` hook, because
for UCDP *every* attempt (errors included) counts against the daily quota.

Nothing here ever formats request headers, bodies or query strings into a message: error texts
name the host and path only, so a credential can never leak through an exception.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from sahel import __version__
from sahel.errors import AuthError, ConfigError, NetworkError, QuotaError

log = logging.getLogger(__name__)

#: The fix we print whenever a source cannot be reached at all.
NO_NETWORK_HINT = "no network: download the files elsewhere and pass `--from DIR`"

#: Answers worth trying again: rate limiting and the server's own transient failures.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

#: Connect fast (a missing network should fail in seconds), read patiently (big CSVs, slow APIs).
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)

USER_AGENT = f"sahel/{__version__} (Sahel Security Observatory)"


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
    follow a redirect to another host. Plain downloads turn them on.
    """
    return httpx.Client(
        timeout=timeout,
        follow_redirects=follow_redirects,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
    )


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
    **kwargs: Any,
) -> httpx.Response:
    """Send one request, retrying 429/5xx answers and broken connections with backoff.

    A refused connection or a failed DNS lookup is *not* retried: it means there is no network
    (or the URL is wrong), and waiting a minute to say so helps nobody. The last answer is
    returned even when its status is an error, so that callers can map 401/403/404 to their own
    message; use :func:`raise_for_status`. With ``stream=True`` the caller must close it.
    """
    try:
        request = client.build_request(method, url, **kwargs)
    except httpx.InvalidURL as exc:
        raise ConfigError(f"invalid URL {url!r}: {exc}", hint="check the *_URL settings") from exc
    for attempt in range(1, retry.attempts + 1):
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
            raise network_error(url, exc) from exc
        except httpx.TransportError as exc:
            if last:
                raise network_error(url, exc) from exc
            wait = retry.wait(attempt)
            log.info(
                "%s %s failed (%s); retry in %.1fs", method, safe_url(url), type(exc).__name__, wait
            )
            retry.sleep(wait)
            continue
        if response.status_code in RETRY_STATUSES and not last:
            wait = retry.wait(attempt, response)
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
