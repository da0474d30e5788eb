"""``sahel claims``: list and check published claims (thin: parse, call, render)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from sahel.cli_kit import edge
from sahel.outputs import write_text
from sahel.render import console, df_table

app = typer.Typer(help="Check published claims against the data: evidence and verdicts.",
                  no_args_is_help=True)


ClaimsDir = Annotated[Path | None, typer.Option("--claims", help="claims folder (default: "
                                                "registry/claims)")]


@app.command("list")
@edge
def list_claims(claims: ClaimsDir = None) -> None:
    """List the claim specs: id, document, kind and text."""
    from sahel.claims.spec import load_claims

    rows = [{"id": c.id, "document": c.document, "kind": c.kind, "text": c.text}
            for c in load_claims(claims).values()]
    console().print(df_table(pd.DataFrame(rows), title="claims"))


@app.command("check")
@edge
def check(
    ids: Annotated[list[str] | None, typer.Argument(help="claim ids (default: all)")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md or json")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    claims: ClaimsDir = None,
    db: Annotated[Path | None, typer.Option("--db", help="store path")] = None,
) -> None:
    """Compute the evidence for each claim from every source that can speak to it, and give a
    verdict: supported, partly supported, contradicted or not testable."""
    from sahel.claims.engine import check_claims
    from sahel.claims.report import to_json, to_markdown

    if fmt not in ("md", "json"):
        raise typer.BadParameter("--format is md or json")
    results = check_claims(ids, claims_dir=claims, db_path=db)
    text = to_markdown(results) if fmt == "md" else to_json(results)
    if output:
        write_text(output, text)
        console(stderr=True).print(f"wrote {output}")
    else:
        typer.echo(text)
