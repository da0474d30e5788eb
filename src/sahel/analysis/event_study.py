"""Violence before and after a dated event (a treaty, a coup, a tie starting or ending).

Three estimates, because none is convincing alone with a handful of countries:

* an interrupted time series (ITS) on the treated countries' mean monthly series: segmented
  regression with a level and a slope change, Newey–West (HAC) standard errors;
* a difference-in-differences (DiD) against control countries: treated×post with country and
  month fixed effects, errors clustered by country (and, because there are few clusters, a HAC
  regression of the treated-minus-control series as a second opinion);
* placebo dates: the same design moved to random months of the pre-period. The share of placebo
  effects at least as large as the real one is a permutation-style p-value that does not lean
  on any standard-error formula.

Each is run separately on the low, best and high fatality bounds, so the uncertainty of the
counts shows next to the uncertainty of the estimate. The month holding the event is left out
(it is part before, part after) unless the event falls on the 1st.
"""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps

from sahel.analysis.result import AnalysisResult
from sahel.errors import ConfigError, PanelError, SahelError
from sahel.panels import Panel, add_civilian_deaths, add_events, add_fatalities, create_country_months
from sahel.panels.periods import Design
from sahel.registry.checked import load_registry
from sahel.registry.dates import EventDate, resolve_event
from sahel.registry.load import Registry
from sahel.store.filters import Filters

Measure = Literal["events", "fatalities", "civilian_deaths"]
HAC_LAGS = 3
SHORT_POST = 6
MAX_CONCURRENT = 8


SERIES_HINT = "the aggregate country-month series (sahel.series)"


def settle(source: str, design: Design, last: pd.Period | None) -> str:
    """Which data would cover the post-period (named in refusals and limits)."""
    if source.startswith("ucdp"):
        def ged(year: int) -> str:  # GED yy.1 holds events to the end of 20(yy-1)
            return f"{(year + 1) % 100:02d}.1"

        first = max(design.post_start.year, last.year + 1 if last is not None else 0)
        return (f"UCDP GED {ged(first)} (events to Dec {first}) or later — GED "
                f"{ged(design.post_end.year)} for the whole window — or the monthly UCDP "
                f"candidate releases, or {SERIES_HINT}")
    return (f"an ACLED export or API pull covering {design.post_start}..{design.post_end}, "
            f"or {SERIES_HINT}")


