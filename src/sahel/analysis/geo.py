"""Natural Earth geometry read in place, and the few spatial tools the spatial analyses need.

Why hand-rolled: the machine has no shapely/geopandas, and the analyses need only four things —
which admin-1 units touch (shared TopoJSON arcs), which unit a point falls in (ray casting),
great-circle distances (haversine) and a map drawn with matplotlib. Each is a few lines of
numpy, works offline, and is tested against hand-made shapes and known distances. The shared
files (``$SAHEL_SHARED_DATA/boundaries/...``) are read where they lie, never copied.
"""

from __future__ import annotations

import gzip
import json
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sahel.errors import ConfigError, NotFoundError
from sahel.events.countries import to_iso3
from sahel.events.places import EARTH_RADIUS_KM, admin1_key
from sahel.outputs import write_file

ADMIN1_TOPOJSON = ("boundaries/natural_earth_admin1_derived/"
                   "project-atlas_states-provinces_ne10m_admin1.topojson.gz")
ADMIN0_COUNTRIES = "boundaries/natural_earth/ne_50m_admin_0_countries.geojson.gz"
BOUNDARY_LINES = "boundaries/natural_earth/ne_10m_admin_0_boundary_lines_land.geojson.gz"
def shared_file(relative: str, shared: Path | None = None) -> Path:
    """A file of the shared data folder (``SAHEL_SHARED_DATA``), or a NotFoundError saying so."""
    if shared is None:
        from sahel.settings import get_settings

        shared = get_settings().shared_data
    path = Path(shared) / relative
    if not path.is_file():
        raise NotFoundError(f"boundary file {Path(relative).name} not found in the shared "
                            "data folder", file=path,
                            hint="set SAHEL_SHARED_DATA to the shared data folder")
    return path


def read_json(path: Path) -> Any:
    """JSON or gzip-compressed JSON (``.gz``) as Python objects."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


# --- admin-1 polygons (TopoJSON) -----------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    """One admin-1 polygon: rings are (n, 2) lon/lat arrays (outer rings and holes alike)."""

    uid: str
    name: str
    country_iso3: str
    rings: tuple[np.ndarray, ...]
    arcs: frozenset[int]
    bbox: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max

    @property
    def key(self) -> str:
        return admin1_key(self.name, self.country_iso3)


def _country_iso3(props: dict[str, Any]) -> str:
    import pycountry

    code = str(props.get("parentCountryId") or "")
    found = pycountry.countries.get(numeric=code) if code.isdigit() else None
    if found is not None:
        return str(found.alpha_3)
    name = str(props.get("parentCountryName") or "")
    return to_iso3(name, None) or name


def _arc_ids(nested: Any) -> Iterable[int]:
    if isinstance(nested, int):
        yield nested
    else:
        for item in nested:
            yield from _arc_ids(item)


def _decoded_arcs(topo: dict[str, Any]) -> list[np.ndarray]:
    """The topology's arcs as absolute lon/lat arrays (delta-decoded when quantised)."""
    transform = topo.get("transform")
    arcs: list[np.ndarray] = []
    for raw in topo["arcs"]:
        pts = np.asarray(raw, dtype=float)[:, :2]
        if transform:
            pts = np.cumsum(pts, axis=0) * np.asarray(transform["scale"]) + np.asarray(
                transform["translate"])
        arcs.append(pts)
    return arcs


def _ring(arcs: list[np.ndarray], ids: Sequence[int]) -> np.ndarray:
    """One closed ring from arc ids (``~i``: arc ``i`` reversed), shared ends written once."""
    parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in ids]
    return np.concatenate([parts[0], *(p[1:] for p in parts[1:])])


def decode_topology(topo: dict[str, Any], object_name: str | None = None) -> list[Unit]:
    """Units of one TopoJSON GeometryCollection (quantised or not), with their arc ids.

    An arc index ``i < 0`` means arc ``~i`` reversed (TopoJSON spec); the arc set of a unit uses
    the non-negative id, so two units that share a boundary share an arc id.
    """
    arcs = _decoded_arcs(topo)

    def ring(ids: Sequence[int]) -> np.ndarray:
        return _ring(arcs, ids)

    name = object_name or next(iter(topo["objects"]))
    units: list[Unit] = []
    for n, geom in enumerate(topo["objects"][name]["geometries"]):
        kind, nested = geom.get("type"), geom.get("arcs") or []
        polygons = [nested] if kind == "Polygon" else nested if kind == "MultiPolygon" else []
        rings = tuple(ring(r) for poly in polygons for r in poly)
        if not rings:
            continue
        allpts = np.concatenate(rings)
        props = geom.get("properties") or {}
        units.append(Unit(
            uid=str(geom.get("id", n)), name=str(props.get("name", "")),
            country_iso3=_country_iso3(props), rings=rings,
            arcs=frozenset(i if i >= 0 else ~i for i in _arc_ids(nested)),
            bbox=(float(allpts[:, 0].min()), float(allpts[:, 1].min()),
                  float(allpts[:, 0].max()), float(allpts[:, 1].max()))))
    return units


