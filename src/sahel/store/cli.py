"""``sahel store …`` — check the store against its archive, repair, rebuild (thin: one call each)."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from sahel.cli_kit import DbOpt, edge
from sahel.render import console, df_table

app = typer.Typer(help="Check the store against its source archive; repair; rebuild.",
                  no_args_is_help=True)


@app.command()
@edge
def check(
    repair: Annotated[bool, typer.Option(help="remove leftover files and rewrite missing "
                                         "manifests")] = False,
    fast: Annotated[bool, typer.Option(help="skip re-hashing the archived files")] = False,
    db: DbOpt = None,
) -> None:
    """Every snapshot's archived file present with its sha256; no leftovers (exit 1 if not)."""
    from sahel.store.maintenance import check_store

    rep = check_store(db, repair=repair, verify_hashes=not fast)
    out = console()
    out.print(f"store {rep.store}: {rep.snapshots} snapshot(s); {rep.files_checked} archived "
              f"file(s) in {rep.archive} " + ("present" if fast else "present and re-hashed"))
    for line in rep.repaired:
        out.print(f"repaired: {line}")
    if rep.problems:
        frame = pd.DataFrame([vars(p) for p in rep.problems])
        out.print(df_table(frame, title=f"{len(rep.problems)} problem(s)"))
        raise typer.Exit(1)
    out.print("consistent: every snapshot has its file, sha256 and manifest; no leftovers")


@app.command()
@edge
def rebuild(db: DbOpt = None) -> None:
    """Make a new store from the archived source files (a damaged store is kept aside)."""
    from sahel.build import rebuild_store

    out = console()
    with out.status("rebuilding …") as status:
        rep = rebuild_store(db, on_file=lambda name: status.update(f"ingesting {name} …"))
    if rep.kept_aside:
        out.print(f"the previous store file was kept as {rep.kept_aside}")
    out.print(df_table(pd.DataFrame(rep.rebuilt, columns=["old snapshot", "file",
                                                          "new snapshot"]), title="rebuilt"))
    if rep.failed:
        out.print(df_table(pd.DataFrame(rep.failed, columns=["old snapshot", "file", "why"]),
                           title="not rebuilt"))
        raise typer.Exit(1)
