"""Network on a date, diffs, timelines and the three export formats."""

from __future__ import annotations

import datetime as dt
import json
from io import BytesIO

import networkx as nx
import pytest

from sahel.errors import NotFoundError
from sahel.registry.load import Registry
from sahel.registry.network import (
    active_ties,
    diff,
    network_at,
    render_network,
    tie_edges,
    timeline,
)


def test_network_on_a_date(registry: Registry) -> None:
    ids = {t.id for t in active_ties(registry, dt.date(2021, 6, 1))}
    assert {"barkhane-mli", "takuba-mli", "minusma-mli", "eutm-mali-mli"} <= ids
    assert "wagner-mli" not in ids and "aes-liptako-gourma-charter" not in ids
    later = {t.id for t in active_ties(registry, dt.date(2024, 1, 1))}
    assert {"wagner-mli", "aes-liptako-gourma-charter"} <= later
    assert "barkhane-mli" not in later
    assert "eu-gog-coastal-states" not in later  # planned ties are not active


def test_edges_follow_roles(registry: Registry) -> None:
    assert tie_edges(registry.ties["wagner-mli"]) == [("wagner", "mli", "provides")]
    assert ("usa", "ken", "backs") in tie_edges(registry.ties["mss-haiti-kenya"])
    aes = tie_edges(registry.ties["aes-liptako-gourma-charter"])
    assert sorted(aes) == [("bfa", "aes", "member_of"), ("mli", "aes", "member_of"),
                           ("ner", "aes", "member_of")]


def test_diff_mali(registry: Registry) -> None:
    change = diff(registry, dt.date(2021, 6, 1), dt.date(2023, 12, 1), ["mli"])
    assert {t.id for t in change.gained} == {"wagner-mli", "tur-mli-drones",
                                             "aes-liptako-gourma-charter"}
    lost = {t.id for t in change.lost}
    assert {"barkhane-mli", "takuba-mli", "minusma-mli", "fra-mli-defence-treaty",
            "g5-member-mli"} <= lost


def test_timeline_includes_children_and_is_ordered(registry: Registry) -> None:
    entries = timeline(registry, "rus", sources=True)
    refs = [e.ref for e in entries]
    assert "wagner-mli" in refs and "africa-corps-ner" in refs
    firsts = [e.date.first for e in entries]
    assert firsts == sorted(firsts)
    assert all(e.sources for e in entries)
    without = [e.ref for e in timeline(registry, "rus", include_children=False)]
    assert "wagner-mli" not in without
    with pytest.raises(NotFoundError):
        timeline(registry, "nobody")


def test_exports(registry: Registry) -> None:
    snap = network_at(registry, dt.date(2023, 10, 1))
    data = json.loads(render_network(registry, snap, "json", sources=True))
    tie = next(t for t in data["ties"] if t["id"] == "usa-ner-drone-base")
    assert tie["class"] == "north_south" and tie["sources"]
    assert any(n["id"] == "ner" for n in data["nodes"])
    graph = nx.read_graphml(BytesIO(render_network(registry, snap, "graphml").encode()))
    assert graph.has_edge("usa", "ner")
    dot = render_network(registry, snap, "dot", sources=True)
    assert dot.startswith('digraph "sahel_2023-10-01"')
    assert '"usa" -> "ner"' in dot and "tooltip=" in dot
