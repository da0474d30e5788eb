"""The model: no data after the cut-off, deterministic, counts, the registry switch."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sahel.errors import ConfigError
from sahel.forecast import features
from sahel.forecast.data import Inputs, period
from sahel.forecast.model import forecast
from tests.forecast.conftest import SMALL

CUTOFF = period(2021, 10)
STEPS = [3, 14]


def _poisoned(inputs: Inputs, cutoff: int) -> Inputs:
    """Every month after ``cutoff`` replaced by absurd values, in every matrix."""
    later = inputs.periods > cutoff
    y = inputs.y.values.copy()
    y[later] = 1e6
    aux = inputs.aux.values.copy()
    aux[later] = 5e5
    context = {k: np.where(later[:, None], 77.0, v) for k, v in inputs.context.items()}
    return replace(inputs, y=replace(inputs.y, values=y), aux=replace(inputs.aux, values=aux),
                   context=context)


def test_window_sees_nothing_after_cutoff(inputs: Inputs) -> None:
    clean = forecast(inputs, CUTOFF, STEPS, SMALL)
    poisoned = _poisoned(inputs, CUTOFF)
    assert forecast(poisoned, CUTOFF, STEPS, SMALL) == pytest.approx(clean)
    # the poison is live: one month earlier it enters the history and moves the forecast
    assert not np.array_equal(forecast(_poisoned(inputs, CUTOFF - 1), CUTOFF, STEPS, SMALL),
                              clean)


def test_forecast_is_deterministic_counts(inputs: Inputs) -> None:
    a = forecast(inputs, CUTOFF, [5], SMALL)
    b = forecast(inputs, CUTOFF, [5], SMALL)
    assert np.array_equal(a, b)
    assert a.shape == (1, len(inputs.units), SMALL.n_samples)
    assert np.all(a >= 0) and np.array_equal(a, np.round(a))
    # countries at peace get mostly zeros, countries at war many deaths
    col = {u: i for i, u in enumerate(inputs.units)}
    assert np.median(a[0, col["ISL"]]) == 0
    assert np.median(a[0, col["BFA"]]) > 20


def test_without_registry_is_the_same_model_minus_registry_features(inputs: Inputs) -> None:
    cut = inputs.until(CUTOFF)
    with_reg = features.design(cut, registry=True)
    without = features.design(cut, registry=False)
    added = set(with_reg) - set(without)
    assert set(without) < set(with_reg)
    assert {"ties_forces", "member_aes", "coup_since", "nb_mean12"} <= added
    a = forecast(inputs, CUTOFF, [3], SMALL)
    b = forecast(inputs, CUTOFF, [3], replace(SMALL, registry=False))
    assert not np.array_equal(a, b)


def test_history_share_is_the_units_own_last_year(inputs: Inputs) -> None:
    cfg = replace(SMALL, history_share=1.0)
    out = forecast(inputs, CUTOFF, [3], cfg)
    own = inputs.y.until(CUTOFF).values[-12:].T
    assert np.array_equal(np.sort(out[0][:, :12], axis=1), np.sort(own, axis=1))


def test_bad_steps_and_cutoff_are_config_errors(inputs: Inputs) -> None:
    with pytest.raises(ConfigError):
        forecast(inputs, CUTOFF, [15], SMALL)
    with pytest.raises(ConfigError):
        forecast(inputs, period(1990, 6), [3], SMALL)
