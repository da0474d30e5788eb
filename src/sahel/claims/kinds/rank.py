"""Rank: "X was the deadliest of G in period P".

The definition's measure is computed for every unit — country, admin-1 unit, year or
perpetrator group — and the subject's position is read at each bound (low/best/high; a tie
shares the better position). Countries and years are measured one by one (so a series can rank
them too, and coverage is per unit); admin-1 units and perpetrator groups come from one split
of the events, admin-1 spellings merged by their key. A unit the source does not cover makes
the ranking partial: it caps a supported claim at partly supported.
"""

from __future__ import annotations

from datetime import date
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
)
from sahel.claims.spec import Claim, Definition
from sahel.events.countries import to_iso3
from sahel.events.places import admin1_key

Units = dict[str, dict[str, Any]]  # unit -> low, best, high, covered


def _key(by: str, text: str) -> str:
    if by == "country_iso3":
        return to_iso3(text, text if len(text) == 3 else None) or text
    if by == "admin1":
        return admin1_key(text)
    return str(text)


def _one_by_one(claim: Claim, store: Store, d: Definition) -> tuple[Units, list[int],
                                                                    list[str]]:
    rank, period = claim.rank, claim.periods[0]
    assert rank is not None
    units: Units = {}
    snaps: set[int] = set()
    versions: set[str] = set()
    if rank.by == "country_iso3":
        keys = [_key(rank.by, k) for k in (rank.among or claim.countries)]
        spans = {k: ([k], period.start, period.end) for k in keys}
    else:
        years = rank.among or [str(y) for y in range(period.start.year, period.end.year + 1)]
        spans = {y: (claim.countries, max(period.start, date(int(y), 1, 1)),
                     min(period.end, date(int(y), 12, 31))) for y in years}
    for key, (countries, start, end) in spans.items():
        v = store.measure(d, countries, start, end)
        units[key] = {"low": v.low, "best": v.best, "high": v.high, "covered": v.covered,
                      "coverage": v.coverage_note}
        snaps |= set(v.snapshots)
        versions |= set(v.versions)
    return units, sorted(snaps), sorted(versions)


def _split(claim: Claim, store: Store, d: Definition) -> tuple[Units, str, list[int],
                                                                 list[str]]:
    rank, period = claim.rank, claim.periods[0]
    assert rank is not None
    whole = store.measure(d, claim.countries, period.start, period.end)
    covered, note = whole.covered, whole.coverage_note
    frame = store.split(d, claim.countries, period.start, period.end, rank.by)
    units: Units = {}
    names: dict[str, str] = {}
    for rec in frame.to_dict("records"):
        key = _key(rank.by, str(rec["key"]))
        names.setdefault(key, str(rec["key"]))
        unit = units.setdefault(key, {"low": 0.0, "best": 0.0, "high": 0.0,
                                      "covered": covered, "name": names[key]})
        for b in BOUNDS:
            unit[b] += float(rec[b] or 0)
    wanted = [_key(rank.by, k) for k in rank.among]
    if wanted:
        units = {k: units.get(k, {"low": 0.0, "best": 0.0, "high": 0.0, "covered": covered})
                 for k in wanted}
    elif rank.by == "perpetrator":
        units.pop("unmapped", None)  # not a group: the names the registry does not know
    return units, note, whole.snapshots, whole.versions


def position(units: Units, subject: str, bound: str, highest: bool) -> int:
    """1 + the units strictly ahead of ``subject`` at ``bound`` (ties share a place)."""
    mine = units[subject][bound] or 0.0
    ahead = [k for k, u in units.items() if k != subject
             and ((u[bound] or 0.0) > mine if highest else (u[bound] or 0.0) < mine)]
    return 1 + len(ahead)


def rank(claim: Claim, store: Store) -> ClaimResult:
    spec, period = claim.rank, claim.periods[0]
    assert spec is not None
    highest = claim.expect == "highest"
    subject = _key(spec.by, spec.subject)
    rows: list[Evidence] = []
    for d in claim.definitions:
        snaps: list[int] = []
        versions: list[str] = []
        note = "covered"
        problem = store.place_problem(d, claim.countries, period.start, period.end)
        if problem:
            units: Units = {}
            note = problem
        elif spec.by in ("country_iso3", "year"):
            units, snaps, versions = _one_by_one(claim, store, d)
            gaps = [u["coverage"] for u in units.values() if not u["covered"]]
            note = "; ".join(gaps) or "covered"
        else:
            units, note, snaps, versions = _split(claim, store, d)
        stat: dict[str, Any] = {}
        verdict = UNTESTABLE
        if subject in units and units[subject]["covered"]:
            places = {b: position(units, subject, b, highest) for b in BOUNDS}
            stat = {f"position_{b}": places[b] for b in BOUNDS}
            order = sorted(units, key=lambda k: (-(units[k]["best"] or 0.0) if highest
                                                 else (units[k]["best"] or 0.0), k))
            stat["order_best"] = [units[k].get("name", k) for k in order]
            others = [k for k in order if k != subject]
            if others:
                nxt = others[0] if places["best"] == 1 else order[places["best"] - 2]
                stat[f"{units[subject].get('name', subject)}_over_"
                     f"{units[nxt].get('name', nxt)}"] = ratio(units[subject]["best"],
                                                               units[nxt]["best"])
            hits = [places[b] == spec.position for b in BOUNDS]
            verdict = SUPPORTED if all(hits) else PARTLY if any(hits) else CONTRADICTED
            missing = [k for k, u in units.items() if not u["covered"]]
            if verdict == SUPPORTED and missing:
                verdict = PARTLY
                note = "ranked among covered units only; " + note
        elif subject not in units and units:
            note = f"no unit {spec.subject!r} in the data; " + note
        rows.append(Evidence(
            definition=d.label, basis=basis(d), versions=versions, snapshots=snaps,
            filters=filters_text(d, claim.countries, f"{period.start}..{period.end}",
                                 f"rank by {spec.by}"),
            values={units[k].get("name", k): {b: units[k][b] for b in BOUNDS}
                    | {"covered": units[k]["covered"]} for k in units},
            stat=stat, covered=verdict != UNTESTABLE, note=note, verdict=verdict))
    return result(claim, rows)
