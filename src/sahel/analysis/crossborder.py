"""Cross-border interdependence: does violence in one admin-1 unit precede violence next door,
and more so across a state border than inside one state?

The seeds describe the central Sahel as a *regional security complex*: insecurity in one
state's border areas spills into its neighbours'. If that is so, violence in unit A in month t
should predict violence in an adjacent unit B in month t+lag beyond what B's own recent
violence predicts, and the effect across a border should be at least as large as between
neighbours inside one state (which share a government, an army and a road network). This
module measures both on the same footing: admin-1 × month event indicators
(:func:`sahel.panels.create_admin1_months`), neighbours from shared Natural Earth boundaries,
and one linear probability model per pair type.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from sahel.analysis import geo
from sahel.analysis.result import AnalysisResult
from sahel.analysis.spread import VIOLENT
from sahel.errors import InputError
from sahel.events.places import POINT_OK, admin1_key
from sahel.panels import add_events, create_admin1_months
from sahel.provenance import Provenance
from sahel.store.filters import Filters
from sahel.store.query import query_events

#: a unit claims a polygon by its events only if it has ≥ this share of the polygon's points
MIN_SHARE = 0.10
BOOTSTRAP = 200
#: fewer unordered pairs than this: no bootstrap interval (resampling 2–4 pairs means little)
MIN_CLUSTERS = 5
FixedEffects = Literal["country_month", "month"]
PAIR_COLUMNS = ["country_a", "admin1_a", "country_b", "admin1_b", "pair_type"]


def unit_polygons(units: pd.DataFrame, points: pd.DataFrame,
                  ne: list[geo.Unit]) -> dict[tuple[str, str], set[int]]:
    """Which Natural Earth polygons (indices into ``ne``) each source unit (country, key) is.

    1. by name: the country's polygon whose :func:`geo.admin1_key` equals the unit's key;
    2. otherwise by its located events: the polygon holding most of them, plus every polygon
       where they are ≥ ``MIN_SHARE`` of all the country's located events (so a Burkina
       region becomes the provinces its events fall in, Mali's Ménaka the Gao polygon it was
       carved from). Units with neither get no polygon and drop out of the pairs.
    """
    out: dict[tuple[str, str], set[int]] = {}
    by_name = {(u.country_iso3, u.key): i for i, u in enumerate(ne)}
    for c, k in units[["country_iso3", "key"]].drop_duplicates().itertuples(index=False):
        if (c, k) in by_name:
            out[(c, k)] = {by_name[(c, k)]}
    if len(points):
        where = geo.locate(points["lon"].to_numpy(), points["lat"].to_numpy(), ne)
        pts = points.assign(poly=where)
        pts = pts[pts["poly"] >= 0]
        same = [ne[i].country_iso3 == c for i, c in zip(pts["poly"], pts["country_iso3"],
                                                         strict=True)]
        pts = pts[np.asarray(same, dtype=bool)]
        if pts.empty:  # no event falls inside its own country's polygons
            return out
        counts = pts.groupby(["country_iso3", "poly", "key"]).size().rename("n").reset_index()
        total = counts.groupby("poly")["n"].transform("sum")
        counts = counts.assign(share=counts["n"] / total)
        free = counts[[(c, k) not in out for c, k in zip(counts["country_iso3"], counts["key"],
                                                         strict=True)]]
        own = free.sort_values("n", ascending=False).drop_duplicates(["country_iso3", "key"])
        claim = pd.concat([free[free["share"] >= MIN_SHARE], own])
        for c, k, poly in zip(claim["country_iso3"], claim["key"], claim["poly"].to_numpy(int),
                              strict=True):
            out.setdefault((str(c), str(k)), set()).add(int(poly))
    return out


def neighbour_pairs(polys: dict[tuple[str, str], set[int]], ne: list[geo.Unit]) -> pd.DataFrame:
    """Unordered pairs of source units whose polygons share a boundary arc (or a polygon)."""
    touching = set(geo.adjacent_pairs(ne))
    keys = sorted(polys)
    rows = []
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            pa, pb = polys[a], polys[b]
            if pa & pb or any((min(p, q), max(p, q)) in touching for p in pa for q in pb):
                rows.append({"country_a": a[0], "admin1_a": a[1], "country_b": b[0],
                             "admin1_b": b[1],
                             "pair_type": "cross_border" if a[0] != b[0] else "within_country"})
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def _conjugate_gradient(a: np.ndarray, b: np.ndarray, tol: float = 1e-11,
                        maxiter: int = 2000) -> np.ndarray:
    """Solve a @ x = b (a symmetric positive semi-definite, b consistent) column by column.

    Why not Cholesky: LAPACK's threaded factorisation stalls badly on a busy machine (25 ms
    instead of 0.5 ms per call here), while CG needs only matrix-vector products.
    """
    diag = np.where(np.diag(a) > 0, np.diag(a), 1.0)[:, None]  # Jacobi preconditioner
    x, r = np.zeros_like(b), b.copy()
    z = r / diag
    p, rz = z.copy(), (r * z).sum(axis=0)
    stop = tol * np.maximum(np.sqrt((b * b).sum(axis=0)), 1e-300)
    for _ in range(maxiter):
        ap = a @ p
        alpha = rz / np.maximum((p * ap).sum(axis=0), 1e-300)
        x += alpha * p
        r -= alpha * ap
        if (np.sqrt((r * r).sum(axis=0)) <= stop).all():
            break
        z = r / diag
        rz, rz_old = (r * z).sum(axis=0), rz
        p = z + (rz / np.maximum(rz_old, 1e-300)) * p
    return x


def two_way_residuals(v: np.ndarray, pair: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Columns of ``v`` minus their ordered-pair and month fixed effects (exact least squares).

    The larger set of effects is eliminated in closed form, leaving one small linear system
    (its Schur complement) for the other, so an unbalanced panel needs no iteration and a fit
    costs milliseconds — what makes a cluster bootstrap affordable. A tiny ridge fixes the one
    free constant per connected block; it does not move the residuals. Ids are small
    non-negative integers; unused ids are harmless.
    """
    ids = [pair.astype(np.int64), month.astype(np.int64)]
    counts = [np.bincount(i).astype(float) for i in ids]
    s, e = (0, 1) if counts[0].size <= counts[1].size else (1, 0)  # solve s, eliminate e
    g_s, g_e = ids[s], ids[e]
    n_s, n_e = counts[s], np.maximum(counts[e], 1)
    c = np.bincount(g_s * n_e.size + g_e, minlength=n_s.size * n_e.size).reshape(
        n_s.size, n_e.size).astype(float)
    r_s, r_e = (np.stack([np.bincount(g, weights=col, minlength=n.size) for col in v.T], axis=1)
                for g, n in ((g_s, n_s), (g_e, n_e)))
    cw = c / n_e[None, :]
    cross = np.einsum("se,te->st", cw, c)  # einsum's own loop: no threaded BLAS
    schur = np.diag(n_s) - cross + 1e-8 * max(1.0, float(n_s.max())) * np.eye(n_s.size)
    rhs = r_s - cw @ r_e
    b_s = _conjugate_gradient(schur, rhs)
    b_e = (r_e - c.T @ b_s) / n_e[:, None]
    out: np.ndarray = v - b_s[g_s] - b_e[g_e]
    return out


