"""``sahel update``: a continuous UCDP record to last month, kept current with one command.

UCDP publishes a yearly GED (``ged251-csv.zip``: events to the end of the previous year) and,
after it, monthly candidate releases (``GEDEvent_v25_0_3.csv``: March 2025) and cumulative
candidate files (``GEDEvent_v25_01_25_12.csv``: January–December 2025). A continuous record is
the newest GED plus, for every month after its coverage, the newest candidate release covering
that month. :func:`plan` works out which files that takes — probing the server (HEAD requests,
nothing downloaded) or reading a folder — and :func:`update` fetches what is missing and
ingests it.

Why all or nothing: an update runs unattended (cron, a systemd timer). It downloads every
file first; only then does it ingest them, into a copy of the store that replaces the store in
one rename once every file is in. An unreachable server, a damaged file or a kill at any point
leaves the store exactly as it was, and a lock keeps two updates from running at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import httpx

from sahel.errors import InputError, NetworkError, StoreError
from sahel.events import ucdp
from sahel.settings import Settings, get_settings
from sahel.store.archive import archive_dir
from sahel.store.db import connect, default_db_path
from sahel.store.ingest import IngestResult, ingest_file

Kind = Literal["ged", "candidate"]
#: how far back a GED release is looked for (this year's, then the previous ones)
GED_YEARS = 3


@dataclass(frozen=True)
class Release:
    """One UCDP file and the months it speaks for."""

    kind: Kind
    version: str
    first: date
    last: date

    @property
    def name(self) -> str:
        if self.kind == "ged":
            return f"ged{self.version.replace('.', '')}-csv.zip"
        return f"GEDEvent_v{self.version.replace('.', '_')}.csv"

    @classmethod
    def ged(cls, yy: int) -> Release:
        return cls("ged", f"{yy:02d}.1", date(1989, 1, 1), date(2000 + yy - 1, 12, 31))

    @classmethod
    def monthly(cls, year: int, month: int) -> Release:
        return cls("candidate", f"{year % 100:02d}.0.{month}", date(year, month, 1),
                   _month_end(year, month))

    @classmethod
    def cumulative(cls, year: int, month: int) -> Release:
        yy = year % 100
        return cls("candidate", f"{yy:02d}.01.{yy:02d}.{month:02d}", date(year, 1, 1),
                   _month_end(year, month))

    @classmethod
    def from_name(cls, name: str) -> Release | None:
        source, version = ucdp.source_and_version_from_name(name)
        if source == "ucdp_ged" and version and version.endswith(".1"):
            return cls.ged(int(version[:2]))
        if source == "ucdp_candidate" and version:
            parts = version.split(".")
            if len(parts) == 3:
                return cls.monthly(2000 + int(parts[0]), int(parts[2]))
            return cls.cumulative(2000 + int(parts[2]), int(parts[3]))
        return None


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def _months(first: date, last: date) -> list[tuple[int, int]]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y, m + 1) if m < 12 else (y + 1, 1)
    return out


@dataclass
class Step:
    """What an update does with one release: ``fetch`` (new or re-published), ``have`` (the
    same file is already downloaded and stored), ``missing`` (not published: a gap)."""

    release: Release
    action: Literal["fetch", "have", "missing"]
    reason: str
    url: str | None = None
    path: Path | None = None
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    ged: Step | None
    candidates: list[Step]
    last_month: date  # the last month a continuous record should reach

    @property
    def steps(self) -> list[Step]:
        return ([self.ged] if self.ged else []) + self.candidates

    def gaps(self) -> list[str]:
        return [s.release.version for s in self.candidates if s.action == "missing"]


def _last_full_month(today: date) -> date:
    first = today.replace(day=1)
    return date.fromordinal(first.toordinal() - 1)


def _candidates_after(ged: Release, until: date,
                      exists: Callable[[Release], bool]) -> list[Release]:
    """The candidate releases a continuous record needs after ``ged``: per year, the newest
    cumulative file that exists, then the monthly files after it (a month with neither is
    returned as a monthly release that does not exist: a gap)."""
    out: list[Release] = []
    year = ged.last.year + 1
    while year <= until.year:
        last_month = 12 if year < until.year else until.month
        cumulative = next((Release.cumulative(year, m) for m in range(last_month, 0, -1)
                           if exists(Release.cumulative(year, m))), None)
        start = 1
        if cumulative is not None:
            out.append(cumulative)
            start = cumulative.last.month + 1
        out += [Release.monthly(year, m) for m in range(start, last_month + 1)]
        year += 1
    return out


def _meta_path(downloads: Path, release: Release) -> Path:
    return downloads / (release.name + ".head.json")


def plan_online(settings: Settings, today: date, stored: dict[str, str], *,
                client: httpx.Client | None = None) -> Plan:
    """Ask the server (HEAD requests only) which releases exist and which changed since they
    were downloaded (size, ETag or Last-Modified differ: a month re-published with
    corrections). ``stored``: file name -> sha256 of the snapshots in the store."""
    from sahel.events.clients.http import API_DEADLINE_SETTING, DEFAULT_RETRY, Deadline, new_client
    from sahel.events.clients.redact import for_settings
    from sahel.events.clients.ucdp_download import download_url, probe

    until = _last_full_month(today)
    deadline = Deadline(settings.http_api_deadline, url=settings.ucdp_download_url,
                        setting=API_DEADLINE_SETTING)
    http = client or new_client(follow_redirects=True)
    heads: dict[str, dict[str, str] | None] = {}

    def head(release: Release) -> dict[str, str] | None:
        if release.name not in heads:
            heads[release.name] = probe(http, download_url(release.kind, release.version,
                                                           settings), DEFAULT_RETRY, deadline)
        return heads[release.name]

    try:
        with for_settings(settings).guard():
            ged = next((Release.ged((today.year - back) % 100) for back in range(GED_YEARS)
                        if head(Release.ged((today.year - back) % 100)) is not None), None)
            if ged is None:
                raise NetworkError(f"no UCDP GED release found at {settings.ucdp_download_url}",
                                   hint="check SAHEL_UCDP_DOWNLOAD_URL, or use --from DIR")
            candidates = _candidates_after(ged, until, lambda r: head(r) is not None)
            return Plan(_online_step(ged, head(ged), settings, stored),
                        [_online_step(r, head(r), settings, stored) for r in candidates],
                        until)
    finally:
        if client is None:
            http.close()


def _online_step(release: Release, meta: dict[str, str] | None, settings: Settings,
                 stored: dict[str, str]) -> Step:
    from sahel.events.clients.ucdp_download import download_url

    if meta is None:
        return Step(release, "missing", "not published (404): a gap in the record")
    url = download_url(release.kind, release.version, settings)
    local = settings.downloads / release.name
    seen = _meta_path(settings.downloads, release)
    try:
        before = json.loads(seen.read_text(encoding="utf-8")) if seen.is_file() else None
    except ValueError:
        before = None
    if before == meta and local.is_file() and release.name in stored:
        return Step(release, "have", "already downloaded and stored", url, local, meta)
    why = ("re-published since the last download" if before not in (None, meta)
           else "new" if release.name not in stored else "not downloaded here")
    return Step(release, "fetch", why, url, local, meta)


def plan_folder(folder: Path, today: date, stored: dict[str, str]) -> Plan:
    """The same plan from a folder of already-downloaded files (no network)."""
    found: dict[Release, Path] = {}
    for path in sorted(folder.rglob("*")):
        rel = Release.from_name(path.name) if path.is_file() else None
        # a random sample of a GED release is not the release: it covers nothing
        if (rel is not None and "sample" not in path.name.lower()
                and not path.name.endswith((".part", ".sha256", ".json"))):
            found.setdefault(rel, path)
    geds = sorted((r for r in found if r.kind == "ged"), key=lambda r: r.version)
    if not geds:
        raise InputError("no UCDP GED release (gedNN1-csv.zip) in the folder", file=folder,
                         hint="download the yearly GED into it (https://ucdp.uu.se/downloads/)")
    until = _last_full_month(today)
    latest = max((r.last for r in found if r.kind == "candidate"), default=until)
    candidates = _candidates_after(geds[-1], min(until, latest), lambda r: r in found)

    def step(release: Release) -> Step:
        path = found.get(release)
        if path is None:
            return Step(release, "missing", "not in the folder: a gap in the record")
        return Step(release, "have" if release.name in stored else "fetch",
                    "already stored" if release.name in stored else "in the folder", None, path)

    return Plan(step(geds[-1]), [step(r) for r in candidates], min(until, latest))


@dataclass
class UpdateReport:
    plan: Plan
    dry_run: bool
    ingested: list[IngestResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _lock(db_file: Path) -> Iterator[None]:
    """One update at a time per store (a second one is refused at once, not queued)."""
    db_file.parent.mkdir(parents=True, exist_ok=True)
    path = db_file.parent / f".{db_file.name}.update.lock"
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise StoreError("another update of this store is running", file=db_file,
                             hint="wait for it to finish; updates are scheduled, not queued"
                             ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stored(db_file: Path) -> dict[str, str]:
    if not db_file.exists():
        return {}
    con = connect(db_file, read_only=True)
    try:
        return {str(n): str(s) for n, s in con.execute(
            "SELECT file_name, file_sha256 FROM snapshots WHERE source LIKE 'ucdp%' "
            "ORDER BY snapshot_id").fetchall()}
    finally:
        con.close()


def update(db_path: Path | None = None, *, from_dir: Path | None = None,
           dry_run: bool = False, today: date | None = None, settings: Settings | None = None,
           progress: bool = True, client: httpx.Client | None = None,
           on_step: Callable[[str], None] | None = None) -> UpdateReport:
    """Bring the store's UCDP record to last month (see the module docstring)."""
    settings = settings or get_settings()
    today = today or datetime.now(UTC).date()
    db_file = Path(db_path or default_db_path())
    with _lock(db_file):
        stored = _stored(db_file)
        plan = (plan_folder(from_dir, today, stored) if from_dir is not None
                else plan_online(settings, today, stored, client=client))
        report = UpdateReport(plan, dry_run)
        if plan.gaps():
            where = "not in the folder" if from_dir is not None else "not published"
            report.notes.append(f"{where} (left as gaps, unknown rather than zero): "
                                + ", ".join(plan.gaps()))
        if dry_run:
            return report
        todo = [s for s in plan.steps if s.action == "fetch"]
        if from_dir is None:
            _download(todo, settings, progress, client, on_step)
        if todo:
            report.ingested = _ingest_all(db_file, todo, on_step)
        return report


