"""What every command-line module shares: the error edge and the common options.

Each domain keeps its own thin typer sub-app (``sahel registry``, ``sahel series`` …); they all
translate :class:`~sahel.errors.SahelError` the same way, here.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from sahel.errors import ConfigError, SahelError
from sahel.render import Format, console

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
            translated = _store_failure(exc)
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


def _store_failure(exc: Exception) -> SahelError | None:
    """DuckDB failing to *read the store* mid-query (a damaged block, a truncated file, a
    vanished disk) is a store error with a way back, not a bug; any other DuckDB error is."""
    import duckdb

    if isinstance(exc, duckdb.IOException | duckdb.SerializationException):
        from sahel.store.db import io_error

        return io_error(exc)
    if isinstance(exc, duckdb.InternalException | duckdb.FatalException) and any(
            w in str(exc).lower() for w in ("corrupt", "checksum", "read enough", "serializ")):
        from sahel.store.db import io_error

        return io_error(exc)
    return None


def crash_report(exc: BaseException) -> str:
    """Write the traceback of a bug to a file (never to the terminal) and say where it is.

    Credentials held in the settings are taken out of the text first, in every encoding."""
    import traceback
    from datetime import UTC, datetime

    text = "".join(traceback.format_exception(exc))
    first = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    try:
        from sahel.events.clients.redact import for_settings
        from sahel.settings import get_settings

        redactor = for_settings(get_settings())
        text, first = redactor(text), redactor(first)
    except Exception:  # no settings or no redactor: keep the type name only
        first = type(exc).__name__
        text = first + "\n"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    where = "(could not be written)"
    for folder in _crash_folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"crash-{stamp}.txt"
            path.write_text(text, encoding="utf-8")
            where = str(path)
            break
        except OSError:
            continue
    return (f"internal error ({first[:300]}). This is a bug in sahel, not in what you typed: "
            f"please report it with the details in {where}")


def _crash_folders() -> list[Path]:
    import tempfile

    folders = []
    try:
        from sahel.settings import get_settings

        folders.append(get_settings().home / "logs")
    except Exception:  # a broken setting must not hide the crash itself
        pass
    folders.append(Path(tempfile.gettempdir()) / "sahel-logs")
    return folders


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
FIRST_YEAR, LAST_YEAR = 1900, 2100
YearOpt = Annotated[list[int] | None, typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR,
                                                   help="year(s); repeatable")]
AsOfOpt = Annotated[int | None, typer.Option("--as-of", min=1, max=2**31 - 1,
                                             help="snapshot id: the store as it was then "
                                             "(`sahel snapshots` lists them)")]


def day(text: str | None, last: bool, option: str = "--start/--end") -> date | None:
    """``YYYY``, ``YYYY-MM`` (their first or ``last`` day) or ``YYYY-MM-DD``; None stays None."""
    if not text:
        return None
    try:
        if len(text) == 4 and text.isdigit():
            got = date(int(text), 12, 31) if last else date(int(text), 1, 1)
        elif len(text) == 7 and text[4] == "-":
            y, m = int(text[:4]), int(text[5:])
            got = date(y, m, calendar.monthrange(y, m)[1] if last else 1)
        else:
            got = date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{text!r} is not a date", field=option,
                          hint="use YYYY, YYYY-MM or YYYY-MM-DD (a real calendar date)") from None
    if not FIRST_YEAR <= got.year <= LAST_YEAR:
        raise ConfigError(f"{text!r} is out of range", field=option,
                          hint=f"use a year between {FIRST_YEAR} and {LAST_YEAR}")
    return got
