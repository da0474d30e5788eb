"""Download UCDP's yearly GED zip and monthly candidate CSVs, resumably, with a checksum.

Why resumable: the GED zip is tens of MB and connections in the region drop; starting over
after every cut wastes the user's (often metered) bandwidth. The partial file lives under
``<name>.part``; a new run asks for the rest with ``Range`` and appends when the server answers
206, or starts again from zero when it answers 200. Only a complete file whose size matches what
the server announced is renamed to its final name, and its sha256 is written beside it
(``<name>.sha256``) so that snapshots can name the exact bytes they were built from.

Why a total deadline: a server (or a middlebox) that trickles bytes never trips httpx's
per-read timeouts. One download — every request it makes, resumes included — must finish within
``SAHEL_HTTP_DEADLINE`` seconds. When it does not, the ``.part`` file is **kept**: it holds only
whole chunks as received (each write completes before the next read can fail), so the next run
resumes it with ``Range`` like any other interruption; an empty one is removed. Release probing
(:func:`latest_versions`) has one ``SAHEL_HTTP_API_DEADLINE`` for all its probes.

These are plain public downloads (CC BY 4.0): no token, no quota. A mirror configured with user
info in its URL gets that redacted from every message and log like any credential.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import httpx
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from sahel.errors import ConfigError, NetworkError, NotFoundError
from sahel.events.clients.files import write_sidecar
from sahel.events.clients.http import (
    API_DEADLINE_SETTING,
    DEFAULT_RETRY,
    DOWNLOAD_DEADLINE_SETTING,
    Deadline,
    DeadlineExceeded,
    RetryPolicy,
    network_error,
    new_client,
    raise_for_status,
    safe_url,
    send,
)
from sahel.events.clients.redact import for_settings
from sahel.events.reader import sha256_file
from sahel.settings import Settings, get_settings

log = logging.getLogger(__name__)

Kind = Literal["ged", "candidate"]

_GED_VERSION = re.compile(r"(\d{2})\.([1-9])")
_CANDIDATE_VERSION = re.compile(r"(\d{2})\.0\.(1[0-2]|[1-9])")
#: cumulative candidate files: January to month MM of year YY (``25.01.25.12`` = all of 2025)
_CUMULATIVE_VERSION = re.compile(r"(\d{2})\.01\.(\d{2})\.(0[1-9]|1[0-2])")
_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)")

#: How far back :func:`latest_versions` looks (bounded: each probe is one request).
GED_PROBE_YEARS = 3
CANDIDATE_PROBE_MONTHS = 14


@dataclass(frozen=True)
class DownloadResult:
    """A verified file on disk and where it came from."""

    path: Path
    url: str
    sha256: str
    size: int
    version: str
    kind: Kind
    resumed: bool


class _Restart(Exception):
    """The partial file cannot be continued; delete it and start from zero."""


def validate_version(kind: Kind, version: str) -> str:
    """Return ``version`` if it has the form UCDP uses for ``kind``, else raise ConfigError."""
    if kind == "ged":
        if _GED_VERSION.fullmatch(version):
            return version
        raise ConfigError(
            f"bad UCDP GED version {version!r}",
            field="version",
            hint='use the yearly release form YY.R, like "25.1"',
        )
    if kind == "candidate":
        if _CANDIDATE_VERSION.fullmatch(version) or _CUMULATIVE_VERSION.fullmatch(version):
            return version
        raise ConfigError(
            f"bad UCDP candidate version {version!r}",
            field="version",
            hint='use the monthly release form YY.0.M, like "25.0.3" (March 2025), or the '
            'cumulative form YY.01.YY.MM, like "25.01.25.12" (all of 2025)',
        )
    raise ConfigError(f"unknown UCDP download kind {kind!r}", hint='use "ged" or "candidate"')


def file_name(kind: Kind, version: str) -> str:
    """UCDP's own file name: ``ged251-csv.zip`` or ``GEDEvent_v25_0_3.csv``."""
    validate_version(kind, version)
    if kind == "ged":
        return f"ged{version.replace('.', '')}-csv.zip"
    return f"GEDEvent_v{version.replace('.', '_')}.csv"


