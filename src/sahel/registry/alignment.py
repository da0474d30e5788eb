"""Alignment over time: each state's monthly partner portfolio, and the months it shifts.

Why: the seeds argue that the Sahel juntas realigned from the EU/France/US towards Russia, Turkey
and each other (docs 000, 002, 003). The registry lets us *date* that claim: for each month we sum
the state's active ties by the bloc of the partner, weighting each tie by its type, and find the
months where the leading bloc changes or the balance moves sharply.

Weights (:data:`TIE_WEIGHTS`) are a stated judgement, not an estimate: foreign forces on the ground
and mutual-defence pacts weigh 3, drones and defence-cooperation agreements 2, training and
assistance 1.5, arms deliveries, money, memberships and troop contributions 1, coordination 0.5;
hostile measures count against the bloc that takes them (sanctions −2, suspensions −1).

A tie contributes to the bloc of its *counterpart*: the venue for memberships and pacts (ECOWAS,
the AES), the providers when the state receives, the recipients when it provides, the other
members when there is no venue; funders and triangulators add half the weight to their own bloc.

The *alignment index* is ``(W − A) / (W + A)`` with W the Western weight and A the weight of
Russia/Turkey/Gulf plus the AES (positive parts): +1 is wholly Western, −1 wholly alternative.
The *realignment month* is the first month the index turns negative after at least a year above
zero. See docs/registry.md for the Mali, Burkina Faso and Niger results.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sahel.errors import InputError
from sahel.registry.load import Registry
from sahel.registry.models import Bloc, Tie, TieType

TIE_WEIGHTS: dict[TieType, float] = {
    TieType.OPERATION: 3.0,
    TieType.PMC_DEPLOYMENT: 3.0,
    TieType.BASING: 3.0,
    TieType.DEFENCE_PACT: 3.0,
    TieType.ALLIANCE: 3.0,
    TieType.MISSION_DEPLOYMENT: 2.0,
    TieType.DRONES: 2.0,
    TieType.DEFENCE_COOPERATION: 2.0,
    TieType.TRAINING: 1.5,
    TieType.SECURITY_ASSISTANCE: 1.5,
    TieType.INTELLIGENCE_SHARING: 1.0,
    TieType.ARMS_TRANSFER: 1.0,
    TieType.FUNDING: 1.0,
    TieType.MEMBERSHIP: 1.0,
    TieType.TROOP_CONTRIBUTION: 1.0,
    TieType.PEACE_AGREEMENT: 0.5,
    TieType.COORDINATION: 0.5,
    TieType.MEDIATION: 0.5,
    TieType.STATE_SPONSORSHIP: 0.0,
    TieType.SANCTIONS: -2.0,
    TieType.SUSPENSION: -1.0,
}
BLOCS: tuple[Bloc, ...] = tuple(Bloc)
ALTERNATIVE: tuple[Bloc, ...] = (Bloc.RUSSIA_TURKEY_GULF, Bloc.AES)


def bloc_of(registry: Registry, actor_id: str) -> Bloc | None:
    """The actor's bloc, inherited along ``parent`` links (Wagner → Russia → russia_turkey_gulf)."""
    seen: set[str] = set()
    node = registry.actors.get(actor_id)
    while node is not None and node.id not in seen:
        if node.bloc is not None:
            return node.bloc
        seen.add(node.id)
        node = registry.actors.get(node.parent.actor) if node.parent else None
    return None


def contributions(registry: Registry, tie: Tie, state: str) -> list[tuple[Bloc, float, str]]:
    """``(bloc, weight, counterpart)`` that ``tie`` adds to ``state``'s portfolio."""
    roles = {p.role for p in tie.parties if p.actor == state}
    if not roles or roles == {"venue"}:
        return []
    weight = TIE_WEIGHTS[tie.type]
    venues = [a for a in tie.actors("venue") if a != state]
    if venues and roles & {"member"}:
        counterparts = venues
    elif roles & {"recipient", "target"}:
        counterparts = [a for a in tie.actors("provider") if a != state]
    elif roles & {"provider"}:
        counterparts = [a for a in tie.actors("recipient", "target") if a != state] or venues
    else:
        counterparts = [a for a in tie.actors("member") if a != state] or venues
    out = [
        (bloc_of(registry, c) or Bloc.OTHER, weight / len(counterparts), c) for c in counterparts
    ]
    backers = [a for a in tie.actors("funder", "triangulator") if a != state]
    out += [(bloc_of(registry, b) or Bloc.OTHER, 0.5 * weight / len(backers), b) for b in backers]
    return out


def _months(start: str, end: str) -> list[dt.date]:
    try:
        first = dt.date.fromisoformat(start + "-01")
        last = dt.date.fromisoformat(end + "-01")
    except ValueError as exc:
        raise InputError(
            f"months must be YYYY-MM, got {start!r} and {end!r}", hint="e.g. --from 2019-01"
        ) from exc
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def state_id(registry: Registry, state: str) -> str:
    """Accept an ISO3 code or an actor id ('MLI', 'mli')."""
    candidate = state.lower()
    actor = registry.actor(candidate)
    return actor.id