def _fit(y: np.ndarray, x: np.ndarray, **cov: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """OLS with robust errors. Degenerate small samples (a constant series, a placebo window
    without variation) give NaN standard errors, which the callers report as None; their
    numerical warnings are silenced here — statsmodels computes them lazily, so everything
    is read inside the guard."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        res = sm.OLS(y, x).fit(**cov)
        return (np.asarray(res.params, dtype=float), np.asarray(res.bse, dtype=float),
                np.asarray(res.pvalues, dtype=float))


def its(series: pd.Series, post_start: pd.Period, *, seasonality: bool = False) -> dict[str, Any]:
    """Segmented regression y = a + b·t + level·post + slope·(t − t0)·post (+ month dummies).

    ``series`` is indexed by monthly Periods (gaps allowed). The slope change needs at least
    ``SHORT_POST`` post months (a slope from three points is noise); with fewer, only the level
    change is estimated.
    """
    idx = series.index
    t = np.array([(p - idx[0]).n for p in idx], dtype=float)
    post = np.array([p >= post_start for p in idx], dtype=float)
    n_post = int(post.sum())
    t0 = float((post_start - idx[0]).n)
    cols = [np.ones_like(t), t, post]
    if n_post >= SHORT_POST:
        cols.append((t - t0) * post)
    x = np.column_stack(cols)
    if seasonality and len(idx) >= 24:
        moy = np.array([p.month for p in idx])
        x = np.column_stack([x, *[(moy == m).astype(float) for m in range(2, 13)]])
    y = series.to_numpy(dtype=float)
    b, se, p = _fit(y, x, cov_type="HAC", cov_kwds={"maxlags": min(HAC_LAGS, len(y) // 4)})
    out = {"level": float(b[2]), "level_se": float(se[2]), "level_ci": _ci(b[2], se[2]),
           "level_p": _p(p[2]), "slope": None, "slope_p": None, "n_pre": len(y) - n_post,
           "n_post": n_post}
    if n_post >= SHORT_POST:
        out |= {"slope": float(b[3]), "slope_p": _p(p[3])}
    return out


def did(frame: pd.DataFrame, post_start: pd.Period) -> dict[str, Any]:
    """Two-way fixed-effects DiD on ``frame`` (country_iso3, month: Period, treated, y).

    Built with numpy (not pandas dummies): placebos call this a few hundred times.
    """
    c_codes, c_uni = pd.factorize(frame["country_iso3"])
    m_codes, m_uni = pd.factorize(frame["month"])
    post_m = np.array([m >= post_start for m in m_uni])
    treated = frame["treated"].to_numpy(dtype=bool)
    tp = (post_m[m_codes] & treated).astype(float)
    y = frame["y"].to_numpy(dtype=float)
    x = np.column_stack([np.ones_like(y), tp, np.eye(len(c_uni))[c_codes][:, 1:],
                         np.eye(len(m_uni))[m_codes][:, 1:]])
    g = len(c_uni)
    out: dict[str, Any] = {"clusters": g}
    # clustered errors need at least three clusters (and are shaky below dozens)
    cov: dict[str, Any] = ({"cov_type": "cluster", "cov_kwds": {"groups": c_codes}} if g >= 3
                           else {})
    params, bse, _ = _fit(y, x, **cov)
    b, se = float(params[1]), float(bse[1])
    out |= {"coef": b, "ci_cluster": None, "p_cluster": None}
    if cov and np.isfinite(se) and se > 0:
        crit = float(sps.t.ppf(0.975, g - 1))
        out |= {"ci_cluster": [round(b - crit * se, 3), round(b + crit * se, 3)],
                "p_cluster": _p(2 * sps.t.sf(abs(b / se), g - 1))}
    means = []
    for flag in (True, False):
        sel = treated == flag
        n = np.bincount(m_codes[sel], minlength=len(m_uni))
        total = np.bincount(m_codes[sel], weights=y[sel], minlength=len(m_uni))
        means.append(np.where(n > 0, total / np.maximum(n, 1), np.nan))
    diff = means[0] - means[1]
    ok = np.isfinite(diff)
    if ok.sum() > 2:
        order = np.argsort(np.array([m.ordinal for m in m_uni])[ok])  # time order for HAC
        d, dpost = diff[ok][order], post_m[ok][order].astype(float)
        hb, hse, hp = _fit(d, np.column_stack([np.ones_like(dpost), dpost]), cov_type="HAC",
                           cov_kwds={"maxlags": min(HAC_LAGS, len(d) // 4)})
        out |= {"coef_hac": float(hb[1]), "ci_hac": _ci(hb[1], hse[1]), "p_hac": _p(hp[1])}
    return out


def _ci(b: float, se: float) -> list[float] | None:
    if not np.isfinite(se):
        return None
    return [round(float(b - 1.96 * se), 3), round(float(b + 1.96 * se), 3)]


def _p(p: float) -> float | None:
    return round(float(p), 4) if np.isfinite(p) else None


def _measure_panel(panel: Panel, measure: Measure) -> tuple[Panel, dict[str, str]]:
    """Add the measure; return the panel and bound -> column."""
    if measure == "events":
        return add_events(panel, name="y"), {"count": "y"}
    if measure == "fatalities":
        panel = add_fatalities(panel, name="y")
    elif measure == "civilian_deaths":
        panel = add_civilian_deaths(panel, name="y")
    else:
        raise ConfigError(f"unknown measure {measure!r}", field="--measure",
                          hint="use events, fatalities or civilian_deaths")
    return panel, {b: f"y_{b}" for b in ("low", "best", "high")}


class _Study:
    """The country-month data of one design, and the estimates at a given (placebo) date."""

    def __init__(self, data: pd.DataFrame, treated: list[str], controls: list[str],
                 cols: dict[str, str], seasonality: bool) -> None:
        self.data, self.treated, self.controls = data, treated, controls
        self.cols, self.seasonality = cols, seasonality
        rows = data[data["country_iso3"].isin(treated)]
        # months where every treated country is covered: a mean over a changing set would jump
        self.treated_mean: dict[str, pd.Series] = {
            b: rows.pivot_table(index="month", columns="country_iso3", values=c).dropna().mean(
                axis=1) for b, c in cols.items()}

    def estimate(self, start: pd.Period, post_start: pd.Period, end: pd.Period,
                 transition: pd.Period | None) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for b, col in self.cols.items():
            s = self.treated_mean[b]
            s = s[(s.index >= start) & (s.index <= end) & (s.index != transition)]
            res: dict[str, Any] = {"its": its(s, post_start, seasonality=self.seasonality)}
            if self.controls:
                d = self.data[(self.data["month"] >= start) & (self.data["month"] <= end)
                              & (self.data["month"] != transition)]
                frame = d[["country_iso3", "month"]].assign(
                    y=d[col].astype(float), treated=d["country_iso3"].isin(self.treated))
                res["did"] = did(frame, post_start)
            out[b] = res
        return out


def _coverage_checks(data: pd.DataFrame, design: Design, treated: list[str],
                     controls: list[str], source: str) -> tuple[list[str], list[str],
                                                             dict[str, str]]:
    """Keep countries with data both before and after; say why the others were dropped."""
    data = data.assign(month=pd.to_datetime(data["month"]).dt.to_period("M"))
    dropped: dict[str, str] = {}
    keep: dict[str, list[str]] = {"treated": [], "controls": []}
    for role, isos in (("treated", treated), ("controls", controls)):
        for iso in isos:
            rows = data[data["country_iso3"] == iso]["month"]
            pre = rows[(rows >= design.pre_start) & (rows < design.event_month)]
            post = rows[(rows >= design.post_start) & (rows <= design.post_end)]
            if rows.empty:
                dropped[iso] = f"no {source} data for {iso} in the store for this window"
            elif post.empty:
                dropped[iso] = (f"{source} coverage for {iso} ends {rows.max()}, before "
                                f"the post-period ({design.post_start})")
            elif pre.empty:
                dropped[iso] = (f"{source} coverage for {iso} starts {rows.min()}, after "
                                f"the pre-period ({design.pre_start})")
            else:
                keep[role].append(iso)
    if not keep["treated"]:
        last = data["month"].max() if not data.empty else None
        ends = (f"end in {last}" if last is not None
                else f"hold no {source} rows for these countries in the window")
        raise PanelError(
            f"no treated country has {source} data both before and after "
            f"{design.post_start} ({'; '.join(dropped.values())}); the store's data {ends}",
            hint=f"ingest data covering {design.post_start}..{design.post_end}: "
                 f"{settle(source, design, last)}",
        )
    return keep["treated"], keep["controls"], dropped


def _concurrent(ev: EventDate, design: Design, countries: list[str],
                reg: Registry | None) -> list[str]:
    """Other registry events touching the countries within six months of the event."""
    if reg is None:
        return []
    ids = {t.lower() for t in countries}
    lo, hi = design.event_month - 6, design.event_month + 6
    out: list[tuple[tuple[bool, int], str]] = []
    for e in sorted(reg.events.values(), key=lambda e: e.date.first):
        m = pd.Period(e.date.first, "M")
        touches = (e.country in countries) or any(a.actor in ids for a in e.actors)
        if lo <= m <= hi and touches and e.id != ev.ref and e.date.first != ev.day:
            # coups first: they change everything at once; then the nearest in time
            rank = (e.type not in ("coup", "coup_attempt"), abs((e.date.first - ev.day).days))
            out.append((rank, f"{e.date} {e.title} ({e.id})"))
    nearest = sorted(out)[:MAX_CONCURRENT]
    shown = [text for _, text in sorted(nearest, key=lambda x: x[1])]
    if len(out) > len(shown):
        shown.append(f"and {len(out) - len(shown)} more in the registry")
    return shown


def before_after(event: str | date, *, treated: list[str], controls: list[str] | None = None,
                 source: str = "ucdp_ged", measure: Measure = "fatalities",
                 window_months: int = 24, placebos: int = 20, db_path: Path | None = None,
                 registry_root: Path | None = None, seed: int = 1,
                 seasonality: bool = False, series: str | None = None) -> AnalysisResult:
    """Violence in ``treated`` countries before and after ``event``, against ``controls``.

    ``series``: read monthly values from an aggregate series (``sahel series list``) instead of
    the events of ``source`` — they reach past 2023, where the event data stop."""
    if window_months < 3:
        raise ConfigError("the window must be at least 3 months", field="--window")
    if placebos < 0:
        raise ConfigError("placebos must be 0 or more", field="--placebos")
    if not treated:
        raise ConfigError("name at least one treated country", field="--treated")
    try:
        reg: Registry | None = load_registry(registry_root)
    except SahelError:
        if not isinstance(event, date):
            raise
        reg = None  # a plain date needs no registry; only the concurrent-events note is lost
    ev = resolve_event(event, reg)
    design = Design.around(ev.day, ev.precision, window_months)
    t_iso = Filters(countries=list(treated)).normalised().countries
    c_iso = [c for c in Filters(countries=list(controls or [])).normalised().countries
             if c not in t_iso]
    f = Filters(countries=t_iso + c_iso, sources=[source],
                start=design.history_start.start_time.date(),
                end=design.post_end.end_time.date())
    if series is not None:
        from sahel.panels.series import series_months

        source = f"series {series}"
        try:
            values, provenance = series_months(series, t_iso + c_iso, f.start or date.min,
                                               f.end or date.max, db_path=db_path)
        except ConfigError as exc:  # a yearly series: say which option to change
            raise ConfigError(exc.message, field="--series", hint=exc.hint) from exc
        rows = values.assign(**{f"y_{b}": values["value"] for b in ("low", "best", "high")})
        used_t, used_c, dropped = _coverage_checks(rows, design, t_iso, c_iso, source)
        cols = {b: f"y_{b}" for b in ("low", "best", "high")}
    else:
        panel = create_country_months(f, db_path=db_path, with_registry=False)
        # check coverage before adding measures: an empty panel cannot take them
        used_t, used_c, dropped = _coverage_checks(panel.data, design, t_iso, c_iso, source)
        panel, cols = _measure_panel(panel, measure)
        rows, provenance = panel.data, panel.provenance
    data = rows.assign(month=pd.to_datetime(rows["month"]).dt.to_period("M"))
    data = data[data["country_iso3"].isin(used_t + used_c)]
    study = _Study(data, used_t, used_c, cols, seasonality)
    bound0 = next(iter(cols))
    tm = study.treated_mean[bound0]
    post_months = tm[(tm.index >= design.post_start) & (tm.index <= design.post_end)].index
    if len(post_months) == 0:
        raise PanelError(f"the treated countries ({', '.join(used_t)}) have no month after "
                         f"{design.post_start} covered by every one of them",
                         hint="ingest data covering the post-period: "
                              f"{settle(source, design, tm.index.max())}")
    real_end = post_months.max()
    actual = study.estimate(design.pre_start, design.post_start, real_end, design.transition)
    placebo = _placebos(study, design, len(post_months), window_months, placebos, seed)
    stats = _stats(ev, design, used_t, used_c, dropped, actual, placebo, len(post_months),
                   measure, source)
    table = _period_means(data, used_t, used_c, cols, design, real_end)
    chart_data = _chart_data(data, study, used_t, used_c, cols, design, real_end)
    limits = _limits(design, ev, used_t, used_c, dropped, len(post_months), source, measure,
                     _concurrent(ev, design, t_iso + c_iso, reg), real_end,
                     _silent_before(table, f"mean_{bound0}"))
    measure_text = {"events": "events", "fatalities": "fatalities (low/best/high)",
                    "civilian_deaths": "civilian deaths (low/best/high)"}[measure]
    if series is not None:  # a series has one value per month: no low/high to show
        measure_text = f"{series} (one value per country-month)"
    return AnalysisResult(
        name="before_after",
        title=f"{measure_text} before and after {ev.label} ({ev.day})",
        table=table,
        provenance=provenance,
        method=(
            f"Monthly {measure_text} per country from {source}. Pre-period "
            f"{design.pre_start}..{design.event_month - 1}, post-period {design.post_start}.."
            f"{real_end}" + (f"; the event month {design.transition} is left out as "
                             "transition" if design.transition else "") + ". "
            "ITS: OLS of the treated countries' mean monthly value on a time trend, a post dummy "
            "(level change) and post×time since the event (slope change, with "
            f"≥{SHORT_POST} post months)"
            + (" and month-of-year dummies" if seasonality else "")
            + f", Newey–West HAC errors (maxlags {HAC_LAGS}). "
            "DiD: OLS of country-month values on treated×post with country and month fixed "
            "effects, errors clustered by country (t with clusters−1 df), plus a HAC regression "
            "of the treated-minus-control monthly mean difference on the post dummy. "
            f"Placebos: {stats['placebos_run']} random months of the pre-period (seed {seed}) "
            "as fake event dates with the same post length; placebo p = (1 + placebo effects "
            "with |effect| ≥ |real effect|) / (1 + placebos). Everything is repeated for each "
            "fatality bound (low, best, high)."
        ),
        limits=limits,
        stats=stats,
        chart={"kind": "line", "x": "month", "y": "best", "low": "low", "high": "high",
               "series": "series", "data": chart_data,
               "vlines": [{"x": pd.Timestamp(ev.day), "label": ev.ref}],
               "shade": {"from": design.post_start.start_time,
                         "to": real_end.end_time, "label": "post-period"},
               "ylabel": f"{measure_text}, mean per country-month", "xlabel": "month"},
    )


def _placebos(study: _Study, design: Design, post_len: int, window: int, n: int,
              seed: int) -> list[dict[str, dict[str, Any]]]:
    """Re-run the design at random pre-period months whose whole window ends before the event."""
    if n == 0:
        return []
    tm = study.treated_mean[next(iter(study.cols))]
    first = tm.index.min()
    min_pre = max(6, window // 2)
    gap = 1 if design.transition is not None else 0
    limit = design.event_month - 1 if design.transition is not None else design.post_start - 1
    eligible = []
    p = first + min_pre + gap
    while p + post_len - 1 <= limit:
        pre = tm[(tm.index >= p - gap - window) & (tm.index < p - gap)]
        if len(pre) >= min_pre:
            eligible.append(p)
        p += 1
    rng = np.random.default_rng(seed)
    picks: list[int] = (rng.choice(len(eligible), size=min(n, len(eligible)),
                                   replace=False).tolist() if eligible else [])
    out = []
    for i in sorted(int(k) for k in picks):
        p = eligible[i]
        out.append(study.estimate(max(first, p - gap - window), p, p + post_len - 1,
                                  p - 1 if gap else None))
    return out


def _perm_p(real: float | None, fakes: list[float]) -> tuple[float | None, float | None]:
    fakes = [f for f in fakes if f is not None and np.isfinite(f)]
    if real is None or not fakes:
        return None, None
    k = sum(abs(f) >= abs(real) - 1e-9 for f in fakes)
    return round(k / len(fakes), 4), round((1 + k) / (1 + len(fakes)), 4)


def _stats(ev: EventDate, design: Design, used_t: list[str], used_c: list[str],
           dropped: dict[str, str], actual: dict[str, dict[str, Any]],
           placebo: list[dict[str, dict[str, Any]]], post_len: int, measure: str,
           source: str) -> dict[str, Any]:
    s: dict[str, Any] = {
        "event": ev.ref, "event_date": ev.day.isoformat(), "date_precision": ev.precision,
        "source": source, "measure": measure, "treated": used_t, "controls": used_c,
        "dropped": dropped, "pre_period": f"{design.pre_start}..{design.event_month - 1}",
        "post_period": f"{design.post_start}..{design.post_start + post_len - 1}",
        "post_months": post_len, "placebos_run": len(placebo),
    }
    for b, res in actual.items():
        it = res["its"]
        s[f"its_level_change_{b}"] = round(it["level"], 3)
        s[f"its_level_ci_{b}"] = it["level_ci"]
        s[f"its_level_p_hac_{b}"] = it["level_p"]
        s[f"its_slope_change_{b}"] = None if it["slope"] is None else round(it["slope"], 3)
        share, p = _perm_p(it["level"], [pl[b]["its"]["level"] for pl in placebo])
        s[f"placebo_share_its_{b}"], s[f"placebo_p_its_{b}"] = share, p
        if "did" in res:
            d = res["did"]
            s[f"did_{b}"] = round(d["coef"], 3)
            s[f"did_ci_cluster_{b}"] = d.get("ci_cluster")
            s[f"did_p_cluster_{b}"] = d.get("p_cluster")
            s[f"did_ci_hac_{b}"] = d.get("ci_hac")
            share, p = _perm_p(d["coef"], [pl[b]["did"]["coef"] for pl in placebo])
            s[f"placebo_share_did_{b}"], s[f"placebo_p_did_{b}"] = share, p
            s["clusters"] = d["clusters"]
    return s


def _period_means(data: pd.DataFrame, used_t: list[str], used_c: list[str],
                  cols: dict[str, str], design: Design, real_end: pd.Period) -> pd.DataFrame:
    """Mean per month before and after, per country and per group (the table)."""
    d = data[(data["month"] >= design.pre_start) & (data["month"] <= real_end)
             & (data["month"] != design.transition)]
    d = d.assign(period=np.where(d["month"] >= design.post_start, "post", "pre"),
                 group=np.where(d["country_iso3"].isin(used_t), "treated", "control"))
    names = {c: f"mean_{b}" for b, c in cols.items()}
    per = d.groupby(["group", "country_iso3", "period"], as_index=False).agg(
        months=("month", "size"), **{names[c]: (c, "mean") for c in cols.values()})
    grp = d.groupby(["group", "period"], as_index=False).agg(
        months=("month", "nunique"), **{names[c]: (c, "mean") for c in cols.values()})
    grp["country_iso3"] = "all (mean per country)"
    out = pd.concat([per, grp], ignore_index=True)
    out["period"] = pd.Categorical(out["period"], ["pre", "post"])
    out["group"] = pd.Categorical(out["group"], ["treated", "control"])
    out = out.sort_values(["group", "country_iso3", "period"]).reset_index(drop=True)
    for c in names.values():
        out[c] = out[c].astype(float).round(2)
    out["period"] = out["period"].astype(str)
    out["group"] = out["group"].astype(str)
    return out[["group", "country_iso3", "period", "months", *names.values()]]


def _silent_before(table: pd.DataFrame, col: str) -> list[str]:
    """Countries with zero in every pre-period month and something after."""
    t = table[table["country_iso3"] != "all (mean per country)"].pivot_table(
        index="country_iso3", columns="period", values=col)
    if "pre" not in t or "post" not in t:
        return []
    return sorted(str(c) for c in t.index[(t["pre"] == 0) & (t["post"] > 0)])


def _chart_data(data: pd.DataFrame, study: _Study, used_t: list[str], used_c: list[str],
                cols: dict[str, str], design: Design, real_end: pd.Period) -> pd.DataFrame:
    keep = (data["month"] >= design.pre_start) & (data["month"] <= real_end)
    parts = []
    frames = {f"treated (mean of {', '.join(used_t)})": study.treated_mean}
    if used_c:
        c = data[keep & data["country_iso3"].isin(used_c)]
        frames[f"controls (mean of {', '.join(used_c)})"] = {
            b: c.groupby("month")[col].mean().astype(float) for b, col in cols.items()}
    for label, series in frames.items():
        df = pd.DataFrame({b: s for b, s in series.items()})
        df = df[(df.index >= design.pre_start) & (df.index <= real_end)]
        if "count" in df:
            df = df.assign(low=df["count"], best=df["count"], high=df["count"])
        parts.append(df[["low", "best", "high"]].assign(series=label).rename_axis(
            "month").reset_index())
    out = pd.concat(parts, ignore_index=True)
    out["month"] = out["month"].dt.to_timestamp()
    return out


def _limits(design: Design, ev: EventDate, used_t: list[str], used_c: list[str],
            dropped: dict[str, str], post_len: int, source: str, measure: str,
            concurrent: list[str], real_end: pd.Period, silent: list[str]) -> list[str]:
    out = [f"{', '.join(silent)}: zero {measure.replace('_', ' ')} in every month before the "
           "event but some after — the source probably does not cover the pre-period "
           "(coverage is per snapshot): the zeros may be missing data, not calm. Do not read "
           "this as an effect."] if silent else []
    out += [f"Few units: {len(used_t)} treated and {len(used_c)} control countries. "
           + ("Cluster-robust errors with so few clusters are unreliable (they need dozens); "
              "read the HAC and placebo results beside them." if used_c else
              "Without controls there is no DiD: the ITS cannot separate the event from "
              "anything else that changed at the same time.")]
    if post_len < SHORT_POST:
        out.append(f"Only {post_len} post month(s) ({design.post_start}..{real_end}) are "
                   f"covered by the {source} data in the store: too few to tell an effect "
                   f"from noise; the slope change is not estimated. "
                   f"Data that would settle it: {settle(source, design, real_end)}.")
    if concurrent:
        out.append("Concurrent events within six months touch the treated countries, so any "
                   "change cannot be credited to this event alone: " + "; ".join(concurrent))
    if dropped:
        out.append("Countries dropped for lack of coverage: "
                   + "; ".join(f"{k} ({v})" for k, v in dropped.items()))
    if ev.precision != "day":
        out.append(f"The event is dated only to the {ev.precision}; that month is left out.")
    if used_c:
        out.append("The DiD compares levels: it assumes treated and control countries would "
                   "have moved in parallel, which is doubtful when their levels differ by an "
                   "order of magnitude (see the table).")
    if measure != "events" and source == "acled":
        out.append("ACLED gives one fatality count: the low/best/high runs coincide.")
    if source == "ucdp_candidate":
        out.append("UCDP candidate files cover the release month(s) only, but the panel's "
                   "coverage is per snapshot: months before a country's first candidate event "
                   "may be counted as zeros. Check the pre-period before trusting a result.")
    out.append("Coverage is the stored snapshots': a month without a row is missing, not "
               "zero; a per-country export's coverage ends at its last event.")
    return out
