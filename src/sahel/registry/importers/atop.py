"""ATOP alliance dyads (peacesciencer's ATOP 5.1 dyad-years) → alliance ties.

The file has one row per undirected dyad (``ccode1 < ccode2``) and year with five 0/1 flags
(defence, offence, neutrality, non-aggression, consultation), 1815–2018. We turn each run of
consecutive years with a flag set into one tie per obligation. ATOP 5.1 stops in 2018: a spell
still running in 2018 is *right-censored* — its end is given as 31 December 2018 with that basis,
since we cannot know from ATOP whether it continued.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sahel.errors import InputError, LayoutError
from sahel.registry.importers.common import ActorResolver, ImportResult
from sahel.registry.load import Registry
from sahel.registry.models import FuzzyDate, Party, Source, Tie, TieAttributes, TieType
from sahel.settings import get_settings

ATOP_FILE = Path("peacesciencer") / "peacesciencer_atop_alliance.csv.gz"
COW_STATES_FILE = Path("peacesciencer") / "peacesciencer_cow_states.csv"
ATOP_CITATION = (
    "Leeds, B. A. et al., Alliance Treaty Obligations and Provisions (ATOP) 5.1, dyad-year "
    "alliance summary as packaged in the R package peacesciencer 1.2.9"
)
ATOP_URL = "http://www.atopdata.org/"
OBLIGATIONS: dict[str, TieType] = {
    "atop_defense": TieType.DEFENCE_PACT,
    "atop_offense": TieType.ALLIANCE,
    "atop_neutral": TieType.ALLIANCE,
    "atop_nonagg": TieType.ALLIANCE,
    "atop_consul": TieType.COORDINATION,
}


def read_atop(path: str | Path | None = None) -> pd.DataFrame:
    """The ATOP dyad-year table, checked for its columns."""
    file = Path(path) if path else get_settings().shared_data / ATOP_FILE
    if not file.is_file():
        raise InputError(f"ATOP file not found: {file}", file=file,
                         hint="pass --file PATH or set SAHEL_SHARED_DATA")
    frame = pd.read_csv(file)
    missing = {"ccode1", "ccode2", "year", *OBLIGATIONS} - set(frame.columns)
    if missing:
        raise LayoutError(f"{file.name}: missing columns {sorted(missing)}", file=file, line=1,
                          hint="use peacesciencer's atop_alliance table")
    return frame


def cow_names(shared_data: Path | None = None) -> dict[int, str]:
    """COW code → state name (peacesciencer's cow_states), for naming stub actors."""
    path = (shared_data or get_settings().shared_data) / COW_STATES_FILE
    if not path.is_file():
        return {}
    frame = pd.read_csv(path, usecols=["ccode", "statenme"]).drop_duplicates("ccode")
    return {int(c): str(n) for c, n in zip(frame["ccode"], frame["statenme"], strict=True)}


def spells(frame: pd.DataFrame, ccodes: Sequence[int] | None = None) -> pd.DataFrame:
    """Runs of consecutive years per dyad and obligation: ``ccode1, ccode2, obligation,
    start_year, end_year, censored`` (censored = still active in the last year of the data)."""
    data = frame
    if ccodes is not None:
        wanted = list(ccodes)
        data = data[data["ccode1"].isin(wanted) | data["ccode2"].isin(wanted)]
    last_year = int(frame["year"].max())
    long = data.melt(id_vars=["ccode1", "ccode2", "year"], value_vars=list(OBLIGATIONS),
                     var_name="obligation", value_name="flag")
    long = long[long["flag"] == 1].sort_values(["ccode1", "ccode2", "obligation", "year"])
    keys = ["ccode1", "ccode2", "obligation"]
    new_run = long.groupby(keys)["year"].diff().ne(1)
    long = long.assign(run=new_run.cumsum())
    out = long.groupby([*keys, "run"], as_index=False).agg(
        start_year=("year", "min"), end_year=("year", "max"))
    out["censored"] = out["end_year"] >= last_year
    return out.drop(columns="run").reset_index(drop=True)


class _Row:
    """Attribute access to one spell (keeps the loop below readable and typed)."""

    def __init__(self, **values: object) -> None:
        self.ccode1 = int(str(values["ccode1"]))
        self.ccode2 = int(str(values["ccode2"]))
        self.obligation = str(values["obligation"])
        self.start_year = int(str(values["start_year"]))
        self.end_year = int(str(values["end_year"]))
        self.censored = bool(values["censored"])


def atop_ties(registry: Registry, table: pd.DataFrame, names: dict[int, str]) -> ImportResult:
    resolver = ActorResolver(registry, "atop")
    ties = []
    ids = []
    for record in table.to_dict("records"):
        row = _Row(**{str(k): v for k, v in record.items()})
        first = resolver.by_cow(int(row.ccode1), names.get(int(row.ccode1), f"COW {row.ccode1}"))
        second = resolver.by_cow(int(row.ccode2), names.get(int(row.ccode2), f"COW {row.ccode2}"))
        kind = str(row.obligation).removeprefix("atop_")
        tie_id = f"atop-{first}-{second}-{kind}-{row.start_year}".replace(":", "_")
        ids.append(tie_id)
        if row.censored:
            end = FuzzyDate(value=f"{row.end_year}-12-31", precision="day",
                            basis="last day covered by ATOP 5.1; the obligation may continue")
        else:
            end = FuzzyDate(value=str(row.end_year), precision="year",
                            basis="last ATOP year with the obligation")
        ties.append(
            Tie(
                id=tie_id,
                type=OBLIGATIONS[str(row.obligation)],
                label=f"ATOP {kind} obligation: {names.get(int(row.ccode1), row.ccode1)} – "
                      f"{names.get(int(row.ccode2), row.ccode2)}",
                parties=[Party(actor=first, role="member"), Party(actor=second, role="member")],
                start=FuzzyDate(value=str(row.start_year), precision="year",
                                basis="first ATOP year with the obligation"),
                end=end,
                attributes=TieAttributes(other={"obligation": kind,
                                                "censored": "yes" if row.censored else "no"}),
                sources=[Source(citation=ATOP_CITATION, url=ATOP_URL,
                                page=f"dyad {row.ccode1}-{row.ccode2}, {row.start_year}-"
                                     f"{row.end_year}, {kind}")],
                origin="atop",
            )
        )
    out = table.copy()
    out["tie_id"] = ids
    return ImportResult("atop", ties, list(resolver.stubs.values()), out)


def import_atop(
    registry: Registry,
    path: str | Path | None = None,
    countries: Sequence[str] | None = ("MLI", "BFA", "NER", "TCD", "MRT"),
) -> ImportResult:
    """ATOP spells involving ``countries`` (ISO3; None = all) as generated ties."""
    frame = read_atop(path)
    ccodes = None
    if countries is not None:
        ccodes = []
        for iso in countries:
            actor = registry.actors.get(iso.lower())
            if actor is None or actor.codes is None or actor.codes.cow is None:
                raise InputError(f"no COW code for {iso!r} in the registry",
                                 field="countries", hint="add codes.cow to the state actor")
            ccodes.append(actor.codes.cow)
    shared = Path(path).parent.parent if path else None
    return atop_ties(registry, spells(frame, ccodes), cow_names(shared))