def _download(steps: list[Step], settings: Settings, progress: bool,
              client: httpx.Client | None, on_step: Callable[[str], None] | None) -> None:
    """Every file first: a network failure stops the update before the store is touched."""
    from sahel.events.clients.ucdp_download import download_ucdp

    for step in steps:
        if on_step is not None:
            on_step(f"downloading {step.release.name}")
        got = download_ucdp(step.release.kind, step.release.version, settings.downloads,
                            settings=settings, progress=progress, client=client,
                            force=step.reason.startswith("re-published"))
        step.path = got.path
        _meta_path(settings.downloads, step.release).write_text(
            json.dumps(step.meta, sort_keys=True), encoding="utf-8")


def _ingest_all(db_file: Path, steps: list[Step],
                on_step: Callable[[str], None] | None) -> list[IngestResult]:
    """Ingest every downloaded release (in the plan's order) as one change of the store."""
    def one(step: Step) -> Callable[[Path], IngestResult]:
        assert step.path is not None
        path, version = step.path, step.release.version
        return lambda copy: ingest_file(path, db_path=copy, source_version=version,
                                        version_basis="UCDP release name (sahel update)",
                                        allow_older=True)

    return _apply_in_copy(db_file, [(s.release.name, one(s)) for s in steps], on_step)


