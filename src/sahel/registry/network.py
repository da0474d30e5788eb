"""Time-sliced views of the registry: the network on a date, an actor's timeline, and a diff.

Why a graph: the questions users ask ("who was tied to Niger in June 2023?", "what did Mali gain
and lose between 2021 and 2023?") are questions about a network that changes over time. A tie is
*active* on a day if it is actual (not planned) and the day lies between the first day of its
start and the first day of its end (see :meth:`Tie.active_on` and docs/adr/002-registry.md).
Multi-party ties become directed edges: provider → recipient/target, funder/triangulator →
provider (or recipient), member → venue (or member ↔ member when there is no venue).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, Literal

import networkx as nx

from sahel.registry.alignment import bloc_of
from sahel.registry.classify import Capabilities, classify_tie, horizontality
from sahel.registry.load import Registry
from sahel.registry.models import FuzzyDate, SystemEvent, Tie

Format = Literal["json", "graphml", "dot"]


def active_ties(registry: Registry, at: dt.date) -> list[Tie]:
    """Ties active on ``at``, in id order."""
    return sorted((t for t in registry.ties.values() if t.active_on(at)), key=lambda t: t.id)


def tie_edges(tie: Tie) -> list[tuple[str, str, str]]:
    """Directed edges ``(source, target, relation)`` that stand for one tie."""
    providers = tie.actors("provider")
    targets = tie.actors("recipient", "target")
    backers = tie.actors("funder", "triangulator")
    members = tie.actors("member")
    venues = tie.actors("venue")
    edges = [(p, r, "provides") for p in providers for r in targets]
    if providers and not targets:
        edges += [(p, v, "provides") for p in providers for v in venues]
    edges += [(b, x, "backs") for b in backers for x in (providers or targets)]
    if venues and not providers:
        edges += [(m, v, "member_of") for m in members for v in venues]
    elif not venues:
        edges += [
            (a, b, "partners") for i, a in enumerate(members) for b in members[i + 1 :]
        ]
    return edges


def source_labels(registry: Registry, tie: Tie | SystemEvent) -> list[str]:
    return [s.label(registry.documents) for s in tie.sources]


def tie_record(
    registry: Registry, tie: Tie, *, sources: bool = False, capabilities: Capabilities | None = None
) -> dict[str, Any]:
    """A JSON-ready description of a tie, with its class and horizontality."""
    kind = classify_tie(registry, tie)
    horiz = horizontality(registry, tie, capabilities)
    record: dict[str, Any] = {
        "id": tie.id,
        "type": tie.type.value,
        "label": tie.label,
        "parties": [{"actor": p.actor, "role": p.role} for p in tie.parties],
        "start": str(tie.start),
        "start_precision": tie.start.precision,
        "end": str(tie.end) if tie.end else None,
        "status": tie.status,
        "origin": tie.origin,
        "class": kind.kind,
        "class_reason": kind.reason,
        "horizontality": horiz.score,
        "horizontality_components": horiz.components,
    }
    if sources:
        record["sources"] = source_labels(registry, tie)
    return record


@dataclass
class NetworkSnapshot:
    """The network on one date: active ties and the graph built from them."""

    at: dt.date
    ties: list[Tie]
    graph: nx.MultiDiGraph = field(repr=False)


def network_at(registry: Registry, at: dt.date) -> NetworkSnapshot:
    """The security-cooperation network active on ``at``."""
    ties = active_ties(registry, at)
    graph = nx.MultiDiGraph(at=at.isoformat())
    for tie in ties:
        for source, target, relation in tie_edges(tie):
            for node in (source, target):
                if node not in graph:
                    actor = registry.actors.get(node)
                    bloc = bloc_of(registry, node)
                    graph.add_node(
                        node,
                        name=actor.name if actor else node,
                        kind=actor.kind.value if actor else "unknown",
                        country=(actor.country or "") if actor else "",
                        position=actor.position.value if actor else "not_applicable",
                        bloc=bloc.value if bloc else "",
                    )
            graph.add_edge(
                source, target, key=tie.id, tie=tie.id, type=tie.type.value, relation=relation
            )
    return NetworkSnapshot(at, ties, graph)


def render_network(
    registry: Registry,
    snapshot: NetworkSnapshot,
    fmt: Format = "json",
    *,
    sources: bool = False,
    capabilities: Capabilities | None = None,
) -> str:
    """Serialise a snapshot as JSON (nodes + ties), GraphML or Graphviz DOT."""
    graph = snapshot.graph
    records = {t.id: tie_record(registry, t, sources=sources, capabilities=capabilities)
               for t in snapshot.ties}
    if fmt == "json":
        payload = {
            "at": snapshot.at.isoformat(),
            "nodes": [{"id": n, **data} for n, data in sorted(graph.nodes(data=True))],
            "edges": [
                {"source": s, "target": t, **data} for s, t, data in graph.edges(data=True)
            ],
            "ties": list(records.values()),
        }
        return json.dumps(payload, indent=2, ensure_ascii=False)
    if fmt == "graphml":
        export = nx.MultiDiGraph(graph)
        for _s, _t, data in export.edges(data=True):
            rec = records[data["tie"]]
            data["class"] = rec["class"]
            data["start"] = rec["start"]
            data["end"] = rec["end"] or ""
            data["horizontality"] = -1.0 if rec["horizontality"] is None else rec["horizontality"]
            if sources:
                data["sources"] = " | ".join(rec.get("sources", []))
        buffer = BytesIO()
        nx.write_graphml(export, buffer, encoding="utf-8")
        return buffer.getvalue().decode("utf-8")
    lines = [f'digraph "sahel_{snapshot.at.isoformat()}" {{', "  rankdir=LR;"]
    for node, data in sorted(graph.nodes(data=True)):
        lines.append(f"  {_dot_id(node)} [label={_dot_str(data['name'])}, "
                     f"bloc={_dot_str(data['bloc'])}];")
    for source, target, data in graph.edges(data=True):
        rec = records[data["tie"]]
        label = f"{rec['type']} ({rec['class']})"
        extra = ""
        if sources:
            extra = f", tooltip={_dot_str(' | '.join(rec.get('sources', [])))}"
        lines.append(f"  {_dot_id(source)} -> {_dot_id(target)} "
                     f"[label={_dot_str(label)}, tie={_dot_str(data['tie'])}{extra}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_id(value: str) -> str:
    return _dot_str(value)


def _dot_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- timeline and diff ------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    date: FuzzyDate
    kind: Literal["tie_start", "tie_end", "event"]
    ref: str
    description: str
    actors: tuple[str, ...]
    sources: tuple[str, ...] = ()


def descendants(registry: Registry, actor_id: str) -> set[str]:
    """The actor and every actor whose parent chain leads to it (Russia → Wagner, Africa Corps)."""
    found = {actor_id}
    changed = True
    while changed:
        changed = False
        for actor in registry.actors.values():
            if actor.parent and actor.parent.actor in found and actor.id not in found:
                found.add(actor.id)
                changed = True
    return found


def timeline(
    registry: Registry, actor_id: str, *, include_children: bool = True, sources: bool = False
) -> list[TimelineEntry]:
    """Dated ties (starts and ends) and system events involving the actor, in date order."""
    registry.actor(actor_id)  # raises NotFoundError with a hint
    ids = descendants(registry, actor_id) if include_children else {actor_id}
    entries: list[TimelineEntry] = []
    for tie in registry.ties.values():
        involved = tuple(a for a in tie.actors() if a in ids)
        if not involved:
            continue
        srcs = tuple(source_labels(registry, tie)) if sources else ()
        others = ", ".join(a for a in tie.actors() if a not in ids)
        status = " [planned]" if tie.status == "planned" else ""
        entries.append(TimelineEntry(tie.start, "tie_start", tie.id,
                                     f"starts: {tie.label}{status} (with {others})", involved, srcs))
        if tie.end is not None:
            entries.append(TimelineEntry(tie.end, "tie_end", tie.id,
                                         f"ends: {tie.label}", involved, srcs))
    for event in registry.events.values():
        involved = tuple(a.actor for a in event.actors if a.actor in ids)
        if not involved:
            continue
        srcs = tuple(source_labels(registry, event)) if sources else ()
        entries.append(TimelineEntry(event.date, "event", event.id, event.title, involved, srcs))
    order = {"tie_end": 0, "event": 1, "tie_start": 2}
    return sorted(entries, key=lambda e: (e.date.first, order[e.kind], e.ref))


@dataclass(frozen=True)
class NetworkDiff:
    before: dt.date
    after: dt.date
    gained: list[Tie]
    lost: list[Tie]


def diff(registry: Registry, before: dt.date, after: dt.date,
         actor_ids: Iterable[str] | None = None) -> NetworkDiff:
    """Ties active on ``after`` but not ``before`` (gained) and the reverse (lost).

    ``actor_ids`` restricts the diff to ties involving those actors.
    """
    wanted = set(actor_ids) if actor_ids is not None else None

    def keep(tie: Tie) -> bool:
        return wanted is None or bool(wanted & set(tie.actors()))

    first = {t.id: t for t in active_ties(registry, before) if keep(t)}
    second = {t.id: t for t in active_ties(registry, after) if keep(t)}
    gained = [second[i] for i in sorted(second.keys() - first.keys())]
    lost = [first[i] for i in sorted(first.keys() - second.keys())]
    return NetworkDiff(before, after, gained, lost)
