"""``sahel series …`` — thin commands over :mod:`sahel.series`: parse, call one function, render.

Errors of the observatory (:class:`SahelError`) become a message with its fix on stderr and the
error's exit code (:func:`sahel.cli_kit.edge`); this module does not import ``sahel.cli`` so that the series
package never depends on the root command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import pandas as pd
import typer

from sahel.cli_kit import DbOpt, day, edge
from sahel.errors import ConfigError
from sahel.render import Format, console, df_table, emit

if TYPE_CHECKING:
    from sahel.series.store import SeriesImportResult

app = typer.Typer(
    help="Aggregate series where the events run out (UCDP-derived deaths to 2026-05, ViEWS "
    "ged_sb actuals, ACLED country and Burkina Faso province counts): import them as snapshots, "
    "list them, show them with definition and citation.",
    no_args_is_help=True,
)




FmtOpt = Annotated[Format, typer.Option("--format", "-f")]
OutOpt = Annotated[Path | None, typer.Option("--output", "-o")]


def _results_table(results: list[SeriesImportResult]) -> pd.DataFrame:
    return pd.DataFrame([
        {"snapshot": r.snapshot_id, "file": Path(r.file).name, "kind": r.kind,
         "version": r.source_version, "series": ", ".join(r.series), "values": r.observations,
         "new": r.new, "revised": r.revised, "restated": r.restated, "vanished": r.vanished,
         "coverage": f"{r.coverage_start}..{r.coverage_end}",
         "note": "already imported (no-op)" if r.noop else ""}
        for r in results
    ])


@app.command("import")
@edge
def import_files(
    files: Annotated[list[Path], typer.Argument(help="series files (.csv, .parquet, .xlsx)")],
    kind: Annotated[str | None, typer.Option(help="file kind (default: detected from its "
                                            "columns and name)")] = None,
    db: DbOpt = None,
) -> None:
    """Import aggregate series files, each as one snapshot (re-importing is a no-op)."""
    from sahel.series.store import import_series

    results = [import_series(path, kind=kind, db_path=db) for path in files]
    console().print(df_table(_results_table(results), title="imported series"))


@app.command("import-shared")
@edge
def import_shared(
    directory: Annotated[Path | None, typer.Argument(help="shared data folder (default: "
                                                     "$SAHEL_SHARED_DATA)")] = None,
    db: DbOpt = None,
) -> None:
    """Import every aggregate series file of the shared data folder, older vintages first."""
    from sahel.series.store import import_shared_series

    results = import_shared_series(directory, db_path=db)
    console().print(df_table(_results_table(results), title="imported series"))


@app.command("list")
@edge
def list_command(fmt: FmtOpt = Format.table, output: OutOpt = None, db: DbOpt = None) -> None:
    """List the imported series: unit, coverage, partial periods, snapshots, licence."""
    from sahel.provenance import Provenance
    from sahel.series.query import list_series

    df = list_series(db_path=db)
    if fmt is Format.table:
        df = df.drop(columns=["definition", "licence"])
    emit(df, Provenance("all series (current values)", [], []), fmt, output, title="series")


@app.command()
@edge
def show(
    name: Annotated[str, typer.Argument(help="series name (see `sahel series list`)")],
    country: Annotated[list[str] | None, typer.Option("--country", "-c", help="ISO3 or name; "
                                                      "repeatable")] = None,
    start: Annotated[str | None, typer.Option(help="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option(help="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    by: Annotated[str | None, typer.Option(help="month or year (a monthly series summed "
                                          "per year)")] = None,
    as_of: Annotated[int | None, typer.Option("--as-of", min=1, max=2**31 - 1, help="snapshot id: the values "
                                             "as they were then")] = None,
    fill_zero: Annotated[bool, typer.Option(help="fill ACLED's omitted zero rows (flagged "
                                           "filled_zero)")] = True,
    fmt: FmtOpt = Format.table, output: OutOpt = None, db: DbOpt = None,
) -> None:
    """Show a series with its definition, caveats, snapshots and citation."""
    from sahel.series.query import get_series

    if by not in (None, "month", "year"):
        raise ConfigError(f"--by {by!r}", field="--by", hint="use month or year")
    period: Literal["month", "year"] | None = by  # type: ignore[assignment]
    df, prov = get_series(name, countries=list(country or []), start=day(start, False),
                          end=day(end, True), as_of=as_of, db_path=db, fill_zero=fill_zero,
                          by=period)
    emit(df.drop(columns=["series"]) if fmt is Format.table else df, prov, fmt, output,
         title=f"{name}: {len(df):,} values")
