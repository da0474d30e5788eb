"""Who kills civilians, and how violence moves over time — per source, never summed across them.

Both analyses are thin layers over the panel verbs (``sahel.panels``): the panel does the counting
in DuckDB and knows the coverage; here the per-month columns are reshaped into one long table
(one row per source × country × period × group) with shares, so that a table, a chart and a
claim can all read the same rows.

The helpers at the bottom (period labels, long reshaping, coverage counts) are shared with
``sources.py`` and ``event_study.py`` so that "a year" means the same thing everywhere.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sahel.analysis.result import AnalysisResult
from sahel.errors import PanelError
from sahel.panels import Panel, add_civilian_deaths, add_events, add_fatalities, create_country_months
from sahel.store.filters import Filters

Period = Literal["year", "month"]
BOUNDS = ("low", "best", "high")
#: UCDP civilian deaths in state-based / non-state fighting: recorded, but no side is the killer
IN_FIGHTING = "in_fighting"

CIVILIAN_DEFINITIONS = (
    "UCDP: `deaths_civilians` of every event, all three violence types; UCDP gives it as a best "
    "estimate only, so low/high scale it by the event's low/best and high/best ratios. "
    "ACLED: the fatalities of civilian-targeting events (Violence against civilians, and "
    "explosions/remote violence whose target is civilians); ACLED does not split deaths by "
    "status, so it counts one number (low = best = high)."
)
PERPETRATOR_DEFINITION = (
    "Perpetrator = the acting side, actor1: ACLED `actor1`, UCDP `side_a` (in one-sided violence "
    "the perpetrator). Raw names are grouped with the registry (state_forces, foreign_partner, "
    "jihadist, militia, …); names the registry does not know are 'unmapped', never dropped."
)


def who_kills_civilians(filters: Filters | None = None, *, period: Period = "year",
                        db_path: Path | None = None,
                        registry_root: Path | None = None) -> AnalysisResult:
    """Civilian deaths (low/best/high) and civilian-targeting events by perpetrator group.

    Why two panels: UCDP records civilians killed in *every* kind of event, but only in one-sided
    violence is ``side_a`` the killer; in a state-based clash ``side_a`` is the government
    whoever fired. So deaths in civilian-targeting events are attributed to actor1's group, and
    the UCDP remainder (civilians killed in fighting) gets its own row, ``in_fighting``, instead
    of being pinned on the government.
    """
    f = (filters or Filters()).normalised()
    base = create_country_months(f, db_path=db_path, registry_root=registry_root)
    require_rows(base, "civilian deaths")
    total = add_civilian_deaths(base, name="cd")
    total = add_events(total, by="perpetrator", where="civilian_targeting", name="ct")
    targeted = create_country_months(replace(f, civilian_targeting=True), db_path=db_path,
                                     registry_root=registry_root)
    targeted = add_civilian_deaths(targeted, by="perpetrator", name="cd")

    deaths = long_by_group(targeted.data, "cd", bounds=True)
    events = long_by_group(total.data, "ct", bounds=False).rename(
        columns={"ct": "civilian_targeting_events"})
    rest = total.data[["source", "country_iso3", "month", *(f"cd_{b}" for b in BOUNDS)]].copy()
    attributed = deaths.groupby(["source", "country_iso3", "month"], as_index=False)[
        [f"cd_{b}" for b in BOUNDS]].sum()
    rest = rest.merge(attributed, on=["source", "country_iso3", "month"], how="left",
                      suffixes=("", "_attr"))
    for b in BOUNDS:
        rest[f"cd_{b}"] = rest[f"cd_{b}"] - rest[f"cd_{b}_attr"].fillna(0)
    rest = rest[rest["source"].str.startswith("ucdp")].assign(group=IN_FIGHTING)
    deaths = pd.concat([deaths, rest[deaths.columns]], ignore_index=True)

    keys = ["source", "country_iso3", "month", "group"]
    long = deaths.merge(events, on=keys, how="outer")
    long = with_period(long, period)
    gkeys = ["source", "country_iso3", "period", "group"]
    value_cols = [*(f"cd_{b}" for b in BOUNDS), "civilian_targeting_events"]
    table = long.groupby(gkeys, as_index=False)[value_cols].sum(min_count=1)
    table[value_cols] = table[value_cols].fillna(0)
    table = drop_empty_groups(table, value_cols)
    table = table.rename(columns={f"cd_{b}": f"civilian_deaths_{b}" for b in BOUNDS})
    table = add_shares(table, {"civilian_deaths_best": "share_best",
                               "civilian_deaths_low": "share_low",
                               "civilian_deaths_high": "share_high",
                               "civilian_targeting_events": "events_share"})
    table = table.merge(months_covered(base, period), on=["source", "country_iso3", "period"],
                        how="left")
    table = table.rename(columns={"group": "perpetrator"})
    table = _order(table, ["source", "country_iso3", "period", "perpetrator"])

    stats = _civilian_stats(table)
    return AnalysisResult(
        name="who_kills_civilians",
        title="Who kills civilians: civilian deaths by perpetrator group",
        table=table,
        provenance=base.provenance,
        method=(
            f"Per source, country and {period}: civilian deaths (low/best/high) and "
            "civilian-targeting events, split by the perpetrator's registry group. "
            f"{CIVILIAN_DEFINITIONS} {PERPETRATOR_DEFINITION} Deaths in civilian-targeting "
            "events (UCDP one-sided, ACLED civilian targeting) go to actor1's group; UCDP "
            f"civilians killed in state-based or non-state fighting are shown as '{IN_FIGHTING}'. "
            "share_best = the group's best estimate / all civilian deaths (best) in that "
            "source-country-period; share_low/high use the low/high columns the same way."
        ),
        limits=[
            "UCDP and ACLED define civilian deaths differently (see method) and are never "
            "summed; compare their shares, not their totals.",
            f"UCDP '{IN_FIGHTING}': civilians killed in clashes are recorded by UCDP but not "
            "attributed to a side; attributing them to side_a would pin them on the government "
            "in every state-based event.",
            "ACLED counts no civilians killed in battles and includes perpetrators killed in "
            "civilian-targeting events; its single count has no uncertainty band.",
            "Only actor1 is counted: associated actors (e.g. foreign forces or militias "
            "fighting beside the army, ACLED assoc_actor_1) are not credited, so foreign "
            "partners' role is understated; UCDP codes joint operations under the government.",
            "Figures cover only the snapshots in the store (listed under Sources); the UCDP "
            "explorer exports are per-country extracts, and a period at the edge of coverage "
            "may be partial (see months_covered).",
        ],
        notes=[f"registry: {base.registry_note}"] if base.registry_note else [],
        stats=stats,
        chart={"kind": "stacked", "x": "period", "y": "civilian_deaths_best",
               "low": "civilian_deaths_low", "high": "civilian_deaths_high",
               "series": "perpetrator", "facet": ["source", "country_iso3"],
               "ylabel": "civilian deaths (best; bars: low–high of the total)"},
    )


def violence_trends(filters: Filters | None = None, *,
                    measure: Literal["events", "fatalities"] = "events",
                    by: Literal["category", "perpetrator"] = "category",
                    period: Period = "year", db_path: Path | None = None,
                    registry_root: Path | None = None) -> AnalysisResult:
    """Events or fatalities (low/best/high) over time, by category or perpetrator group."""
    f = (filters or Filters()).normalised()
    panel = create_country_months(f, db_path=db_path, registry_root=registry_root,
                                  with_registry=by == "perpetrator")
    require_rows(panel, "trends")
    if measure == "events":
        panel = add_events(panel, by=by, name="v")
        long = long_by_group(panel.data, "v", bounds=False).rename(columns={"v": "events"})
        value_cols = ["events"]
    elif measure == "fatalities":
        panel = add_fatalities(panel, by=by, name="v")
        long = long_by_group(panel.data, "v", bounds=True)
        long = long.rename(columns={f"v_{b}": f"fatalities_{b}" for b in BOUNDS})
        value_cols = [f"fatalities_{b}" for b in BOUNDS]
    else:
        raise PanelError(f"unknown measure {measure!r}", hint="use events or fatalities")
    long = with_period(long, period)
    table = long.groupby(["source", "country_iso3", "period", "group"], as_index=False)[
        value_cols].sum()
    table = drop_empty_groups(table, value_cols)
    main = value_cols[0] if measure == "events" else "fatalities_best"
    table = add_shares(table, {main: "share"})
    table = table.merge(months_covered(panel, period), on=["source", "country_iso3", "period"],
                        how="left").rename(columns={"group": by})
    table = _order(table, ["source", "country_iso3", "period", by])
    chart: dict[str, Any] = {"kind": "line", "x": "period", "y": main, "series": by,
                             "facet": ["source", "country_iso3"], "ylabel": measure}
    if measure == "fatalities":
        chart |= {"low": "fatalities_low", "high": "fatalities_high",
                  "ylabel": "fatalities (best; band: low–high)"}
    definition = ("categories are each source's own (UCDP state_based/non_state/one_sided, "
                  "ACLED battle/remote_violence/violence_against_civilians/…), never merged"
                  if by == "category" else PERPETRATOR_DEFINITION)
    return AnalysisResult(
        name="violence_trends",
        title=f"Violence trends: {measure} by {by} per {period}",
        table=table,
        provenance=panel.provenance,
        method=(f"Per source, country and {period}: {measure} split by {by}; {definition}. "
                + ("Fatalities are UCDP low/best/high; ACLED gives one count (low = best = "
                   "high). " if measure == "fatalities" else "")
                + "share = the group's share of the period's total in that source and country."),
        limits=[
            "UCDP counts organised violence with at least one death; ACLED also counts events "
            "without deaths and protests/riots/strategic developments: event counts are not "
            "comparable across sources (see `sahel analyse sources`).",
            "Figures cover only the snapshots in the store; a period at the edge of coverage "
            "may be partial (see months_covered).",
            *(["Perpetrator = actor1 only; associated actors are not credited."]
              if by == "perpetrator" else []),
        ],
        notes=[f"registry: {panel.registry_note}"] if panel.registry_note else [],
        stats=_trend_stats(table, main, by),
        chart=chart,
    )


# --- shared helpers ---------------------------------------------------------------------------

def require_rows(panel: Panel, what: str) -> None:
    """Refuse an empty panel with the fix, rather than return an empty table."""
    if panel.data.empty:
        raise PanelError(
            f"no stored events match these filters ({panel.filters.describe()}) for {what}",
            hint="check the country and period, or ingest the data first (sahel ingest ucdp/"
                 "acled); `sahel snapshots` lists what the store holds",
        )


def long_by_group(data: pd.DataFrame, name: str, *, bounds: bool) -> pd.DataFrame:
    """Panel columns ``{name}[_bound]__{group}`` -> rows (keys…, group, ``{name}[_bound]``)."""
    pattern = re.compile(rf"^{re.escape(name)}(_(low|best|high))?__(.+)$")
    keys = ["source", "country_iso3", "month"]
    parts = []
    groups = sorted({m.group(3) for c in data.columns if (m := pattern.match(c))})
    for g in groups:
        cols = {f"{name}_{b}__{g}": f"{name}_{b}" for b in BOUNDS} if bounds else {
            f"{name}__{g}": name}
        present = {k: v for k, v in cols.items() if k in data.columns}
        part = data[keys + list(present)].rename(columns=present).assign(group=g)
        parts.append(part)
    targets = [f"{name}_{b}" for b in BOUNDS] if bounds else [name]
    if not parts:
        return pd.DataFrame(columns=[*keys, "group", *targets])
    out = pd.concat(parts, ignore_index=True)
    for t in targets:
        out[t] = out[t].astype("float64") if t in out else 0.0
    return out[[*keys, "group", *targets]]


def with_period(df: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Add ``period``: the year (int) or 'YYYY-MM' (a string that sorts and reads well)."""
    month = pd.to_datetime(df["month"])
    out = df.copy()
    out["period"] = month.dt.year.astype("int64") if period == "year" else month.dt.strftime(
        "%Y-%m")
    return out


