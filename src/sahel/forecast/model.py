"""The forecasting model: direct gradient-boosted forecasts per horizon, with empirical errors.

Why this family (docs/adr/005-forecasts.md): the strongest entries of the ViEWS 2023/24
challenge were tree ensembles on conflict history with a distribution put around their point
forecast. Here, for each month ahead *h*, one LightGBM regression of ``log1p`` deaths at *t + h*
on the features at *t* (:mod:`sahel.forecast.features`) gives a centre; the spread comes from the
errors the same kind of model made on months it had not seen. A first model is fitted on origins
up to ``HOLDOUT`` months before the last usable one and predicts those last months; its errors,
on the ``log1p`` scale, are the pool. A unit's 1,000 samples are its centre plus errors drawn
from the ``NEIGHBOURS`` held-out rows whose centre was closest to its own — errors are larger
for countries at war than for countries at peace, and a pool by centre keeps that. Samples are
mapped back to counts, floored at zero and rounded (deaths are counts; the IGN bins are integer).

Why direct models and not one model iterated: an iterated monthly model compounds its errors
and has to simulate every feature; a direct model per horizon learns each horizon's own
uncertainty. Horizons that a run does not ask for are not fitted.

Every random choice is seeded from :attr:`ModelConfig.seed` and the horizon, and LightGBM runs
in its deterministic mode with a fixed thread count, so a run is reproducible bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import lightgbm as lgb
import numpy as np

from sahel.errors import ConfigError
from sahel.forecast import features
from sahel.forecast.context import registry_context
from sahel.forecast.data import Inputs
from sahel.forecast.neighbours import land_neighbours, weights

MODEL_VERSION = "lgbm-direct-log1p-heldout-errors/1"
MAX_STEPS = 14


@dataclass(frozen=True)
class ModelConfig:
    """Everything that decides a model's forecasts (stored with each run)."""

    registry: bool = True
    """Use cross-border lags and registry context (False: the same model without them)."""
    n_samples: int = 1000
    seed: int = 12
    first_origin: int = 2000 * 12
    """First month used as a training origin (January 2000)."""
    holdout: int = 24
    """Months of origins held out to measure the errors the samples are drawn from."""
    neighbours: int = 300
    """Held-out rows whose centre is nearest a forecast's, to draw its errors from."""
    history_share: float = 0.25
    """Share of the samples drawn from the unit's own last 12 months of the target (the
    conflictology benchmark's distribution): a mixture that hedges the model where its
    errors are large (measured: 0.94 -> 0.91 of conflictology's CRPS over the windows)."""
    n_estimators: int = 200
    learning_rate: float = 0.05
    num_leaves: int = 15
    min_child_samples: int = 40
    threads: int = 2

    def params(self) -> dict[str, object]:
        return {"objective": "regression", "learning_rate": self.learning_rate,
                "num_leaves": self.num_leaves, "min_data_in_leaf": self.min_child_samples,
                "bagging_fraction": 0.8, "bagging_freq": 1, "feature_fraction": 0.8,
                "lambda_l2": 1.0, "seed": self.seed, "num_threads": self.threads,
                "deterministic": True, "force_row_wise": True, "verbosity": -1}

    def describe(self) -> dict[str, object]:
        return {"model_version": MODEL_VERSION, **{k: getattr(self, k) for k in (
            "registry", "n_samples", "seed", "first_origin", "holdout", "neighbours",
            "history_share",
            "n_estimators", "learning_rate", "num_leaves", "min_child_samples")}}


def enrich(inputs: Inputs, *, registry_root: Path | None = None, shared: Path | None = None,
           coupcats: Path | None = None) -> Inputs:
    """The inputs with registry context and land-neighbour weights on their grid.

    Computed once over the whole grid; each row uses only what was dated on or before its
    month (see :mod:`sahel.forecast.context`), and :meth:`Inputs.until` cuts them with the rest.
    """
    from sahel.registry.load import read_registry

    registry, _ = read_registry(registry_root)
    context = registry_context(registry, inputs.units, inputs.periods, coupcats)
    nb = weights(inputs.units, land_neighbours(shared))
    return replace(inputs, context=context, neighbours=nb)