#: Natural Earth splits Burkina Faso into its 45 provinces; UCDP and ACLED name its 13 regions
#: (the 2001 division the data use). The map shows regions: each is the union of its provinces
#: (an administrative fact written by hand, keyed by ``admin1_key``).
REGION_OF_PROVINCE: dict[str, dict[str, str]] = {"BFA": {
    **dict.fromkeys(("bale", "banwa", "kossi", "mouhoun", "mou houn", "nayala", "sourou"),
                    "Boucle du Mouhoun"),
    **dict.fromkeys(("comoe", "komoe", "leraba"), "Cascades"),
    "kadiogo": "Centre",
    **dict.fromkeys(("boulgou", "koulpelogo", "kouritenga"), "Centre-Est"),
    **dict.fromkeys(("bam", "namentenga", "sanmatenga"), "Centre-Nord"),
    **dict.fromkeys(("boulkiemde", "sanguie", "sissili", "ziro"), "Centre-Ouest"),
    **dict.fromkeys(("bazega", "nahouri", "zoundweogo"), "Centre-Sud"),
    **dict.fromkeys(("gnagna", "gourma", "komondjari", "kompienga", "tapoa"), "Est"),
    **dict.fromkeys(("houet", "kenedougou", "tuy"), "Hauts-Bassins"),
    **dict.fromkeys(("loroum", "passore", "yatenga", "zondoma"), "Nord"),
    **dict.fromkeys(("ganzourgou", "kourweogo", "oubritenga"), "Plateau-Central"),
    **dict.fromkeys(("oudalan", "seno", "soum", "yagha"), "Sahel"),
    **dict.fromkeys(("bougouriba", "ioba", "noumbiel", "poni"), "Sud-Ouest"),
}}


