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
from sahel.render import console

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
            console(stderr=True).print(f"[red]error:[/red] {exc.render()}", markup=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


DbOpt = Annotated[Path | None, typer.Option("--db", help="store path (default: $SAHEL_DB)")]
CountryOpt = Annotated[list[str] | None, typer.Option("--country", "-c",
                                                      help="ISO3 or name; repeatable")]
StartOpt = Annotated[str | None, typer.Option(help="YYYY or YYYY-MM-DD")]


def day(text: str | None, last: bool) -> date | None:
    """``YYYY`` (its first or ``last`` day) or ``YYYY-MM-DD``; None stays None."""
    if not text:
        return None
    if len(text) == 4 and text.isdigit():
        return date(int(text), 12, 31) if last else date(int(text), 1, 1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r}: use YYYY or YYYY-MM-DD") from None