def _stack(mats: dict[str, np.ndarray], rows: slice | np.ndarray) -> np.ndarray:
    """Features of the chosen months as ``(months × units, features)``."""
    return np.stack([m[rows].reshape(-1) for m in mats.values()], axis=1)


def _fit(x: np.ndarray, y: np.ndarray, config: ModelConfig) -> lgb.Booster:
    data = lgb.Dataset(x, label=y, params={"verbosity": -1}, free_raw_data=True)
    return lgb.train(config.params(), data, num_boost_round=config.n_estimators)


def _training(mats: dict[str, np.ndarray], target: np.ndarray, is_sb: np.ndarray,
              periods: np.ndarray, h: int, first: int, last: int,
              ) -> tuple[np.ndarray, np.ndarray]:
    """Rows (origin t, unit) for horizon ``h`` with origins ``first <= t <= last``."""
    idx = np.flatnonzero((periods >= first) & (periods <= last))
    if not idx.size:
        return np.empty((0, len(mats) + 1)), np.empty(0)
    x = _stack(mats, idx)
    x = np.column_stack([x, is_sb[idx + h].reshape(-1)])
    y = target[idx + h].reshape(-1)
    keep = ~np.isnan(y)
    return x[keep], y[keep]


def forecast(inputs: Inputs, cutoff: int, steps: Sequence[int], config: ModelConfig,
             ) -> np.ndarray:
    """Samples ``(len(steps), units, n_samples)`` of the target ``steps`` months after
    ``cutoff``, from the inputs as known at ``cutoff`` and nothing else."""
    if not steps or min(steps) < 1 or max(steps) > MAX_STEPS:
        raise ConfigError(f"months ahead must be 1..{MAX_STEPS}", field="steps",
                          hint=f"ask for months 1 to {MAX_STEPS} after the cut-off")
    cut = inputs.until(cutoff)
    mats = features.design(cut, registry=config.registry)
    periods = cut.periods
    target = np.log1p(features.combined(cut))
    is_sb = (~np.isnan(cut.y.values)).astype(float)
    now = _stack(mats, slice(len(periods) - 1, len(periods)))
    units = len(cut.units)
    out = np.empty((len(steps), units, config.n_samples))
    for s, h in enumerate(steps):
        rng = np.random.default_rng([config.seed, h])
        last = cutoff - h
        if last - config.holdout < config.first_origin + 24:
            raise ConfigError(f"too little history before the cut-off for {h} months ahead",
                              field="--cutoff", hint="use a later cut-off")
        x_fit, y_fit = _training(mats, target, is_sb, periods, h, config.first_origin,
                                 last - config.holdout)
        x_out, y_out = _training(mats, target, is_sb, periods, h,
                                 last - config.holdout + 1, last)
        probe = _fit(x_fit, y_fit, config)
        centre_out = np.asarray(probe.predict(x_out))
        order = np.argsort(centre_out, kind="stable")
        pool_centre, pool_error = centre_out[order], (y_out - centre_out)[order]
        x_all = np.concatenate([x_fit, x_out])
        y_all = np.concatenate([y_fit, y_out])
        model = _fit(x_all, y_all, config)
        centre = np.asarray(model.predict(np.column_stack([now, np.ones(units)])))
        out[s] = _draw(centre, pool_centre, pool_error, config, rng)
    k = round(config.history_share * config.n_samples)
    if k:
        recent = features.combined(cut)[-12:].T  # units x 12
        out[:, :, config.n_samples - k:] = np.tile(recent, (1, -(-k // 12)))[:, :k]
    return out


def _draw(centre: np.ndarray, pool_centre: np.ndarray, pool_error: np.ndarray,
          config: ModelConfig, rng: np.random.Generator) -> np.ndarray:
    """Samples of each unit: its centre plus errors of the held-out rows nearest in centre."""
    k = min(config.neighbours, len(pool_centre))
    pos = np.searchsorted(pool_centre, centre)
    start = np.clip(pos - k // 2, 0, len(pool_centre) - k)
    pick = start[:, None] + rng.integers(0, k, size=(len(centre), config.n_samples))
    draws = centre[:, None] + pool_error[pick]
    out: np.ndarray = np.round(np.maximum(np.expm1(draws), 0.0))
    return out
