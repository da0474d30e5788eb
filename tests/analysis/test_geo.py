"""Spatial helpers: hand-made shapes and analytic distances first, then the real Natural Earth
files (the tripoint against an independent dataset, the latitude fallback against polygons)."""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sahel.analysis import geo
from sahel.analysis.spread import COASTAL, NORTH, NORTH_LATITUDE, SOUTH


def test_haversine_known_distances() -> None:
    r = geo.EARTH_RADIUS_KM
    assert geo.haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(2 * math.pi * r / 360, rel=1e-12)
    assert geo.haversine_km(0.0, 10.0, 90.0, -50.0) == pytest.approx(math.pi * r / 2, rel=1e-12)
    # London (51.5074 N, 0.1278 W) – Paris (48.8566 N, 2.3522 E): 343.5 km great-circle
    assert geo.haversine_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, abs=1.0)
    many = geo.haversine_km(0.0, 0.0, np.zeros(3), np.array([0.0, 1.0, 2.0]))
    assert many.shape == (3,) and many[0] == 0.0


@pytest.mark.parametrize(("raw", "country", "key"), [
    ("Alibori department", "BEN", "alibori"),
    ("Atakora", "BEN", "atacora"),
    ("Atacora department", "BEN", "atacora"),
    ("Upper-East Region", "GHA", "upper east"),
    ("N'zi-Comoé region", "CIV", "n zi comoe"),
    ("Région de Tillabéry", "NER", "tillaberi"),
    ("Centre", "TGO", "centrale"),
    ("Centre Nord region", "BFA", "centre nord"),
    (None, "MLI", ""),
])
def test_admin1_key(raw: str | None, country: str, key: str) -> None:
    assert geo.admin1_key(raw, country) == key


def _quantise(lines: list[list[tuple[float, float]]], scale: float,
              origin: tuple[float, float]) -> list[list[list[int]]]:
    out = []
    for line in lines:
        q = [(round((x - origin[0]) / scale), round((y - origin[1]) / scale)) for x, y in line]
        out.append([list(q[0])] + [[b[0] - a[0], b[1] - a[1]] for a, b in pairwise(q)])
    return out


def _tiny_topology() -> dict[str, Any]:
    """A and B share an edge; C touches B at one corner only; D has a hole."""
    ox, oy, s = 10.0, 20.0, 0.5
    arcs = [
        [(11, 20), (11, 21)],                               # 0: A|B shared edge
        [(11, 21), (10, 21), (10, 20), (11, 20)],           # 1: rest of A
        [(11, 20), (12, 20), (12, 21), (11, 21)],           # 2: rest of B
        [(12, 21), (13, 21), (13, 22), (12, 22), (12, 21)],  # 3: C
        [(20, 20), (23, 20), (23, 23), (20, 23), (20, 20)],  # 4: D outer
        [(21, 21), (21, 22), (22, 22), (22, 21), (21, 21)],  # 5: D hole
    ]
    geoms = [
        {"type": "Polygon", "arcs": [[0, 1]], "id": "a", "properties": {"name": "A",
                                                                       "parentCountryId": "466"}},
        {"type": "Polygon", "arcs": [[2, ~0]], "id": "b", "properties": {"name": "B",
                                                                        "parentCountryId": "854"}},
        {"type": "MultiPolygon", "arcs": [[[3]]], "id": "c",
         "properties": {"name": "C", "parentCountryName": "Niger"}},
        {"type": "Polygon", "arcs": [[4], [5]], "id": "d", "properties": {"name": "D",
                                                                         "parentCountryId": "466"}},
    ]
    return {"type": "Topology", "transform": {"scale": [s, s], "translate": [ox, oy]},
            "objects": {"units": {"type": "GeometryCollection", "geometries": geoms}},
            "arcs": _quantise([[(float(x), float(y)) for x, y in a] for a in arcs], s, (ox, oy))}


def test_topology_decoding_and_adjacency() -> None:
    units = geo.decode_topology(_tiny_topology())
    assert [(u.name, u.country_iso3) for u in units] == [("A", "MLI"), ("B", "BFA"),
                                                          ("C", "NER"), ("D", "MLI")]
    assert units[0].bbox == (10.0, 20.0, 11.0, 21.0)
    assert units[1].arcs == frozenset({0, 2})
    assert geo.adjacent_pairs(units) == [(0, 1)]  # C only touches B at a corner
    x = np.array([10.5, 11.5, 12.5, 20.5, 21.5, 30.0])
    y = np.array([20.5, 20.5, 21.5, 20.5, 21.5, 30.0])
    assert geo.locate(x, y, units).tolist() == [0, 1, 2, 3, -1, -1]  # 21.5,21.5 is in D's hole