def download_url(kind: Kind, version: str, settings: Settings) -> str:
    """Where UCDP publishes ``version`` of ``kind`` under ``settings.ucdp_download_url``."""
    folder = "ged" if kind == "ged" else "candidateged"
    return f"{settings.ucdp_download_url}/{folder}/{file_name(kind, version)}"


def download_ucdp(
    kind: Kind,
    version: str,
    dest: Path,
    *,
    settings: Settings | None = None,
    progress: bool = True,
    force: bool = False,
    retry: RetryPolicy = DEFAULT_RETRY,
    client: httpx.Client | None = None,
) -> DownloadResult:
    """Download one UCDP release into the folder ``dest`` and verify it.

    A file already complete in ``dest`` (its ``.sha256`` matching) is returned without network
    access unless ``force``. A transfer that breaks is resumed within this call up to
    ``retry.attempts`` times, and across calls from the ``.part`` file left behind.
    """
    settings = settings or get_settings()
    with for_settings(settings).guard():
        return _download(kind, version, dest, settings, progress, force, retry, client)


def _download(
    kind: Kind,
    version: str,
    dest: Path,
    settings: Settings,
    progress: bool,
    force: bool,
    retry: RetryPolicy,
    client: httpx.Client | None,
) -> DownloadResult:
    url = download_url(kind, version, settings)
    if dest.exists() and not dest.is_dir():
        raise ConfigError(f"{dest} is a file", hint="pass the folder to download into")
    dest.mkdir(parents=True, exist_ok=True)
    final = dest / file_name(kind, version)
    if not force and (existing := _already_done(final)) is not None:
        return DownloadResult(final, url, existing, final.stat().st_size, version, kind, False)
    part = final.with_name(final.name + ".part")
    deadline = Deadline(
        settings.http_deadline,
        url=url,
        setting=DOWNLOAD_DEADLINE_SETTING,
        note="; the next run resumes the .part file",
    )
    owned = client is None
    http = client or new_client(follow_redirects=True)
    try:
        with _progress_bar(final.name, enabled=progress) as advance:
            resumed = _fetch(
                http, url, part, kind=kind, retry=retry, advance=advance, deadline=deadline
            )
    finally:
        if owned:
            http.close()
    if kind == "ged" and not zipfile.is_zipfile(part):
        part.unlink()
        raise NetworkError(
            f"{safe_url(url)} did not deliver a zip archive",
            hint="the download page may have changed; check the URL in a browser",
        )
    part.replace(final)
    digest = sha256_file(final)
    write_sidecar(final, digest)
    size = final.stat().st_size
    log.info("downloaded %s (%d bytes, sha256 %s)", final.name, size, digest)
    return DownloadResult(final, url, digest, size, version, kind, resumed)


def _already_done(final: Path) -> str | None:
    """The sha256 of a finished earlier download, if its sidecar still matches the file."""
    sidecar = final.with_name(final.name + ".sha256")
    if not (final.is_file() and sidecar.is_file()):
        return None
    recorded = sidecar.read_text(encoding="utf-8").split()[:1]
    digest = sha256_file(final)
    if recorded == [digest]:
        return digest
    log.warning("%s does not match its .sha256; downloading it again", final.name)
    return None


def _fetch(
    http: httpx.Client,
    url: str,
    part: Path,
    *,
    kind: Kind,
    retry: RetryPolicy,
    advance: _Advance,
    deadline: Deadline,
) -> bool:
    """Bring ``part`` to the full file; return whether an earlier partial file was continued.

    Everything runs under ``deadline``; when it expires the ``.part`` file keeps what arrived
    (an empty one is removed) and :class:`DeadlineExceeded` says so.
    """
    try:
        with deadline:
            return _fetch_attempts(http, url, part, kind, retry, advance, deadline)
    except DeadlineExceeded:
        if part.exists() and part.stat().st_size == 0:
            part.unlink()
        raise