def _apply_in_copy(db_file: Path, actions: list[tuple[str, Callable[[Path], IngestResult]]],
                   on_step: Callable[[str], None] | None) -> list[IngestResult]:
    """Run ``actions`` on a copy of the store and swap it in with one rename once all are
    done: a failure or a kill on the way leaves the store exactly as it was (what the copy
    archived is a leftover that the next ingest or ``sahel store check --repair`` removes)."""
    work = db_file.parent / f".update-{db_file.stem}"
    shutil.rmtree(work, ignore_errors=True)  # left by a killed update
    work.mkdir(parents=True)
    real_archive = archive_dir(db_file)
    real_archive.mkdir(parents=True, exist_ok=True)
    os.symlink(real_archive.resolve(), archive_dir(work / db_file.name))
    copy = work / db_file.name
    results: list[IngestResult] = []
    try:
        if db_file.exists():
            con = connect(db_file)  # a write lock: no ingest runs meanwhile; WAL folded in
            con.execute("CHECKPOINT")
            con.close()
            shutil.copyfile(db_file, copy)
        for label, action in actions:
            if on_step is not None:
                on_step(f"ingesting {label}")
            results.append(action(copy))
        con = connect(copy)
        con.execute("CHECKPOINT")
        con.close()
        os.replace(copy, db_file)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


