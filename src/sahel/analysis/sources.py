"""UCDP against ACLED for the same country-months: how far apart are they, and does it matter?

Why this exists: the two datasets count different things (UCDP: organised violence with at least
one death in a conflict that passes its thresholds; ACLED: every reported political violence or
demonstration event, deaths or not). A finding that holds in one and flips in the other is a
finding about the dataset, not the Sahel. ``conclusion_dependence`` in the result's stats says,
for a few standard questions, whether the answer changes with the source.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from sahel.analysis.result import AnalysisResult
from sahel.analysis.trends import BOUNDS, Period, require_rows, with_period
from sahel.errors import ConfigError, PanelError
from sahel.panels import add_events, add_fatalities, create_country_months
from sahel.store.filters import Filters

#: ACLED political violence (protests, riots, strategic developments have no UCDP counterpart)
ACLED_PV = ("battle", "remote_violence", "violence_against_civilians")
_PV_SQL = ("(source LIKE 'ucdp%' OR category IN (" + ", ".join(f"'{c}'" for c in ACLED_PV)
           + "))")
_KEYS = ["country_iso3", "month"]


def compare_sources(filters: Filters | None = None, *, period: Period = "month",
                    ucdp_source: str = "ucdp_ged", db_path: Path | None = None,
                    top: int = 5) -> AnalysisResult:
    """Events and fatalities of UCDP and ACLED side by side where both cover the country-month.

    ACLED is restricted to political violence (battles, explosions/remote violence, violence
    against civilians); ``acled_fatal_events`` also drops events without deaths, the closest
    match to UCDP's rule that every event has at least one death.
    """
    if ucdp_source not in ("ucdp_ged", "ucdp_candidate"):
        raise ConfigError(f"unknown UCDP source {ucdp_source!r}", field="--ucdp-source",
                          hint="use ucdp_ged or ucdp_candidate")
    f = (filters or Filters()).normalised()
    f.sources = [ucdp_source, "acled"]
    panel = create_country_months(f, db_path=db_path, with_registry=False)
    require_rows(panel, "the source comparison")
    panel = add_events(panel, where=_PV_SQL, name="events")
    panel = add_events(panel, where=f"{_PV_SQL} AND coalesce(fatalities_best, 0) > 0",
                       name="fatal_events")
    panel = add_events(panel, where=f"{_PV_SQL} AND civilian_targeting", name="civ_events")
    panel = add_fatalities(panel, where=_PV_SQL, name="fat")
    data = panel.data
    u = data[data["source"] == ucdp_source]
    a = data[data["source"] == "acled"]
    both = u.merge(a, on=_KEYS, suffixes=("_u", "_a"))
    if both.empty:
        raise PanelError(
            f"no country-month is covered by both {ucdp_source} and ACLED for "
            f"{f.describe()}",
            hint="pick countries and years both sources hold (`sahel snapshots`), e.g. "
                 "--country BFA --start 2016 --end 2020 with the explorer and HDX files",
        )
    monthly = pd.DataFrame({
        "country_iso3": both["country_iso3"], "month": both["month"],
        "ucdp_events": both["events_u"], "acled_events": both["events_a"],
        "acled_fatal_events": both["fatal_events_a"],
        **{f"ucdp_fatalities_{b}": both[f"fat_{b}_u"] for b in BOUNDS},
        "acled_fatalities": both["fat_best_a"],
        "ucdp_civ_events": both["civ_events_u"], "acled_civ_events": both["civ_events_a"],
    })
    for c in monthly.columns[2:]:
        monthly[c] = monthly[c].astype("float64")
    table = _by_period(monthly, period)
    overlap = monthly.groupby("country_iso3")["month"].agg(["min", "max", "count"])
    stats: dict[str, Any] = {
        "overlap": {str(iso): f"{r['min']:%Y-%m}..{r['max']:%Y-%m} ({r['count']} months)"
                    for iso, r in overlap.iterrows()},
        **_agreement(table, period),
        "largest_disagreements": _disagreements(table, top),
        "conclusion_dependence": conclusion_dependence(
            _by_period(monthly, "year") if period == "month" else table),
    }
    flips = [q for q in stats["conclusion_dependence"] if q["flips"]]
    stats["answers_that_flip"] = len(flips)
    return AnalysisResult(
        name="compare_sources",
        title=f"UCDP ({ucdp_source}) vs ACLED per {period}, where both cover",
        table=table,
        provenance=panel.provenance,
        method=(
            f"Only country-months covered by both {ucdp_source} and ACLED snapshots are "
            "compared. UCDP: all events (organised violence, ≥1 death), fatalities low/best/"
            "high. ACLED: political violence only (battles, explosions/remote violence, violence "
            "against civilians), one fatality count; acled_fatal_events keeps only events with "
            "deaths. Correlations (Pearson and Spearman) are across the "
            f"{period}s of each country; ratios are ACLED / UCDP best. "
            "acled_in_ucdp_range says whether ACLED's count falls within UCDP's low–high. "
            "conclusion_dependence asks, per country, which complete year was deadliest, whether "
            "violence rose year on year, and what share of events targeted civilians, in each "
            "source (UCDP at its low, best and high bound) and says whether the answer flips."
        ),
        limits=[
            "The two sources define events and civilian targeting differently (UCDP one-sided "
            "violence vs ACLED violence against civilians); disagreement is expected and is "
            "the point of the comparison, not an error in either.",
            "UCDP only records conflicts above its 25-deaths-a-year dyad threshold, so low-"
            "level violence ACLED records may be absent from UCDP by design.",
            "Coverage is the stored snapshots' (an ACLED file ending mid-month, or a UCDP "
            "per-country export, limits the overlap); see stats.overlap.",
            "With few periods, correlations are fragile; monthly correlations are dominated "
            "by the trend both sources share.",
            "ACLED rows are never shown: only aggregates per country and period.",
        ],
        stats=stats,
        chart={"kind": "line", "x": "period", "y": "fatalities_best", "low": "fatalities_low",
               "high": "fatalities_high", "series": "source", "facet": "country_iso3",
               "data": _chart_frame(table),
               "ylabel": "fatalities (UCDP best, band low–high; ACLED one count)"},
    )


def _by_period(monthly: pd.DataFrame, period: Period) -> pd.DataFrame:
    m = with_period(monthly, period)
    values = [c for c in monthly.columns if c not in _KEYS]
    t = m.groupby(["country_iso3", "period"], as_index=False).agg(
        months=("month", "size"), **{c: (c, "sum") for c in values})
    t["events_ratio"] = (t["acled_events"] / t["ucdp_events"].where(t["ucdp_events"] > 0)).round(3)
    t["fatalities_ratio"] = (t["acled_fatalities"] / t["ucdp_fatalities_best"].where(
        t["ucdp_fatalities_best"] > 0)).round(3)
    t["acled_in_ucdp_range"] = t["acled_fatalities"].between(t["ucdp_fatalities_low"],
                                                             t["ucdp_fatalities_high"])
    return t.sort_values(["country_iso3", "period"]).reset_index(drop=True)


def _corr(x: pd.Series, y: pd.Series) -> dict[str, float | None]:
    """Pearson and Spearman; None when a series is constant or too short to say anything."""
    if len(x) < 3 or x.nunique() < 2 or y.nunique() < 2:
        return {"pearson": None, "spearman": None}
    p = sps.pearsonr(x.to_numpy(), y.to_numpy()).statistic
    s = sps.spearmanr(x.to_numpy(), y.to_numpy()).statistic
    return {"pearson": round(float(p), 3), "spearman": round(float(s), 3)}


def _agreement(table: pd.DataFrame, period: Period) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for iso, g in table.groupby("country_iso3"):
        u_best = g["ucdp_fatalities_best"].sum()
        out[f"{iso}: correlation"] = {
            "n_periods": len(g),
            "events (ACLED PV vs UCDP)": _corr(g["acled_events"], g["ucdp_events"]),
            "fatal events (ACLED vs UCDP)": _corr(g["acled_fatal_events"], g["ucdp_events"]),
            **{f"fatalities (ACLED vs UCDP {b})": _corr(g["acled_fatalities"],
                                                        g[f"ucdp_fatalities_{b}"])
               for b in BOUNDS},
        }
        out[f"{iso}: totals"] = {
            "ucdp_events": int(g["ucdp_events"].sum()),
            "acled_events": int(g["acled_events"].sum()),
            "acled_fatal_events": int(g["acled_fatal_events"].sum()),
            "ucdp_fatalities_low_best_high": [int(g[f"ucdp_fatalities_{b}"].sum())
                                              for b in BOUNDS],
            "acled_fatalities": int(g["acled_fatalities"].sum()),
            "fatalities_ratio_acled_to_ucdp_best": (
                round(float(g["acled_fatalities"].sum() / u_best), 3) if u_best else None),
            f"{period}s_acled_within_ucdp_range": int(g["acled_in_ucdp_range"].sum()),
        }
    return out


def _disagreements(table: pd.DataFrame, top: int) -> list[dict[str, Any]]:
    t = table.assign(gap=(table["acled_fatalities"] - table["ucdp_fatalities_best"]))
    t = t.reindex(t["gap"].abs().sort_values(ascending=False).index).head(top)
    return [{"country": r["country_iso3"], "period": str(r["period"]),
             "ucdp_low_best_high": [int(r[f"ucdp_fatalities_{b}"]) for b in BOUNDS],
             "acled": int(r["acled_fatalities"]), "acled_minus_ucdp_best": int(r["gap"])}
            for r in t.to_dict("records")]


def _direction(a: float, b: float) -> str:
    return "up" if b > a else "down" if b < a else "flat"


def conclusion_dependence(yearly: pd.DataFrame) -> list[dict[str, Any]]:
    """Standard questions answered per source; ``flips`` when ACLED and UCDP (best) disagree.

    ``ucdp_bounds_agree`` says whether UCDP's own answer holds at its low and high bounds too
    (uncertainty inside one source), so a flip between sources can be told from a flip inside
    UCDP's own range. Only complete years (12 months covered by both) are compared.
    """
    out: list[dict[str, Any]] = []
    for iso, g in yearly.groupby("country_iso3"):
        full = g[g["months"] == 12].set_index("period")
        note = None if len(full) == len(g) else (
            f"partial years left out: {', '.join(str(p) for p in g[g['months'] < 12]['period'])}")
        if len(full) >= 2:
            for measure, u_cols, a_col in (
                ("fatalities", [f"ucdp_fatalities_{b}" for b in BOUNDS], "acled_fatalities"),
                ("events", ["ucdp_events"], "acled_events"),
            ):
                years = [int(y) for y in full.index.to_numpy()]
                vals = {c: full[c].to_numpy(dtype=float) for c in [*u_cols, a_col]}
                u_ans = [years[int(np.argmax(vals[c]))] for c in u_cols]  # first max, as idxmax
                best = u_ans[len(u_ans) // 2]
                a_ans = years[int(np.argmax(vals[a_col]))]
                out.append({"question": f"deadliest year by {measure}", "country": iso,
                            "ucdp": best, "acled": a_ans, "flips": best != a_ans,
                            "ucdp_bounds_agree": len(set(u_ans)) == 1, "note": note})
                for i in range(1, len(years)):
                    y0, y1 = years[i - 1], years[i]
                    if y1 != y0 + 1:
                        continue
                    u_dir = [_direction(vals[c][i - 1], vals[c][i]) for c in u_cols]
                    a_dir = _direction(vals[a_col][i - 1], vals[a_col][i])
                    ub = u_dir[len(u_dir) // 2]
                    out.append({"question": f"did {measure} rise {y0}→{y1}", "country": iso,
                                "ucdp": ub, "acled": a_dir, "flips": ub != a_dir,
                                "ucdp_bounds_agree": len(set(u_dir)) == 1, "note": note})
        rng = full if len(full) else g.set_index("period")
        u_share = _share(rng["ucdp_civ_events"].sum(), rng["ucdp_events"].sum())
        a_share = _share(rng["acled_civ_events"].sum(), rng["acled_events"].sum())
        if u_share is not None and a_share is not None:
            out.append({"question": "share of events targeting civilians", "country": iso,
                        "ucdp": u_share, "acled": a_share,
                        "flips": (u_share > 0.5) != (a_share > 0.5),
                        "difference_pp": round(100 * (a_share - u_share), 1),
                        "note": "flips = one source says most events target civilians and the "
                                "other does not (UCDP one-sided vs ACLED civilian targeting)"})
    return out


def _share(num: float, den: float) -> float | None:
    return None if not den or math.isnan(den) else round(float(num / den), 3)


def _chart_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Long form for the chart: UCDP best with its band, ACLED as a line without one."""
    u = table[["country_iso3", "period", "ucdp_fatalities_low", "ucdp_fatalities_best",
               "ucdp_fatalities_high"]].rename(columns=lambda c: c.replace("ucdp_", ""))
    a = table[["country_iso3", "period", "acled_fatalities"]].rename(
        columns={"acled_fatalities": "fatalities_best"})
    a["fatalities_low"] = a["fatalities_best"]
    a["fatalities_high"] = a["fatalities_best"]
    return pd.concat([u.assign(source="UCDP"), a.assign(source="ACLED")], ignore_index=True)