def _as_regions(feats: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Provinces gathered into the regions the event data name (:data:`REGION_OF_PROVINCE`):
    one MultiPolygon per region; a province the table lacks stays as it is."""
    out: list[dict[str, Any]] = []
    regions: dict[tuple[str, str], dict[str, Any]] = {}
    for f in feats:
        props = f["properties"]
        table = REGION_OF_PROVINCE.get(props["country_iso3"], {})
        region = table.get(admin1_key(props["name"]))
        if region is None:
            out.append(f)
            continue
        key = (props["country_iso3"], region)
        if key not in regions:
            regions[key] = {"type": "Feature", "geometry": {"type": "MultiPolygon",
                                                            "coordinates": []},
                            "properties": {"name": region, "country_iso3": key[0],
                                           "admin1_key": admin1_key(region, key[0]),
                                           "provinces": []}}
            out.append(regions[key])
        regions[key]["geometry"]["coordinates"].extend(f["geometry"]["coordinates"])
        regions[key]["properties"]["provinces"].append(props["name"])
    return out


@lru_cache(maxsize=2)
def _admin1_features(path: Path) -> tuple[dict[str, Any], ...]:
    topo = read_json(path)
    arcs = _decoded_arcs(topo)
    name = next(iter(topo["objects"]))
    feats = []
    for geom in topo["objects"][name]["geometries"]:
        kind, nested = geom.get("type"), geom.get("arcs") or []
        if kind not in ("Polygon", "MultiPolygon") or not nested:
            continue
        polygons = [nested] if kind == "Polygon" else nested
        coords = [[np.round(_ring(arcs, r), 4).tolist() for r in poly] for poly in polygons]
        props = geom.get("properties") or {}
        iso3, unit = _country_iso3(props), str(props.get("name", ""))
        feats.append({"type": "Feature", "geometry": {"type": "MultiPolygon",
                                                      "coordinates": coords},
                      "properties": {"name": unit, "country_iso3": iso3,
                                     "admin1_key": admin1_key(unit, iso3)}})
    return tuple(_as_regions(feats))


def admin1_geojson(countries: Iterable[str], *, shared: Path | None = None,
                   path: Path | None = None) -> dict[str, Any]:
    """Natural Earth admin-1 polygons of ``countries`` (ISO3) as a GeoJSON FeatureCollection
    (4 decimals, ~10 m), each with its ``admin1_key`` — the key the aggregates carry, so a
    choropleth joins figures to shapes whatever the sources' spellings."""
    wanted = set(countries)
    feats = _admin1_features(path or shared_file(ADMIN1_TOPOJSON, shared))
    return {"type": "FeatureCollection",
            "features": [f for f in feats if f["properties"]["country_iso3"] in wanted]}


@lru_cache(maxsize=4)
def _admin1_cached(path: Path) -> tuple[Unit, ...]:
    return tuple(decode_topology(read_json(path)))


def load_admin1(countries: Iterable[str] | None = None, *, shared: Path | None = None,
                path: Path | None = None) -> list[Unit]:
    """Natural Earth admin-1 polygons (derived TopoJSON), optionally of some ISO3 countries."""
    units = _admin1_cached(path or shared_file(ADMIN1_TOPOJSON, shared))
    wanted = set(countries) if countries is not None else None
    return [u for u in units if wanted is None or u.country_iso3 in wanted]


def adjacent_pairs(units: Sequence[Unit]) -> list[tuple[int, int]]:
    """Index pairs (i < j) of units that share at least one arc, i.e. a stretch of boundary.

    Touching only at a corner does not count (TopoJSON stores corners as arc ends, not arcs).
    """
    owners: dict[int, list[int]] = {}
    for i, unit in enumerate(units):
        for arc in unit.arcs:
            owners.setdefault(arc, []).append(i)
    pairs = {(a, b) for idx in owners.values() for a in idx for b in idx if a < b}
    return sorted(pairs)


# --- points, distances ------------------------------------------------------------------------

def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in km on a sphere of radius :data:`EARTH_RADIUS_KM` (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlam = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def points_in_rings(lon: np.ndarray, lat: np.ndarray, rings: Sequence[np.ndarray]) -> np.ndarray:
    """Even-odd ray casting: True where a point is inside an odd number of rings.

    Holes and multi-part units come out right as long as rings do not overlap (true of
    admin boundaries). Points exactly on an edge may fall either side.
    """
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    inside = np.zeros(x.shape, dtype=bool)
    for r in rings:
        x1, y1 = r[:-1, 0][:, None], r[:-1, 1][:, None]
        x2, y2 = r[1:, 0][:, None], r[1:, 1][:, None]
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            xcut = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= (np.count_nonzero(crosses & (x < xcut), axis=0) % 2).astype(bool)
    return inside


def locate(lon: np.ndarray, lat: np.ndarray, units: Sequence[Unit]) -> np.ndarray:
    """Index of the unit each point falls in (-1: none); a bounding-box test goes first."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    out = np.full(x.shape, -1, dtype=int)
    for i, unit in enumerate(units):
        x0, y0, x1, y1 = unit.bbox
        cand = np.flatnonzero((out < 0) & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
        if cand.size:
            hit = points_in_rings(x[cand], y[cand], unit.rings)
            out[cand[hit]] = i
    return out


def _lines(path: Path, a: str, b: str) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    for feat in read_json(path)["features"]:
        p = feat["properties"]
        if {p.get("adm0_a3_l"), p.get("adm0_a3_r")} == {a, b}:
            g = feat["geometry"]
            parts = g["coordinates"] if g["type"] == "MultiLineString" else [g["coordinates"]]
            out.extend(np.asarray(q, dtype=float) for q in parts)
    if not out:
        raise NotFoundError(f"no {a}–{b} land boundary in {path.name}")
    return out


def tripoint(a: str = "MLI", b: str = "BFA", c: str = "NER", *, shared: Path | None = None,
             path: Path | None = None) -> tuple[float, float, float]:
    """(lat, lon, gap_km): where the a–b, b–c and a–c land boundaries meet (Natural Earth 10m).

    Among the end points of the a–b line, take the one closest to both other lines' end
    points; ``gap_km`` is that largest distance (0 when the three lines share a vertex).
    """
    return _tripoint(a, b, c, path or shared_file(BOUNDARY_LINES, shared))


@lru_cache(maxsize=8)
def _tripoint(a: str, b: str, c: str, file: Path) -> tuple[float, float, float]:
    ab, bc, ac = (np.concatenate([np.vstack([q[0], q[-1]]) for q in _lines(file, *pair)])
                  for pair in ((a, b), (b, c), (a, c)))
    best = (np.inf, 0.0, 0.0)
    for lon, lat in ab:
        gap = max(float(np.min(haversine_km(lat, lon, other[:, 1], other[:, 0])))
                  for other in (bc, ac))
        if gap < best[0]:
            best = (gap, float(lat), float(lon))
    return best[1], best[2], best[0]


def country_rings(countries: Iterable[str] | None = None, *,
                  shared: Path | None = None) -> dict[str, list[np.ndarray]]:
    """Admin-0 outlines (Natural Earth 1:50m) as lon/lat rings per ISO3 (``ADM0_A3``)."""
    wanted = set(countries) if countries is not None else None
    out: dict[str, list[np.ndarray]] = {}
    for feat in read_json(shared_file(ADMIN0_COUNTRIES, shared))["features"]:
        iso = str(feat["properties"].get("ADM0_A3"))
        if wanted is not None and iso not in wanted:
            continue
        g = feat["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        out[iso] = [np.asarray(r, dtype=float) for poly in polys for r in poly]
    return out


# --- the map ------------------------------------------------------------------------------------

def draw_map(points: pd.DataFrame, path: Path, *, title: str,
             highlight: Sequence[Unit] = (), tripoint_at: tuple[float, float] | None = None,
             note: str | None = None, shared: Path | None = None,
             extent: tuple[float, float, float, float] | None = None) -> Path:
    """Points (``lon``, ``lat``, ``year``; optional ``n`` = events per marker) coloured by year
    over admin-0 and admin-1 outlines; ``highlight`` units shaded; PNG or SVG by suffix.

    Drawn with matplotlib from the shared Natural Earth files only: no network, no tiles.
    """
    from matplotlib import colormaps
    from matplotlib.colors import BoundaryNorm
    from matplotlib.figure import Figure
    from matplotlib.patches import Polygon

    if path.suffix.lower() not in (".png", ".svg"):
        raise ConfigError(f"cannot draw a map as {path.suffix or 'no suffix'}", field="--map",
                          hint="end the map file name in .png or .svg")
    pts = points.dropna(subset=["lon", "lat", "year"])
    if extent is None:
        xs = [*pts["lon"].tolist(), *(u.bbox[0] for u in highlight), *(u.bbox[2] for u in highlight)]
        ys = [*pts["lat"].tolist(), *(u.bbox[1] for u in highlight), *(u.bbox[3] for u in highlight)]
        if tripoint_at:
            ys.append(tripoint_at[0])
            xs.append(tripoint_at[1])
        if not xs:
            xs, ys = [-12.0, 5.0], [4.0, 21.0]
        extent = (min(xs) - 1, min(ys) - 1, max(xs) + 1, max(ys) + 1)
    x0, y0, x1, y1 = extent
    aspect = 1 / np.cos(np.radians((y0 + y1) / 2))
    # size the figure to the map's shape, or constrained layout clips the title and labels
    fig = Figure(figsize=(9.0, 1.6 + 7.0 * aspect * (y1 - y0) / (x1 - x0)), layout="constrained")
    ax = fig.add_subplot()
    ax.set_facecolor("#e8f1f8")
    for rings in country_rings(shared=shared).values():
        for r in rings:
            if r[:, 0].max() >= x0 and r[:, 0].min() <= x1 and r[:, 1].max() >= y0 \
                    and r[:, 1].min() <= y1:
                ax.add_patch(Polygon(r, closed=True, facecolor="#fbfaf5", edgecolor="#555555",
                                     linewidth=0.9, zorder=1))
    for unit in load_admin1(shared=shared):
        ux0, uy0, ux1, uy1 = unit.bbox
        if ux1 < x0 or ux0 > x1 or uy1 < y0 or uy0 > y1:
            continue
        for r in unit.rings:
            ax.plot(r[:, 0], r[:, 1], color="#9a9a9a", linewidth=0.35, zorder=2)
    for unit in highlight:
        for r in unit.rings:
            ax.add_patch(Polygon(r, closed=True, facecolor="#f4c7a1", edgecolor="#c0662a",
                                 alpha=0.45, linewidth=0.8, zorder=2))
    if len(pts):
        present = sorted({int(y) for y in pts["year"]})
        years = list(range(present[0], present[-1] + 1))
        bounds = [*years, years[-1] + 1]
        norm = BoundaryNorm([b - 0.5 for b in bounds], ncolors=256)
        order = pts.sort_values("year", kind="stable")
        sizes = (6 + 4 * np.sqrt(order["n"].to_numpy(dtype=float))) if "n" in order else 9.0
        sc = ax.scatter(order["lon"], order["lat"], c=order["year"], cmap=colormaps["viridis"],
                        norm=norm, s=sizes, alpha=0.75, edgecolors="none", zorder=3)
        bar = fig.colorbar(sc, ax=ax, shrink=0.7)
        bar.set_label("year")
        step = max(1, len(years) // 12)
        bar.set_ticks(years[::step])
    if tripoint_at:
        ax.scatter([tripoint_at[1]], [tripoint_at[0]], marker="*", s=220, color="#c1121f",
                   edgecolors="black", linewidths=0.6, zorder=4, label="Mali–Burkina–Niger tripoint")
        ax.legend(loc="upper left", fontsize=8)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(aspect)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title(textwrap.fill(title, 70), fontsize=11)
    if note:
        # under the map, wrapped: a long unwrapped line inside the axes makes the constrained
        # layout shrink the map to make room for it
        fig.supxlabel(textwrap.fill(note, 130), fontsize=7, color="#333333")
    fmt = path.suffix.lower().lstrip(".")
    return write_file(path, lambda p: fig.savefig(p, format=fmt, dpi=150 if fmt == "png"
                                                  else None), what="map")
