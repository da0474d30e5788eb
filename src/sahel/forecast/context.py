"""What only this observatory knows, as monthly features: ties, blocs, sanctions, coups.

Why these: the seeds argue that who fights beside, arms, sanctions or abandons a Sahel state
changes its violence (the French withdrawal, Wagner, ECOWAS sanctions, the AES), and that coups
precede escalations. The registry dates each of those; the global coup record (CoupCats) dates
coups everywhere. Each feature is computed for month *t* from what was dated on or before the
last day of *t* — a tie counts while it is active, a coup from its month on — so a matrix cut at
a cut-off (:meth:`sahel.forecast.data.Inputs.until`) holds no later knowledge.

Features (one ``(months, countries)`` matrix each):

``ties_forces``     active foreign forces on the ground (operation, PMC, basing, mission
                    deployment, troop contribution) where the country is a party
``ties_support``    active training, assistance, defence cooperation, drones, arms, intelligence,
                    funding ties
``ties_hostile``    active sanctions or suspensions targeting the country
``member_aes`` / ``member_ecowas``   membership of the Alliance of Sahel States / ECOWAS
``align_index``     the registry's alignment index (+1 Western … −1 alternative; 0 without ties)
``align_shift12``   its change over twelve months (an alignment shift)
``coup_since`` / ``attempt_since``   months since the last successful coup / any attempt
                    (capped at 120)
``coups_36``        coups and attempts in the last 36 months

The registry covers the Sahel and its partners: elsewhere the tie features are 0, and the coup
features come from CoupCats alone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from sahel.registry.alignment import ALTERNATIVE, BLOCS, contributions
from sahel.registry.importers.coupcats import read_coupcats
from sahel.registry.load import Registry
from sahel.registry.models import Bloc, EventType, TieType

FORCES = {TieType.OPERATION, TieType.PMC_DEPLOYMENT, TieType.BASING,
          TieType.MISSION_DEPLOYMENT, TieType.TROOP_CONTRIBUTION}
SUPPORT = {TieType.TRAINING, TieType.SECURITY_ASSISTANCE, TieType.DEFENCE_COOPERATION,
           TieType.DRONES, TieType.ARMS_TRANSFER, TieType.INTELLIGENCE_SHARING, TieType.FUNDING}
HOSTILE = {TieType.SANCTIONS, TieType.SUSPENSION}
MEMBERSHIP = {TieType.MEMBERSHIP, TieType.ALLIANCE, TieType.DEFENCE_PACT}
CAP = 120
NAMES = ("ties_forces", "ties_support", "ties_hostile", "member_aes", "member_ecowas",
         "align_index", "align_shift12", "coup_since", "attempt_since", "coups_36")


def _month_end(p: int) -> dt.date:
    year, month = divmod(p, 12)
    nxt = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _state_ids(registry: Registry, units: tuple[str, ...]) -> dict[str, int]:
    """Registry state actor id -> column, for the countries the registry has as states."""
    index = {u: i for i, u in enumerate(units)}
    return {a.id: index[a.country] for a in registry.actors.values()
            if a.kind == "state" and a.country in index}


def tie_features(registry: Registry, units: tuple[str, ...], periods: np.ndarray,
                 ) -> dict[str, np.ndarray]:
    """The tie, membership and alignment matrices (see the module docstring)."""
    shape = (len(periods), len(units))
    out = {n: np.zeros(shape) for n in NAMES[:7]}
    states = _state_ids(registry, units)
    by_state: dict[str, list] = {s: [] for s in states}  # type: ignore[type-arg]
    for tie in registry.ties.values():
        for actor in set(tie.actors()) & set(states):
            by_state[actor].append(tie)
    days = [_month_end(int(p)) for p in periods]
    for sid, ties in by_state.items():
        if not ties:
            continue
        j = states[sid]
        west = np.zeros(len(periods))
        alt = np.zeros(len(periods))
        for i, day in enumerate(days):
            weights = dict.fromkeys(BLOCS, 0.0)
            for tie in ties:
                if not tie.active_on(day):
                    continue
                roles = {p.role for p in tie.parties if p.actor == sid}
                venues = set(tie.actors("venue"))
                if tie.type in FORCES and roles & {"recipient", "target", "member"}:
                    out["ties_forces"][i, j] += 1
                elif tie.type in SUPPORT and roles & {"recipient", "member"}:
                    out["ties_support"][i, j] += 1
                elif tie.type in HOSTILE and roles & {"target"}:
                    out["ties_hostile"][i, j] += 1
                if tie.type in MEMBERSHIP and "member" in roles:
                    out["member_aes"][i, j] = max(out["member_aes"][i, j], float("aes" in venues))
                    out["member_ecowas"][i, j] = max(out["member_ecowas"][i, j],
                                                     float("ecowas" in venues))
                for bloc, weight, _ in contributions(registry, tie, sid):
                    weights[bloc] += weight
            west[i] = max(weights[Bloc.WESTERN], 0.0)
            alt[i] = sum(max(weights[b], 0.0) for b in ALTERNATIVE)
        total = west + alt
        index = np.divide(west - alt, total, out=np.zeros_like(total), where=total > 0)
        out["align_index"][:, j] = index
        out["align_shift12"][12:, j] = index[12:] - index[:-12]
    return out


def coup_months(registry: Registry, coupcats: pd.DataFrame) -> pd.DataFrame:
    """``iso3, p, successful``: CoupCats' attempts plus the registry's own coup events (the
    registry's date wins for a country-month both hold; the registry adds 2026 and the
    attempts CoupCats does not list)."""
    rows = [(str(iso3), int(year) * 12 + int(month) - 1, bool(won))
            for iso3, year, month, won in zip(coupcats["iso3"], coupcats["year"],
                                              coupcats["month"], coupcats["successful"],
                                              strict=True)]
    for event in registry.events.values():
        if event.type in (EventType.COUP, EventType.COUP_ATTEMPT) and event.country:
            first = event.date.first
            rows.append((event.country, first.year * 12 + first.month - 1,
                         event.type is EventType.COUP))
    frame = pd.DataFrame(rows, columns=["iso3", "p", "successful"])
    return frame.groupby(["iso3", "p"], as_index=False).agg(successful=("successful", "max"))


def coup_features(coups: pd.DataFrame, units: tuple[str, ...], periods: np.ndarray,
                  ) -> dict[str, np.ndarray]:
    """Months since the last coup / attempt (capped) and attempts in the last 36 months."""
    shape = (len(periods), len(units))
    index = {u: i for i, u in enumerate(units)}
    hit = np.zeros(shape)
    won = np.zeros(shape)
    p0 = int(periods[0])
    for iso3, p, successful in zip(coups["iso3"], coups["p"], coups["successful"], strict=True):
        j = index.get(str(iso3))
        i = int(p) - p0
        if j is None or i >= len(periods):
            continue
        i = max(i, 0)  # before the grid: counted from its first month
        hit[i, j] = 1.0
        won[i, j] = max(won[i, j], float(successful))

    def since(events: np.ndarray) -> np.ndarray:
        out = np.full(shape, float(CAP))
        last = np.full(len(units), -10**6)
        for i in range(len(periods)):
            last = np.where(events[i] > 0, i, last)
            out[i] = np.minimum(i - last, CAP)
        return out

    rolling = pd.DataFrame(hit).rolling(36, min_periods=1).sum().to_numpy()
    return {"coup_since": since(won), "attempt_since": since(hit), "coups_36": rolling}


def registry_context(registry: Registry, units: tuple[str, ...], periods: np.ndarray,
                     coupcats: Path | None = None) -> dict[str, np.ndarray]:
    """Every context matrix on ``periods`` × ``units``."""
    out = tie_features(registry, units, periods)
    out.update(coup_features(coup_months(registry, read_coupcats(coupcats)), units, periods))
    return out
