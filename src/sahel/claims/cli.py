"""``sahel claims``: list, check and state published claims (thin: parse, call one library
function of :mod:`sahel.claims.api`, render)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sahel.cli_kit import AsOfOpt, DbOpt, FormatOpt, OutputOpt, edge
from sahel.outputs import write_text
from sahel.render import Format, check_format, console, df_table

app = typer.Typer(help="Check published claims against the data: evidence and verdicts.",
                  no_args_is_help=True)


ClaimsDir = Annotated[Path | None, typer.Option("--claims", help="claims folder (default: "
                                                "registry/claims)")]
Many = Annotated[list[str] | None, typer.Option()]


@app.command("list")
@edge
def list_claims(claims: ClaimsDir = None) -> None:
    """List the claim specs: id, document, kind and text."""
    from sahel.claims.api import claim_table

    console().print(df_table(claim_table(claims), title="claims"))


@app.command("check")
@edge
def check(
    ids: Annotated[list[str] | None, typer.Argument(help="claim ids (default: all)")] = None,
    fmt: FormatOpt = Format.md,
    output: OutputOpt = None,
    claims: ClaimsDir = None,
    db: DbOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Compute the evidence for each claim from every source that can speak to it, and give a
    verdict: supported, partly supported, contradicted or not testable. With --as-of N, the
    verdicts the store gave at snapshot N."""
    from sahel.claims.api import check_report

    check_format(fmt, (Format.md, Format.json, Format.table), "claims check")
    text = check_report(ids, fmt="json" if fmt is Format.json else "md", claims_dir=claims,
                        db_path=db, as_of=as_of)
    if output:
        write_text(output, text)
        console(stderr=True).print(f"wrote {output}")
    else:
        typer.echo(text)


@app.command("new")
@edge
def new(
    claim_id: Annotated[str, typer.Argument(metavar="ID", help="the claim id (file name)")],
    kind: Annotated[str, typer.Option(help="growth, compare, trend, before_after, outlook, "
                                           "share, presence, incident, side_losses, "
                                           "registry_fact or rank")],
    text: Annotated[str, typer.Option(help="the claim in one sentence")],
    document: Annotated[str, typer.Option(help="the document that makes it (id)")],
    needs: Annotated[str, typer.Option(help="the data that would settle it")],
    quote: Annotated[str | None, typer.Option(help="the document's exact words")] = None,
    country: Annotated[list[str] | None, typer.Option("--country", "-c")] = None,
    period: Annotated[list[str] | None, typer.Option(
        help="2023 | START..END | LABEL=START..END (repeatable, in order)")] = None,
    expect: Annotated[str | None, typer.Option(help="what the kind expects")] = None,
    expected: Annotated[float | None, typer.Option(help="claimed change, share or count")
                        ] = None,
    tolerance: Annotated[float | None, typer.Option()] = None,
    definition: Annotated[list[str] | None, typer.Option(
        help="'label=…; source=ucdp_ged; categories=…; measure=…' (repeatable)")] = None,
    attributed_to: Annotated[list[str] | None, typer.Option(
        help="share: perpetrator group(s)")] = None,
    side: Annotated[list[str] | None, typer.Option(help="side_losses: whose deaths")] = None,
    against: Annotated[list[str] | None, typer.Option(help="side_losses: against whom")
                       ] = None,
    place: Annotated[list[str] | None, typer.Option(
        help="presence: 'NAME: admin1=…' or 'NAME: near_place=PLACE:KM'")] = None,
    incident: Annotated[str | None, typer.Option(
        help="'day=…; place=…; toll=…; km=…'")] = None,
    tie: Annotated[str | None, typer.Option(
        help="registry_fact: 'types=…; provider=…; recipient=…; active_on=…'")] = None,
    event: Annotated[str | None, typer.Option(
        help="registry_fact: 'types=coup; country=…; start=…; end=…'")] = None,
    fact_source: Annotated[list[str] | None, typer.Option(
        help="registry, sipri, atop, powell_thyne (repeatable)")] = None,
    rank: Annotated[str | None, typer.Option(help="'by=country_iso3; subject=…; among=…'")
                    ] = None,
    claims: ClaimsDir = None,
    db: DbOpt = None,
) -> None:
    """Write a new claim spec from flags (validated; never over an existing one) and say
    which of its definitions the store can measure now."""
    from sahel.claims.api import new_claim

    made = new_claim(claim_id, kind=kind, text=text, document=document, needs=needs,
                     claims_dir=claims, db_path=db, quote=quote, countries=country,
                     periods=period, expect=expect, expected=expected, tolerance=tolerance,
                     definitions=definition, attributed_to=attributed_to, side=side,
                     against=against, places=place, incident=incident, tie=tie, event=event,
                     fact_sources=fact_source, rank=rank)
    out = console()
    out.print(f"wrote {made.path}")
    out.print(df_table(made.coverage, title="what the store can measure now"))
    out.print(f"next: sahel claims check {made.claim.id}"
              + (f" --claims {claims}" if claims else ""))
