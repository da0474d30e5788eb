"""Presence: did violence (of a kind, by a group) happen in a place during a period?

"Violence reached the Alibori and Atacora departments of Benin": each named place is a *part*
of the claim (``places:``), measured with every definition. Events found are proof of presence
even where coverage is partial; absence needs the source to cover the whole period, and a place
name no stored event carries is "not measured" (check the spelling), never "absent".
"""

from __future__ import annotations

from typing import Any

from sahel.claims.evidence import Store
from sahel.claims.result import (
    CONTRADICTED,
    PARTLY,
    SUPPORTED,
    UNTESTABLE,
    ClaimResult,
    Evidence,
    basis,
    filters_text,
    parts_result,
    result,
)
from sahel.claims.shapes import Place
from sahel.claims.spec import Claim

#: the part name used when a claim names no places (the definitions carry their own)
AS_DEFINED = "as defined"


def presence_verdict(expect: str, best: float, least: float, covered: bool) -> str:
    """``present``: at least ``least`` supports (covered or not: events are events), some but
    fewer is partly, none inside coverage contradicts. ``absent`` mirrors it."""
    if expect == "present":
        if best >= least:
            return SUPPORTED
        if not covered:
            return UNTESTABLE
        return PARTLY if best > 0 else CONTRADICTED
    if best >= least:
        return CONTRADICTED
    if not covered:
        return UNTESTABLE
    return PARTLY if best > 0 else SUPPORTED


def presence(claim: Claim, store: Store) -> ClaimResult:
    period = claim.periods[0]
    places: dict[str, Place] = claim.places or {AS_DEFINED: Place()}
    least = claim.expected if claim.expected is not None else 1.0
    rows: list[Evidence] = []
    parts: dict[str, list[str]] = {}
    for name, place in places.items():
        for d in claim.definitions:
            label = d.label if name == AS_DEFINED else f"{name}: {d.label}"
            stat: dict[str, Any] = {}
            values: dict[str, Any] = {}
            snapshots: list[int] = []
            versions: list[str] = []
            problem = store.place_problem(d, claim.countries, period.start, period.end, place)
            if problem:
                verdict, covered, note = UNTESTABLE, False, problem
            else:
                v = store.measure(d, claim.countries, period.start, period.end, place)
                covered, note = v.covered, v.coverage_note
                snapshots, versions = v.snapshots, v.versions
                best = v.best or 0.0
                values[period.label] = v.as_dict()
                if v.events:
                    months = store.split(d, claim.countries, period.start, period.end, "month",
                                         place=place)
                    hit = months[months["best"].fillna(0) > 0]["key"].tolist() or \
                        months["key"].tolist()
                    stat = {"events": v.events, "first_month": hit[0], "last_month": hit[-1],
                            "months_with_events": len(hit)}
                else:
                    stat = {"events": 0}
                verdict = presence_verdict(claim.expect, best, least, covered)
                covered = verdict != UNTESTABLE
            parts.setdefault(name, []).append(verdict)
            rows.append(Evidence(
                definition=label, basis=basis(d), versions=versions, snapshots=snapshots,
                filters=filters_text(d, claim.countries, f"{period.start}..{period.end}",
                                     place.text() or None),
                values=values, stat=stat, covered=covered, note=note, verdict=verdict))
    if len(parts) == 1:
        return result(claim, rows)
    return parts_result(claim, rows, parts)
