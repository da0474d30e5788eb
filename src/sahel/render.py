"""Rendering for the CLI: rich tables, CSV/JSON/Parquet files, and provenance beside every figure.

Data goes to stdout (or ``--output``); provenance goes under a table, into the JSON document,
or — for CSV/Parquet, whose readers would choke on comments — into a ``.provenance.json``
sidecar and stderr.
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from sahel.errors import ConfigError
from sahel.outputs import check_output_path, write_file, write_text
from sahel.provenance import Provenance


class Format(StrEnum):
    """The one ``--format`` vocabulary of every command (each accepts the subset that fits
    what it prints; :func:`check_format` refuses the others with the list)."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"
    md = "md"
    graphml = "graphml"
    dot = "dot"


def check_format(fmt: Format, allowed: tuple[Format, ...], command: str) -> None:
    """Refuse a format this command cannot write, naming the ones it can."""
    if fmt not in allowed:
        raise ConfigError(f"{command} cannot print {fmt.value}", field="--format",
                          hint="use one of " + ", ".join(f.value for f in allowed))


def console(stderr: bool = False) -> Console:
    """A console that stays readable when piped (rich falls back to 80 columns otherwise)."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 160
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def df_table(df: pd.DataFrame, title: str | None = None, max_rows: int = 200) -> Table:
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    for _, row in df.head(max_rows).iterrows():
        cells = []
        for v in row.tolist():
            if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
                cells.append("")
            elif isinstance(v, float) and v.is_integer():
                cells.append(f"{int(v):,}")
            elif isinstance(v, int) and not isinstance(v, bool):
                cells.append(f"{v:,}" if abs(v) >= 10000 else str(v))
            else:
                cells.append(str(v))
        table.add_row(*cells)
    if len(df) > max_rows:
        table.caption = f"{max_rows} of {len(df):,} rows shown; use --format csv/json for all"
    return table


def _jsonable(df: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(df.to_json(orient="records", date_format="iso"))
    return out


def emit(df: pd.DataFrame, prov: Provenance, fmt: Format, output: Path | None,
         title: str | None = None) -> None:
    """Write ``df`` in ``fmt`` with its provenance; never loses the provenance."""
    out = console()
    err = console(stderr=True)
    if fmt is Format.table:
        if output is not None:
            raise ConfigError("--output needs a file format", field="--output",
                              hint="add --format csv, json or parquet")
        out.print(df_table(df, title=title))
        for line in prov.lines():
            out.print(f"[dim]{line}[/dim]")
        return
    if fmt is Format.json:
        doc = {"provenance": prov.to_dict(), "rows": _jsonable(df)}
        text = json.dumps(doc, indent=2, ensure_ascii=False, default=str)
        if output is None:
            sys.stdout.write(text + "\n")
        else:
            write_text(output, text + "\n")
            err.print(f"wrote {len(df):,} rows to {output}")
        return
    if output is None and fmt is Format.parquet:
        raise ConfigError("Parquet is binary: it cannot go to the terminal", field="--format",
                          hint="add --output FILE.parquet")
    if output is None:
        df.to_csv(sys.stdout, index=False)
    else:
        side = output.with_name(output.name + ".provenance.json")
        check_output_path(side, what="provenance")
        if fmt is Format.csv:
            write_file(output, lambda p: df.to_csv(p, index=False))
        else:
            write_file(output, lambda p: df.to_parquet(p, index=False))
        write_text(side, json.dumps(prov.to_dict(), indent=2, default=str) + "\n",
                   what="provenance")
        err.print(f"wrote {len(df):,} rows to {output} (provenance: {side})")
    for line in prov.lines():
        err.print(f"[dim]{line}[/dim]")


def emit_text(text: str, output: Path | None, what: str = "output") -> None:
    """A document (JSON, Markdown, GraphML, DOT) to stdout or to ``output``, as given."""
    if output is None:
        sys.stdout.write(text)
        return
    write_text(output, text, what=what)
    console(stderr=True).print(f"wrote {output}", markup=False)


def emit_json(doc: Any, output: Path | None) -> None:
    """A JSON document (provenance inside it) to stdout or to ``output``."""
    emit_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n", output)
