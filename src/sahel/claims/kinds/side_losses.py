"""Side losses: the deaths of one side ("state forces lost more soldiers in 2022 than in 2021").

UCDP gives each event's deaths per side (``deaths_a``/``deaths_b``); the registry maps each side
to a perpetrator group (side_a = actor1, side_b = actor2), so "state forces' losses" are the
deaths of whichever side is state forces (:meth:`~sahel.panels.session.Measurer.side_deaths`,
low/high scaled like civilian deaths). Two periods: did the losses rise (fall), by the
``expected`` relative change if given? One period: were they higher (lower) than the losses of
the ``against`` side in the same events? ACLED gives no deaths per side: not measured.
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
    ratio,
    result,
    shift,
)
from sahel.claims.spec import Claim, Definition, Period
from sahel.panels.session import SideTotal


def _value(t: SideTotal, covered: bool, note: str) -> dict[str, Any]:
    return {"low": t.low, "best": t.best, "high": t.high, "events": t.events,
            "events_with_side_deaths": t.known, "covered": covered, "coverage": note}


def _unmeasured(t: SideTotal) -> bool:
    return t.events > 0 and t.known == 0


def _change_verdict(claim: Claim, best: float | None) -> str:
    if best is None:
        return UNTESTABLE
    right_way = best != 0 and (best > 0) == (claim.expect == "increase")
    target = claim.expected
    if (target is not None and abs(best - target) <= claim.tolerance) or (
            target is None and right_way):
        return SUPPORTED
    return PARTLY if right_way else CONTRADICTED


def _over_periods(claim: Claim, store: Store, d: Definition, months: int) -> Evidence:
    before, after = (shift(p, months) for p in claim.periods)
    got: list[tuple[Period, SideTotal, bool, str]] = []
    for p in (before, after):
        t, covered, note = store.side_deaths(d, claim.countries, p.start, p.end, claim.side,
                                             claim.against)
        got.append((p, t, covered, note))
    (_, t0, c0, n0), (_, t1, c1, n1) = got
    change = {b: ratio(getattr(t1, b), getattr(t0, b)) for b in BOUNDS}
    covered = c0 and c1
    note = "; ".join(dict.fromkeys((n0, n1)))
    verdict = UNTESTABLE
    if _unmeasured(t0) or _unmeasured(t1):
        note = f"{d.source} gives no deaths per side; " + note
    elif covered:
        verdict = _change_verdict(claim, change["best"])
    return Evidence(
        definition=d.label + ("" if months == 0 else f" (edges {months:+d} mo)"),
        basis=basis(d), versions=sorted(set(t0.versions + t1.versions)),
        snapshots=sorted(set(t0.snapshots + t1.snapshots)),
        filters=filters_text(d, claim.countries,
                             f"{before.start}..{before.end} vs {after.start}..{after.end}",
                             _sides(claim)),
        values={p.label: _value(t, c, n) for p, t, c, n in got},
        stat={f"change_{b}": change[b] for b in BOUNDS}, covered=verdict != UNTESTABLE,
        note=note, verdict=verdict)


def _versus(claim: Claim, store: Store, d: Definition) -> Evidence:
    p = claim.periods[0]
    mine, covered, note = store.side_deaths(d, claim.countries, p.start, p.end, claim.side,
                                            claim.against)
    theirs, _, _ = store.side_deaths(d, claim.countries, p.start, p.end, claim.against,
                                     claim.side)
    verdict = UNTESTABLE
    if _unmeasured(mine):
        note = f"{d.source} gives no deaths per side; " + note
    elif covered:
        higher = [getattr(mine, b) is not None and getattr(theirs, b) is not None
                  and getattr(mine, b) > getattr(theirs, b) for b in BOUNDS]
        hits = higher if claim.expect == "higher" else [
            getattr(mine, b) is not None and getattr(theirs, b) is not None
            and getattr(mine, b) < getattr(theirs, b) for b in BOUNDS]
        verdict = SUPPORTED if all(hits) else PARTLY if any(hits) else CONTRADICTED
    side, other = ",".join(claim.side), ",".join(claim.against)
    return Evidence(
        definition=d.label, basis=basis(d),
        versions=sorted(set(mine.versions + theirs.versions)),
        snapshots=sorted(set(mine.snapshots + theirs.snapshots)),
        filters=filters_text(d, claim.countries, f"{p.start}..{p.end}", _sides(claim)),
        values={f"{side} losses": _value(mine, covered, note),
                f"{other} losses": _value(theirs, covered, note)},
        stat={f"{side}_over_{other}": ratio(mine.best, theirs.best)},
        covered=verdict != UNTESTABLE, note=note, verdict=verdict)


def _sides(claim: Claim) -> str:
    text = "deaths of " + ",".join(claim.side)
    return text + (" against " + ",".join(claim.against) if claim.against else "")


def side_losses(claim: Claim, store: Store) -> ClaimResult:
    rows: list[Evidence] = []
    if claim.expect in ("higher", "lower"):
        rows = [_versus(claim, store, d) for d in claim.definitions]
        return result(claim, rows)
    for d in claim.definitions:
        rows += [_over_periods(claim, store, d, m) for m in claim.edge_shifts]
    primary = [r for r in rows if "edges" not in r.definition]
    tested = [r for r in rows if r.stat.get("change_best") is not None
              and r.verdict != UNTESTABLE]
    closest = None
    if tested and claim.expected is not None:
        c = min(tested, key=lambda r: abs(r.stat["change_best"] - claim.expected))
        closest = f"{c.definition}: {c.stat['change_best']:+.0%} (claimed {claim.expected:+.0%})"
    return result(claim, rows, closest, primary)
