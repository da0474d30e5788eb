"""The ViEWS 2023/24 prediction challenge's benchmark models, re-implemented as defined there.

Followed (see docs/adr/005-forecasts.md): Hegre et al. (2024/25) "The 2023/24 VIEWS Prediction
Challenge" and the challenge's code (prio-data/prediction_competition_2023, ``benchmark.py``):

``conflictology``  each unit's own last 12 observed months, as 12 equally weighted samples
                   (the same 12 for every month ahead)
``boot``           1,000 draws with replacement from the pool of every unit's last 12 observed
                   months (one pool for all units)
``last``           1,000 Poisson draws around the unit's last observed month
``zero``           1,000 zeros

Each returns ``(len(steps), units, samples)``; ``history`` is a ``(months, units)`` matrix
that ends at the cut-off (the caller passes data cut by :meth:`Inputs.until`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

N_SAMPLES = 1000


def _last12(history: np.ndarray) -> np.ndarray:
    """The last 12 observed months of each unit, ``(12, units)`` (a unit observed for fewer
    months has its missing ones taken from what it has; never observed: zero)."""
    window = history[-12:]
    fill = np.nanmean(window, axis=0)
    fill = np.where(np.isnan(fill), 0.0, fill)
    return np.where(np.isnan(window), fill, window)


def conflictology(history: np.ndarray, steps: Sequence[int], rng: np.random.Generator,
                  ) -> np.ndarray:
    last = _last12(history).T  # units x 12
    return np.broadcast_to(last, (len(steps), *last.shape)).copy()


def boot(history: np.ndarray, steps: Sequence[int], rng: np.random.Generator) -> np.ndarray:
    pool = _last12(history).ravel()
    return rng.choice(pool, size=(len(steps), history.shape[1], N_SAMPLES)).astype(float)


def last(history: np.ndarray, steps: Sequence[int], rng: np.random.Generator) -> np.ndarray:
    lam = _last12(history)[-1]
    return rng.poisson(lam[None, :, None], size=(len(steps), len(lam), N_SAMPLES)).astype(float)


def zero(history: np.ndarray, steps: Sequence[int], rng: np.random.Generator) -> np.ndarray:
    return np.zeros((len(steps), history.shape[1], N_SAMPLES))


BENCHMARKS: dict[str, Callable[[np.ndarray, Sequence[int], np.random.Generator], np.ndarray]] = {
    "conflictology": conflictology, "boot": boot, "last": last, "zero": zero}
