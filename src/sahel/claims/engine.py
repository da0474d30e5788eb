"""Turn a claim spec into evidence rows and one verdict.

Verdicts: ``supported``, ``partly supported``, ``contradicted``, ``not testable``. The rule,
the same for every kind of claim: each reasonable definition that the data can measure gives
its own verdict; the claim is *supported* only when all of them support it, *contradicted* only
when all of them contradict it, *partly supported* otherwise, and *not testable* when none can
be measured — then the result names the data that would settle it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from sahel.claims.evidence import Store, Value
from sahel.claims.spec import Claim, Definition, Period, load_claims
from sahel.errors import NotFoundError

SUPPORTED, PARTLY, CONTRADICTED, UNTESTABLE = (
    "supported", "partly supported", "contradicted", "not testable")
BOUNDS = ("low", "best", "high")
CONTINUE_SHARE = 0.75  # "violence continues": the later level is at least 75% of the baseline


@dataclass
class Evidence:
    definition: str
    basis: str  # events:<source> | series:<name>
    versions: list[str]
    snapshots: list[int]
    filters: str
    values: dict[str, Any]
    stat: dict[str, Any]
    covered: bool
    note: str
    verdict: str


@dataclass
class ClaimResult:
    claim: Claim
    verdict: str
    summary: str
    evidence: list[Evidence] = field(default_factory=list)
    closest: str | None = None
    needs: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.claim.id, "document": self.claim.document, "text": self.claim.text,
            "kind": self.claim.kind, "verdict": self.verdict, "summary": self.summary,
            "closest_definition": self.closest, "needs": self.needs,
            "evidence": [e.__dict__ for e in self.evidence],
        }


def _shift(p: Period, months: int) -> Period:
    if months == 0:
        return p
    offset = pd.DateOffset(months=months)
    return Period(label=f"{p.label} ({months:+d} mo)",
                  start=(pd.Timestamp(p.start) + offset).date(),
                  end=(pd.Timestamp(p.end) + offset).date())


def _basis(d: Definition) -> str:
    return f"series:{d.series}" if d.series else f"events:{d.source}"


def _filters(d: Definition, countries: list[str], period: str) -> str:
    parts = [f"countries={','.join(countries)}", f"period={period}", f"measure={d.measure}"]
    if d.categories:
        parts.append("category=" + ",".join(d.categories))
    if d.civilian_targeting is not None:
        parts.append(f"civilian_targeting={d.civilian_targeting}")
    if d.perpetrator:
        parts.append(f"perpetrator({d.perpetrator_side})=" + ",".join(d.perpetrator))
    if d.precision != "any":
        parts.append(f"precision={d.precision}+")
    return "; ".join(parts)


def _combine(verdicts: list[str]) -> str:
    tested = [v for v in verdicts if v != UNTESTABLE]
    if not tested:
        return UNTESTABLE
    if all(v == SUPPORTED for v in tested):
        return SUPPORTED
    if all(v == CONTRADICTED for v in tested):
        return CONTRADICTED
    return PARTLY


def _ratio(after: float | None, before: float | None) -> float | None:
    if after is None or before is None or before == 0:
        return None
    return after / before - 1


# -- growth -------------------------------------------------------------------------------------

def _growth(claim: Claim, store: Store) -> ClaimResult:
    before, after = claim.periods
    rows: list[Evidence] = []
    for d in claim.definitions:
        for shift in claim.edge_shifts:
            b, a = _shift(before, shift), _shift(after, shift)
            v0 = store.measure(d, claim.countries, b.start, b.end)
            v1 = store.measure(d, claim.countries, a.start, a.end)
            change = {k: _ratio(getattr(v1, k), getattr(v0, k)) for k in BOUNDS}
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
                definition=d.label + ("" if shift == 0 else f" (edges {shift:+d} mo)"),
                basis=_basis(d), versions=sorted(set(v0.versions + v1.versions)),
                snapshots=sorted(set(v0.snapshots + v1.snapshots)),
                filters=_filters(d, claim.countries, f"{b.start}..{b.end} vs {a.start}..{a.end}"),
                values={b.label: v0.as_dict(), a.label: v1.as_dict()},
                stat={f"change_{k}": change[k] for k in BOUNDS},
                covered=covered, note="; ".join(dict.fromkeys((v0.coverage_note, v1.coverage_note))),
                verdict=verdict))
    primary = [r for r in rows if "edges" not in r.definition]
    tested = [r for r in rows if r.verdict != UNTESTABLE and r.stat["change_best"] is not None]
    closest = None
    if tested and claim.expected is not None:
        c = min(tested, key=lambda r: abs(r.stat["change_best"] - claim.expected))
        closest = f"{c.definition}: {c.stat['change_best']:+.0%} (claimed {claim.expected:+.0%})"
    return _result(claim, rows, closest, primary)


# -- compare ------------------------------------------------------------------------------------

def _compare(claim: Claim, store: Store) -> ClaimResult:
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
            definition=d.label, basis=_basis(d),
            versions=sorted({x for v in vals.values() for x in v.versions}),
            snapshots=sorted({x for v in vals.values() for x in v.snapshots}),
            filters=_filters(d, [c for g in names for c in claim.groups[g]],
                             f"{period.start}..{period.end}"),
            values={g: v.as_dict() for g, v in vals.items()},
            stat={f"{subject}_over_{g}": _ratio(vals[subject].best, vals[g].best)
                  for g in others},
            covered=covered, note="; ".join(sorted({v.coverage_note for v in vals.values()})),
            verdict=verdict))
    return _result(claim, rows)


# -- trend --------------------------------------------------------------------------------------

def _trend(claim: Claim, store: Store) -> ClaimResult:
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
                        "change": _ratio(vals[-1], vals[0]),
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
                definition=f"{region}: {d.label}", basis=_basis(d),
                versions=sorted({x for v in series.values() for x in v.versions}),
                snapshots=sorted({x for v in series.values() for x in v.snapshots}),
                filters=_filters(d, countries, f"{claim.years[0]}..{claim.years[-1]}"),
                values={str(y): {"low": v.low, "best": v.best, "high": v.high,
                                 "covered": v.covered} for y, v in series.items()},
                stat=stat, covered=not missing,
                note=("not covered: " + ", ".join(map(str, missing))) if missing else "covered",
                verdict=verdict))
            by_region.setdefault(region, []).append(verdict)
    result = _result(claim, rows)
    # regions are parts of the claim, not alternative measures: an untested part caps the claim
    parts = [_combine(v) for v in by_region.values()]
    if result.verdict == SUPPORTED and UNTESTABLE in parts:
        result.verdict = PARTLY
        result.summary = _summary(PARTLY, rows, claim) + (
            "; capped at partly supported: no data for "
            + ", ".join(r for r, v in zip(by_region, parts, strict=True) if v == UNTESTABLE))
    return result


# -- outlook ------------------------------------------------------------------------------------

def _outlook(claim: Claim, store: Store) -> ClaimResult:
    base, later = claim.periods[0], claim.periods[1:]
    rows: list[Evidence] = []
    for d in claim.definitions:
        for country, expectation in claim.outlook.items():
            v0 = store.measure(d, [country], base.start, base.end)
            for p in later:
                v1 = store.measure(d, [country], p.start, p.end)
                covered = v0.covered and v1.covered and v0.best is not None
                verdict = UNTESTABLE
                change = _ratio(v1.best, v0.best)
                if covered and v0.best is not None and v1.best is not None:
                    ok = (v1.best > v0.best if expectation == "increase"
                          else v1.best >= CONTINUE_SHARE * v0.best)
                    verdict = SUPPORTED if ok else CONTRADICTED
                rows.append(Evidence(
                    definition=f"{country} {expectation}: {d.label}", basis=_basis(d),
                    versions=sorted(set(v0.versions + v1.versions)),
                    snapshots=sorted(set(v0.snapshots + v1.snapshots)),
                    filters=_filters(d, [country], f"{base.label} vs {p.label}"),
                    values={base.label: v0.as_dict(), p.label: v1.as_dict()},
                    stat={"change_best": change}, covered=covered,
                    note="; ".join(dict.fromkeys((v0.coverage_note, v1.coverage_note))), verdict=verdict))
    return _result(claim, rows)


# -- before/after -------------------------------------------------------------------------------

def _before_after(claim: Claim, store: Store) -> ClaimResult:
    from sahel.claims.before_after import before_after_evidence

    rows = before_after_evidence(claim, store)
    return _result(claim, rows)


def _result(claim: Claim, rows: list[Evidence], closest: str | None = None,
            primary: list[Evidence] | None = None) -> ClaimResult:
    """One verdict from the definitions' verdicts; name the missing data whenever any
    definition could not be measured."""
    verdict = _combine([r.verdict for r in (primary if primary is not None else rows)])
    needs = claim.needs if any(not r.covered for r in rows) else None
    return ClaimResult(claim, verdict, _summary(verdict, rows, claim), rows, closest, needs)


def _summary(verdict: str, rows: list[Evidence], claim: Claim) -> str:
    counts = {v: sum(r.verdict == v for r in rows) for v in
              (SUPPORTED, PARTLY, CONTRADICTED, UNTESTABLE)}
    tested = len(rows) - counts[UNTESTABLE]
    text = (f"{verdict}: {tested} of {len(rows)} definitions could be measured "
            f"({counts[SUPPORTED]} support, {counts[PARTLY]} partly, "
            f"{counts[CONTRADICTED]} contradict)")
    if verdict == UNTESTABLE:
        text += f". Would settle it: {claim.needs}"
    return text


KINDS = {"growth": _growth, "compare": _compare, "trend": _trend, "outlook": _outlook,
         "before_after": _before_after}


def check_claims(ids: list[str] | None = None, *, claims_dir: Path | None = None,
                 db_path: Path | None = None,
                 registry_root: Path | None = None) -> list[ClaimResult]:
    """Check the named claims (default: all) against the store and the series."""
    claims = load_claims(claims_dir)
    chosen = ids or list(claims)
    unknown = [i for i in chosen if i not in claims]
    if unknown:
        raise NotFoundError(f"no claim {unknown[0]!r}", field="ID",
                            hint=f"known claims: {', '.join(claims)}")
    store = Store(db_path, registry_root)
    try:
        return [KINDS[claims[i].kind](claims[i], store) for i in chosen]
    finally:
        store.close()
