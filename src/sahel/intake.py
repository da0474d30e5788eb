"""Bring files into the store: from disk, a UCDP download, the UCDP API or the ACLED API.

One public function per way in (the CLI commands call exactly one). Each file is its own
snapshot, in its own transaction: a file that fails does not stop the others, and the
:class:`Batch` says file by file what was committed and what failed, with the error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from sahel.errors import ConfigError, SahelError
from sahel.settings import Settings, get_settings
from sahel.store.ingest import IngestResult, ingest_file


@dataclass
class Batch:
    """What an ingest of several files did."""

    files: list[Path]
    results: list[IngestResult] = field(default_factory=list)
    failed: list[tuple[Path, SahelError]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def ingest_paths(paths: list[Path], *, on_file: Callable[[Path], None] | None = None,
                 **options: Any) -> Batch:
    """Ingest each of ``paths`` (options as :func:`sahel.store.ingest.ingest_file`)."""
    if not paths:
        raise ConfigError("nothing to ingest", hint="give the files (or a source to fetch)")
    if len(paths) > 1 and options.get("rejects_path") is not None:
        raise ConfigError("--rejects names one file, but several files were given",
                          field="--rejects",
                          hint="leave it out: each file gets FILE.rejects.csv beside it")
    batch = Batch(list(paths))
    for path in paths:
        if on_file is not None:
            on_file(path)
        try:
            batch.results.append(ingest_file(path, **options))
        except SahelError as exc:
            batch.failed.append((path, exc))
    return batch


def ingest_ucdp(files: list[Path], *, download: str | None = None, api: str | None = None,
                country: str | None = None, settings: Settings | None = None,
                on_file: Callable[[Path], None] | None = None, **options: Any) -> Batch:
    """UCDP files given, plus a release downloaded (``25.1`` GED, ``25.0.3`` candidate) and/or
    a GED version pulled from the API (needs ``SAHEL_UCDP_TOKEN``; stored as a partial
    extract when a country is asked)."""
    settings = settings or get_settings()
    paths = list(files)
    if download:
        from sahel.events.clients.ucdp_download import download_ucdp

        kind: Literal["ged", "candidate"] = "candidate" if download.count(".") >= 2 else "ged"
        paths.append(download_ucdp(kind, download, settings.downloads, settings=settings).path)
    if api:
        from sahel.events.clients.ucdp_api import UcdpApiClient

        params = {"Country": country} if country else None
        target = settings.downloads / f"ucdp_api_ged{api.replace('.', '')}_{country or 'all'}.csv"
        paths.append(UcdpApiClient(settings).fetch_to_csv(target, "gedevents", api,
                                                          params).path)
        options["source_version"] = options.get("source_version") or api
        options["partial"] = True
    if not paths:
        raise ConfigError("nothing to ingest", hint="give FILES, --download VERSION or "
                          "--api VERSION")
    return ingest_paths(paths, on_file=on_file, **options)


def ingest_acled(files: list[Path], *, api_country: str | None = None,
                 start: str | None = None, end: str | None = None,
                 settings: Settings | None = None,
                 on_file: Callable[[Path], None] | None = None, **options: Any) -> Batch:
    """ACLED exports given, plus one country pulled from the ACLED API with the user's account
    (``ACLED_USERNAME``/``ACLED_PASSWORD``). Raw rows stay local."""
    paths = list(files)
    if api_country:
        from sahel.events.clients.acled_api import AcledClient

        settings = settings or get_settings()
        filters: dict[str, str] = {"country": api_country}
        if start or end:
            filters["event_date"] = f"{start or '1997-01-01'}|{end or date.today().isoformat()}"
            filters["event_date_where"] = "BETWEEN"
        target = settings.home / "acled" / f"acled_api_{api_country.replace(' ', '_')}.csv"
        paths.append(AcledClient(settings).fetch_to_csv(target, **filters).path)
    if not paths:
        raise ConfigError("nothing to ingest", hint="give FILES or --api-country COUNTRY")
    return ingest_paths(paths, on_file=on_file, source="acled", **options)
