"""Which countries share a land border, from Natural Earth — for cross-border spatial lags.

Why the boundary *lines*: the 1:10m land-boundary file names the country on each side of every
line (``adm0_a3_l``/``adm0_a3_r``), so adjacency is read off directly, with no polygon overlay;
it is the same file the spatial analyses read (:mod:`sahel.analysis.geo`), in place.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from sahel.analysis import geo

#: Natural Earth's own codes where they are not ISO 3166 alpha-3
_NE_FIXES = {"SDS": "SSD", "KOS": "XKX", "SAH": "ESH", "PSX": "PSE", "SOL": "SOM",
             "CYN": "CYP", "KAB": "KAZ"}


@lru_cache(maxsize=4)
def _pairs(file: Path) -> frozenset[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for feat in geo.read_json(file)["features"]:
        props = feat["properties"]
        a, b = props.get("adm0_a3_l"), props.get("adm0_a3_r")
        if not a or not b:
            continue
        a, b = _NE_FIXES.get(a, a), _NE_FIXES.get(b, b)
        if a != b:
            out.add((min(a, b), max(a, b)))
    return frozenset(out)


def land_neighbours(shared: Path | None = None) -> frozenset[tuple[str, str]]:
    """Pairs of ISO3 codes that share a land boundary (each pair once, sorted)."""
    return _pairs(geo.shared_file(geo.BOUNDARY_LINES, shared))


def weights(units: tuple[str, ...], pairs: frozenset[tuple[str, str]]) -> np.ndarray:
    """Row-normalised adjacency matrix over ``units`` (a country without land neighbours has a
    zero row: its spatial lag is 0, and the number of neighbours is a feature of its own)."""
    index = {u: i for i, u in enumerate(units)}
    adj = np.zeros((len(units), len(units)))
    for a, b in pairs:
        if a in index and b in index:
            adj[index[a], index[b]] = adj[index[b], index[a]] = 1.0
    out: np.ndarray = adj / np.maximum(adj.sum(axis=1), 1.0)[:, None]
    return out