def months_covered(panel: Panel, period: Period) -> pd.DataFrame:
    """How many months of each period the source covers for the country (12 = a full year)."""
    rows = with_period(panel.data[["source", "country_iso3", "month"]], period)
    return rows.groupby(["source", "country_iso3", "period"], as_index=False).size().rename(
        columns={"size": "months_covered"})


def drop_empty_groups(table: pd.DataFrame, value_cols: list[str]) -> pd.DataFrame:
    """Drop groups that are zero everywhere for a source and country (pivot artefacts)."""
    nonzero = table.groupby(["source", "country_iso3", "group"])[value_cols].transform(
        lambda s: s.abs().sum()).sum(axis=1) > 0
    return table[nonzero].reset_index(drop=True)


def add_shares(table: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Share of each group in its source-country-period total (NaN when the total is zero)."""
    out = table.copy()
    keys = ["source", "country_iso3", "period"]
    for col, share in columns.items():
        total = out.groupby(keys)[col].transform("sum")
        out[share] = (out[col] / total.where(total > 0)).round(4)
    return out


def _order(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return table.sort_values(keys).reset_index(drop=True)


def _civilian_stats(table: pd.DataFrame) -> dict[str, Any]:
    """Whole-range totals and shares per source and country (the headline numbers)."""
    stats: dict[str, Any] = {}
    cols = [f"civilian_deaths_{b}" for b in BOUNDS]
    for (src, iso), grp in table.groupby(["source", "country_iso3"]):
        by = grp.groupby("perpetrator")[[*cols, "civilian_targeting_events"]].sum()
        total = by[cols].sum()
        key = f"{src} {iso}"
        stats[f"{key}: civilian deaths low/best/high"] = [int(total[c]) for c in cols]
        if total["civilian_deaths_best"] > 0:
            shares = (by["civilian_deaths_best"] / total["civilian_deaths_best"]).round(3)
            stats[f"{key}: share of civilian deaths (best)"] = {
                str(k): float(v) for k, v in shares.sort_values(ascending=False).items()}
        periods = grp["period"].unique()
        stats[f"{key}: periods"] = f"{min(periods)}..{max(periods)}"
    return stats


def _trend_stats(table: pd.DataFrame, main: str, by: str) -> dict[str, Any]:
    stats: dict[str, Any] = {}
    for (src, iso), grp in table.groupby(["source", "country_iso3"]):
        per = grp.groupby("period")[main].sum()
        key = f"{src} {iso}"
        stats[f"{key}: total {main}"] = float(per.sum())
        stats[f"{key}: peak period"] = str(per.idxmax()) if per.sum() > 0 else None
        top = grp.groupby(by)[main].sum().sort_values(ascending=False)
        stats[f"{key}: largest {by}"] = str(top.index[0]) if len(top) and top.iloc[0] > 0 else None
    return stats
