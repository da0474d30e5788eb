"""The ``sahel`` command line: parse, call ONE library function, render.

Errors from the library (:class:`sahel.errors.SahelError`) are translated here, at the edge,
into a readable message and an exit code — no tracebacks for mistakes a user can fix.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import pandas as pd
import typer

from sahel.cli_kit import AsOfOpt, CountryOpt, DbOpt, StartOpt, YearOpt, day, edge
from sahel.errors import ConfigError
from sahel.render import Format, console, df_table, emit

app = typer.Typer(
    help="Sahel Security Observatory: conflict events (UCDP, ACLED) and the security-"
    "cooperation registry, with provenance for every figure.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
ingest_app = typer.Typer(help="Ingest event files (or downloads) as snapshots.",
                         no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")

F = TypeVar("F", bound=Callable[..., Any])
FOCUS = ["MLI", "BFA", "NER", "TCD", "MRT", "NGA", "BEN", "TGO", "GHA", "CIV", "SEN"]




def _ingest_table(results: list[Any]) -> pd.DataFrame:
    return pd.DataFrame([
        {"snapshot": r.snapshot_id, "file": Path(r.file).name, "source": r.source,
         "version": r.source_version, "read": r.rows_read,
         "loaded": r.rows_loaded, "rejected": r.rows_rejected, "new": r.events_new,
         "revised": r.events_revised, "unchanged": r.events_unchanged,
         "deleted": r.events_deleted, "seconds": round(r.seconds, 2),
         "note": "already ingested (no-op)" if r.noop else "; ".join(r.notes)}
        for r in results
    ])


def _run_ingest(files: list[Path], **kwargs: Any) -> None:
    """Each file is its own snapshot (its own transaction): one that fails does not stop the
    others; the report says file by file what was committed, and the exit code is not 0 if
    any file failed."""
    from sahel.cli_kit import report
    from sahel.errors import SahelError
    from sahel.store.ingest import ingest_file

    out, results = console(), []
    failed: list[tuple[Path, SahelError]] = []
    if len(files) > 1 and kwargs.get("rejects_path") is not None:
        raise ConfigError("--rejects names one file, but several files were given",
                          field="--rejects",
                          hint="leave it out: each file gets FILE.rejects.csv beside it")
    for path in files:
        try:
            with out.status(f"ingesting {path.name} …"):
                results.append(ingest_file(path, **kwargs))
        except SahelError as exc:
            failed.append((path, exc))
    if results:
        out.print(df_table(_ingest_table(results), title="committed"))
    for r in results:
        if r.rejects_path:
            out.print(f"[yellow]{r.rows_rejected} bad row(s) of {Path(r.file).name} written "
                      f"to {r.rejects_path}[/yellow]")
        for kind, (n, example, text) in sorted(r.warnings.items()):
            out.print(f"[yellow]warning[/yellow]: {n:,} event(s) of {Path(r.file).name} with "
                      f"{text} ({kind}; e.g. id {example}); stored as given")
        out.print(f"[dim]{r.source} {r.source_version}: {r.version_basis}; sha256 "
                  f"{r.sha256[:16]}…[/dim]")
    for _path, problem in failed:
        report(problem)
    if failed:
        if len(files) > 1:
            console(stderr=True).print(
                f"{len(results)} of {len(files)} file(s) committed; {len(failed)} failed and "
                "stored nothing: " + ", ".join(p.name for p, _ in failed), markup=False)
        raise typer.Exit(failed[0][1].exit_code)


@ingest_app.command("ucdp")
@edge
def ingest_ucdp(
    files: Annotated[list[Path] | None, typer.Argument(help="GED/candidate CSV, .csv.gz or "
                                                        ".zip files")] = None,
    download: Annotated[str | None, typer.Option(help="download this GED release (e.g. 25.1) "
                                                "or candidate release (e.g. 25.0.3) first")] = None,
    api: Annotated[str | None, typer.Option(help="fetch this GED version from the UCDP API "
                                           "(needs SAHEL_UCDP_TOKEN)")] = None,
    country: Annotated[str | None, typer.Option(help="with --api: UCDP country id (GW), "
                                               "e.g. 432 for Mali")] = None,
    source: Annotated[str | None, typer.Option(help="ucdp_ged or ucdp_candidate (default: "
                                              "from the file name)")] = None,
    source_version: Annotated[str | None, typer.Option(help="e.g. 24.1 when the file name "
                                                      "does not say")] = None,
    encoding: Annotated[str, typer.Option(help="utf-8, latin-1 or utf-16")] = "utf-8",
    skip_bad_rows: Annotated[bool, typer.Option(help="load good rows, write bad ones to a "
                                               "rejects file")] = False,
    rejects: Annotated[Path | None, typer.Option(help="rejects file path")] = None,
    partial: Annotated[bool, typer.Option(help="an extract (e.g. one month): missing events "
                                         "are not deletions")] = False,
    sample: Annotated[bool, typer.Option(help="a random sample: stored, but no coverage "
                                        "(gaps are unknown, not zero)")] = False,
    allow_mass_delete: bool = False,
    allow_older: Annotated[bool, typer.Option(help="let a release older than a stored one "
                                             "revise the events the newer one holds")] = False,
    db: DbOpt = None,
) -> None:
    """Ingest UCDP GED (yearly), candidate (monthly) or explorer-export files."""
    from sahel.settings import get_settings

    paths = list(files or [])
    settings = get_settings()
    if download:
        from sahel.events.clients.ucdp_download import download_ucdp

        kind: Literal["ged", "candidate"] = "candidate" if download.count(".") >= 2 else "ged"
        got = download_ucdp(kind, download, settings.downloads, settings=settings)
        paths.append(got.path)
    if api:
        from sahel.events.clients.ucdp_api import UcdpApiClient

        params = {"Country": country} if country else None
        name = f"ucdp_api_ged{api.replace('.', '')}_{country or 'all'}.csv"
        target = settings.downloads / name
        fetched = UcdpApiClient(settings).fetch_to_csv(target, "gedevents", api, params)
        paths.append(fetched.path)
        source_version = source_version or api
    if not paths:
        raise ConfigError("nothing to ingest", hint="give FILES, --download VERSION or "
                          "--api VERSION")
    _run_ingest(paths, source=source, source_version=source_version, db_path=db,
                encoding=encoding, skip_bad_rows=skip_bad_rows, rejects_path=rejects,
                partial=partial or bool(api), sample=sample,
                allow_mass_delete=allow_mass_delete, allow_older=allow_older)


@ingest_app.command("acled")
@edge
def ingest_acled(
    files: Annotated[list[Path] | None, typer.Argument(help="ACLED export CSV files, any "
                                                        "vintage")] = None,
    api_country: Annotated[str | None, typer.Option("--api-country", help="fetch this "
                           "country from the ACLED API (ACLED_USERNAME/ACLED_PASSWORD)")] = None,
    start: Annotated[str | None, typer.Option(help="with --api-country: first day")] = None,
    end: Annotated[str | None, typer.Option(help="with --api-country: last day")] = None,
    encoding: str = "utf-8",
    skip_bad_rows: bool = False,
    rejects: Annotated[Path | None, typer.Option(help="rejects file path")] = None,
    partial: bool = False,
    allow_mass_delete: bool = False,
    allow_older: Annotated[bool, typer.Option(help="let an export older than a stored one "
                                             "revise the events the newer one holds")] = False,
    db: DbOpt = None,
) -> None:
    """Ingest ACLED exports. Raw rows stay local: ACLED forbids redistributing them."""
    paths = list(files or [])
    if api_country:
        from sahel.events.clients.acled_api import AcledClient
        from sahel.settings import get_settings

        settings = get_settings()
        filters: dict[str, str] = {"country": api_country}
        if start or end:
            filters["event_date"] = f"{start or '1997-01-01'}|{end or date.today().isoformat()}"
            filters["event_date_where"] = "BETWEEN"
        target = settings.home / "acled" / f"acled_api_{api_country.replace(' ', '_')}.csv"
        paths.append(AcledClient(settings).fetch_to_csv(target, **filters).path)
    if not paths:
        raise ConfigError("nothing to ingest", hint="give FILES or --api-country COUNTRY")
    _run_ingest(paths, source="acled", db_path=db, encoding=encoding,
                skip_bad_rows=skip_bad_rows, rejects_path=rejects, partial=partial,
                allow_mass_delete=allow_mass_delete, allow_older=allow_older)


def _filters(country: list[str] | None, start: str | None, end: str | None,
             year: list[int] | None, source: list[str] | None, category: list[str] | None,
             actor: str | None, civilian: bool | None, as_of: int | None) -> Any:
    from sahel.store.filters import Filters


    d0, d1 = day(start, False), day(end, True)
    if year:
        d0, d1 = date(min(year), 1, 1), date(max(year), 12, 31)
    return Filters(countries=list(country or []), start=d0, end=d1, sources=list(source or []),
                   categories=list(category or []), actor=actor, civilian_targeting=civilian,
                   as_of=as_of)


SourceOpt = Annotated[list[str] | None, typer.Option("--source", "-s",
                                                     help="ucdp_ged, ucdp_candidate, acled")]
CategoryOpt = Annotated[list[str] | None, typer.Option("--category", help="canonical category "
                                                       "(see docs/events-schema.md)")]
ActorOpt = Annotated[str | None, typer.Option(help="text in any actor field")]
CivOpt = Annotated[bool | None, typer.Option("--civilian/--no-civilian",
                                             help="only (or no) civilian targeting")]
FmtOpt = Annotated[Format, typer.Option("--format", "-f")]
OutOpt = Annotated[Path | None, typer.Option("--output", "-o")]


@app.command()
@edge
def events(
    country: CountryOpt = None, start: StartOpt = None, end: StartOpt = None,
    year: YearOpt = None, source: SourceOpt = None, category: CategoryOpt = None,
    actor: ActorOpt = None, civilian: CivOpt = None, as_of: AsOfOpt = None,
    limit: Annotated[int | None, typer.Option(min=1, max=10**9,
                                              help="at most this many rows")] = None,
    raw: Annotated[str | None, typer.Option(help="print the source row(s) of one event uid "
                                           "from the archived file")] = None,
    fmt: FmtOpt = Format.table, output: OutOpt = None, db: DbOpt = None,
) -> None:
    """List events (local use: ACLED rows are for your own analysis only)."""
    if raw:
        import json

        from sahel.store.query import raw_rows

        typer.echo(json.dumps(raw_rows(raw, db_path=db), indent=2, ensure_ascii=False))
        return
    from sahel.store.query import query_events

    f = _filters(country, start, end, year, source, category, actor, civilian, as_of)
    df, prov = query_events(f, db_path=db, limit=limit)
    shown = df if fmt is not Format.table else df[[
        "event_uid", "date_start", "country_iso3", "admin1", "category", "actor1_raw",
        "actor2_raw", "fatalities_low", "fatalities_best", "fatalities_high"]]
    emit(shown, prov, fmt, output, title=f"{len(df):,} events")


@app.command()
@edge
def summary(
    country: CountryOpt = None, start: StartOpt = None, end: StartOpt = None,
    year: YearOpt = None, source: SourceOpt = None, category: CategoryOpt = None,
    actor: ActorOpt = None, civilian: CivOpt = None, as_of: AsOfOpt = None,
    by: Annotated[str, typer.Option(help="year or month")] = "year",
    fmt: FmtOpt = Format.table, output: OutOpt = None, db: DbOpt = None,
) -> None:
    """Events and fatalities (low/best/high) per source, country and year or month."""
    from sahel.panels.summary import summary as run

    if by not in ("year", "month"):
        raise ConfigError(f"--by {by!r}", field="--by", hint="use year or month")
    f = _filters(country, start, end, year, source, category, actor, civilian, as_of)
    df, prov = run(f, db_path=db, by=by)  # type: ignore[arg-type]
    emit(df, prov, fmt, output, title="events and fatalities (low / best / high)")


@app.command()
@edge
def snapshots(fmt: FmtOpt = Format.table, output: OutOpt = None, db: DbOpt = None) -> None:
    """List ingests (snapshots): source, version, file sha256, rows, changes."""
    from sahel.provenance import Provenance
    from sahel.store.query import list_snapshots

    df = list_snapshots(db_path=db)
    if fmt is Format.table:
        df = df[["snapshot_id", "source", "source_version", "file_name", "sha256", "ingested_at",
                 "mode", "rows_loaded", "rows_rejected", "events_new", "events_revised",
                 "events_deleted", "warnings"]].rename(columns={
                     "source_version": "version", "file_name": "file", "ingested_at": "ingested",
                     "rows_loaded": "loaded", "rows_rejected": "rejected", "events_new": "new",
                     "events_revised": "revised", "events_deleted": "deleted"})
    emit(df, Provenance("all snapshots", [], []), fmt, output, title="snapshots")


@app.command()
@edge
def build(
    from_dir: Annotated[Path | None, typer.Option("--from", help="folder of already-"
                        "downloaded UCDP files (for machines without internet)")] = None,
    since: Annotated[int, typer.Option(min=1900, max=2100,
                                       help="first year in the printed summary")] = 2012,
    db: DbOpt = None,
) -> None:
    """Download (or read --from DIR) the latest UCDP GED + candidate files, build the store,
    print a country-year summary."""
    from sahel.build import build as run
    from sahel.panels.summary import summary as summarise
    from sahel.store.filters import Filters

    out = console()
    if from_dir is None:
        out.print("downloading the latest UCDP GED and candidate releases …")
    else:
        out.print(f"[bold]offline build[/bold]: reading already-downloaded files in {from_dir}")
    with out.status("building …") as status:
        res = run(from_dir=from_dir, db_path=db,
                  on_file=lambda p: status.update(f"ingesting {p.name} …"))
    for note in res.notes:
        out.print(f"[dim]{note}[/dim]")
    if res.ingested:
        out.print(df_table(_ingest_table(res.ingested), title="ingested"))
    for path, why in res.skipped:
        out.print(f"[yellow]skipped[/yellow] {path}: {why}")
    for path, exc in res.failed:
        first = exc.message.splitlines()[0]
        out.print(f"[red]failed[/red] {exc.where or path}: {first}"
                  + (f"\n  fix: {exc.hint}" if exc.hint else "")
                  + f"\n  (details: sahel ingest ucdp {path})")
    df, prov = summarise(Filters(countries=FOCUS, start=date(since, 1, 1)), db_path=db)
    emit(df, prov, Format.table, None,
         title=f"UCDP events and fatalities (low / best / high) per country-year since {since}")
    if not res.ingested:
        raise typer.Exit(1)


@app.command()
@edge
def cite(source: Annotated[str | None, typer.Argument(help="ucdp_ged, ucdp_candidate, acled, "
                                                     "or a series name")] = None) -> None:
    """Print what to cite for each data source and aggregate series."""
    from sahel.provenance import cite as citations

    for key, text in citations(source):
        typer.echo(f"{key}: {text}\n")


@app.command()
@edge
def settings() -> None:
    """Show the settings and the environment variables that set them (secrets hidden)."""
    from sahel.settings import ENV_HELP, get_settings

    s = get_settings()
    rows = [{"variable": k, "help": v} for k, v in ENV_HELP.items()]
    out = console()
    out.print(f"store: {s.db_path}\nhome: {s.home}\nshared data: {s.shared_data}\n"
              f"UCDP token: {'set' if s.ucdp_token else 'not set'}; ACLED account: "
              f"{'set' if s.acled_username else 'not set'}")
    out.print(df_table(pd.DataFrame(rows), title="environment"))


def _mount_subapps() -> None:
    """Each domain keeps its own thin sub-app; the root only mounts them."""
    from sahel.analysis.cli import app as analysis_app
    from sahel.analysis.spatial_cli import app as spatial_app
    from sahel.claims.cli import app as claims_app
    from sahel.registry.cli import app as registry_app
    from sahel.series.cli import app as series_app
    from sahel.store.cli import app as store_app

    app.add_typer(registry_app, name="registry")
    app.add_typer(series_app, name="series")
    app.add_typer(claims_app, name="claims")
    app.add_typer(store_app, name="store")
    analysis_app.registered_commands.extend(spatial_app.registered_commands)
    app.add_typer(analysis_app, name="analyse")


_mount_subapps()


def main() -> None:
    """The installed ``sahel`` command: no traceback ever reaches the terminal.

    Errors a user can cause are SahelErrors, reported by each command's edge. What is left is
    a bug: it is reported in one line, with the traceback saved to a file for the bug report.
    """
    import os
    import sys

    from sahel.cli_kit import crash_report

    try:
        app()
    except KeyboardInterrupt:
        console(stderr=True).print("interrupted: nothing was stored by an unfinished ingest")
        sys.exit(130)
    except BrokenPipeError:  # `sahel events -f csv | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except Exception as exc:
        console(stderr=True).print(f"error: {crash_report(exc)}", markup=False)
        sys.exit(70)


if __name__ == "__main__":
    main()
