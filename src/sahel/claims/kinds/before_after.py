"""Before/after evidence for claims: one DiD and one ITS per definition and fatality bound.

The estimators are the event-study analysis's own (:func:`sahel.analysis.event_study.did`,
:func:`~sahel.analysis.event_study.its`); this module only feeds them monthly values from the
events or from an aggregate series (which reach past 2023, where the events stop), and turns
the estimates into the claim's verdict. ``sahel analyse before-after`` gives the full study
with placebo dates.
"""

from __future__ import annotations

from typing import Any

from sahel.analysis.event_study import did, its
from sahel.claims.evidence import Store
from sahel.claims.result import (
    CONTRADICTED,
    SUPPORTED,
    UNTESTABLE,
    ClaimResult,
    Evidence,
    basis,
    filters_text,
    result,
)
from sahel.claims.spec import Claim
from sahel.errors import RegistryError
from sahel.panels.periods import Design
from sahel.registry.dates import resolve_event

#: fewer months than this after the event and a post-period estimate is noise
MIN_POST_MONTHS = 6


def _verdict(claim: Claim, coef: float | None, ci: list[float] | None) -> str:
    if coef is None or ci is None:
        return UNTESTABLE
    significant_drop = ci[1] < 0
    if claim.expect == "no_significant_decrease":
        return CONTRADICTED if significant_drop else SUPPORTED
    if claim.expect == "significant_decrease":
        return SUPPORTED if significant_drop else CONTRADICTED
    raise RegistryError(f"before_after claims expect a (no_)significant_decrease, "
                        f"not {claim.expect}", file=claim.file, field="expect",
                        hint="expect no_significant_decrease or significant_decrease")


def before_after_evidence(claim: Claim, store: Store) -> list[Evidence]:
    assert claim.event is not None
    ev = resolve_event(claim.event, store.registry)
    design = Design.around(ev.day, ev.precision, claim.window_months)  # the one period rule
    post_start = design.post_start
    start = design.pre_start.start_time.date()
    end = design.post_end.end_time.date()
    countries = claim.treated + claim.controls
    rows: list[Evidence] = []
    for d in claim.definitions:
        frame, snaps, versions = store.monthly(d, countries, start, end)
        if design.transition is not None:
            frame = frame[frame["month"] != design.transition]
        present = set(frame["country_iso3"])
        treated = [c for c in claim.treated if c in present]
        controls = [c for c in claim.controls if c in present]
        n_post = int((frame["month"] >= post_start).sum() / max(len(treated) + len(controls),
                                                                 1))
        stat: dict[str, Any] = {"event": f"{ev.label} ({ev.day})", "treated": treated,
                                "controls": controls, "post_months": n_post}
        verdict = UNTESTABLE
        note = "covered"
        if not treated or not controls or n_post < MIN_POST_MONTHS:
            note = (f"too little data: {len(treated)} treated and {len(controls)} control "
                    f"countries covered, {n_post} months after the event "
                    f"(need ≥ {MIN_POST_MONTHS})")
        else:
            verdicts = []
            fitted: dict[bytes, tuple[dict[str, Any], dict[str, Any]]] = {}
            for bound in ("low", "best", "high"):
                f = frame.assign(y=frame[bound], treated=frame["country_iso3"].isin(treated))
                key = f["y"].to_numpy(float).tobytes()
                if key not in fitted:  # a series has low = best = high: fit it once
                    mean = f[f["treated"]].groupby("month")["y"].mean()
                    fitted[key] = (did(f[["country_iso3", "month", "treated", "y"]],
                                       post_start), its(mean, post_start))
                d_out, i_out = fitted[key]
                ci = d_out.get("ci_cluster") or d_out.get("ci_hac")
                stat |= {f"did_{bound}": d_out.get("coef"), f"did_ci_{bound}": ci,
                         f"its_level_{bound}": i_out["level"],
                         f"its_level_ci_{bound}": i_out["level_ci"]}
                verdicts.append(_verdict(claim, d_out.get("coef"), ci))
            verdict = verdicts[1] if len(set(verdicts)) == 1 else "partly supported"
            if len(set(verdicts)) > 1:
                note = "the verdict depends on the fatality bound (low/best/high)"
        pre = frame[frame["month"] < post_start]
        post = frame[frame["month"] >= post_start]
        values = {
            f"{grp} {when}": {"low": part[part.country_iso3.isin(cs)]["low"].mean(),
                              "best": part[part.country_iso3.isin(cs)]["best"].mean(),
                              "high": part[part.country_iso3.isin(cs)]["high"].mean(),
                              "covered": not part.empty}
            for grp, cs in (("treated", treated), ("controls", controls))
            for when, part in (("before", pre), ("after", post))
        }
        rows.append(Evidence(
            definition=d.label + " (monthly mean per country; DiD and ITS)", basis=basis(d),
            versions=versions, snapshots=snaps,
            filters=filters_text(d, countries, f"{start}..{end}, event {ev.day}"),
            values=values, stat=stat, covered=verdict != UNTESTABLE, note=note,
            verdict=verdict))
    return rows


def before_after(claim: Claim, store: Store) -> ClaimResult:
    return result(claim, before_after_evidence(claim, store))
