"""The first five shapes of claim, minus before/after: growth, compare, trend and outlook.

Moved here unchanged from ``engine.py`` (the engine now only dispatches); see
``docs/claims.md`` for what each asks and how its verdict is reached.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sahel.claims.evidence import Store, Value
from sahel.claims.result import (
    BOUNDS,
    CONTINUE_SHARE,
    CONTRADICTED,
    PARTLY,
    SUPPORTED,
    UNTESTABLE,
    ClaimResult,
    Evidence,
    basis,
    combine,
    filters_text,
    ratio,
    result,
    shift,
    summary,
)
from sahel.claims.spec import Claim

# -- growth -------------------------------------------------------------------------------------

def growth(claim: Claim, store: Store) -> ClaimResult:
    before, after = claim.periods
    rows: list[Evidence] = []
    for d in claim.definitions:
        for months in claim.edge_shifts:
            b, a = shift(before, months), shift(after, months)
            v0 = store.measure(d, claim.countries, b.start, b.end)
            v1 = store.measure(d, claim.countries, a.start, a.end)
            change = {k: ratio(getattr(v1, k), getattr(v0, k)) for k in BOUNDS}
            covered = v0.covered and v1.covered and change["best"] is not None
            verdict = UNTESTABLE
            best = change["best"]
            if covered and best is not None:
                target = claim.expected
                right_way = best != 0 and (best > 0) == (claim.expect == "increase")
                if (target is not None and abs(best - target) <= claim.tolerance) or (
                        target is None and right_way):
                    verdict = SUPPORTED
                elif right_way:  # the direction holds, the size does not
                    verdict = PARTLY
                else:
                    verdict = CONTRADICTED
            rows.append(Evidence(
                definition=d.label + ("" if months == 0 else f" (edges {months:+d} mo)"),
                basis=basis(d), versions=sorted(set(v0.versions + v1.versions)),
                snapshots=sorted(set(v0.snapshots + v1.snapshots)),
                filters=filters_text(d, claim.countries,
                                     f"{b.start}..{b.end} vs {a.start}..{a.end}"),
                values={b.label: v0.as_dict(), a.label: v1.as_dict()},
                stat={f"change_{k}": change[k] for k in BOUNDS},
                covered=covered,
                note="; ".join(dict.fromkeys((v0.coverage_note, v1.coverage_note))),
                verdict=verdict))
    primary = [r for r in rows if "edges" not in r.definition]
    tested = [r for r in rows if r.verdict != UNTESTABLE and r.stat["change_best"] is not None]
    closest = None
    if tested and claim.expected is not None:
        c = min(tested, key=lambda r: abs(r.stat["change_best"] - claim.expected))
        closest = f"{c.definition}: {c.stat['change_best']:+.0%} (claimed {claim.expected:+.0%})"
    return result(claim, rows, closest, primary)


# -- compare ------------------------------------------------------------------------------------

def compare(claim: Claim, store: Store) -> ClaimResult:
    period = claim.periods[0]
    names = list(claim.groups)
    subject, others = names[0], names[1:]
    rows: list[Evidence] = []
    for d in claim.definitions:
        vals = {g: store.measure(d, claim.groups[g], period.start, period.end) for g in names}
        covered = all(v.covered for v in vals.values())
        verdict = UNTESTABLE
        if covered:
            s = vals[subject].best or 0.0
            lower = [g for g in others if s < (vals[g].best or 0.0)]
            want_lower = claim.expect == "lower"
            hits = lower if want_lower else [g for g in others if s > (vals[g].best or 0.0)]
            verdict = (SUPPORTED if len(hits) == len(others)
                       else PARTLY if hits else CONTRADICTED)
        rows.append(Evidence(
            definition=d.label, basis=basis(d),
            versions=sorted({x for v in vals.values() for x in v.versions}),
            snapshots=sorted({x for v in vals.values() for x in v.snapshots}),
            filters=filters_text(d, [c for g in names for c in claim.groups[g]],
                             f"{period.start}..{period.end}"),
            values={g: v.as_dict() for g, v in vals.items()},
            stat={f"{subject}_over_{g}": ratio(vals[subject].best, vals[g].best)
                  for g in others},
            covered=covered, note="; ".join(sorted({v.coverage_note for v in vals.values()})),
            verdict=verdict))
    return result(claim, rows)


# -- trend --------------------------------------------------------------------------------------

def trend(claim: Claim, store: Store) -> ClaimResult:
    regions = claim.regions or {"subject": claim.countries}
    rows: list[Evidence] = []
    by_region: dict[str, list[str]] = {}
    for region, countries in regions.items():
        for d in claim.definitions:
            series: dict[int, Value] = {
                y: store.measure(d, countries, date(y, 1, 1), date(y, 12, 31))
                for y in claim.years}
            years = [y for y, v in series.items() if v.covered]
            verdict = UNTESTABLE
            stat: dict[str, Any] = {}
            if len(years) >= 3:
                vals = [series[y].best or 0.0 for y in years]
                drops = [(years[i], years[i + 1]) for i in range(len(vals) - 1)
                         if vals[i + 1] < vals[i] * (1 - claim.tolerance)]
                stat = {"first_year": years[0], "last_year": years[-1],
                        "first": vals[0], "last": vals[-1],
                        "change": ratio(vals[-1], vals[0]),
                        "years_with_decline": [f"{a}->{b}" for a, b in drops]}
                if vals[-1] > vals[0] and not drops:
                    verdict = SUPPORTED
                elif vals[-1] > vals[0]:
                    verdict = PARTLY
                else:
                    verdict = CONTRADICTED
                if verdict == SUPPORTED and (years[0], years[-1]) != (claim.years[0],
                                                                      claim.years[-1]):
                    verdict = PARTLY  # it holds, but only for part of the years claimed
            missing = [y for y in claim.years if y not in years]
            rows.append(Evidence(
                definition=f"{region}: {d.label}", basis=basis(d),
                versions=sorted({x for v in series.values() for x in v.versions}),
                snapshots=sorted({x for v in series.values() for x in v.snapshots}),
                filters=filters_text(d, countries, f"{claim.years[0]}..{claim.years[-1]}"),
                values={str(y): {"low": v.low, "best": v.best, "high": v.high,
                                 "covered": v.covered} for y, v in series.items()},
                stat=stat, covered=not missing,
                note=("not covered: " + ", ".join(map(str, missing))) if missing else "covered",
                verdict=verdict))
            by_region.setdefault(region, []).append(verdict)
    out = result(claim, rows)
    # regions are parts of the claim, not alternative measures: an untested part caps the claim
    parts = [combine(v) for v in by_region.values()]
    if out.verdict == SUPPORTED and UNTESTABLE in parts:
        out.verdict = PARTLY
        out.summary = summary(PARTLY, rows, claim) + (
            "; capped at partly supported: no data for "
            + ", ".join(r for r, v in zip(by_region, parts, strict=True) if v == UNTESTABLE))
    return out


# -- outlook ------------------------------------------------------------------------------------

def outlook(claim: Claim, store: Store) -> ClaimResult:
    base, later = claim.periods[0], claim.periods[1:]
    rows: list[Evidence] = []
    for d in claim.definitions:
        for country, expectation in claim.outlook.items():
            v0 = store.measure(d, [country], base.start, base.end)
            for p in later:
                v1 = store.measure(d, [country], p.start, p.end)
                covered = v0.covered and v1.covered and v0.best is not None
                verdict = UNTESTABLE
                change = ratio(v1.best, v0.best)
                if covered and v0.best is not None and v1.best is not None:
                    ok = (v1.best > v0.best if expectation == "increase"
                          else v1.best >= CONTINUE_SHARE * v0.best)
                    verdict = SUPPORTED if ok else CONTRADICTED
                rows.append(Evidence(
                    definition=f"{country} {expectation}: {d.label}", basis=basis(d),
                    versions=sorted(set(v0.versions + v1.versions)),
                    snapshots=sorted(set(v0.snapshots + v1.snapshots)),
                    filters=filters_text(d, [country], f"{base.label} vs {p.label}"),
                    values={base.label: v0.as_dict(), p.label: v1.as_dict()},
                    stat={"change_best": change}, covered=covered,
                    note="; ".join(dict.fromkeys((v0.coverage_note, v1.coverage_note))),
                    verdict=verdict))
    return result(claim, rows)