def _fetch_attempts(
    http: httpx.Client,
    url: str,
    part: Path,
    kind: Kind,
    retry: RetryPolicy,
    advance: _Advance,
    deadline: Deadline,
) -> bool:
    resumed = False
    for attempt in range(1, retry.attempts + 1):
        offset = part.stat().st_size if part.exists() else 0
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        response = send(
            http, "GET", url, stream=True, headers=headers, retry=retry, deadline=deadline
        )
        try:
            received = _receive(
                response, part, offset, kind=kind, advance=advance, deadline=deadline
            )
            return received or resumed
        except _Restart:
            part.unlink(missing_ok=True)
        except httpx.TransportError as exc:
            if deadline.expired():
                raise deadline.error() from exc
            wait = retry.wait(attempt)
            if attempt == retry.attempts or wait >= deadline.remaining():
                raise network_error(url, exc) from exc
            log.info("transfer of %s broke; resuming", part.name)
            retry.sleep(wait)
        finally:
            response.close()
    raise NetworkError(
        f"could not complete {safe_url(url)} after {retry.attempts} attempts",
        hint="run the same command again: it resumes from the .part file",
    )


def _receive(
    response: httpx.Response,
    part: Path,
    offset: int,
    *,
    kind: Kind,
    advance: _Advance,
    deadline: Deadline,
) -> bool:
    """Write one answer into ``part``; return True if it continued an earlier partial file."""
    url = safe_url(response.request.url)
    if response.status_code == 416 and offset:
        total = _parse_content_range(response.headers.get("content-range", ""))[2]
        if total == offset:  # the earlier run had everything but the rename
            return True
        raise _Restart
    if response.status_code == 404:
        raise NotFoundError(
            f"UCDP has no {kind} file at {url}",
            hint="check the version; UCDP lists its releases at https://ucdp.uu.se/downloads/",
        )
    raise_for_status(response, what=f"UCDP {kind} download")
    length = _int_header(response, "content-length")
    if response.status_code == 206:
        start, _end, total = _parse_content_range(response.headers.get("content-range", ""))
        if start != offset:
            log.info("server resumed %s at byte %s, not %d; restarting", part.name, start, offset)
            raise _Restart
        mode, expected, resumed = "ab", total, True
        if expected is None and length is not None:
            expected = offset + length
    else:
        if offset:
            log.info("server ignored the Range request for %s; restarting from zero", part.name)
        mode, expected, resumed, offset = "wb", length, False, 0
    advance(offset, expected)
    with part.open(mode) as handle:
        for chunk in response.iter_raw():
            if handle.tell() == 0 and _looks_like_html(chunk):
                handle.close()
                part.unlink()
                raise NetworkError(
                    f"{url} answered a web page instead of the {kind} file",
                    hint="the release may not exist yet; check the version",
                )
            handle.write(chunk)
            advance(len(chunk), None)
            deadline.check()  # also for a client whose reads could not be armed
    size = part.stat().st_size
    if expected is not None and size != expected:
        part.unlink()
        raise NetworkError(
            f"size mismatch for {url}: received {size} bytes, the server announced {expected}",
            hint="run the same command again to download the file from scratch",
        )
    return resumed


def _looks_like_html(chunk: bytes) -> bool:
    """Some servers answer a missing file with 200 and an HTML page; never save that as data."""
    return chunk[:64].lstrip().lower().startswith((b"<!doctype", b"<html"))


def _parse_content_range(value: str) -> tuple[int | None, int | None, int | None]:
    """``bytes 100-199/500`` -> (100, 199, 500); unknown parts are None."""
    match = _CONTENT_RANGE.fullmatch(value.strip())
    if match is None:
        return None, None, None
    start, end, total = match.groups()
    return (
        int(start) if start is not None else None,
        int(end) if end is not None else None,
        int(total) if total not in (None, "*") else None,
    )


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name, "")
    return int(value) if value.isdigit() else None


