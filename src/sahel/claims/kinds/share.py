"""Share: what part of a measure is due to some perpetrator groups.

"Most civilian deaths in Burkina Faso in 2023 were caused by jihadist groups": the
definition's measure is split by the registry group of each event's acting side (actor1: ACLED
actor1, UCDP side_a — the perpetrator in one-sided violence, the government in state-based
conflict), and the share of ``attributed_to`` is compared with the claimed share. Shares are
computed at each bound (low/best/high); the share among events with a known perpetrator is
shown beside, because an unattributed event may be anybody's.
"""

from __future__ import annotations

from typing import Any

from sahel.claims.evidence import Store
from sahel.claims.result import (
    BOUNDS,
    CONTRADICTED,
    PARTLY,
    SUPPORTED,
    UNTESTABLE,
    ClaimResult,
    Evidence,
    basis,
    filters_text,
    result,
)
from sahel.claims.spec import Claim

#: groups that say "we do not know who did it"
UNKNOWN = ("unmapped", "unidentified")


def share_verdict(expect: str, expected: float, tolerance: float,
                  shares: list[float]) -> str:
    """``more_than``: every bound above the claimed share supports; the best above it, or
    every bound within ``tolerance`` below it, is partly; otherwise contradicted (``less_than``
    mirrors it). ``about``: the best within ``tolerance`` supports; another bound within it is
    partly."""
    if not shares:
        return UNTESTABLE
    best = shares[len(shares) // 2]
    if expect == "about":
        if abs(best - expected) <= tolerance:
            return SUPPORTED
        return PARTLY if any(abs(s - expected) <= tolerance for s in shares) else CONTRADICTED
    sign = 1 if expect == "more_than" else -1
    above = [sign * (s - expected) > 0 for s in shares]
    if all(above):
        return SUPPORTED
    if sign * (best - expected) > 0 or any(sign * (s - expected) > -tolerance for s in shares):
        return PARTLY
    return CONTRADICTED


def share(claim: Claim, store: Store) -> ClaimResult:
    period = claim.periods[0]
    assert claim.expected is not None
    rows: list[Evidence] = []
    for d in claim.definitions:
        values: dict[str, Any] = {}
        stat: dict[str, Any] = {}
        verdict = UNTESTABLE
        snapshots: list[int] = []
        versions: list[str] = []
        problem = store.place_problem(d, claim.countries, period.start, period.end)
        if problem:
            covered, note = False, problem
        else:
            whole = store.measure(d, claim.countries, period.start, period.end)
            covered, note = whole.covered, whole.coverage_note
            snapshots, versions = whole.snapshots, whole.versions
            split = store.split(d, claim.countries, period.start, period.end, "perpetrator")
            split = split.fillna({b: 0 for b in BOUNDS})
            total = {b: float(split[b].sum()) for b in BOUNDS}
            mine = split[split["key"].isin(claim.attributed_to)]
            part = {b: float(mine[b].sum()) for b in BOUNDS}
            known = split[~split["key"].isin(UNKNOWN)]
            known_total = float(known["best"].sum())
            for rec in split.to_dict("records"):
                values[str(rec["key"])] = {b: float(rec[b]) for b in BOUNDS} | {
                    "events": int(rec["events"])}
            values["all"] = total | {"events": int(split["events"].sum())}
            shares = {b: part[b] / total[b] if total[b] else None for b in BOUNDS}
            if total["best"]:
                stat = {f"share_{b}": shares[b] for b in BOUNDS}
                stat["share_known_perpetrator_best"] = (part["best"] / known_total
                                                        if known_total else None)
                stat["unattributed_share_best"] = 1 - known_total / total["best"]
            if covered:
                got = [s for b in BOUNDS if (s := shares[b]) is not None]
                verdict = share_verdict(claim.expect, claim.expected, claim.tolerance, got)
                alt = stat.get("share_known_perpetrator_best")
                if alt is not None:
                    other = share_verdict(claim.expect, claim.expected, claim.tolerance, [alt])
                    if other != verdict:
                        note += (f"; among events with a known perpetrator the share is "
                                 f"{alt:.0%} ({other})")
        rows.append(Evidence(
            definition=d.label, basis=basis(d), versions=versions,
            snapshots=snapshots, filters=filters_text(d, claim.countries,
                                               f"{period.start}..{period.end}",
                                               "share of " + ",".join(claim.attributed_to)),
            values=values, stat=stat, covered=covered and verdict != UNTESTABLE, note=note,
            verdict=verdict))
    tested = [r for r in rows if r.stat.get("share_best") is not None]
    closest = None
    if tested:
        c = min(tested, key=lambda r: abs(r.stat["share_best"] - claim.expected))
        closest = (f"{c.definition}: {c.stat['share_best']:.0%} "
                   f"(claimed {claim.expect.replace('_', ' ')} {claim.expected:.0%})")
    return result(claim, rows, closest)