# --- ACLED ------------------------------------------------------------------------------------

def _acled_state(db_file: Path) -> tuple[date, list[str]]:
    """The date the newest ACLED export is dated to, and the countries the store holds."""
    if not db_file.exists():
        raise StoreError("no ACLED data in the store to bring up to date", file=db_file,
                         hint="ingest an ACLED export first, or pull one: sahel ingest acled "
                         "--api-country COUNTRY")
    con = connect(db_file, read_only=True)
    try:
        versions = [str(v[0]) for v in con.execute(
            "SELECT source_version FROM snapshots WHERE source = 'acled' AND mode <> 'deletions' "
            "ORDER BY snapshot_id").fetchall()]
        countries = [str(c[0]) for c in con.execute(
            "SELECT DISTINCT country_iso3 FROM events WHERE source = 'acled' AND retired_by IS "
            "NULL ORDER BY 1").fetchall()]
    finally:
        con.close()
    dated = sorted(date.fromisoformat(v[6:16]) for v in versions if v.startswith("as-of "))
    if not dated or not countries:
        raise StoreError("no dated ACLED export in the store to bring up to date", file=db_file,
                         hint="ingest an ACLED export first, or pull one: sahel ingest acled "
                         "--api-country COUNTRY")
    return dated[-1], countries


@dataclass
class AcledUpdateReport:
    since: date
    countries: list[str]
    changed_rows: int
    deleted_rows: int
    ingested: list[IngestResult] = field(default_factory=list)


def update_acled(db_path: Path | None = None, *, settings: Settings | None = None,
                 today: date | None = None, client: httpx.Client | None = None,
                 on_step: Callable[[str], None] | None = None) -> AcledUpdateReport:
    """Only what ACLED changed since the last export (its ``timestamp`` filter) for the
    countries the store holds, and its list of withdrawn events, applied as one change: the
    changed rows as a partial snapshot (revisions and new events recorded), the withdrawals as
    a deletions snapshot. Rows stay in the private ACLED folder; credentials never leave the
    client."""
    import pycountry

    from sahel.events.clients.acled_api import AcledClient
    from sahel.store.deletions import apply_deletions

    settings = settings or get_settings()
    today = today or datetime.now(UTC).date()
    db_file = Path(db_path or default_db_path())
    with _lock(db_file):
        since, countries = _acled_state(db_file)
        epoch = int(datetime(since.year, since.month, since.day, tzinfo=UTC).timestamp())
        found = [pycountry.countries.get(alpha_3=c) for c in countries]
        codes = "|".join(str(int(c.numeric)) for c in found if c is not None)
        stamp = today.isoformat()
        with AcledClient(settings, client=client) as api:
            if on_step is not None:
                on_step("asking ACLED what changed")
            rows = api.fetch_to_csv(f"acled_update_{stamp}.csv", iso=codes,
                                    timestamp=str(epoch), timestamp_where=">=")
            gone = api.fetch_deleted_to_csv(f"acled_deleted_{stamp}.csv", epoch)
        report = AcledUpdateReport(since, countries, rows.rows, gone.rows)
        actions: list[tuple[str, Callable[[Path], IngestResult]]] = []
        if rows.rows:
            actions.append((rows.path.name, lambda copy: ingest_file(
                rows.path, db_path=copy, source="acled", partial=True)))
        if gone.rows:
            actions.append((gone.path.name, lambda copy: apply_deletions(gone.path,
                                                                         db_path=copy)))
        if actions:
            report.ingested = _apply_in_copy(db_file, actions, on_step)
        return report