class _Advance:
    """Progress callback: ``advance(n, None)`` adds n bytes; ``advance(done, total)`` resets."""

    def __init__(self, bar: Progress | None, task: TaskID | None) -> None:
        self._bar = bar
        self._task = task

    def __call__(self, amount: int, total: int | None) -> None:
        if self._bar is None or self._task is None:
            return
        if total is not None:
            self._bar.update(self._task, completed=amount, total=total)
        else:
            self._bar.advance(self._task, amount)


@contextmanager
def _progress_bar(label: str, *, enabled: bool) -> Iterator[_Advance]:
    """A rich download bar, or a no-op when ``enabled`` is False (tests, --quiet, pipes)."""
    if not enabled:
        yield _Advance(None, None)
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        yield _Advance(bar, bar.add_task(label, total=None))


def latest_versions(
    settings: Settings | None = None,
    today: date | None = None,
    *,
    retry: RetryPolicy = DEFAULT_RETRY,
    client: httpx.Client | None = None,
) -> tuple[str, str]:
    """The newest GED yearly and candidate monthly versions UCDP publishes, found by probing.

    UCDP has no machine-readable release list, so we ask (HEAD) for the files that could exist,
    newest first: this year's and the two previous years' ``.1`` GED release, and the candidate
    release of each of the last 14 months. At most 17 requests; none downloads a file.
    """
    settings = settings or get_settings()
    today = today or date.today()
    ged = [f"{(today.year - back) % 100:02d}.1" for back in range(GED_PROBE_YEARS)]
    candidate = []
    year, month = today.year, today.month
    for _ in range(CANDIDATE_PROBE_MONTHS):
        candidate.append(f"{year % 100:02d}.0.{month}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    deadline = Deadline(
        settings.http_api_deadline, url=settings.ucdp_download_url, setting=API_DEADLINE_SETTING
    )
    owned = client is None
    http = client or new_client(follow_redirects=True)
    try:
        with for_settings(settings).guard():
            return (
                _first_available(http, "ged", ged, settings, retry, deadline),
                _first_available(http, "candidate", candidate, settings, retry, deadline),
            )
    finally:
        if owned:
            http.close()


def _first_available(
    http: httpx.Client,
    kind: Kind,
    versions: list[str],
    settings: Settings,
    retry: RetryPolicy,
    deadline: Deadline,
) -> str:
    for version in versions:
        if _exists(http, download_url(kind, version, settings), retry, deadline):
            return version
    raise NotFoundError(
        f"no UCDP {kind} release found among {', '.join(versions)}",
        hint="pass the version explicitly (see https://ucdp.uu.se/downloads/)",
    )


def _exists(http: httpx.Client, url: str, retry: RetryPolicy, deadline: Deadline) -> bool:
    """Whether ``url`` serves a file (see :func:`probe`)."""
    return probe(http, url, retry, deadline) is not None


def probe(http: httpx.Client, url: str, retry: RetryPolicy,
          deadline: Deadline) -> dict[str, str] | None:
    """What ``url`` serves, without downloading it: ``size``, ``etag``, ``last_modified`` (as
    the server says them, "" when it does not), or None when there is no such file. Missing
    files may come back as 404/403/410, and some sites redirect them to an HTML page, so an HTML
    answer counts as missing too."""
    response = send(http, "HEAD", url, retry=retry, deadline=deadline)
    if response.status_code in (405, 501):  # HEAD not allowed: ask for one byte instead
        response = send(
            http,
            "GET",
            url,
            retry=retry,
            stream=True,
            headers={"Range": "bytes=0-0"},
            deadline=deadline,
        )
        response.close()
    if response.status_code in (403, 404, 410):
        return None
    raise_for_status(response, what="UCDP release probe")
    if "text/html" in response.headers.get("content-type", ""):
        return None
    size = response.headers.get("content-length", "")
    if response.status_code == 206:  # the one-byte fallback: the size is in Content-Range
        size = response.headers.get("content-range", "").rpartition("/")[2]
    return {"size": size, "etag": response.headers.get("etag", ""),
            "last_modified": response.headers.get("last-modified", "")}
