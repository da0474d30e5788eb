"""What a forecast is trained on: series as period × country matrices, cut at a cut-off.

Why matrices: every forecasting step (lags, rolling means, neighbours, the benchmarks) is a
shift or a window along time for all countries at once; a dense ``(months, countries)`` array
makes each one a vectorised operation instead of a group-by.

Why one cut: :meth:`Inputs.until` is the *only* way a model, a benchmark or a feature builder
gets data — it drops every month after the cut-off from every matrix (target, auxiliary series,
registry context). A window's model therefore cannot see what happened after its cut-off; the
test ``test_window_sees_nothing_after_cutoff`` poisons those months and checks the forecast is
unchanged.

Every figure comes from :func:`sahel.series.query.get_series` (the one series reader), so each
panel carries the snapshots it was read from — recorded with every stored run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sahel.errors import ConfigError, NotFoundError
from sahel.provenance import Provenance
from sahel.series.query import get_series


@dataclass(frozen=True)
class Target:
    """A forecast target: the series it is scored against and what it means."""

    name: str
    series: str
    label: str


TARGETS: dict[str, Target] = {
    "ged_sb": Target("ged_sb", "views_ged_sb",
                     "UCDP state-based deaths (best), ViEWS prediction-challenge actuals"),
    "ucdp_all": Target("ucdp_all", "ucdp_pace_deaths_best",
                       "UCDP deaths (best) in all organised violence (state-based, non-state, "
                       "one-sided), UCDP-derived country-month series"),
}
#: the long all-violence history every model also reads (1989 onwards)
AUX_SERIES = "ucdp_pace_deaths_best"


def target(name: str) -> Target:
    if name not in TARGETS:
        raise ConfigError(f"unknown forecast target {name!r}", field="--target",
                          hint="use " + " or ".join(TARGETS))
    return TARGETS[name]


def period(year: int, month: int) -> int:
    """Months since year 0 (``year * 12 + month - 1``), the series reader's period index."""
    return year * 12 + month - 1


def label(p: int) -> str:
    return f"{p // 12}-{p % 12 + 1:02d}"


def parse_month(text: str, option: str = "--cutoff") -> int:
    """``YYYY-MM`` as a period."""
    try:
        year, month = (int(x) for x in text.split("-"))
        if not 1 <= month <= 12 or not 1989 <= year <= 2100:
            raise ValueError
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a month", field=option,
                          hint="write it as YYYY-MM, e.g. 2023-10") from None
    return period(year, month)


@dataclass(frozen=True)
class Panel:
    """One series as a dense matrix: ``values[i, j]`` is period ``periods[i]`` of unit j
    (NaN where the series has no value)."""

    series: str
    periods: np.ndarray
    units: tuple[str, ...]
    values: np.ndarray
    snapshots: tuple[int, ...]
    provenance: Provenance | None = None

    @property
    def first(self) -> int:
        return int(self.periods[0])

    @property
    def last(self) -> int:
        """The last period with at least one value."""
        seen = np.flatnonzero(~np.all(np.isnan(self.values), axis=1))
        if not seen.size:
            raise NotFoundError(f"series {self.series} has no values")
        return int(self.periods[seen[-1]])

    def until(self, cutoff: int) -> Panel:
        """The panel as it was known at ``cutoff``: every later month removed."""
        keep = self.periods <= cutoff
        return replace(self, periods=self.periods[keep], values=self.values[keep])

    def aligned(self, periods: np.ndarray, units: tuple[str, ...], fill: float) -> Panel:
        """Reindexed onto ``periods`` × ``units`` (absent cells = ``fill``)."""
        frame = pd.DataFrame(self.values, index=self.periods, columns=list(self.units))
        frame = frame.reindex(index=periods, columns=list(units))
        values = frame.to_numpy(dtype=float)
        if not np.isnan(fill):
            values = np.where(np.isnan(values), fill, values)
        return replace(self, periods=np.asarray(periods), units=units, values=values)


def load_panel(series: str, *, as_of: int | None = None, db_path: Path | None = None) -> Panel:
    """The series as a matrix over its full period span, through the one series reader."""
    rows, prov = get_series(series, as_of=as_of, db_path=db_path, fill_zero=False)
    rows = rows[rows["month"].notna()]
    p = rows["year"].astype(int) * 12 + rows["month"].astype(int) - 1
    wide = rows.assign(p=p).pivot_table(index="p", columns="country_iso3", values="value",
                                        aggfunc="sum")
    periods = np.arange(int(wide.index.min()), int(wide.index.max()) + 1)
    wide = wide.reindex(periods)
    snaps = tuple(sorted({int(s["snapshot_id"]) for s in prov.snapshots}))
    return Panel(series=series, periods=periods, units=tuple(str(c) for c in wide.columns),
                 values=wide.to_numpy(dtype=float), snapshots=snaps, provenance=prov)


@dataclass(frozen=True)
class Inputs:
    """Everything one model run may read: the target panel, the long all-violence history on
    the target's months and countries, and (optionally) registry context matrices."""

    target: Target
    y: Panel
    aux: Panel
    context: dict[str, np.ndarray] = field(default_factory=dict)
    #: first period of the context matrices (they share ``aux``'s periods)
    neighbours: np.ndarray | None = None

    @property
    def units(self) -> tuple[str, ...]:
        return self.y.units

    @property
    def periods(self) -> np.ndarray:
        return self.aux.periods

    def until(self, cutoff: int) -> Inputs:
        """The inputs as known at ``cutoff`` (see the module docstring)."""
        if cutoff < self.aux.first + 24:
            raise ConfigError(f"cut-off {label(cutoff)} leaves less than two years of history",
                              field="--cutoff", hint=f"use {label(self.aux.first + 24)} or later")
        keep = self.aux.periods <= cutoff
        return replace(self, y=self.y.until(cutoff), aux=self.aux.until(cutoff),
                       context={k: v[keep] for k, v in self.context.items()})

    @property
    def snapshots(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.y.snapshots) | set(self.aux.snapshots)))


def assemble(target_name: str, *, as_of: int | None = None, db_path: Path | None = None,
             ) -> Inputs:
    """The target series and the all-violence history on one grid (target's countries; the
    target's months extended back to 1989 so that long lags exist for the ViEWS series).

    Countries absent from the UCDP-derived table (it lists the 133 countries with UCDP deaths)
    are taken as zero all-violence deaths, which is what their absence means there.
    """
    tgt = target(target_name)
    y = load_panel(tgt.series, as_of=as_of, db_path=db_path)
    aux = y if tgt.series == AUX_SERIES else load_panel(AUX_SERIES, as_of=as_of,
                                                        db_path=db_path)
    periods = np.arange(min(aux.first, y.first), max(aux.periods[-1], y.periods[-1]) + 1)
    y_full = y.aligned(periods, y.units, np.nan)
    aux_full = aux.aligned(periods, y.units, 0.0)
    # the all-violence series ends where it ends: months after its last are unknown, not zero
    aux_full.values[periods > aux.last] = np.nan
    return Inputs(target=tgt, y=y_full, aux=aux_full)
