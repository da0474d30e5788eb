"""A small client for UCDP's REST API (``x-ucdp-access-token``, 1,000 rows a page, daily quota).

Why our own quota counter: UCDP allows 5,000 requests a day per token and counts errors too.
A pull of global GED is ~400 pages, so a few careless re-runs can lock the user out for the
day. We count every attempt in ``$SAHEL_HOME/ucdp_quota.json`` (per UTC day) *before* sending
it, and refuse with :class:`~sahel.errors.QuotaError` instead of making the request that would
go over. The counter survives processes, so separate commands share one budget.

Why a redactor and a deadline: the token travels in a header a server may echo (in its error
body, a response header or a redirect target); every exception and log record leaving this client
is scrubbed of it in every encoding (:mod:`sahel.events.clients.redact`). Each page request runs
under a total deadline (``SAHEL_HTTP_API_DEADLINE``), retries included.

Why CSV in the GED layout: :meth:`UcdpApiClient.fetch_to_csv` writes the 49 columns in the order
of UCDP's downloadable files, so the ingest engine reads an API pull like a downloaded file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from sahel.errors import ConfigError, InputError, NetworkError, QuotaError
from sahel.events.clients.files import FetchResult, atomic_text, write_pages_csv
from sahel.events.clients.http import (
    DEFAULT_RETRY,
    RetryPolicy,
    api_deadline,
    new_client,
    raise_for_status,
    read_json,
    safe_url,
    send,
)
from sahel.events.clients.redact import for_settings
from sahel.settings import Settings, get_settings

try:
    import fcntl
except ImportError:  # Windows: the quota file is not locked (see QuotaCounter)
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

TOKEN_HEADER = "x-ucdp-access-token"
PAGE_SIZE = 1000
QUOTA_FILE = "ucdp_quota.json"
_KEEP_DAYS = 7
_RESOURCE = re.compile(r"[a-z]+")
_VERSION = re.compile(r"\d{2}(\.\d{1,2}){1,3}")
_RESERVED = frozenset({"pagesize", "page"})
_TOKEN_HINT = (
    "check SAHEL_UCDP_TOKEN: UCDP issues API tokens on request (https://ucdp.uu.se/apidocs/)"
)

#: UCDP GED's standard CSV layout (49 columns), in the order of the downloadable files.
GED_COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence",
    "conflict_dset_id", "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id",
    "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id",
    "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office",
    "source_date", "source_headline", "source_original", "where_prec", "where_coordinates",
    "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec",
    "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
    "best", "high", "low", "gwnoa", "gwnob",
)  # fmt: skip


def _utcnow() -> datetime:
    return datetime.now(UTC)


class QuotaCounter:
    """Requests made to UCDP per UTC day, persisted as ``{"2025-06-01": 12, ...}``.

    Concurrent processes (two ingests sharing a token) take an exclusive lock on a sidecar
    ``.lock`` file around each read-count-write, so none of their requests is lost from the
    count; each write is also atomic. Where ``fcntl`` is missing (Windows) there is no lock, and
    overlapping runs may undercount.
    """

    def __init__(self, path: Path, limit: int, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self.path = path
        self.limit = limit
        self._clock = clock

    def _today(self) -> str:
        return self._clock().astimezone(UTC).date().isoformat()

    def _load(self) -> dict[str, int]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return {str(day): int(count) for day, count in data.items()}
        except (ValueError, TypeError) as exc:
            raise InputError(
                "the UCDP request counter is unreadable",
                file=self.path,
                hint="delete it to reset the count (only if you know today's usage is low)",
            ) from exc

    def used(self) -> int:
        """Requests counted today (UTC)."""
        return self._load().get(self._today(), 0)

    def remaining(self) -> int:
        return max(0, self.limit - self.used())

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def reserve(self, count: int = 1) -> None:
        """Count ``count`` requests about to be made, or raise QuotaError if they do not fit."""
        with self._locked():
            self._reserve(count)

    def _reserve(self, count: int) -> None:
        counts = self._load()
        today = self._today()
        used = counts.get(today, 0)
        if used + count > self.limit:
            raise QuotaError(
                f"UCDP API quota reached: {used} of {self.limit} requests used today (UTC)",
                hint=f"the count resets at 00:00 UTC, {self.until_reset()} from now; "
                "or set SAHEL_UCDP_DAILY_QUOTA if your token allows more",
            )
        counts[today] = used + count
        oldest = (self._clock().astimezone(UTC).date() - timedelta(days=_KEEP_DAYS)).isoformat()
        counts = {day: n for day, n in counts.items() if day >= oldest}
        with atomic_text(self.path) as handle:
            json.dump(dict(sorted(counts.items())), handle, indent=1)

    def until_reset(self) -> str:
        """Time left until the UTC day (and so the count) turns over, e.g. ``5 h 07 min``."""
        now = self._clock().astimezone(UTC)
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
        minutes = int((midnight - now).total_seconds() // 60)
        return f"{minutes // 60} h {minutes % 60:02d} min"


class UcdpApiClient:
    """Pages through one UCDP API resource, within the daily quota.

    The token is read from settings at construction (ConfigError if missing) and sent only as
    the ``x-ucdp-access-token`` header; redirects are not followed so it never goes elsewhere.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        client: httpx.Client | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        clock: Callable[[], datetime] = _utcnow,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._settings = settings or get_settings()
        self._token = self._settings.require_ucdp_token()
        self._redact = for_settings(self._settings)
        if not _header_safe(self._token.get_secret_value()):
            raise ConfigError(
                "SAHEL_UCDP_TOKEN holds characters an HTTP header cannot carry",
                field="SAHEL_UCDP_TOKEN",
                hint="copy the token again from UCDP's message: tokens are plain ASCII",
            )
        self.quota = QuotaCounter(
            self._settings.home / QUOTA_FILE, self._settings.ucdp_daily_quota, clock=clock
        )
        self._retry = retry
        self._page_size = page_size
        self._owned = client is None
        self._http = client or new_client()

    def __repr__(self) -> str:
        return f"UcdpApiClient(api={self._settings.ucdp_api_url!r}, token=***)"

    def close(self) -> None:
        if self._owned:
            self._http.close()

    def __enter__(self) -> UcdpApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def iter_pages(
        self,
        resource: str = "gedevents",
        version: str = "25.1",
        params: dict[str, str] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield the ``Result`` rows of each page of ``{api}/{resource}/{version}``."""
        with self._redact.guard():
            for rows, _total in self._pages(resource, version, params):
                yield rows

    def fetch_to_csv(
        self,
        path: Path,
        resource: str = "gedevents",
        version: str = "25.1",
        params: dict[str, str] | None = None,
    ) -> FetchResult:
        """Write every row as a CSV in the 49-column GED layout, atomically.

        After the first page we know how many pages remain; if they do not fit in today's quota
        we stop there (one request spent) rather than spend the quota on a file we cannot finish.
        """
        with self._redact.guard():
            pages = self._budgeted(resource, version, params)
            return write_pages_csv(path, pages, columns=GED_COLUMNS)

    def _budgeted(
        self, resource: str, version: str, params: dict[str, str] | None
    ) -> Iterator[list[dict[str, Any]]]:
        for number, (rows, total) in enumerate(self._pages(resource, version, params)):
            if number == 0 and total is not None and total - 1 > self.quota.remaining():
                raise QuotaError(
                    f"this pull needs {total - 1} more UCDP requests but only "
                    f"{self.quota.remaining()} remain today",
                    hint=f"narrow it with filters (e.g. Country=...), or wait until "
                    f"00:00 UTC ({self.quota.until_reset()} from now)",
                )
            yield rows

    def _pages(
        self, resource: str, version: str, params: dict[str, str] | None
    ) -> Iterator[tuple[list[dict[str, Any]], int | None]]:
        url = self._url(resource, version)
        extra = _check_params(params)
        page = 0
        while True:
            query = {"pagesize": str(self._page_size), "page": str(page), **extra}
            response = send(
                self._http,
                "GET",
                url,
                params=query,
                headers={TOKEN_HEADER: self._token.get_secret_value()},
                retry=self._retry,
                before_attempt=self.quota.reserve,
                deadline=api_deadline(url, self._settings),
            )
            raise_for_status(response, what="UCDP API", auth_hint=_TOKEN_HINT)
            data = read_json(response, what="UCDP API")
            rows = data.get("Result")
            if not isinstance(rows, list):
                raise NetworkError(
                    f"UCDP API: {safe_url(url)} answered without a Result list",
                    hint="the API format may have changed; please report it",
                )
            total = data.get("TotalPages")
            total_pages = (
                int(total) if isinstance(total, int | str) and str(total).isdigit() else None
            )
            log.debug("UCDP %s page %d: %d rows (of %s pages)", url, page, len(rows), total_pages)
            yield rows, total_pages
            page += 1
            more = page < total_pages if total_pages is not None else bool(data.get("NextPageUrl"))
            if not rows or not more:
                return

    def _url(self, resource: str, version: str) -> str:
        if not _RESOURCE.fullmatch(resource):
            raise ConfigError(
                f"bad UCDP API resource {resource!r}",
                field="resource",
                hint='use a resource name like "gedevents" or "ucdpprioconflict"',
            )
        if not _VERSION.fullmatch(version):
            raise ConfigError(
                f"bad UCDP API version {version!r}",
                field="version",
                hint='use a release like "25.1" (yearly) or "25.0.3" (candidate)',
            )
        return f"{self._settings.ucdp_api_url}/{resource}/{version}"


def _header_safe(value: str) -> bool:
    """Printable ASCII only: httpx refuses anything else in a header (with a traceback)."""
    return value.isascii() and value.isprintable()


def _check_params(params: dict[str, str] | None) -> dict[str, str]:
    """Filters as given, minus none: the page size and page number are ours to set."""
    params = dict(params or {})
    clash = sorted(key for key in params if key.lower() in _RESERVED)
    if clash:
        raise ConfigError(
            f"UCDP API parameter(s) {', '.join(clash)} are set by the client",
            hint="pass only filters such as Country, StartDate, EndDate",
        )
    return params