def partner_portfolio(
    registry: Registry, state: str, start: str = "2010-01", end: str = "2025-12"
) -> pd.DataFrame:
    """Monthly partner portfolio of ``state``: net weight per bloc, index, leader, ties.

    One row per month (snapshot on the month's last day). Columns: ``month``, one column per
    bloc, ``alignment_index``, ``leader`` (bloc with the largest net weight, '' if none) and
    ``ties`` (ids of the state's active ties, ';'-separated).
    """
    sid = state_id(registry, state)
    involved = [t for t in registry.ties.values() if sid in t.actors()]
    rows = []
    for day in _months(start, end):
        weights = dict.fromkeys(BLOCS, 0.0)
        active = [t for t in involved if t.active_on(day)]
        for tie in active:
            for bloc, weight, _ in contributions(registry, tie, sid):
                weights[bloc] += weight
        west = max(weights[Bloc.WESTERN], 0.0)
        alt = sum(max(weights[b], 0.0) for b in ALTERNATIVE)
        positive = {b: w for b, w in weights.items() if w > 0}
        rows.append(
            {
                "month": day.strftime("%Y-%m"),
                **{b.value: round(w, 3) for b, w in weights.items()},
                "alignment_index": round((west - alt) / (west + alt), 3) if west + alt else None,
                "leader": max(positive, key=lambda b: positive[b]).value if positive else "",
                "ties": ";".join(sorted(t.id for t in active)),
            }
        )
    return pd.DataFrame(rows)


def find_shifts(portfolio: pd.DataFrame, min_delta: float = 0.15) -> pd.DataFrame:
    """Months where the leading bloc changes or the alignment index moves by ≥ ``min_delta``.

    Each row names the ties gained and lost that month, so a shift is explained, not only dated.
    A tie for the lead keeps the previous leader (no flicker on ties).
    """
    rows = []
    previous = None
    leader = ""
    for record in portfolio.to_dict("records"):
        current_leader = record["leader"]
        if previous is not None:
            weights_now = {b.value: record[b.value] for b in BLOCS}
            if leader and current_leader != leader and weights_now.get(leader, 0) >= max(
                weights_now.values()
            ):
                current_leader = leader  # tie for first place: keep the incumbent
            before, after = previous["alignment_index"], record["alignment_index"]
            moved = (
                before is not None
                and after is not None
                and not pd.isna(before)
                and not pd.isna(after)
                and abs(after - before) >= min_delta
            )
            changed = bool(leader) and bool(current_leader) and current_leader != leader
            if moved or changed:
                old = set(filter(None, str(previous["ties"]).split(";")))
                new = set(filter(None, str(record["ties"]).split(";")))
                rows.append(
                    {
                        "month": record["month"],
                        "kind": "leader_change" if changed else "index_change",
                        "leader_before": leader,
                        "leader_after": current_leader,
                        "index_before": before,
                        "index_after": after,
                        "gained": ";".join(sorted(new - old)),
                        "lost": ";".join(sorted(old - new)),
                    }
                )
        previous = record
        leader = current_leader or leader
    columns = ["month", "kind", "leader_before", "leader_after", "index_before", "index_after",
               "gained", "lost"]
    return pd.DataFrame(rows, columns=columns)


def realignment_month(portfolio: pd.DataFrame, min_months: int = 12) -> str | None:
    """First month the index turns negative after ≥ ``min_months`` consecutive positive months."""
    run = 0
    for month, value in zip(portfolio["month"], portfolio["alignment_index"], strict=True):
        if value is None or pd.isna(value):
            run = 0
            continue
        if value > 0:
            run += 1
        elif value < 0 and run >= min_months:
            return str(month)
        else:
            run = 0
    return None


@dataclass
class AlignmentReport:
    """Per state: the monthly portfolio, its shifts and the realignment month."""

    portfolios: dict[str, pd.DataFrame]
    shifts: dict[str, pd.DataFrame]
    realignment: dict[str, str | None]

    def summary(self) -> pd.DataFrame:
        rows = []
        for state, frame in self.portfolios.items():
            shifts = self.shifts[state]
            leader_changes = shifts[shifts["kind"] == "leader_change"]
            rows.append(
                {
                    "state": state.upper(),
                    "realignment_month": self.realignment[state],
                    "leader_changes": ", ".join(
                        f"{r.month} {r.leader_before}→{r.leader_after}"
                        for r in leader_changes.itertuples()
                    ),
                    "shift_months": ", ".join(shifts["month"]),
                    "latest_leader": frame["leader"].iloc[-1] if len(frame) else "",
                    "latest_index": frame["alignment_index"].iloc[-1] if len(frame) else None,
                }
            )
        return pd.DataFrame(rows)


def alignment_report(
    registry: Registry,
    states: Sequence[str] = ("MLI", "BFA", "NER"),
    start: str = "2010-01",
    end: str = "2025-12",
    min_delta: float = 0.15,
) -> AlignmentReport:
    """Portfolios, shifts and realignment months for several states."""
    portfolios: dict[str, pd.DataFrame] = {}
    shifts: dict[str, pd.DataFrame] = {}
    realign: dict[str, str | None] = {}
    for state in states:
        sid = state_id(registry, state)
        frame = partner_portfolio(registry, sid, start, end)
        portfolios[sid] = frame
        shifts[sid] = find_shifts(frame, min_delta)
        realign[sid] = realignment_month(frame)
    return AlignmentReport(portfolios, shifts, realign)
