"""Spread toward coastal West Africa (claims ``jihadist-growth`` and ``coastal-spread``).

Per source and year: events, fatalities (low/best/high) and admin-1 areas touched — by all
violence and by jihadist groups — in the Sahel, in the northern regions of Benin, Togo, Ghana
and Côte d'Ivoire, and everywhere; and how far violence lies from the Liptako-Gourma
tri-border area (Mali–Burkina Faso–Niger tripoint, computed from Natural Earth).

Why "northern regions" are listed by name: the seeds speak of violence moving south from the
Sahel into the *north* of the coastal states; a named list can be read and argued with, a
buffer cannot. Sources spell units their own way ("Alibori department", "Atakora", "Upper
East"), so names are compared through :func:`sahel.analysis.geo.admin1_key`. An event whose
admin-1 is missing or not in either list is placed by a stated latitude instead, and counted
apart (``events_by_latitude``), so the reader sees how much rests on the fallback.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from sahel.analysis import geo
from sahel.analysis.result import AnalysisResult
from sahel.events.places import ADMIN1_OK, POINT_OK, admin1_key
from sahel.panels import create_country_months
from sahel.panels.session import Measurer
from sahel.provenance import Provenance
from sahel.registry.link import SAHEL_ISO3
from sahel.store.filters import Filters
from sahel.store.query import PUBLIC_COLUMNS

COASTAL: tuple[str, ...] = ("BEN", "TGO", "GHA", "CIV")
#: northern admin-1 units (admin1_key spelling), per coastal country
NORTH: dict[str, frozenset[str]] = {
    "BEN": frozenset({"alibori", "atacora", "borgou", "donga"}),
    "TGO": frozenset({"savanes", "kara"}),
    # 2019 regions; "northern" is also the pre-2019 region that held North East and Savannah
    "GHA": frozenset({"upper east", "upper west", "northern", "north east", "savannah"}),
    # districts Savanes, Denguélé, Woroba, Zanzan; their 2011 regions; the 1997-2011 regions;
    # and the 1991-1997 regions Nord, Nord-Est, Nord-Ouest
    "CIV": frozenset({"savanes", "denguele", "woroba", "zanzan", "poro", "tchologo", "bagoue",
                      "kabadougou", "folon", "bafing", "worodougou", "bere", "bounkani",
                      "gontougo", "nord", "nord est", "nord ouest"}),
}
#: the other units, so that an unknown spelling is noticed instead of silently counted as south
SOUTH: dict[str, frozenset[str]] = {
    "BEN": frozenset({"atlantique", "collines", "couffo", "kouffo", "littoral", "mono", "oueme",
                      "plateau", "zou"}),
    "TGO": frozenset({"centrale", "plateaux", "maritime"}),
    "GHA": frozenset({"ashanti", "brong ahafo", "bono", "bono east", "ahafo", "central",
                      "eastern", "greater accra", "volta", "oti", "western", "western north"}),
    "CIV": frozenset({"abidjan", "bas sassandra", "comoe", "goh djiboua", "lacs", "lagunes",
                      "montagnes", "sassandra marahoue", "vallee du bandama", "yamoussoukro",
                      "agneby", "dix huit montagnes", "fromager", "haut sassandra", "marahoue",
                      "moyen cavally", "moyen comoe", "n zi comoe", "sud bandama", "sud comoe",
                      "agneby tiassa", "belier", "cavally", "gbeke", "gbokle", "goh",
                      "grands ponts", "guemon", "hambol", "iffou", "indenie djuablin",
                      "loh djiboua", "me", "moronou", "nawa", "n zi", "san pedro", "tonkpi",
                      "sud", "sud ouest", "ouest", "centre", "centre ouest", "centre est",
                      "centre nord"}),
}
#: latitude fallback (°N): the northernmost point of any *southern* unit of the country in
#: Natural Earth admin-1 (rounded up), so the fallback never puts a southern event in the north
#: (it may miss events in the southern fringe of a northern unit). Checked by a test.
NORTH_LATITUDE: dict[str, float] = {"BEN": 8.8, "TGO": 9.3, "GHA": 8.8, "CIV": 9.4}
#: violence only: ACLED protests, riots and strategic developments are left out unless asked for
VIOLENT: tuple[str, ...] = ("state_based", "non_state", "one_sided", "battle", "remote_violence",
                            "violence_against_civilians")
#: a point at or better than admin-1: the only events whose coordinates are used
MEASURES = ["events", "fatalities_low", "fatalities_best", "fatalities_high", "admin1_touched",
            "events_by_latitude", "located_events", "distance_median_km", "distance_p90_km"]


def _filters(filters: Filters | None, source: str | None) -> Filters:
    f = replace(filters) if filters is not None else Filters()
    if source is not None:
        f.sources = [source]
    if not f.categories:
        f.categories = list(VIOLENT)
    return f.normalised()


def load_events(filters: Filters | None = None, *, source: str | None = None,
                db_path: Path | None = None, registry_root: Path | None = None,
                shared: Path | None = None) -> tuple[pd.DataFrame, Provenance, dict[str, float]]:
    """Events with the columns the spread figures need (local use only: rows, not aggregates).

    Adds ``jihadist`` (actor1 or actor2 is a registry jihadist group), ``key`` (admin1_key),
    ``north`` and ``north_basis`` (admin1 | latitude | unplaced | None outside the coastal
    states), ``point_ok`` and ``distance_km`` from the tripoint.
    """
    f = _filters(filters, source)
    with Measurer(db_path, registry_root, f.as_of) as measurer:
        df = measurer.rows(f, PUBLIC_COLUMNS)
        prov = measurer.provenance(f)
    lat, lon, gap = geo.tripoint("MLI", "BFA", "NER", shared=shared)
    df["jihadist"] = (df["perpetrator_1"] == "jihadist") | (df["perpetrator_2"] == "jihadist")
    df["key"] = [admin1_key(a, c) for a, c in zip(df["admin1"], df["country_iso3"],
                                                       strict=True)]
    trusted = df["admin1"].notna() & df["geo_precision"].isin(ADMIN1_OK)
    df["admin1_trusted"] = trusted
    df["point_ok"] = (df["geo_precision"].isin(POINT_OK) & df["latitude"].notna()
                      & df["longitude"].notna())
    basis = pd.Series(None, index=df.index, dtype="object")
    north = pd.Series(False, index=df.index)
    for c in COASTAL:
        inc = df["country_iso3"] == c
        by_name_n = inc & trusted & df["key"].isin(NORTH[c])
        by_name_s = inc & trusted & df["key"].isin(SOUTH[c])
        rest = inc & ~by_name_n & ~by_name_s
        by_lat = rest & df["point_ok"]
        basis[by_name_n | by_name_s] = "admin1"
        basis[by_lat] = "latitude"
        basis[rest & ~df["point_ok"]] = "unplaced"
        north |= by_name_n | (by_lat & (df["latitude"] >= NORTH_LATITUDE[c]))
    df["north"], df["north_basis"] = north, basis
    df["distance_km"] = np.where(df["point_ok"], geo.haversine_km(
        lat, lon, df["latitude"].astype(float), df["longitude"].astype(float)), np.nan)
    return df, prov, {"tripoint_lat": lat, "tripoint_lon": lon, "tripoint_gap_km": gap}


def _zones(df: pd.DataFrame, covered: set[str]) -> list[tuple[str, pd.Series, set[str]]]:
    zones = [("all", pd.Series(True, index=df.index), covered),
             ("sahel", df["country_iso3"].isin(SAHEL_ISO3), covered & set(SAHEL_ISO3)),
             ("coastal_north", df["north"], covered & set(COASTAL))]
    zones += [(f"north_{c}", df["north"] & (df["country_iso3"] == c), covered & {c})
              for c in COASTAL]
    return zones


def _measures(part: pd.DataFrame) -> dict[str, float]:
    dist = part["distance_km"].dropna().to_numpy(dtype=float)
    named = part[part["admin1_trusted"]]
    return {
        "events": float(len(part)),
        "fatalities_low": float(part["fatalities_low"].sum()),
        "fatalities_best": float(part["fatalities_best"].sum()),
        "fatalities_high": float(part["fatalities_high"].sum()),
        "admin1_touched": float(named[["country_iso3", "key"]].drop_duplicates().shape[0]),
        "events_by_latitude": float((part["north_basis"] == "latitude").sum()),
        "located_events": float(dist.size),
        "distance_median_km": round(float(np.median(dist)), 1) if dist.size else np.nan,
        "distance_p90_km": round(float(np.percentile(dist, 90)), 1) if dist.size else np.nan,
    }


def _coverage_years(f: Filters, db_path: Path | None) -> dict[tuple[str, int], set[str]]:
    cov = create_country_months(f, db_path=db_path, with_registry=False).coverage
    out: dict[tuple[str, int], set[str]] = {}
    for rec in cov.to_dict("records"):
        for year in range(pd.Timestamp(rec["first_month"]).year,
                          pd.Timestamp(rec["last_month"]).year + 1):
            out.setdefault((str(rec["source"]), year), set()).add(str(rec["country_iso3"]))
    return out


def coastal_spread(filters: Filters | None = None, *, source: str | None = None,
                   db_path: Path | None = None, registry_root: Path | None = None,
                   shared: Path | None = None) -> AnalysisResult:
    """Events, fatalities (low/best/high), admin-1 areas touched and distance from the tripoint,
    per source × zone × actors (all | jihadist) × year. Sources are never summed together.

    Rows exist only for years in which the source covers at least one country of the zone;
    ``countries`` lists them, because a zone's totals move when a country enters the store.
    """
    f = _filters(filters, source)
    df, prov, tri = load_events(f, db_path=db_path, registry_root=registry_root, shared=shared)
    cover = _coverage_years(f, db_path)
    rows: list[dict[str, object]] = []
    for (src, year), covered in sorted(cover.items()):
        part = df[(df["source"] == src) & (df["year"] == year)]
        for zone, mask, zone_countries in _zones(part, covered):
            if not zone_countries:
                continue
            for actors in ("all", "jihadist"):
                sel = part[mask & part["jihadist"]] if actors == "jihadist" else part[mask]
                rows.append({"source": src, "zone": zone, "actors": actors, "year": year,
                             "countries": ",".join(sorted(zone_countries)), **_measures(sel)})
    table = pd.DataFrame(rows, columns=["source", "zone", "actors", "year", "countries",
                                        *MEASURES])
    for col in ("events", "fatalities_low", "fatalities_best", "fatalities_high",
                "admin1_touched", "events_by_latitude", "located_events"):
        table[col] = table[col].astype("int64")
    coastal = df[df["country_iso3"].isin(COASTAL)]
    unknown = coastal[(coastal["north_basis"] == "latitude") & coastal["admin1"].notna()]
    stats: dict[str, object] = {k: round(v, 4) for k, v in tri.items()}
    stats["events_by_latitude"] = int((coastal["north_basis"] == "latitude").sum())
    stats["coastal_events_unplaced"] = int((coastal["north_basis"] == "unplaced").sum())
    # kept as the source gives them, but said: a low above best or a high below best
    stats["events_with_crossed_bounds"] = int(((df["fatalities_low"] > df["fatalities_best"])
                                               | (df["fatalities_high"] < df["fatalities_best"])
                                               ).fillna(False).sum())
    jd = table[(table["zone"] == "all") & (table["actors"] == "jihadist")
               & (table["located_events"] > 0)]
    for src in sorted(jd["source"].unique()):
        part = jd[jd["source"] == src]
        for i in (0, -1):
            year, km = int(part["year"].iloc[i]), float(part["distance_median_km"].iloc[i])
            stats[f"{src}_jihadist_median_km_{year}"] = round(km)
    notes = [f"admin-1 names not in the northern or southern lists, placed by latitude: "
             f"{', '.join(sorted(unknown['admin1'].astype(str).unique()))}"] if len(unknown) else []
    notes.append("northern regions: " + "; ".join(
        f"{c} {', '.join(sorted(NORTH[c]))} (fallback ≥ {NORTH_LATITUDE[c]}°N)" for c in COASTAL))
    return AnalysisResult(
        name="coastal_spread",
        title="Spread toward coastal West Africa: the Sahel, the north of the coastal states, "
              "and distance from the Liptako-Gourma tripoint",
        table=table, provenance=prov, stats=stats, notes=notes,
        method=(
            "Events of the violent categories (UCDP all types; ACLED battles, explosions/remote "
            "violence, violence against civilians) per source and year. Jihadist: actor1 or "
            "actor2 resolves (registry ActorMatcher) to an actor whose perpetrator group is "
            "'jihadist' — UCDP names the government as side_a in state-based conflict, so "
            "'involving' rather than actor1 only. Coastal north: the event's admin-1 (source "
            "spelling, normalised; trusted at precision exact…region as in admin1 panels) is "
            "in the country's northern list; events with no or an unlisted admin-1 but a point "
            "at or better than admin-1 are north when at or above the country's fallback "
            "latitude (events_by_latitude). Admin-1 touched: distinct named units with ≥1 "
            "event. Distance: great-circle km (haversine, R=6371.0 km) from the Mali–Burkina "
            f"Faso–Niger tripoint ({tri['tripoint_lat']:.3f}°N, {tri['tripoint_lon']:.3f}°E, "
            "where the Natural Earth 10m MLI–BFA, BFA–NER and MLI–NER land boundaries meet) "
            "of events located at or better than admin-1; median and 90th percentile."),
        limits=[
            "UCDP and ACLED count different things (UCDP: organised violence with ≥1 death "
            "in a dyad above 25 deaths a year; ACLED: reported events); never add them up.",
            "A zone's series changes when a country enters or leaves the store (see "
            "'countries'); the shared UCDP files lack Niger and Ghana, ACLED Ghana stops in "
            "2021 and the ACLED Sahel files in 2020.",
            "Jihadist attribution depends on the registry's aliases; unresolved names count as "
            "not jihadist, and ACLED associated actors are not used.",
            "The latitude fallback is conservative (north of every southern unit) and misses "
            "events in the southern fringe of northern units (Côte d'Ivoire's Bafing and "
            "Worodougou lie wholly below 9.4°N); it applies only when admin-1 is missing.",
            "Admin-1 units touched are counted in each source's own units (Burkina Faso: 13 "
            "regions in UCDP and ACLED), so counts are comparable within a source only.",
            "ACLED: aggregates only; no ACLED event row leaves this function's table.",
        ],
        chart={"kind": "line", "x": "year", "y": "value", "low": "value_low",
               "high": "value_high", "series": "series", "facet": "panel", "ylabel": "",
               "data": chart_data(table, source),
               "title": "Jihadist-group violence in the Sahel and in the north of the coastal "
                        f"states, and its distance from the tripoint ({_one_source(table, source)})"},
    )


def _one_source(table: pd.DataFrame, source: str | None) -> str:
    if source is not None:
        return source
    sources = sorted(table["source"].unique())
    return "ucdp_ged" if "ucdp_ged" in sources or not sources else str(sources[0])


def chart_data(table: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """The chart's long table for one source: panels of jihadist events, fatalities (best,
    band low–high), admin-1 areas touched (Sahel and coastal north apart, their scales differ
    a hundredfold) and the distance from the tripoint of all located violence."""
    t = table[table["source"] == _one_source(table, source)]
    jih = t[t["actors"] == "jihadist"]
    parts, letters = [], iter("abcdef")
    for panel, col, low, high in (("events", "events", "events", "events"),
                                  ("fatalities (best, low–high)", "fatalities_best",
                                   "fatalities_low", "fatalities_high"),
                                  ("admin-1 areas touched", "admin1_touched", "admin1_touched",
                                   "admin1_touched")):
        for where, zones in (("Sahel", ["sahel"]), ("coastal north", [f"north_{c}" for c in
                                                                      COASTAL])):
            z = jih[jih["zone"].isin(zones)]
            parts.append(pd.DataFrame({"panel": f"{next(letters)}. jihadist {panel} · {where}",
                                       "year": z["year"],
                                       "series": z["zone"], "value": z[col],
                                       "value_low": z[low], "value_high": z[high]}))
    dist = t[t["zone"] == "all"]
    for stat, col in (("median", "distance_median_km"), ("90th pct", "distance_p90_km")):
        parts.append(pd.DataFrame({"panel": "g. km from the tripoint (all located events)",
                                   "year": dist["year"], "series": dist["actors"] + " " + stat,
                                   "value": dist[col], "value_low": dist[col],
                                   "value_high": dist[col]}))
    out = pd.concat(parts, ignore_index=True)
    return out.dropna(subset=["value"]).astype({"value": float, "value_low": float,
                                                "value_high": float})


#: map frame (lon0, lat0, lon1, lat1): Mauritania and Senegal to Niger and Nigeria, the Sahel to
#: the Gulf of Guinea
WEST_AFRICA = (-18.0, 3.5, 16.5, 25.5)


def coastal_map(path: Path, filters: Filters | None = None, *, source: str | None = None,
                actors: str = "jihadist", db_path: Path | None = None,
                registry_root: Path | None = None, shared: Path | None = None) -> Path:
    """Map of events located at or better than admin-1, coloured by year, with the northern
    regions shaded and the tripoint starred (PNG/SVG by suffix).

    ACLED events are drawn as 0.5° cells (marker size = events), never as event points: the
    map is a public figure and ACLED's terms allow aggregates only.
    """
    df, prov, tri = load_events(filters, source=source, db_path=db_path,
                                registry_root=registry_root, shared=shared)
    src = _one_source(df, source)
    sel = df[(df["source"] == src) & df["point_ok"]]
    if actors == "jihadist":
        sel = sel[sel["jihadist"]]
    pts = pd.DataFrame({"lon": sel["longitude"].astype(float), "lat": sel["latitude"].astype(float),
                        "year": sel["year"].astype(int)})
    if src == "acled":
        pts["lon"], pts["lat"] = (np.floor(pts["lon"] * 2) / 2 + 0.25,
                                  np.floor(pts["lat"] * 2) / 2 + 0.25)
        pts = pts.groupby(["lon", "lat", "year"], as_index=False).size().rename(
            columns={"size": "n"})
    # the study region: the Sahel and coastal West Africa (the store may also hold events of
    # other regions, e.g. a global sample); what lies outside is counted, not drawn
    x0, y0, x1, y1 = WEST_AFRICA
    inside = pts["lon"].between(x0, x1) & pts["lat"].between(y0, y1)
    outside = int((~inside).sum()) if src != "acled" else int(pts.loc[~inside, "n"].sum())
    pts = pts[inside]
    north = [u for u in geo.load_admin1(COASTAL, shared=shared) if u.key in NORTH[u.country_iso3]]
    what = "jihadist-group events" if actors == "jihadist" else "violent events"
    return geo.draw_map(
        pts, path, title=f"{what} by year ({src}); northern regions of coastal states shaded",
        highlight=north, tripoint_at=(tri["tripoint_lat"], tri["tripoint_lon"]), shared=shared,
        extent=WEST_AFRICA,
        note=(f"{len(sel):,} events located at or better than admin-1"
              + (f" ({outside:,} outside West Africa not drawn)" if outside else "")
              + ("; ACLED shown as 0.5° cells" if src == "acled" else "") + ". Data: "
              + "; ".join(sorted({f"{s['source']} {s['source_version']}" for s in prov.snapshots
                                  if s["source"] == src}))
              + ". Boundaries: Natural Earth (public domain)."))