def _fit(y: np.ndarray, x: np.ndarray, pair: np.ndarray, month: np.ndarray) -> float:
    """Coefficient of A's lagged indicator (x[:, 0]) beyond B's own (x[:, 1]), with
    ordered-pair and month fixed effects (Frisch–Waugh: both demeaned, then xa residualised
    on xb). NaN when nothing of xa or of y is left once the effects are removed (A never
    violent; or every B of a country-month cell is the same unit): not identified.
    """
    if y.size < 3:
        return float("nan")
    d = two_way_residuals(np.column_stack([y, x]), pair, month).T.copy()
    yd, xa, xb = d[0], d[1], d[2]

    def dot(u: np.ndarray, w: np.ndarray) -> float:  # no BLAS: see _conjugate_gradient
        return float(np.sum(u * w))

    if dot(xb, xb) > 1e-9 * y.size:
        xa = xa - xb * dot(xa, xb) / dot(xb, xb)
    both = (np.abs(xa) > 1e-9) & (np.abs(yd) > 1e-9)  # rows where A and B both still vary
    if dot(xa, xa) <= 1e-6 * max(1.0, float(np.sum(x[:, 0]))) or not both.any():
        return float("nan")
    return dot(xa, yd) / dot(xa, xa)


def _estimate(rows: pd.DataFrame, reps: int, seed: int,
              fe: FixedEffects) -> tuple[dict[str, float], np.ndarray]:
    """Point estimate, cluster bootstrap (unordered pairs) percentile CI, descriptive rates."""
    y = rows["y"].to_numpy(float)
    x = rows[["xa", "xb"]].to_numpy(float)
    # month effects per country of B: national shocks are not read as spill-over
    cell = rows["month"].astype(str)
    if fe == "country_month":
        cell = rows["b_country"].astype(str) + ":" + cell
    month = pd.factorize(cell)[0]
    pair = rows["pair"].to_numpy()
    cl = np.unique(rows["cluster"].to_numpy(), return_inverse=True)[1]
    coef = _fit(y, x, np.unique(pair, return_inverse=True)[1], month)
    members = [np.flatnonzero(cl == c) for c in range(cl.max() + 1)]
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(reps if len(members) >= MIN_CLUSTERS else 0):
        pick = rng.integers(0, len(members), len(members))
        idx = np.concatenate([members[p] for p in pick])
        slot = np.repeat(np.arange(len(pick)), [members[p].size for p in pick])
        # a resampled pair is a new pair: its own fixed effect (2 directions per pair)
        draws.append(_fit(y[idx], x[idx], 2 * slot + pair[idx] % 2, month[idx]))
    arr = np.array([d for d in draws if np.isfinite(d)])
    quiet = rows["xb"] == 0
    return {"coef": coef,
            "coef_low": float(np.percentile(arr, 2.5)) if arr.size else float("nan"),
            "coef_high": float(np.percentile(arr, 97.5)) if arr.size else float("nan"),
            "p_b_if_a": float(rows.loc[quiet & (rows["xa"] == 1), "y"].mean()),
            "p_b_if_not_a": float(rows.loc[quiet & (rows["xa"] == 0), "y"].mean())}, arr


