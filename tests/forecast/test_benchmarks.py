"""The ViEWS challenge's four benchmarks, exactly, on hand-made matrices."""

from __future__ import annotations

import numpy as np
import pytest

from sahel.forecast import benchmarks

# 14 months x 3 units; the last 12 months of unit 0 are 1..12, unit 1 is 0 except 5 last month,
# unit 2 was not observed in its first 3 of the last 12 months
HISTORY = np.array([[100.0, 100.0, 100.0], [100.0, 100.0, 100.0]]
                   + [[float(i), 0.0, np.nan if i <= 3 else 2.0] for i in range(1, 12)]
                   + [[12.0, 5.0, 2.0]])
STEPS = (3, 4, 5)


def test_conflictology_is_the_units_own_last_12_months() -> None:
    out = benchmarks.conflictology(HISTORY, STEPS, np.random.default_rng(0))
    assert out.shape == (3, 3, 12)
    for s in range(3):
        assert out[s, 0].tolist() == [float(i) for i in range(1, 13)]
        assert out[s, 1].tolist() == [0.0] * 11 + [5.0]
    # months before a unit is observed are filled with its observed mean (2.0), not dropped
    assert out[0, 2].tolist() == [2.0] * 12


def test_boot_draws_from_the_pooled_last_12_months() -> None:
    out = benchmarks.boot(HISTORY, STEPS, np.random.default_rng(0))
    assert out.shape == (3, 3, benchmarks.N_SAMPLES)
    pool = set(range(1, 13)) | {0, 5, 2}
    assert set(np.unique(out).tolist()) <= {float(v) for v in pool}
    assert 100.0 not in out  # months before the last 12 are not in the pool
    # one pool for every unit: the units' draws have the same distribution
    assert out[:, 1].mean() == pytest.approx(out[:, 0].mean(), rel=0.1)
    pooled = np.concatenate([np.arange(1.0, 13.0), [0.0] * 11 + [5.0], [2.0] * 12])
    assert out.mean() == pytest.approx(pooled.mean(), rel=0.05)


def test_last_is_poisson_around_the_last_month() -> None:
    out = benchmarks.last(HISTORY, STEPS, np.random.default_rng(0))
    assert out.shape == (3, 3, benchmarks.N_SAMPLES)
    assert out[:, 0].mean() == pytest.approx(12.0, rel=0.05)
    assert out[:, 0].var() == pytest.approx(12.0, rel=0.15)
    assert out[:, 1].mean() == pytest.approx(5.0, rel=0.05)
    assert np.all(out == np.round(out))


def test_zero() -> None:
    out = benchmarks.zero(HISTORY, STEPS, np.random.default_rng(0))
    assert out.shape == (3, 3, benchmarks.N_SAMPLES)
    assert not out.any()


def test_benchmarks_are_seeded() -> None:
    a = benchmarks.boot(HISTORY, STEPS, np.random.default_rng(7))
    b = benchmarks.boot(HISTORY, STEPS, np.random.default_rng(7))
    assert np.array_equal(a, b)
    assert set(benchmarks.BENCHMARKS) == {"conflictology", "boot", "last", "zero"}
