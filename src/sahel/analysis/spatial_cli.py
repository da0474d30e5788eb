"""``sahel analyse coastal`` and ``sahel analyse cross-border``: the spatial analyses' CLI edge.

Thin on purpose: parse the options, call one library function, render it with the analysis
CLI's :func:`sahel.analysis.cli.show` (table + statistics + method + limits + sources, or JSON /
Markdown; ``--chart`` through :func:`sahel.analysis.charts.draw`). ``--map`` draws the coastal
map with :func:`sahel.analysis.spread.coastal_map`. Mounted by the main CLI under ``analyse``.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sahel.analysis.cli import ChartOpt, show
from sahel.cli_kit import CountryOpt, DbOpt, FormatOpt, OutputOpt, StartOpt, day, edge
from sahel.render import Format, console

if TYPE_CHECKING:
    from sahel.store.filters import Filters

app = typer.Typer(
    help="Spatial analyses: spread toward coastal West Africa (events, fatalities, admin-1 "
    "areas, distance from the Liptako-Gourma tripoint) and cross-border interdependence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)



class Actors(StrEnum):
    both = "both"
    all = "all"
    jihadist = "jihadist"


class FixedEffects(StrEnum):
    country_month = "country_month"
    month = "month"






def _filters(country: list[str] | None, start: str | None, end: str | None) -> Filters:
    from sahel.store.filters import Filters

    return Filters(countries=list(country or []), start=day(start, False), end=day(end, True))


@app.command("coastal")
@edge
def coastal(
    country: CountryOpt = None, start: StartOpt = None, end: StartOpt = None,
    source: Annotated[str | None, typer.Option("--source", "-s", help="ucdp_ged, "
                                               "ucdp_candidate or acled (default: each)")] = None,
    zone: Annotated[list[str] | None, typer.Option(help="show only these zones: all, sahel, "
                                                   "coastal_north, north_BEN … ; repeatable")] = None,
    actors: Annotated[Actors, typer.Option(help="rows to show: both, all or jihadist")
                      ] = Actors.both,
    fmt: FormatOpt = Format.table, output: OutputOpt = None, chart: ChartOpt = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="also draw a map of "
                                                  "jihadist-group events by year (.png/.svg)")
                        ] = None,
    db: DbOpt = None,
    registry: Annotated[Path | None, typer.Option("--registry", help="registry folder")] = None,
) -> None:
    """Spread toward coastal West Africa: events, fatalities (low/best/high) and admin-1 areas
    per year in the Sahel and the north of Benin, Togo, Ghana and Côte d'Ivoire, and the
    distance of violence from the Mali–Burkina Faso–Niger tripoint."""
    from sahel.analysis.spread import coastal_map, coastal_spread

    filters = _filters(country, start, end)
    result = coastal_spread(filters, source=source, db_path=db, registry_root=registry)
    table = result.table
    if zone:
        table = table[table["zone"].isin(zone)]
    if actors is not Actors.both:
        table = table[table["actors"] == actors.value]
    show(replace(result, table=table.reset_index(drop=True)), fmt, output, chart)
    if map_path is not None:
        done = coastal_map(map_path, filters, source=source, db_path=db, registry_root=registry)
        console(stderr=True).print(f"map: {done}")


@app.command("cross-border")
@edge
def cross_border_cmd(
    country: CountryOpt = None, start: StartOpt = None, end: StartOpt = None,
    source: Annotated[str, typer.Option("--source", "-s", help="ucdp_ged, ucdp_candidate or "
                                        "acled")] = "ucdp_ged",
    lag: Annotated[int, typer.Option(min=0, max=60,
                                     help="months between violence in A and in B")] = 1,
    fixed_effects: Annotated[FixedEffects, typer.Option(
        help="month effects per country of B (country_month) or one per month")
    ] = FixedEffects.country_month,
    reps: Annotated[int, typer.Option(min=0, max=100_000,
                                      help="bootstrap draws (0: no intervals)")] = 200,
    fmt: FormatOpt = Format.table, output: OutputOpt = None, chart: ChartOpt = None,
    db: DbOpt = None,
) -> None:
    """Cross-border interdependence: is violence in an admin-1 unit followed by violence in a
    neighbouring unit across the border, compared with neighbours inside one state?"""
    from sahel.analysis.crossborder import cross_border

    result = cross_border(_filters(country, start, end), source=source, lag_months=lag,
                          db_path=db, reps=reps, fixed_effects="month"
                          if fixed_effects is FixedEffects.month else "country_month")
    show(result, fmt, output, chart)