def pair_months(series: pd.DataFrame, pairs: pd.DataFrame, lag: int) -> pd.DataFrame:
    """One row per ordered pair (A→B) and month t with both units covered at t…t+lag:
    ``y`` = B has events at t+lag, ``xa`` = A has events at t, ``xb`` = B had events in
    t…t+lag-1 (its own recent past)."""
    if lag < 1:
        raise InputError("lag_months must be at least 1", field="--lag")
    wide = series.pivot_table(index="month", columns="unit", values="any", aggfunc="max")
    wide = wide.reindex(pd.date_range(wide.index.min(), wide.index.max(), freq="MS"))
    m = wide.to_numpy(dtype=float)
    col = {u: i for i, u in enumerate(wide.columns)}
    t_n = m.shape[0] - lag
    recent = np.stack([m[s:s + t_n] for s in range(lag)])
    xb_all = np.where(np.isnan(recent).any(axis=0), np.nan, recent.max(axis=0)) if t_n > 0 \
        else np.empty((0, m.shape[1]))
    parts = []
    for k, rec in enumerate(pairs.itertuples(index=False)):
        a, b = f"{rec.country_a}|{rec.admin1_a}", f"{rec.country_b}|{rec.admin1_b}"
        if a not in col or b not in col or t_n <= 0:
            continue
        for d, (src, dst) in enumerate(((a, b), (b, a))):
            frame = pd.DataFrame({"y": m[lag:, col[dst]], "xa": m[:t_n, col[src]],
                                  "xb": xb_all[:, col[dst]], "month": np.arange(t_n),
                                  "pair": 2 * k + d, "cluster": k, "pair_type": rec.pair_type,
                                  "b_country": dst.split("|")[0],
                                  "scope": _scope(str(rec.country_a), str(rec.country_b))})
            parts.append(frame.dropna(subset=["y", "xa", "xb"]))
    cols = ["y", "xa", "xb", "month", "pair", "cluster", "pair_type", "b_country", "scope"]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    out.attrs["months"] = wide.index
    return out


def _scope(a: str, b: str) -> str:
    return a if a == b else "–".join(sorted((a, b)))


def admin1_series(f: Filters,
                  db_path: Path | None) -> tuple[pd.DataFrame, pd.DataFrame, Provenance]:
    """Admin-1 × month event counts (spellings of one unit merged), excluded events, sources."""
    panel = add_events(create_admin1_months(f, db_path=db_path, with_registry=False))
    data = panel.data.assign(key=[admin1_key(a, c) for a, c in
                                  zip(panel.data["admin1"], panel.data["country_iso3"],
                                      strict=True)])
    series = data.groupby(["country_iso3", "key", "month"], as_index=False).agg(
        events=("events", "sum"))
    series["any"] = (series["events"] > 0).astype(float)
    series["unit"] = series["country_iso3"] + "|" + series["key"]
    return series, panel.excluded, panel.provenance


