"""South–South, North–South or triangular — and how horizontal a tie is.

The basis is doc 004 (Berger & Müller 2025):

* *South–South*: cooperation between actors that "historically share a position of
  marginalisation in the global order" — here, every core party has position ``south``.
* *Triangular*: "Northern countries support South–South interactions" (the UNOSSC definition
  doc 004 quotes) — a Northern ``funder``/``triangulator`` with no Northern core party.
* *North–South*: core parties on both sides of the divide.
* *Ambiguous*: a core party whose position is ``ambiguous`` (Turkey: "ambivalent position between
  Global South and Global North") or ``mixed`` (UN missions), and no clear North–South pair.

Horizontality: doc 004 says South–South cooperation is idealised as "equal exchanges ... between
countries at similar developmental levels, creating a 'horizontal' relationship", but that
"questions of horizontality become matters of degree", since cooperation led by "Global South
powerhouses ... often involves significant power differentials", and triangulation lets Northern
actors "(re)gain a level of control". We therefore score three components in [0, 1]:

* ``parity`` — capability parity of the state parties: ``1 - |log10(min CINC / max CINC)| / 2``
  (equal → 1, a tenfold gap → 0.5, a hundredfold gap or more → 0), using COW National Material
  Capabilities (CINC) for the tie's start year (or the latest year available, 2022);
* ``reciprocity`` — 1 when all core parties are members/partners of a mutual arrangement,
  0 for a one-way provider → recipient flow, 0.5 when both kinds are present;
* ``autonomy`` — 0 when a Northern actor provides, funds or triangulates the tie, else 1
  (North–South cooperation "is seen as hierarchical, with Global North actors providing aid to
  Southern recipients").

The score is the mean of the components that can be computed (parity needs two states with CINC).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from sahel.registry.load import Registry
from sahel.registry.models import ActorKind, Tie

TieClass = Literal["south_south", "north_south", "triangular", "north_north", "ambiguous"]
_CORE_EXCLUDED = {"venue", "funder", "triangulator"}
#: Capabilities: COW code → {year: CINC}.
Capabilities = Mapping[int, Mapping[int, float]]


@dataclass(frozen=True)
class Classification:
    kind: TieClass
    reason: str


@dataclass(frozen=True)
class Horizontality:
    score: float | None
    components: dict[str, float] = field(default_factory=dict)
    basis: str = ""


def position(registry: Registry, actor_id: str) -> str:
    actor = registry.actors.get(actor_id)
    return actor.position.value if actor else "not_applicable"


def classify_tie(registry: Registry, tie: Tie) -> Classification:
    """South–South / North–South / triangular / North–North / ambiguous, with the reason."""
    core = [p.actor for p in tie.parties if p.role not in _CORE_EXCLUDED]
    backers = [p.actor for p in tie.parties if p.role in {"funder", "triangulator"}]
    core_pos = {a: position(registry, a) for a in core}
    north_backers = [a for a in backers if position(registry, a) == "north"]
    north = [a for a, p in core_pos.items() if p == "north"]
    south = [a for a, p in core_pos.items() if p == "south"]
    unclear = [a for a, p in core_pos.items() if p in {"ambiguous", "mixed"}]
    if north_backers and not north:
        return Classification(
            "triangular",
            f"Northern backer(s) {', '.join(north_backers)} support Southern parties "
            f"{', '.join(south + unclear)}",
        )
    if north and south:
        return Classification(
            "north_south", f"Northern {', '.join(north)} with Southern {', '.join(south)}"
        )
    if south and not north and not unclear:
        return Classification("south_south", f"all core parties Southern: {', '.join(south)}")
    if north and not south and not unclear:
        return Classification("north_north", f"all core parties Northern: {', '.join(north)}")
    return Classification(
        "ambiguous",
        f"position ambiguous or mixed: {', '.join(unclear) or 'no positioned parties'}",
    )


def _state_of(registry: Registry, actor_id: str) -> int | None:
    """COW code of the actor or of the nearest ancestor state (Wagner → Russia)."""
    seen: set[str] = set()
    node = registry.actors.get(actor_id)
    while node is not None and node.id not in seen:
        if node.kind == ActorKind.STATE and node.codes is not None and node.codes.cow:
            return node.codes.cow
        if node.kind in {ActorKind.IO, ActorKind.MISSION, ActorKind.COALITION}:
            return None  # multilateral: no single state's capabilities
        seen.add(node.id)
        node = registry.actors.get(node.parent.actor) if node.parent else None
    return None


def _cinc(caps: Capabilities, cow: int, year: int) -> float | None:
    series = caps.get(cow)
    if not series:
        return None
    years = [y for y in series if y <= year] or list(series)
    value = series[max(years)]
    return value if value > 0 else None


def horizontality(
    registry: Registry, tie: Tie, capabilities: Capabilities | None = None
) -> Horizontality:
    """How horizontal a tie is (see the module docstring for the basis)."""
    core = [p for p in tie.parties if p.role not in _CORE_EXCLUDED]
    components: dict[str, float] = {}
    roles = {p.role for p in core}
    mutual = roles <= {"member"}
    one_way = roles <= {"provider", "recipient", "target"}
    components["reciprocity"] = 1.0 if mutual else 0.0 if one_way else 0.5
    steering = [p.actor for p in tie.parties if p.role in {"provider", "funder", "triangulator"}]
    northern = any(position(registry, a) == "north" for a in steering)
    components["autonomy"] = 0.0 if northern else 1.0
    if capabilities:
        states = {c for c in (_state_of(registry, p.actor) for p in core) if c is not None}
        values = [v for v in (_cinc(capabilities, c, tie.start.first.year) for c in states) if v]
        if len(values) >= 2:
            ratio = min(values) / max(values)
            components["parity"] = max(0.0, 1.0 - abs(math.log10(ratio)) / 2.0)
    score = sum(components.values()) / len(components) if components else None
    basis = (
        "mean of reciprocity (mutual 1, one-way 0), autonomy (Northern provider/backer 0) and, where "
        "two states have COW CINC scores, parity 1-|log10(min/max)|/2 (doc 004 on horizontality)"
    )
    return Horizontality(None if score is None else round(score, 3), components, basis)


def load_capabilities(shared_data: Path) -> dict[int, dict[int, float]]:
    """COW NMC CINC scores by COW code and year, from peacesciencer's ``cow_nmc`` in shared data.

    Returns an empty mapping when the file is absent (parity is then left out of the score).
    """
    path = shared_data / "peacesciencer" / "peacesciencer_cow_nmc.csv"
    if not path.is_file():
        return {}
    frame = pd.read_csv(path, usecols=["ccode", "year", "cinc"]).dropna()
    caps: dict[int, dict[int, float]] = {}
    for ccode, year, cinc in frame.itertuples(index=False):
        caps.setdefault(int(ccode), {})[int(year)] = float(cinc)
    return caps
