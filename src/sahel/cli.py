"""The ``sahel`` command line: parse, call ONE library function, render.

Errors from the library (:class:`sahel.errors.SahelError`) are translated here, at the edge,
into a readable message and an exit code — no tracebacks for mistakes a user can fix.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
import typer

from sahel.cli_kit import AsOfOpt, CountryOpt, DbOpt, SourceOpt, StartOpt, YearOpt, day, edge
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


def _report_batch(batch: Any) -> None:
    """Per file: committed (with rejects, warnings, version basis) or failed (with the fix);
    the exit code is not 0 if any file failed."""
    from sahel.cli_kit import report

    out = console()
    if batch.results:
        out.print(df_table(_ingest_table(batch.results), title="committed"))
    for r in batch.results:
        if r.rejects_path:
            out.print(f"[yellow]{r.rows_rejected} bad row(s) of {Path(r.file).name} written "
                      f"to {r.rejects_path}[/yellow]")
        for kind, (n, example, text) in sorted(r.warnings.items()):
            out.print(f"[yellow]warning[/yellow]: {n:,} event(s) of {Path(r.file).name} with "
                      f"{text} ({kind}; e.g. id {example}); stored as given")
        out.print(f"[dim]{r.source} {r.source_version}: {r.version_basis}; sha256 "
                  f"{r.sha256[:16]}…[/dim]")
    for _path, problem in batch.failed:
        report(problem)
    if batch.failed:
        if len(batch.files) > 1:
            console(stderr=True).print(
                f"{len(batch.results)} of {len(batch.files)} file(s) committed; "
                f"{len(batch.failed)} failed and stored nothing: "
                + ", ".join(p.name for p, _ in batch.failed), markup=False)
        raise typer.Exit(batch.failed[0][1].exit_code)


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
    from sahel.intake import ingest_ucdp as run

    with console().status("ingesting …") as status:
        batch = run(list(files or []), download=download, api=api, country=country,
                    on_file=lambda p: status.update(f"ingesting {p.name} …"), source=source,
                    source_version=source_version, db_path=db, encoding=encoding,
                    skip_bad_rows=skip_bad_rows, rejects_path=rejects, partial=partial,
                    sample=sample, allow_mass_delete=allow_mass_delete, allow_older=allow_older)
    _report_batch(batch)


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
    from sahel.intake import ingest_acled as run

    with console().status("ingesting …") as status:
        batch = run(list(files or []), api_country=api_country, start=start, end=end,
                    on_file=lambda p: status.update(f"ingesting {p.name} …"), db_path=db,
                    encoding=encoding, skip_bad_rows=skip_bad_rows, rejects_path=rejects,
                    partial=partial, allow_mass_delete=allow_mass_delete,
                    allow_older=allow_older)
    _report_batch(batch)


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

    out = console()
    if from_dir is None:
        out.print("downloading the latest UCDP GED and candidate releases …")
    else:
        out.print(f"[bold]offline build[/bold]: reading already-downloaded files in {from_dir}")
    with out.status("building …") as status:
        res = run(from_dir=from_dir, db_path=db, since=since,
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
    assert res.summary is not None and res.provenance is not None
    emit(res.summary, res.provenance, Format.table, None,
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


update_app = typer.Typer(help="Bring the store up to last month: UCDP (default) or ACLED.",
                         invoke_without_command=True)
app.add_typer(update_app, name="update")


@app.command()
@edge
def serve(
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="address to bind (loopback: local use only)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    public: Annotated[bool, typer.Option(
        "--public", help="serve the public (needed for a non-loopback --host): ACLED event rows "
        "are then never served, only aggregates")] = False,
    cors_origin: Annotated[list[str] | None, typer.Option(
        "--cors-origin", help="let pages of this origin call the API (off by default)")] = None,
) -> None:
    """Serve the dashboard and the read-only API (http://127.0.0.1:8000), offline."""
    from sahel.settings import get_settings
    from sahel.web.serve import run, serve_config

    settings = get_settings()
    config = serve_config(db or settings.db_path, host=host, port=port, public=public,
                          shared_data=settings.shared_data,
                          cors_origins=tuple(cors_origin or ()))
    shown = f"[{host}]" if ":" in host else host
    console(stderr=True).print(
        f"serving {config.db_path} at http://{shown}:{port}/ "
        + ("(public: ACLED aggregates only)" if config.public else "(local use)")
        + " — Ctrl-C to stop", markup=False)
    run(config)


def _plan_table(report: Any) -> pd.DataFrame:
    return pd.DataFrame([{"file": s.release.name, "kind": s.release.kind,
                          "covers": f"{s.release.first:%Y-%m}..{s.release.last:%Y-%m}",
                          "action": s.action, "why": s.reason} for s in report.plan.steps])


@update_app.callback()
@edge
def update(
    ctx: typer.Context,
    from_dir: Annotated[Path | None, typer.Option("--from", help="a folder of already-"
                        "downloaded UCDP files (no network)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list what would be fetched and "
                                          "ingested; change nothing")] = False,
    db: DbOpt = None,
) -> None:
    """A continuous UCDP record to last month: the newest GED, then every candidate release
    after it (cumulative and monthly), skipping what is stored; all or nothing."""
    if ctx.invoked_subcommand is not None:
        return
    from sahel.update import update as run

    out = console()
    with out.status("planning …") as status:
        report = run(db, from_dir=from_dir, dry_run=dry_run, on_step=status.update)
    out.print(df_table(_plan_table(report), title=(
        "would fetch and ingest (dry run)" if dry_run else "UCDP releases")))
    for note in report.notes:
        out.print(f"[yellow]note:[/yellow] {note}", markup=True)
    if report.ingested:
        out.print(df_table(_ingest_table(report.ingested), title="committed"))
    elif not dry_run:
        out.print("nothing new: the store already holds every published release")
    out.print(f"[dim]record reaches {report.plan.last_month:%Y-%m} (last full month); "
              "months after the GED are preliminary candidate data; cite: sahel cite "
              "ucdp_ged and ucdp_candidate[/dim]")


@update_app.command("acled")
@edge
def update_acled(db: DbOpt = None) -> None:
    """Only what ACLED changed since the newest stored export, for the countries the store
    holds, and ACLED's withdrawn events (your ACLED_USERNAME/ACLED_PASSWORD); all or nothing."""
    from sahel.update import update_acled as run

    out = console()
    with out.status("asking ACLED …") as status:
        report = run(db, on_step=status.update)
    out.print(f"ACLED since {report.since} for {', '.join(report.countries)}: "
              f"{report.changed_rows:,} changed row(s), {report.deleted_rows:,} withdrawn "
              "event(s)")
    if report.ingested:
        out.print(df_table(_ingest_table(report.ingested), title="committed"))
    else:
        out.print("nothing new")


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

    from sahel.faults import crash_report

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