def geometry_neighbours(f: Filters, series: pd.DataFrame, db_path: Path | None,
                        shared: Path | None) -> tuple[pd.DataFrame, str, list[str]]:
    """Neighbour pairs of the series' units from Natural Earth (pairs, rule text, notes)."""
    ev, _ = query_events(f, db_path=db_path)
    ev = ev[ev["geo_precision"].isin(POINT_OK) & ev["latitude"].notna() & ev["admin1"].notna()]
    pts = pd.DataFrame({"country_iso3": ev["country_iso3"], "lon": ev["longitude"].astype(float),
                        "lat": ev["latitude"].astype(float),
                        "key": [admin1_key(a, c) for a, c in zip(
                            ev["admin1"], ev["country_iso3"], strict=True)]})
    units = series[["country_iso3", "key"]].drop_duplicates()
    ne = geo.load_admin1(sorted(units["country_iso3"].unique()), shared=shared)
    polys = unit_polygons(units, pts, ne)
    lost = sorted(f"{c}:{k}" for c, k in zip(units["country_iso3"], units["key"], strict=True)
                  if (c, k) not in polys)
    notes = [f"units without a Natural Earth polygon (left out): {', '.join(lost)}"] if lost else []
    rule = ("two units are neighbours when their Natural Earth admin-1 polygons share a "
            "boundary arc (or a polygon); units are matched to polygons by name, else by "
            f"where their located events fall (plurality, and any polygon with ≥{MIN_SHARE:.0%})")
    return neighbour_pairs(polys, ne), rule, notes


def _given_pairs(neighbours: pd.DataFrame) -> pd.DataFrame:
    pairs = neighbours.copy()
    for side in ("a", "b"):
        pairs[f"admin1_{side}"] = [admin1_key(a, c) for a, c in zip(
            pairs[f"admin1_{side}"], pairs[f"country_{side}"], strict=True)]
    pairs["pair_type"] = np.where(pairs["country_a"] != pairs["country_b"], "cross_border",
                                  "within_country")
    return pairs


def _fit_all(rows: pd.DataFrame, reps: int, seed: int,
             fe: FixedEffects) -> tuple[pd.DataFrame, dict[str, object]]:
    """One estimate per pair type, overall and per country / country pair, + the headline."""
    out, draws = [], {}
    groups = [("all", t) for t in ("cross_border", "within_country")]
    groups += sorted({(s, t) for s, t in zip(rows["scope"], rows["pair_type"], strict=True)})
    for i, (scope, ptype) in enumerate(groups):
        part = rows[(rows["pair_type"] == ptype) & ((rows["scope"] == scope) | (scope == "all"))]
        if part.empty:
            continue
        est, arr = _estimate(part, reps, seed + i, fe)
        if scope == "all":
            draws[ptype] = arr
        months = rows.attrs["months"][part["month"].to_numpy()]
        out.append({"scope": scope, "pair_type": ptype, "pairs": part["cluster"].nunique(),
                    "observations": len(part), "first_month": str(months.min())[:7],
                    "last_month": str(months.max())[:7], **est})
    table = pd.DataFrame(out, columns=["scope", "pair_type", "pairs", "observations",
                                       "first_month", "last_month", "p_b_if_a", "p_b_if_not_a",
                                       "coef", "coef_low", "coef_high"])
    stats: dict[str, object] = {}
    heads = table[table["scope"] == "all"]
    coef = dict(zip(heads["pair_type"], heads["coef"].astype(float), strict=True))
    for rec in heads.to_dict("records"):
        stats[f"coef_{rec['pair_type']}"] = round(float(rec["coef"]), 4)
        stats[f"ci_{rec['pair_type']}"] = [round(float(rec[c]), 4) for c in ("coef_low", "coef_high")]
    if len(coef) == 2:
        stats["difference"] = round(coef["cross_border"] - coef["within_country"], 4)
        n = min(d.size for d in draws.values())
        diff = draws["cross_border"][:n] - draws["within_country"][:n]
        if n:
            stats["ci_difference"] = [round(float(np.percentile(diff, q)), 4) for q in (2.5, 97.5)]
    return table, stats


