"""A small client for ACLED's API: OAuth password grant, token refresh, paging, private CSV.

Why our own: the unofficial ``acled`` package is GPL-3 and logs credentials in URLs (see
DESIGN, Pitfalls). Here the password is read from the environment (via settings), sent only in
the body of the token request, and never logged, put in a URL, written to a file or placed in
an exception message; tokens are held as ``SecretStr`` and sent only in the ``Authorization``
header. Anything ACLED sends back (error texts, reason phrases, headers, redirect targets) passes
through a :class:`~sahel.events.clients.redact.Redactor` holding the e-mail, the password and
every token issued, in every encoding a server might echo them, before it reaches a message, a
log record or a traceback. Every request (login, refresh, one page) runs under its own total
deadline (``SAHEL_HTTP_API_DEADLINE``), so a server that trickles bytes cannot hold a run forever.

Why a private folder: ACLED's terms reserve raw event rows to the registered user, so
:meth:`AcledClient.fetch_to_csv` writes only under ``$SAHEL_HOME/acled/`` with owner-only
permissions, never into the repository or a shared folder.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from sahel.errors import AuthError, ConfigError, NetworkError
from sahel.events.clients.files import FetchResult, write_pages_csv
from sahel.events.clients.http import (
    DEFAULT_RETRY,
    RetryPolicy,
    api_deadline,
    new_client,
    raise_for_status,
    read_json,
    send,
)
from sahel.events.clients.redact import for_settings
from sahel.settings import Settings, get_settings

log = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/token"
READ_PATH = "/api/acled/read"
#: ACLED's list of events it has withdrawn (``event_id_cnty``, ``deleted_timestamp``)
DELETED_PATH = "/api/deleted/read"
CLIENT_ID = "acled"
PAGE_LIMIT = 5000
#: Refresh this many seconds before the access token expires, so a request never races expiry.
EXPIRY_MARGIN = 60.0
_RESERVED = frozenset({"_format", "limit", "page"})
_AUTH_HINT = (
    "check ACLED_USERNAME and ACLED_PASSWORD (your acleddata.com login) and that your "
    "account has API access"
)

#: the columns of ACLED's deleted-events list
DELETED_COLUMNS: tuple[str, ...] = ("event_id_cnty", "deleted_timestamp")
#: ACLED's current column order, used for the header when a query returns no rows.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip


@dataclass(repr=False)
class _Tokens:
    access: SecretStr
    refresh: SecretStr | None
    expires_at: float

    def __repr__(self) -> str:
        return "_Tokens(***)"


class AcledClient:
    """Logs in to ACLED on first use and pages through ``/api/acled/read``.

    ``clock`` (monotonic seconds) is injectable so tests can expire tokens without waiting.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        client: httpx.Client | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        clock: Callable[[], float] = time.monotonic,
        page_size: int = PAGE_LIMIT,
    ) -> None:
        self._settings = settings or get_settings()
        self._settings.require_acled_credentials()
        self._retry = retry
        self._clock = clock
        self._page_size = page_size
        self._tokens: _Tokens | None = None
        self._redact = for_settings(self._settings)
        self._owned = client is None
        self._http = client or new_client()

    def __repr__(self) -> str:
        state = "logged in" if self._tokens else "not logged in"
        return f"AcledClient(api={self._settings.acled_api_url!r}, {state})"

    def close(self) -> None:
        if self._owned:
            self._http.close()

    def __enter__(self) -> AcledClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- authentication -------------------------------------------------------------------

    def login(self) -> None:
        """Password grant: trade the account's e-mail and password for access/refresh tokens."""
        with self._redact.guard():
            self._login()

    def _login(self) -> None:
        username, password = self._settings.require_acled_credentials()
        form = {
            "username": username,
            "password": password.get_secret_value(),
            "grant_type": "password",
            "client_id": CLIENT_ID,
            "scope": "authenticated",
        }
        response = self._post_token(form)
        if response.status_code in (400, 401, 403):
            raise AuthError(
                f"ACLED refused the login (HTTP {response.status_code}{self._reason(response)})",
                hint=_AUTH_HINT,
            )
        raise_for_status(response, what="ACLED login", auth_hint=_AUTH_HINT)
        self._tokens = self._parse_tokens(response)
        log.info("logged in to ACLED")

    def refresh(self) -> None:
        """Renew the access token with the refresh token; log in again if that is refused."""
        with self._redact.guard():
            self._refresh()

    def _refresh(self) -> None:
        if self._tokens is not None and self._tokens.refresh is not None:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": self._tokens.refresh.get_secret_value(),
                "client_id": CLIENT_ID,
            }
            response = self._post_token(form)
            if response.is_success:
                try:
                    self._tokens = self._parse_tokens(response)
                    log.info("refreshed the ACLED access token")
                    return
                except NetworkError:
                    pass
            elif response.status_code not in (400, 401, 403):
                raise_for_status(response, what="ACLED token refresh", auth_hint=_AUTH_HINT)
            log.info("ACLED refused the refresh token; logging in again")
        self._login()

    def _access_token(self) -> str:
        if self._tokens is None:
            self._login()
        elif self._clock() >= self._tokens.expires_at - EXPIRY_MARGIN:
            self._refresh()
        assert self._tokens is not None
        return self._tokens.access.get_secret_value()

    def _post_token(self, form: dict[str, str]) -> httpx.Response:
        url = self._settings.acled_api_url + TOKEN_PATH
        return send(
            self._http,
            "POST",
            url,
            data=form,
            headers={"Accept": "application/json"},
            retry=self._retry,
            deadline=api_deadline(url, self._settings),
        )

    def _parse_tokens(self, response: httpx.Response) -> _Tokens:
        data = read_json(response, what="ACLED login")
        access = data.get("access_token")
        if not isinstance(access, str) or not access:
            raise NetworkError(
                "ACLED's token answer holds no access token",
                hint="the ACLED login may have changed; please report it",
            )
        if not (access.isascii() and access.isprintable()):
            self._redact.add(access)
            raise NetworkError(
                "ACLED's access token holds characters an HTTP header cannot carry",
                hint="the ACLED login may have changed; please report it",
            )
        refresh = data.get("refresh_token")
        expires_in = data.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        self._redact.add(access, refresh if isinstance(refresh, str) else None)
        return _Tokens(
            access=SecretStr(access),
            refresh=SecretStr(refresh) if isinstance(refresh, str) and refresh else None,
            expires_at=self._clock() + lifetime,
        )

    def _reason(self, response: httpx.Response) -> str:
        """``: <ACLED's own error text>``, redacted and cut short; or ''."""
        try:
            data = response.json()
        except ValueError:
            return ""
        return self._reason_of(data)

    def _reason_of(self, data: Any) -> str:
        """Redact first, then shorten: cutting first could leave half a secret unrecognised."""
        text = " ".join(self._redact(_error_text(data)).split())[:200]
        return f": {text}" if text else ""

    # --- data -----------------------------------------------------------------------------

    def iter_pages(self, endpoint: str = READ_PATH,
                   **filters: str) -> Iterator[list[dict[str, Any]]]:
        """Yield the ``data`` rows of each page (``limit`` rows) until a page comes back short.

        Filters are ACLED's query parameters, e.g. ``country="Mali"``,
        ``event_date="2023-01-01|2023-12-31"``, ``event_date_where="BETWEEN"``, or
        ``timestamp="1700000000"``, ``timestamp_where=">="`` for what changed since a moment.
        ``endpoint``: the events (default) or :data:`DELETED_PATH`.
        """
        with self._redact.guard():
            yield from self._iter_pages(filters, endpoint)

    def _iter_pages(self, filters: dict[str, str],
                    endpoint: str = READ_PATH) -> Iterator[list[dict[str, Any]]]:
        clash = sorted(key for key in filters if key in _RESERVED)
        if clash:
            raise ConfigError(
                f"ACLED parameter(s) {', '.join(clash)} are set by the client",
                hint="pass only filters such as country, event_date, event_date_where",
            )
        page = 1
        previous: list[dict[str, Any]] | None = None
        while True:
            rows = self._read_page(page, filters, endpoint)
            log.debug("ACLED page %d: %d rows", page, len(rows))
            if rows and rows == previous:  # a server ignoring `page` would loop forever
                raise NetworkError(
                    f"ACLED API returned page {page - 1} again as page {page}",
                    hint="the API's paging may have changed; please report it",
                )
            yield rows
            if len(rows) < self._page_size:
                return
            previous = rows
            page += 1

    def _read_page(self, page: int, filters: dict[str, str],
                   endpoint: str = READ_PATH) -> list[dict[str, Any]]:
        params = {"_format": "json", "limit": str(self._page_size), "page": str(page), **filters}
        url = self._settings.acled_api_url + endpoint
        for first_try in (True, False):
            token = self._access_token()
            response = send(
                self._http,
                "GET",
                url,
                params=params,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                retry=self._retry,
                deadline=api_deadline(url, self._settings),
            )
            if response.status_code == 401 and first_try:
                log.info("ACLED answered 401; renewing the access token")
                self._refresh()
                continue
            if response.status_code in (401, 403):
                raise AuthError(
                    f"ACLED refused the data request (HTTP {response.status_code}"
                    f"{self._reason(response)})",
                    hint=_AUTH_HINT,
                )
            raise_for_status(response, what="ACLED API", auth_hint=_AUTH_HINT)
            return self._rows(read_json(response, what="ACLED API"))
        raise AssertionError("unreachable: the second try returns or raises")  # pragma: no cover

    def _rows(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        if data.get("success") is False:
            status = data.get("status")
            error = AuthError if status in (401, 403) else NetworkError
            raise error(
                f"ACLED API reported an error (status {self._redact(str(status))[:40]}"
                f"{self._reason_of(data)})",
                hint=_AUTH_HINT if error is AuthError else "check the filters you passed",
            )
        rows = data.get("data")
        if not isinstance(rows, list):
            raise NetworkError(
                "ACLED API answered without a data list",
                hint="the API format may have changed; please report it",
            )
        return rows

    def fetch_to_csv(self, path: Path | str | None = None, **filters: str) -> FetchResult:
        """Write every row as CSV (columns in ACLED's order) into ``$SAHEL_HOME/acled/``.

        ``path`` is a file name or a path inside that folder; by default it is named after the
        filters. Paths outside that folder are refused: raw ACLED rows stay private.
        """
        with self._redact.guard():
            target = self._private_path(path, filters)
            return write_pages_csv(
                target, self.iter_pages(**filters), fallback_columns=ACLED_COLUMNS, private=True
            )

    def fetch_deleted_to_csv(self, path: Path | str, since: int) -> FetchResult:
        """The events ACLED withdrew since the Unix time ``since`` (``event_id_cnty``,
        ``deleted_timestamp``), as CSV in the private ACLED folder."""
        with self._redact.guard():
            target = self._private_path(path, {})
            return write_pages_csv(
                target, self.iter_pages(DELETED_PATH, deleted_timestamp=str(since),
                                        deleted_timestamp_where=">="),
                fallback_columns=DELETED_COLUMNS, private=True)

    def _private_path(self, path: Path | str | None, filters: dict[str, str]) -> Path:
        folder = self._settings.home / "acled"
        if path is None:
            path = default_file_name(filters)
        target = Path(path).expanduser()
        if not target.is_absolute():
            target = folder / target
        if not target.resolve().is_relative_to(folder.expanduser().resolve()):
            raise ConfigError(
                f"refusing to write ACLED rows to {target}",
                hint=f"ACLED's terms keep raw rows private: pass a file name; it goes to {folder}",
            )
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        return target


def default_file_name(filters: dict[str, str]) -> str:
    """``acled_country-Mali_event_date-2023-01-01_2023-12-31.csv`` — readable and file-safe."""
    parts = [
        f"{key}-{value}" for key, value in sorted(filters.items()) if key != "event_date_where"
    ]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", "_".join(parts)).strip("_")[:120]
    return f"acled_{slug or 'all'}.csv"


def _error_text(data: Any) -> str:
    """ACLED's error message from an answer body: ``error`` may be a string, dict or list."""
    if not isinstance(data, dict):
        return ""
    for key in ("error_description", "message", "error"):
        value = data.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, dict):
            value = value.get("message") or value.get("error")
        if isinstance(value, str) and value:
            return value
    return ""
