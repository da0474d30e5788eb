"""Scores as the ViEWS 2023/24 prediction challenge computes them, with scoringrules.

Why scoringrules and which estimator: the challenge scored CRPS with ``xskillscore``, i.e.
properscoring's ``crps_ensemble`` — the CRPS of the samples' empirical distribution (not the
"fair" version). scoringrules (maintained; properscoring has not been released since 2015)
computes exactly that with ``estimator="qd"`` (equal to the energy form ``"nrg"`` without its
O(m²) memory); ``test_crps_known_value`` pins a value computed by hand.

IGN is the challenge's ensemble ignorance score: samples and observation are put in the 11
bins (0, 1–2, 3–5, 6–10, 11–25, 26–50, 51–100, 101–250, 251–500, 501–1000, 1001+; edges
0, 0.5, 2.5, … 1000.5), one pseudo-sample is added to every bin (so no bin has probability 0),
and the score is −log2 of the observed bin's share. The share is the challenge's estimator;
the score of it is scoringrules' log score for the event "the observation is in its bin",
converted from nats to bits.

MIS is the interval score of the central 90% interval whose ends are the samples' 5% and 95%
quantiles (numpy's default linear interpolation, as the challenge's ``IntervalScore.py``), by
scoringrules' ``interval_score``.

Calibration: the randomised PIT of a count forecast (F(y−1) + U·(F(y) − F(y−1)), uniform when
calibrated) and the coverage of the central 50% and 90% intervals.
"""

from __future__ import annotations

import math

import numpy as np
import scoringrules as sr

#: the challenge's bin edges for the ignorance score (11 bins)
IGN_EDGES = np.array([0, 0.5, 2.5, 5.5, 10.5, 25.5, 50.5, 100.5, 250.5, 500.5, 1000.5])
N_BINS = len(IGN_EDGES)
MIS_LEVEL = 0.9


def crps(obs: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """CRPS of each sample row (last axis = samples) against ``obs``."""
    out: np.ndarray = np.asarray(sr.crps_ensemble(np.asarray(obs, dtype=float),
                                                  np.asarray(samples, dtype=float),
                                                  estimator="qd"))
    return out


def _bins(values: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.digitize(values, IGN_EDGES) - 1
    return out


def bin_probabilities(samples: np.ndarray) -> np.ndarray:
    """``(..., 11)`` share of samples per bin after adding one pseudo-sample to each bin."""
    binned = _bins(np.asarray(samples, dtype=float))
    counts = np.stack([(binned == k).sum(axis=-1) for k in range(N_BINS)], axis=-1) + 1.0
    out: np.ndarray = counts / counts.sum(axis=-1, keepdims=True)
    return out


def ign(obs: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """The challenge's binned ignorance score (bits)."""
    probs = bin_probabilities(samples)
    k = _bins(np.asarray(obs, dtype=float))
    p = np.take_along_axis(probs, k[..., None], axis=-1)[..., 0]
    return np.asarray(sr.log_score(np.ones_like(p), p)) / math.log(2)


def mis(obs: np.ndarray, samples: np.ndarray, level: float = MIS_LEVEL) -> np.ndarray:
    """Interval score of the central ``level`` interval of the samples."""
    alpha = 1.0 - level
    lower = np.quantile(samples, alpha / 2, axis=-1)
    upper = np.quantile(samples, 1 - alpha / 2, axis=-1)
    return np.asarray(sr.interval_score(np.asarray(obs, dtype=float), lower, upper, alpha))


def pit(obs: np.ndarray, samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Randomised probability integral transform of count observations."""
    obs = np.asarray(obs, dtype=float)[..., None]
    below = (samples < obs).mean(axis=-1)
    at_or_below = (samples <= obs).mean(axis=-1)
    return np.asarray(below + rng.uniform(size=below.shape) * (at_or_below - below))


def covered(obs: np.ndarray, samples: np.ndarray, level: float) -> np.ndarray:
    """Whether ``obs`` lies in the central ``level`` interval of the samples."""
    alpha = 1.0 - level
    lower = np.quantile(samples, alpha / 2, axis=-1)
    upper = np.quantile(samples, 1 - alpha / 2, axis=-1)
    return np.asarray((obs >= lower) & (obs <= upper))


def score_all(obs: np.ndarray, samples: np.ndarray, rng: np.random.Generator,
              ) -> dict[str, np.ndarray]:
    """Every score and calibration measure of each forecast row."""
    return {"crps": crps(obs, samples), "ign": ign(obs, samples), "mis": mis(obs, samples),
            "pit": pit(obs, samples, rng), "in50": covered(obs, samples, 0.5),
            "in90": covered(obs, samples, 0.9)}
