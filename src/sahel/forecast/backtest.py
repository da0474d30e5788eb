"""Backtests on the ViEWS 2023/24 challenge windows: the model, the model without registry
features and the challenge's four benchmarks, scored on the same country-months.

Windows (issue 12, acceptance 3): data to October of Y−1, forecasts for January–December of Y,
Y = 2020..2023, and January–April 2024 (the actuals end there). January is 3 months after the
cut-off, December 14: the two months between are not scored, as in the challenge.

No leak: every forecaster receives ``inputs`` and the cut-off and reads the data through
:meth:`Inputs.until` (the model) or the target panel cut at the cut-off (the benchmarks); the
actuals are read from the full panel only to score. ``test_window_sees_nothing_after_cutoff``
poisons every later month and checks the forecasts do not move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sahel.forecast import benchmarks, scoring
from sahel.forecast.data import Inputs, label, period
from sahel.forecast.model import ModelConfig, forecast

SAHEL = ("MLI", "BFA", "NER", "TCD", "MRT", "NGA", "BEN", "TGO")
MAIN = "model"
WITHOUT = "model_no_registry"
REFERENCE = "conflictology"
SCORES = ("crps", "ign", "mis")


@dataclass(frozen=True)
class Window:
    """Forecasts for ``first``..``last`` (periods) from data to ``cutoff``."""

    name: str
    cutoff: int
    first: int
    last: int

    @property
    def steps(self) -> list[int]:
        return list(range(self.first - self.cutoff, self.last - self.cutoff + 1))

    @property
    def months(self) -> np.ndarray:
        return np.arange(self.first, self.last + 1)


def challenge_windows() -> list[Window]:
    """The five windows of the issue, in time order."""
    out = [Window(str(y), period(y - 1, 10), period(y, 1), period(y, 12))
           for y in range(2020, 2024)]
    out.append(Window("2024-01..04", period(2023, 10), period(2024, 1), period(2024, 4)))
    return out


def forecasters(*, registry: bool = True, base: ModelConfig | None = None,
                ) -> dict[str, ModelConfig | None]:
    """The models scored in a backtest: the model (and, with ``registry``, the model without
    registry features beside it); ``None`` marks a challenge benchmark."""
    cfg = base or ModelConfig()
    models: dict[str, ModelConfig | None] = {}
    if registry:
        models[MAIN] = ModelConfig(**{**cfg.__dict__, "registry": True})
    models[WITHOUT] = ModelConfig(**{**cfg.__dict__, "registry": False})
    models.update(dict.fromkeys(benchmarks.BENCHMARKS))
    return models


def window_samples(inputs: Inputs, window: Window, name: str, config: ModelConfig | None,
                   seed: int = 0) -> np.ndarray:
    """``(steps, units, samples)`` of one forecaster for one window."""
    if config is not None:
        return forecast(inputs, window.cutoff, window.steps, config)
    history = inputs.y.until(window.cutoff).values
    known = ~np.all(np.isnan(history), axis=1)
    rng = np.random.default_rng([seed, window.cutoff, sorted(benchmarks.BENCHMARKS).index(name)])
    return benchmarks.BENCHMARKS[name](history[known], window.steps, rng)


def score_window(inputs: Inputs, window: Window, models: dict[str, ModelConfig | None],
                 seed: int = 0) -> pd.DataFrame:
    """One row per model × country-month with an actual: the scores and calibration."""
    rows = np.searchsorted(inputs.y.periods, window.months)
    obs = inputs.y.values[rows]  # (months, units): actuals, read only to score
    frames = []
    for name, config in models.items():
        samples = window_samples(inputs, window, name, config, seed)
        rng = np.random.default_rng([seed, window.cutoff, 99])
        got = scoring.score_all(np.nan_to_num(obs), samples, rng)
        frame = pd.DataFrame({
            "window": window.name, "model": name,
            "month": np.repeat([label(int(p)) for p in window.months], len(inputs.units)),
            "step": np.repeat(window.steps, len(inputs.units)),
            "country_iso3": np.tile(inputs.units, len(window.months)),
            "actual": obs.reshape(-1),
            "median": np.median(samples, axis=-1).reshape(-1),
            **{k: v.reshape(-1) for k, v in got.items()}})
        frames.append(frame[~np.isnan(frame["actual"])])
    out: pd.DataFrame = pd.concat(frames, ignore_index=True)
    return out


def backtest(inputs: Inputs, windows: Sequence[Window] | None = None,
             models: dict[str, ModelConfig | None] | None = None, seed: int = 0,
             ) -> pd.DataFrame:
    """Scores of every model on every window (rows as :func:`score_window`)."""
    models = models if models is not None else forecasters()
    return pd.concat([score_window(inputs, w, models, seed) for w in
                      (windows or challenge_windows())], ignore_index=True)


def summarise(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean scores per window, over all windows ("all", the mean of every scored country-month)
    and over the windows' means ("mean of windows"), for all countries and the Sahel; with the
    CRPS ratio to the conflictology benchmark."""
    parts = []
    for group, frame in (("all countries", scores),
                         ("Sahel", scores[scores["country_iso3"].isin(SAHEL)])):
        per = frame.groupby(["window", "model"], sort=False)[list(SCORES)].mean()
        overall = frame.groupby("model", sort=False)[list(SCORES)].mean()
        windows_mean = per.groupby(level="model", sort=False).mean()
        table = pd.concat([per.reset_index(),
                           overall.reset_index().assign(window="all"),
                           windows_mean.reset_index().assign(window="mean of windows")])
        table.insert(0, "countries", group)
        parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    ref = out[out["model"] == REFERENCE].set_index(["countries", "window"])["crps"]
    keys = pd.MultiIndex.from_frame(out[["countries", "window"]])
    out["crps_ratio"] = out["crps"].to_numpy() / ref.reindex(keys).to_numpy()
    return out[["countries", "window", "model", *SCORES, "crps_ratio"]]


def calibration(scores: pd.DataFrame) -> pd.DataFrame:
    """Coverage of the central 50% and 90% intervals and a 10-bin PIT histogram per model."""
    bins = np.linspace(0, 1, 11)
    rows = []
    for name, frame in scores.groupby("model", sort=False):
        hist, _ = np.histogram(frame["pit"], bins=bins)
        rows.append({"model": name, "in50": frame["in50"].mean(), "in90": frame["in90"].mean(),
                     **{f"pit_{i}": h / len(frame) for i, h in enumerate(hist)}})
    return pd.DataFrame(rows)
