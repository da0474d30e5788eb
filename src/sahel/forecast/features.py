"""Feature matrices for the forecasting model: conflict history, neighbours, registry context.

Why these and no more: ViEWS' strongest country-month models lean on the unit's own conflict
history at several time scales (recent months, one, two and five years) and on its neighbours'
(Hegre et al. 2019, 2021); the observatory adds the registry context (:mod:`context`). All are
computed on ``log1p`` deaths, the scale on which fatality counts are roughly additive, and each
matrix row *t* uses only months ≤ *t*: shifting and trailing windows never look ahead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sahel.forecast.data import Inputs

#: trailing windows (months) of the all-violence history
WINDOWS = (3, 6, 12, 24, 60)


def _roll(values: np.ndarray, window: int, how: str) -> np.ndarray:
    frame = pd.DataFrame(values).rolling(window, min_periods=1)
    out = frame.mean() if how == "mean" else frame.max() if how == "max" else frame.std()
    return out.to_numpy()


def _shift(values: np.ndarray, k: int) -> np.ndarray:
    out = np.full_like(values, np.nan)
    if k < len(values):
        out[k:] = values[:len(values) - k] if k else values
    return out


def combined(inputs: Inputs) -> np.ndarray:
    """The target series where it is known, the all-violence series before (the ViEWS target
    starts in 2018; without this, a 2020 window would have 22 months of its own history). The
    model is told which is which (``is_sb``), so it learns the offset between the two."""
    out: np.ndarray = np.where(np.isnan(inputs.y.values), inputs.aux.values, inputs.y.values)
    return out


def history(inputs: Inputs) -> dict[str, np.ndarray]:
    """The target's (extended back by :func:`combined`) and the all-violence series' own past
    (lags, trailing means, maxima, spread, months with deaths)."""
    ly = np.log1p(combined(inputs))
    la = np.log1p(inputs.aux.values)
    out: dict[str, np.ndarray] = {}
    for k in range(6):
        out[f"y_lag{k}"] = _shift(ly, k)
        out[f"a_lag{k}"] = _shift(la, k)
    for w in (3, 12):
        out[f"y_mean{w}"] = _roll(ly, w, "mean")
    out["y_max12"] = _roll(ly, 12, "max")
    out["y_known"] = (~np.isnan(inputs.y.values)).astype(float)
    for w in WINDOWS:
        out[f"a_mean{w}"] = _roll(la, w, "mean")
        out[f"a_max{w}"] = _roll(la, w, "max")
    out["y_sd12"] = _roll(ly, 12, "std")
    out["a_sd12"] = _roll(la, 12, "std")
    active = (inputs.aux.values > 0).astype(float)
    active[np.isnan(inputs.aux.values)] = np.nan
    out["a_active12"] = _roll(active, 12, "mean")
    out["a_active60"] = _roll(active, 60, "mean")
    return out


def spatial(inputs: Inputs) -> dict[str, np.ndarray]:
    """Cross-border lags: the neighbours' mean all-violence deaths (this month, trailing year)
    and their worst trailing year, on ``log1p``."""
    if inputs.neighbours is None:
        return {}
    w = inputs.neighbours
    la = np.nan_to_num(np.log1p(inputs.aux.values))
    mean12 = _roll(la, 12, "mean")
    adjacency = w > 0
    worst = np.stack([np.max(np.where(adjacency[j], mean12, 0.0), axis=1)
                      for j in range(w.shape[0])], axis=1)
    return {"nb_now": la @ w.T, "nb_mean12": mean12 @ w.T, "nb_worst12": worst,
            "nb_count": np.tile(adjacency.sum(axis=1).astype(float), (len(la), 1))}


def design(inputs: Inputs, *, registry: bool) -> dict[str, np.ndarray]:
    """All feature matrices of a model: history, plus spatial lags and registry context when
    ``registry`` is set (the comparison the issue asks for: the same model with and without
    what only the observatory has)."""
    out = history(inputs)
    if registry:
        out.update(spatial(inputs))
        out.update(inputs.context)
    return out
