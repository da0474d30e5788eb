"""What every kind of claim returns: evidence rows, one verdict, and the rule that combines them.

Verdicts: ``supported``, ``partly supported``, ``contradicted``, ``not testable``. The rule,
the same for every kind of claim: each reasonable definition that the data can measure gives
its own verdict; the claim is *supported* only when all of them support it, *contradicted* only
when all of them contradict it, *partly supported* otherwise, and *not testable* when none can
be measured — then the result names the data that would settle it.

This module is the bottom of the claims room: the kinds (``sahel.claims.kinds``), the engine
and the report all import it, and it imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sahel.claims.spec import Claim, Definition, Period

SUPPORTED, PARTLY, CONTRADICTED, UNTESTABLE = (
    "supported", "partly supported", "contradicted", "not testable")
VERDICTS = (SUPPORTED, PARTLY, CONTRADICTED, UNTESTABLE)
BOUNDS = ("low", "best", "high")
CONTINUE_SHARE = 0.75  # "violence continues": the later level is at least 75% of the baseline


@dataclass
class Evidence:
    definition: str
    basis: str  # events:<source> | series:<name> | registry:<what>
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
    as_of: int | None = None  # the snapshot the store was read at (None: current)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.claim.id, "document": self.claim.document, "text": self.claim.text,
            "kind": self.claim.kind, "verdict": self.verdict, "summary": self.summary,
            "closest_definition": self.closest, "needs": self.needs,
            "evidence": [e.__dict__ for e in self.evidence],
        }
        if self.as_of is not None:
            out["as_of_snapshot"] = self.as_of
        return out


def shift(p: Period, months: int) -> Period:
    """``p`` with both edges moved by ``months`` (robustness to where a period is cut)."""
    if months == 0:
        return p
    offset = pd.DateOffset(months=months)
    return Period(label=f"{p.label} ({months:+d} mo)",
                  start=(pd.Timestamp(p.start) + offset).date(),
                  end=(pd.Timestamp(p.end) + offset).date())


def basis(d: Definition) -> str:
    return f"series:{d.series}" if d.series else f"events:{d.source}"


def filters_text(d: Definition, countries: list[str], period: str,
                 place: str | None = None) -> str:
    """The filters of one evidence row, as printed under each claim."""
    parts = [f"countries={','.join(countries)}", f"period={period}", f"measure={d.measure}"]
    if d.categories:
        parts.append("category=" + ",".join(d.categories))
    if d.civilian_targeting is not None:
        parts.append(f"civilian_targeting={d.civilian_targeting}")
    if d.perpetrator:
        parts.append(f"perpetrator({d.perpetrator_side})=" + ",".join(d.perpetrator))
    if d.precision != "any":
        parts.append(f"precision={d.precision}+")
    for text in (d.place_text(), place):
        if text:
            parts.append(text)
    return "; ".join(parts)


def combine(verdicts: list[str]) -> str:
    tested = [v for v in verdicts if v != UNTESTABLE]
    if not tested:
        return UNTESTABLE
    if all(v == SUPPORTED for v in tested):
        return SUPPORTED
    if all(v == CONTRADICTED for v in tested):
        return CONTRADICTED
    return PARTLY


def ratio(after: float | None, before: float | None) -> float | None:
    if after is None or before is None or before == 0:
        return None
    return after / before - 1


def result(claim: Claim, rows: list[Evidence], closest: str | None = None,
           primary: list[Evidence] | None = None) -> ClaimResult:
    """One verdict from the definitions' verdicts; name the missing data whenever any
    definition could not be measured."""
    verdict = combine([r.verdict for r in (primary if primary is not None else rows)])
    needs = claim.needs if any(not r.covered for r in rows) else None
    return ClaimResult(claim, verdict, summary(verdict, rows, claim), rows, closest, needs)


def summary(verdict: str, rows: list[Evidence], claim: Claim) -> str:
    counts = {v: sum(r.verdict == v for r in rows) for v in VERDICTS}
    tested = len(rows) - counts[UNTESTABLE]
    text = (f"{verdict}: {tested} of {len(rows)} definitions could be measured "
            f"({counts[SUPPORTED]} support, {counts[PARTLY]} partly, "
            f"{counts[CONTRADICTED]} contradict)")
    if verdict == UNTESTABLE:
        text += f". Would settle it: {claim.needs}"
    return text


def parts_result(claim: Claim, rows: list[Evidence], parts: dict[str, list[str]],
                 closest: str | None = None) -> ClaimResult:
    """A claim made of *parts* (places, recipients, regions): each part combines its own
    definitions; the claim is supported only if every part is, contradicted only if every
    tested part is, and an untested part caps a supported claim at partly supported."""
    out = result(claim, rows, closest)
    verdicts = {name: combine(v) for name, v in parts.items()}
    tested = {n: v for n, v in verdicts.items() if v != UNTESTABLE}
    if not tested:
        return out
    whole = combine(list(tested.values()))
    untested = [n for n, v in verdicts.items() if v == UNTESTABLE]
    if whole == SUPPORTED and untested:
        whole = PARTLY
    out.verdict = whole
    out.summary = summary(whole, rows, claim) + "; parts: " + ", ".join(
        f"{n} {v}" for n, v in verdicts.items())
    return out
