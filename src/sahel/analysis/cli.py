"""``sahel analyse``: thin commands over the analyses — parse, call ONE function, render.

Every command prints the table, the headline statistics, the method, the limits and the sources,
because a number without its method and limits invites the wrong reading. ``--chart`` draws the
same result as PNG or SVG. The edge decorator is local (not ``sahel.cli.edge``) so that the main
CLI can mount this sub-app without an import cycle.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sahel.cli_kit import (
    CountryOpt,
    DbOpt,
    FormatOpt,
    OutputOpt,
    SourceOpt,
    StartOpt,
    YearOpt,
    day,
    edge,
)
from sahel.errors import ConfigError
from sahel.render import Format, check_format, console, df_table, emit_text

if TYPE_CHECKING:
    from sahel.analysis.result import AnalysisResult
    from sahel.store.filters import Filters

app = typer.Typer(
    help="Analyses with method, limits and sources: who kills civilians, violence trends, "
    "before/after a dated event, UCDP vs ACLED. Each prints a table and can draw a chart.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)



class PeriodOpt(StrEnum):
    year = "year"
    month = "month"


#: what an analysis result can be printed as
RESULT_FORMATS = (Format.table, Format.json, Format.md)
ChartOpt = Annotated[Path | None, typer.Option("--chart", help="also draw a chart (.png/.svg)")]
RegistryOpt = Annotated[Path | None, typer.Option("--registry", help="registry folder "
                                                  "(default: $SAHEL_REGISTRY or ./registry)")]




def _filters(country: list[str] | None, start: str | None, end: str | None,
             year: list[int] | None, source: list[str] | None = None) -> Filters:
    from sahel.store.filters import Filters

    d0, d1 = day(start, False), day(end, True)
    if year:
        d0, d1 = date(min(year), 1, 1), date(max(year), 12, 31)
    return Filters(countries=list(country or []), start=d0, end=d1, sources=list(source or []))


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def show(result: AnalysisResult, fmt: Format, output: Path | None,
         chart: Path | None) -> None:
    """Render a result: table (+ stats, method, limits, sources), JSON or Markdown."""
    import pandas as pd

    out, err = console(), console(stderr=True)
    check_format(fmt, RESULT_FORMATS, "an analysis")
    if fmt is Format.table and output is not None:
        raise ConfigError("--output needs a file format", field="--output",
                          hint="add --format json or md")
    if chart is not None:  # first: a bad chart path fails before anything is printed
        from sahel.analysis.charts import draw

        err.print(f"chart: {draw(result, chart)}")
    if fmt is Format.table:
        out.print(df_table(result.table, title=result.title))
        if result.stats:
            stats = pd.DataFrame({"statistic": list(result.stats),
                                  "value": [_cell(v) for v in result.stats.values()]})
            out.print(df_table(stats, title="statistics"))
        out.print(f"[bold]Method.[/bold] {result.method}")
        for line in result.limits:
            out.print(f"[yellow]limit:[/yellow] {line}")
        for line in result.notes:
            out.print(f"[dim]note: {line}[/dim]")
        for line in result.provenance.lines():
            out.print(f"[dim]{line}[/dim]")
    else:
        emit_text((json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str)
                   if fmt is Format.json else result.to_markdown()) + "\n", output)


@app.command("civilians")
@edge
def civilians(
    country: CountryOpt = None, start: StartOpt = None, end: StartOpt = None,
    year: YearOpt = None, source: SourceOpt = None,
    period: Annotated[PeriodOpt, typer.Option(help="year or month")] = PeriodOpt.year,
    fmt: FormatOpt = Format.table, output: OutputOpt = None, chart: ChartOpt = None,
    db: DbOpt = None, registry: RegistryOpt = None,
) -> None:
    """Who kills civilians: civilian deaths and civilian-targeting events by perpetrator.

    Civilian deaths (low/best/high) per source, country and period, with each group's share.
    """
    from sahel.analysis.trends import who_kills_civilians

    result = who_kills_civilians(_filters(country, start, end, year, source),
                                 period=period.value, db_path=db, registry_root=registry)
    show(result, fmt, output, chart)


class MeasureOpt(StrEnum):
    events = "events"
    fatalities = "fatalities"


class ByOpt(StrEnum):
    category = "category"
    perpetrator = "perpetrator"


@app.command("trends")
@edge
def trends(
    country: CountryOpt = None, start: StartOpt = None, end: StartOpt = None,
    year: YearOpt = None, source: SourceOpt = None,
    measure: Annotated[MeasureOpt, typer.Option(help="events or fatalities")] = MeasureOpt.events,
    by: Annotated[ByOpt, typer.Option(help="category or perpetrator")] = ByOpt.category,
    period: Annotated[PeriodOpt, typer.Option(help="year or month")] = PeriodOpt.year,
    fmt: FormatOpt = Format.table, output: OutputOpt = None, chart: ChartOpt = None,
    db: DbOpt = None, registry: RegistryOpt = None,
) -> None:
    """Violence trends: events or fatalities (low/best/high) by category or perpetrator group."""
    from sahel.analysis.trends import violence_trends

    result = violence_trends(_filters(country, start, end, year, source), measure=measure.value,
                             by=by.value, period=period.value, db_path=db,
                             registry_root=registry)
    show(result, fmt, output, chart)


class StudyMeasure(StrEnum):
    events = "events"
    fatalities = "fatalities"
    civilian_deaths = "civilian_deaths"


@app.command("before-after")
@edge
def before_after_cmd(
    event: Annotated[str, typer.Argument(help="registry event id (aes-charter-signed), tie id "
                                         "(its start; '<tie>:end' for its end) or YYYY-MM-DD")],
    treated: Annotated[list[str], typer.Option("--treated", "-t", help="treated country; "
                                               "repeatable")],
    control: Annotated[list[str] | None, typer.Option("--control", help="control country; "
                                                      "repeatable")] = None,
    source: Annotated[str, typer.Option(help="ucdp_ged, ucdp_candidate or acled")] = "ucdp_ged",
    measure: Annotated[StudyMeasure, typer.Option(help="events, fatalities or civilian_deaths")
                       ] = StudyMeasure.fatalities,
    window: Annotated[int, typer.Option(min=1, max=240, help="months before and after")] = 24,
    placebos: Annotated[int, typer.Option(min=0, max=1000,
                                          help="random placebo dates in the pre-period")] = 20,
    seed: Annotated[int, typer.Option(min=0, max=2**32 - 1,
                                      help="seed for the placebo dates")] = 1,
    seasonality: Annotated[bool, typer.Option(help="month-of-year dummies in the ITS")] = False,
    series: Annotated[str | None, typer.Option(help="use a monthly aggregate series instead "
                                               "of events (reaches past 2023)")] = None,
    fmt: FormatOpt = Format.table, output: OutputOpt = None, chart: ChartOpt = None,
    db: DbOpt = None, registry: RegistryOpt = None,
) -> None:
    """Before/after a dated event: time series, DiD against controls, placebo dates.

    Interrupted time series, difference-in-differences and placebo dates, each for the low,
    best and high fatality bounds.
    """
    from sahel.analysis.event_study import before_after

    result = before_after(event, treated=treated, controls=list(control or []), source=source,
                          measure=measure.value, window_months=window,
                          placebos=placebos, db_path=db, registry_root=registry, seed=seed,
                          seasonality=seasonality, series=series)
    show(result, fmt, output, chart)


@app.command("sources")
@edge
def sources(
    country: CountryOpt = None, start: StartOpt = None, end: StartOpt = None,
    year: YearOpt = None,
    period: Annotated[PeriodOpt, typer.Option(help="month or year")] = PeriodOpt.month,
    ucdp_source: Annotated[str, typer.Option(help="ucdp_ged or ucdp_candidate")] = "ucdp_ged",
    top: Annotated[int, typer.Option(min=0, max=1000,
                                     help="how many largest disagreements to list")] = 5,
    fmt: FormatOpt = Format.table, output: OutputOpt = None, chart: ChartOpt = None,
    db: DbOpt = None,
) -> None:
    """UCDP vs ACLED where both cover: correlation, ratios, which conclusions flip.

    Side by side per period, correlations, ratios, the largest disagreements, and whether
    standard conclusions (deadliest year, rise or fall, civilian share) flip between sources.
    """
    from sahel.analysis.sources import compare_sources

    result = compare_sources(_filters(country, start, end, year), period=period.value,
                             ucdp_source=ucdp_source, db_path=db, top=top)
    show(result, fmt, output, chart)