def cross_border(filters: Filters | None = None, *, source: str = "ucdp_ged",
                 lag_months: int = 1, db_path: Path | None = None,
                 neighbours: pd.DataFrame | None = None, shared: Path | None = None,
                 fixed_effects: FixedEffects = "country_month", reps: int = BOOTSTRAP,
                 seed: int = 20240901) -> AnalysisResult:
    """Is violence in A at month t followed by violence in an adjacent B at t+lag, beyond B's
    own recent violence — across borders compared with inside one state?

    ``neighbours`` (columns ``country_a, admin1_a, country_b, admin1_b``; admin-1 in any
    spelling) replaces the Natural Earth adjacency, e.g. for another rule or a test.
    ``fixed_effects='month'`` uses one month effect for the whole region instead of one per
    country of B (then national surges count as spill-over between a country's own units).
    """
    base = filters or Filters()
    f = replace(base, sources=[source], categories=base.categories or list(VIOLENT)).normalised()
    series, excluded, prov = admin1_series(f, db_path)
    if series.empty:
        raise InputError(f"no {source} events with an admin-1 in the store for these filters",
                         hint=f"ingest {source} files first (sahel ingest …)")
    if neighbours is None:
        pairs, rule, notes = geometry_neighbours(f, series, db_path, shared)
    else:
        pairs, rule, notes = _given_pairs(neighbours), "neighbours given by the caller", []
    table, stats = _fit_all(pair_months(series, pairs, lag_months), reps, seed, fixed_effects)
    stats = {"lag_months": lag_months, "source": source, "fixed_effects": fixed_effects,
             "pairs_cross_border": int((pairs["pair_type"] == "cross_border").sum()),
             "pairs_within_country": int((pairs["pair_type"] == "within_country").sum()),
             **stats}
    table["label"] = table["pair_type"] + " · " + table["scope"]
    table = table.round({c: 4 for c in ("p_b_if_a", "p_b_if_not_a", "coef", "coef_low",
                                        "coef_high")})
    if len(excluded):
        notes.append(f"{int(excluded['events'].sum()):,} events located only at country level "
                     "(or without admin-1) are not in the admin-1 series")
    return AnalysisResult(
        name="cross_border", title="Cross-border interdependence of violence between adjacent "
        "admin-1 units", table=table, provenance=prov, stats=stats, notes=notes,
        method=(
            f"Admin-1 × month series of violent events ({source}; create_admin1_months, "
            "admin-1 names normalised so spelling variants are one unit). Neighbours: "
            f"{rule}. For each ordered neighbour pair A→B and month t: y = 1[B has events in "
            f"t+{lag_months}], xa = 1[A has events in t], xb = 1[B has events in "
            f"{'t' if lag_months == 1 else f't…t+{lag_months - 1}'}]. Linear probability "
            "model y ~ xa + xb with ordered-pair and "
            f"{'(B country × month)' if fixed_effects == 'country_month' else 'month'} fixed "
            "effects, fitted separately on cross-border and within-country pairs (and per "
            "country / country pair); coef is xa's coefficient: the change in the "
            "probability of violence in B after violence in A, beyond B's own recent violence, "
            "B's usual level and the month's level in B's country (default: so a national "
            "surge is not read as spill-over between two of its units). A scope whose "
            "fixed effects leave no variation is not identified (NaN). 95% CIs: percentile "
            f"bootstrap over unordered pairs ({reps} draws; only with ≥{MIN_CLUSTERS} pairs); "
            "the difference cross − within uses independent draws of the two. "
            "p_b_if_a / p_b_if_not_a: raw share of months "
            "with violence in B after a quiet month in B, with / without violence in A."),
        limits=[
            "Admin-1 names differ by source and vintage (UCDP 'Alibori department', Natural "
            "Earth 'Alibori'; Burkina: 13 regions vs 45 provinces): matched by name, else by "
            "events; vintages of one area (UCDP Côte d'Ivoire regions/districts) overlap and "
            "count as neighbours.",
            "Months and admin-1 units are coarse: a lag-one effect may be one campaign "
            "crossing within weeks. Association, not causation: a group's campaign across "
            "both units is a common driver the fixed effects do not remove.",
            "Only ingested countries count (no Niger in the shared UCDP files); units with no "
            "event in the period are absent; months outside a country's stored coverage "
            "(first to last event) are missing, not zero.",
            "With a month effect per country of B, a country with few violent units (Benin: 2 "
            "in UCDP) gives little identifying variation; such scopes show NaN.",
        ],
        chart={"kind": "bar", "x": "label", "y": "coef", "low": "coef_low", "high": "coef_high",
               "series": "pair_type", "xlabel": "pair type · scope",
               "data": table[table["coef"].notna()],
               "ylabel": f"Δ P(violence in B at t+{lag_months}) after violence in A at t"},
    )