def test_points_in_rings_even_odd() -> None:
    square = np.array([[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], dtype=float)
    hole = np.array([[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]], dtype=float)
    inside = geo.points_in_rings(np.array([0.5, 2.0, 5.0]), np.array([0.5, 2.0, 2.0]),
                                 [square, hole])
    assert inside.tolist() == [True, False, False]


@pytest.mark.shared_data
def test_tripoint_matches_admin1_polygons(shared_data: Path) -> None:
    lat, lon, gap = geo.tripoint("MLI", "BFA", "NER", shared=shared_data)
    assert gap < 0.5  # the three Natural Earth land boundaries share the vertex
    # independent: the vertex where Mali's Gao, Burkina's Oudalan and Niger's Tillabéri
    # polygons (the admin-1 TopoJSON, another derivative) come closest together
    units = {u.key: u for u in geo.load_admin1(["MLI", "BFA", "NER"], shared=shared_data)}
    gao, oudalan, tillaberi = (np.concatenate(units[k].rings) for k in ("gao", "oudalan",
                                                                        "tillaberi"))
    best = min(((float(p[1]), float(p[0])) for p in oudalan),
               key=lambda q: max(float(np.min(geo.haversine_km(q[0], q[1], r[:, 1], r[:, 0])))
                                 for r in (gao, tillaberi)))
    assert geo.haversine_km(lat, lon, *best) < 5.0
    assert geo.haversine_km(lat, lon, 15.0, 0.25) < 15.0  # the usual rounded description


@pytest.mark.shared_data
def test_natural_earth_units_and_adjacency(shared_data: Path) -> None:
    units = geo.load_admin1(["BEN", "TGO", "GHA", "CIV", "MLI", "BFA", "NER"], shared=shared_data)
    counts = pd.Series([u.country_iso3 for u in units]).value_counts().to_dict()
    assert counts == {"BFA": 45, "CIV": 19, "BEN": 12, "GHA": 10, "MLI": 9, "NER": 8, "TGO": 5}
    names = {i: (u.country_iso3, u.key) for i, u in enumerate(units)}
    pairs = {frozenset((names[a], names[b])) for a, b in geo.adjacent_pairs(units)}
    assert frozenset({("BEN", "atacora"), ("TGO", "savanes")}) in pairs
    assert frozenset({("MLI", "sikasso"), ("BFA", "kenedougou")}) in pairs
    assert frozenset({("BEN", "alibori"), ("BEN", "mono")}) not in pairs


@pytest.mark.shared_data
def test_latitude_fallback_never_reaches_a_southern_unit(shared_data: Path) -> None:
    reach: dict[str, float] = {}
    for unit in geo.load_admin1(COASTAL, shared=shared_data):
        c = unit.country_iso3
        assert unit.key in NORTH[c] | SOUTH[c], f"{c} {unit.name} is in neither list"
        if unit.key in SOUTH[c]:
            assert unit.bbox[3] <= NORTH_LATITUDE[c], (c, unit.name, unit.bbox[3])
        else:
            reach[c] = max(reach.get(c, -90.0), unit.bbox[3])
    # the fallback is conservative, not empty: the north of each country lies above its line
    # (some northern units lie wholly below it, e.g. Côte d'Ivoire's Bafing and Worodougou)
    assert all(reach[c] > NORTH_LATITUDE[c] + 0.5 for c in COASTAL), reach


@pytest.mark.shared_data
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_draw_map_writes_a_file(shared_data: Path, tmp_path: Path, suffix: str) -> None:
    pts = pd.DataFrame({"lon": [-1.5, 0.5, 2.0], "lat": [12.4, 14.0, 11.0],
                        "year": [2019, 2021, 2023], "n": [1, 4, 2]})
    north = [u for u in geo.load_admin1(["BEN"], shared=shared_data) if u.key in NORTH["BEN"]]
    out = geo.draw_map(pts, tmp_path / f"map{suffix}", title="test", highlight=north,
                       tripoint_at=(14.91, 0.22), note="note", shared=shared_data)
    assert out.stat().st_size > 10_000
