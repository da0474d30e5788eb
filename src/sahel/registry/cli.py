"""``sahel registry …`` — thin commands over :mod:`sahel.registry.api`.

Each command parses its options, calls one public function, and renders the result through the
shared renderer (:mod:`sahel.render`: ``--format table|csv|json|…``, ``--output``). Errors of the
observatory (:class:`SahelError`) are printed with their fix by :func:`sahel.cli_kit.edge`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from sahel.cli_kit import FormatOpt, OutputOpt, edge
from sahel.errors import ConfigError
from sahel.provenance import Provenance
from sahel.registry import api
from sahel.registry.link import SAHEL_ISO3
from sahel.registry.load import Problem
from sahel.registry.network import source_labels
from sahel.render import Format, check_format, console, df_table, emit, emit_json, emit_text
from sahel.settings import get_settings

app = typer.Typer(
    help="The security-cooperation registry: validate it, query the network over time, date "
    "realignments, import SIPRI/ATOP/coups, and link event actors.",
    no_args_is_help=True,
)
_out = console()
_err = console(stderr=True)

RegistryOpt = Annotated[
    Path | None,
    typer.Option("--registry", envvar="SAHEL_REGISTRY",
                 help="registry folder (default: <repo>/registry)"),
]
SourcesOpt = Annotated[bool, typer.Option("--sources", help="print the sources of each tie")]
TABLES = (Format.table, Format.csv, Format.json, Format.parquet)
DOCUMENT = (Format.table, Format.json)
IncludeOpt = Annotated[
    list[str] | None,
    typer.Option("--include", help="add generated ties: sipri and/or atop (repeatable)"),
]


def _includes(values: list[str] | None) -> list[api.Include]:
    out: list[api.Include] = []
    for value in values or []:
        if value not in ("sipri", "atop"):
            raise ConfigError(f"unknown dataset {value!r}", field="--include",
                              hint="use sipri or atop")
        out.append(value)  # type: ignore[arg-type]
    return out


def _provenance(registry: Path | None, what: str) -> Provenance:
    """Registry tables say which registry folder they come from (its sources are per tie)."""
    from sahel.registry.load import registry_path

    return Provenance(f"{what}; registry {registry_path(registry)}", [], [])


def _emit(frame: pd.DataFrame, fmt: Format, output: Path | None, title: str,
          registry: Path | None) -> None:
    check_format(fmt, TABLES, "this registry command")
    emit(frame, _provenance(registry, title), fmt, output, title=title)


@app.command()
@edge
def check(
    registry: RegistryOpt = None,
    seeds: Annotated[Path | None, typer.Option(help="folder of the seed texts, to verify quotes "
                                                    "(default: ../shared/seeds when present)")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """Validate the registry (schema, references, dates, sources, ids, aliases); warn on stale ties."""
    check_format(fmt, DOCUMENT, "registry check")
    folder = seeds
    if folder is None:
        default = get_settings().shared_data.parent / "seeds"
        folder = default if default.is_dir() else None
    from sahel.claims.api import check_registry  # claim specs live in the registry folder too

    report = check_registry(registry, folder)
    if fmt is Format.json:
        emit_json({"ok": report.ok, "counts": report.counts,
                   "problems": [_problem_record(p) for p in report.problems],
                   "warnings": [_problem_record(p) for p in report.warnings]}, output)
    else:
        counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
        if report.ok:
            _out.print(f"registry OK: {counts}" + (" (quotes verified)" if folder else ""))
        else:
            _err.print(df_table(_problem_frame(report.problems),
                                f"{len(report.problems)} registry problems"))
        if report.warnings:
            _err.print(df_table(_problem_frame(report.warnings),
                                f"{len(report.warnings)} warnings: ongoing ties with no recent "
                                "source (not errors; see `sahel registry freshness`)"))
    if not report.ok:
        raise typer.Exit(report.problems[0].to_error().exit_code)


def _problem_record(p: Problem) -> dict[str, Any]:
    return {"code": p.code, "file": str(p.file) if p.file else None, "line": p.line,
            "field": p.field, "message": p.message, "hint": p.hint}


def _problem_frame(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame([{"where": f"{p.file}:{p.line}" if p.file else "",
                          "field": p.field or "", "problem": p.message, "fix": p.hint or ""}
                         for p in problems])


@app.command()
@edge
def freshness(
    at: Annotated[str | None, typer.Option("--at", help="reference date YYYY[-MM[-DD]] "
                                                        "(default: today)")] = None,
    threshold: Annotated[int, typer.Option("--threshold", min=0,
                                           help="months without a newer source before an "
                                                "ongoing tie is stale")] = 12,
    stale_only: Annotated[bool, typer.Option("--stale-only",
                                             help="only stale ties and actors with one")] = False,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """Newest source per actor and ongoing tie; flags ties with no source within --threshold."""
    check_format(fmt, DOCUMENT, "registry freshness")
    report = api.freshness(root=registry, at=at, threshold_months=threshold)
    ties_frame = report.ties_frame(stale_only)
    actors_frame = report.actors_frame(stale_only)
    current = str(report.current_to) if report.current_to else None
    if fmt is Format.json:
        emit_json({
            "at": report.at.isoformat(), "threshold_months": report.threshold_months,
            "cutoff": report.cutoff.isoformat(), "current_to": current,
            "stale": len(report.stale), "ties": ties_frame.to_dict("records"),
            "actors": actors_frame.to_dict("records")}, output)
        return
    _out.print(f"registry current to {current or 'an unknown date'}; reference date "
               f"{report.at}; stale = no source since {report.cutoff} "
               f"({report.threshold_months} months)")
    _out.print(df_table(ties_frame, f"{len(report.ties)} ongoing ties, {len(report.stale)} stale"))
    _out.print(df_table(actors_frame, "Actors: newest source, ongoing and stale ties"))


@app.command()
@edge
def network(
    at: Annotated[str, typer.Option("--at", help="date: YYYY, YYYY-MM or YYYY-MM-DD")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="json, graphml or dot")]
    = Format.json,
    actor: Annotated[str | None, typer.Option(help="only ties of this actor (and its units)")]
    = None,
    include: IncludeOpt = None,
    output: OutputOpt = None,
    sources: SourcesOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """The security-cooperation network active on a date (JSON, GraphML or DOT)."""
    check_format(fmt, (Format.json, Format.graphml, Format.dot), "registry network")
    text = api.network_export(at, fmt.value, root=registry,  # type: ignore[arg-type]
                              include=_includes(include), actor=actor, sources=sources)
    emit_text(text, output)


@app.command()
@edge
def timeline(
    actor: Annotated[str, typer.Argument(help="actor id or any alias, e.g. mli, Wagner Group")],
    no_children: Annotated[
        bool, typer.Option("--no-children", help="leave out the actor's units (Wagner for Russia)")
    ] = False,
    sources: SourcesOpt = False,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """Dated ties (start/end) and system events of an actor."""
    found, entries = api.actor_timeline(actor, root=registry, sources=sources,
                                        children=not no_children)
    frame = pd.DataFrame([{"date": str(e.date), "precision": e.date.precision, "kind": e.kind,
                           "id": e.ref, "what": e.description, "actors": ", ".join(e.actors),
                           **({"sources": " | ".join(e.sources)} if sources else {})}
                          for e in entries])
    _emit(frame, fmt, output, f"Timeline of {found.name} ({found.id})", registry)


@app.command(name="diff")
@edge
def diff_cmd(
    before: Annotated[str, typer.Argument(help="first date (YYYY[-MM[-DD]])")],
    after: Annotated[str, typer.Argument(help="second date")],
    actor: Annotated[str | None, typer.Option(help="only ties of this actor")] = None,
    include: IncludeOpt = None,
    sources: SourcesOpt = False,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """Ties gained and lost between two dates."""
    report = api.network_changes(before, after, root=registry, include=_includes(include),
                                 actor=actor)
    rows = []
    for change, ties in (("gained", report.diff.gained), ("lost", report.diff.lost)):
        for tie in ties:
            row: dict[str, Any] = {"change": change, "id": tie.id, "type": tie.type.value,
                                   "parties": ", ".join(tie.actors()), "start": str(tie.start),
                                   "end": str(tie.end) if tie.end else ""}
            if sources:
                row["sources"] = " | ".join(source_labels(report.registry, tie))
            rows.append(row)
    frame = pd.DataFrame(rows, columns=["change", "id", "type", "parties", "start", "end"]
                         + (["sources"] if sources else []))
    _emit(frame, fmt, output,
          f"{len(report.diff.gained)} ties gained, {len(report.diff.lost)} lost, "
          f"{before} → {after}", registry)


@app.command()
@edge
def ties(
    actor: Annotated[str | None, typer.Option(help="only ties of this actor")] = None,
    at: Annotated[str | None, typer.Option(help="only ties active on this date")] = None,
    sources: SourcesOpt = False,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """Ties with their class (South–South, North–South, triangular) and horizontality."""
    frame = api.tie_table(root=registry, actor=actor, at=at, sources=sources)
    _emit(frame, fmt, output, f"{len(frame)} ties", registry)


@app.command()
@edge
def alignment(
    states: Annotated[list[str] | None, typer.Argument(help="ISO3 codes (default MLI BFA NER)")]
    = None,
    start: Annotated[str, typer.Option("--from", help="first month YYYY-MM")] = "2010-01",
    end: Annotated[str | None, typer.Option("--to", help="last month YYYY-MM (default: the "
                                                      "month the registry is current to)")]
    = None,
    monthly: Annotated[bool, typer.Option(help="print the monthly portfolio too")] = False,
    include: IncludeOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """Monthly partner portfolio per state, its shifts, and the realignment month
    (``--format csv|parquet``: the monthly portfolios, one row per state and month)."""
    report = api.alignment(states or ["MLI", "BFA", "NER"], root=registry, start=start, end=end,
                           include=_includes(include))
    if fmt in (Format.csv, Format.parquet):
        frames = [f.assign(state=s.upper()) for s, f in report.portfolios.items()]
        _emit(pd.concat(frames), fmt, output, "monthly partner portfolios", registry)
        return
    check_format(fmt, (*DOCUMENT, Format.csv, Format.parquet), "registry alignment")
    if fmt is Format.json:
        emit_json({
            "summary": report.summary().to_dict("records"),
            "shifts": {s: f.to_dict("records") for s, f in report.shifts.items()},
        }, output)
        return
    _out.print(df_table(report.summary(), "Alignment: realignment months and leader changes"))
    for state, shifts in report.shifts.items():
        _out.print(df_table(shifts, f"Shifts of {state.upper()}"))
        if monthly:
            _out.print(df_table(report.portfolios[state].drop(columns=["ties"]),
                                f"Monthly portfolio of {state.upper()}"))


@app.command(name="import-sipri")
@edge
def import_sipri_cmd(
    file: Annotated[Path | None, typer.Option(help="SIPRI trade register (default: shared data)")]
    = None,
    recipient: Annotated[list[str] | None, typer.Option(help="SIPRI recipient name (repeatable)")]
    = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default $SAHEL_HOME/registry-imports)")]
    = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """SIPRI arms transfers → arms-transfer ties per supplier–recipient–year (written to --out)."""
    result, path = api.sipri_import(root=registry, file=file, recipients=recipient, out=out)
    frame = result.frame
    if fmt is not Format.table:
        _emit(frame, fmt, output, "SIPRI supplier-recipient-year ties", registry)
        return
    _out.print(f"{len(result.ties)} arms-transfer ties from {int(frame['n_deals'].sum())} deals, "
               f"{len(result.actors)} stub actors; written to {path}")
    top = (frame.groupby(["supplier", "recipient"], as_index=False)[["n_deals", "tiv_delivered"]]
           .sum().sort_values("tiv_delivered", ascending=False))
    _out.print(df_table(top.head(20),
                        "Largest supplier–recipient pairs (TIV delivered, millions)"))


@app.command(name="import-atop")
@edge
def import_atop_cmd(
    file: Annotated[Path | None, typer.Option(help="ATOP dyad-year file (default: shared data)")]
    = None,
    country: Annotated[list[str] | None, typer.Option(help="ISO3 (repeatable; default: the G5)")]
    = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default $SAHEL_HOME/registry-imports)")]
    = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """ATOP alliance dyads → alliance ties (spells of consecutive years), written to --out."""
    result, path = api.atop_import(root=registry, file=file, countries=country or SAHEL_ISO3,
                                   out=out)
    if fmt is not Format.table:
        _emit(result.frame, fmt, output, "ATOP alliance spells", registry)
        return
    counts = result.frame.groupby("obligation").size().rename("spells").reset_index()
    _out.print(f"{len(result.ties)} alliance ties, {len(result.actors)} stub actors; "
               f"written to {path}")
    _out.print(df_table(counts, "ATOP spells by obligation"))


@app.command(name="check-coups")
@edge
def check_coups_cmd(
    file: Annotated[Path | None, typer.Option(help="Powell & Thyne file (default: shared data)")]
    = None,
    since: Annotated[int | None, typer.Option(help="compare P&T events from this year")] = None,
    all_rows: Annotated[bool, typer.Option("--all", help="show agreements too")] = False,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """Compare the registry's coup events with Powell & Thyne and report disagreements."""
    result = api.coups_check(root=registry, file=file, since=since)
    frame = result.table if all_rows else result.disagreements
    _emit(frame, fmt, output,
          f"{len(result.disagreements)} disagreements out of {len(result.table)} records",
          registry)


app.command(name="import-coups", help="Same as check-coups.")(check_coups_cmd)


@app.command(name="link-report")
@edge
def link_report_cmd(
    file: Annotated[list[Path] | None, typer.Option(help="UCDP/ACLED event file (repeatable); "
                                                         "default: the event store")] = None,
    db: Annotated[Path | None, typer.Option(help="DuckDB event store (default $SAHEL_DB)")] = None,
    country: Annotated[list[str] | None, typer.Option(help="ISO3 (repeatable; default: the G5)")]
    = None,
    all_countries: Annotated[bool, typer.Option("--all-countries", help="no country filter")]
    = False,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """Share of events and fatalities whose actors are mapped to registry actors, per source."""
    countries = None if all_countries else (country or list(SAHEL_ISO3))
    frame = api.link_coverage(root=registry, db=db, files=file or (), countries=countries)
    _emit(frame.round(4), fmt, output, "Event actors mapped to the registry", registry)
