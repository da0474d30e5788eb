"""What every command-line module shares: the error edge and the common options.

Each domain keeps its own thin typer sub-app (``sahel registry``, ``sahel series`` …); they all
translate :class:`~sahel.errors.SahelError` the same way, here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from sahel.errors import SahelError
from sahel.faults import store_failure
from sahel.render import Format, console
from sahel.store.filters import FIRST_YEAR, LAST_YEAR, parse_day

P = ParamSpec("P")
R = TypeVar("R")


def edge(func: Callable[P, R]) -> Callable[P, R]:
    """Translate SahelError into a message on stderr and the error's exit code (no traceback
    for a mistake the user can fix)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SahelError as exc:
            report(exc)
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            translated = store_failure(exc)
            if translated is None:
                raise  # a bug: main() reports it without a traceback
            report(translated)
            raise typer.Exit(translated.exit_code) from None

    return wrapper


def report(exc: SahelError) -> None:
    """The one way an error reaches a terminal: ``error: where: what`` and ``fix: …``.

    Printed as plain text (no rich markup), so a file name or a value holding ``[...]`` is shown
    as it is."""
    console(stderr=True).print("[red]error:[/red] ", end="", markup=True)
    console(stderr=True).print(exc.render(), markup=False, highlight=False)


SourceOpt = Annotated[list[str] | None, typer.Option(
    "--source", "-s", help="ucdp (the combined record), ucdp_ged, ucdp_candidate or acled")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv, json, parquet "
                                           "or md (each command says which it can write)")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="write to this file "
                                                "(provenance beside it)")]
DbOpt = Annotated[Path | None, typer.Option("--db", help="store path (default: $SAHEL_DB)")]
CountryOpt = Annotated[list[str] | None, typer.Option("--country", "-c",
                                                      help="ISO3 or name; repeatable")]
StartOpt = Annotated[str | None, typer.Option(help="YYYY or YYYY-MM-DD")]
#: years an event can have (UCDP starts in 1946 via ACD; nothing is dated past 2100)
YearOpt = Annotated[list[int] | None, typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR,
                                                   help="year(s); repeatable")]
AsOfOpt = Annotated[int | None, typer.Option("--as-of", min=1, max=2**31 - 1,
                                             help="snapshot id: the store as it was then "
                                             "(`sahel snapshots` lists them)")]


def day(text: str | None, last: bool, option: str = "--start/--end") -> date | None:
    """``YYYY``, ``YYYY-MM`` (their first or ``last`` day) or ``YYYY-MM-DD``; None stays None."""
    return parse_day(text, last, option)
