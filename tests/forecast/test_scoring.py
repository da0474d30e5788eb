"""The challenge's scores on values computed by hand (issue 12, acceptance 2)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sahel.forecast import scoring


def test_crps_known_value() -> None:
    # empirical CRPS = E|X - y| - E|X - X'| / 2
    # [0, 2] vs 1: 1 - (0 + 2 + 2 + 0) / 4 / 2 = 0.5
    # [0, 0, 4] vs 1: 5/3 - (4 * 4 / 9) / 2 = 7/9
    got = scoring.crps(np.array([1.0, 1.0]), np.array([[0.0, 2.0, 2.0], [0.0, 0.0, 4.0]])[:, :])
    assert got[1] == pytest.approx(7 / 9)
    assert scoring.crps(np.array([1.0]), np.array([[0.0, 2.0]]))[0] == pytest.approx(0.5)
    # a point forecast: CRPS is the absolute error
    assert scoring.crps(np.array([3.0]), np.full((1, 5), 10.0))[0] == pytest.approx(7.0)


def test_ign_bins_are_the_challenges() -> None:
    values = np.array([0, 1, 2, 3, 5, 6, 10, 11, 25, 26, 50, 51, 100, 101, 250, 251, 500, 501,
                       1000, 1001, 50_000])
    expected = [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10]
    assert scoring._bins(values.astype(float)).tolist() == expected
    assert scoring.N_BINS == 11


def test_ign_known_value() -> None:
    # ten zeros + one pseudo-sample per bin: P(bin 0) = 11/21, P(bin "3-5") = 1/21
    samples = np.zeros((2, 10))
    got = scoring.ign(np.array([0.0, 4.0]), samples)
    assert got[0] == pytest.approx(-math.log2(11 / 21))
    assert got[1] == pytest.approx(math.log2(21))
    probs = scoring.bin_probabilities(samples)
    assert probs.sum(axis=-1) == pytest.approx([1.0, 1.0])


def test_mis_of_the_90_interval() -> None:
    samples = np.tile(np.arange(101.0), (3, 1))  # 5% quantile 5, 95% quantile 95
    got = scoring.mis(np.array([50.0, 100.0, 0.0]), samples)
    # width 90; outside: + 2/alpha * distance = 20 * 5
    assert got == pytest.approx([90.0, 190.0, 190.0])


def test_calibration_measures() -> None:
    rng = np.random.default_rng(0)
    samples = np.tile(np.arange(101.0), (2, 1))
    assert scoring.covered(np.array([50.0, 99.0]), samples, 0.9).tolist() == [True, False]
    assert scoring.covered(np.array([50.0, 80.0]), samples, 0.5).tolist() == [True, False]
    pit = scoring.pit(np.array([-1.0, 200.0]), samples, rng)
    assert pit == pytest.approx([0.0, 1.0])


def test_score_all_shapes() -> None:
    rng = np.random.default_rng(0)
    samples = np.random.default_rng(1).poisson(3.0, size=(4, 6, 50)).astype(float)
    obs = np.full((4, 6), 3.0)
    out = scoring.score_all(obs, samples, rng)
    assert set(out) == {"crps", "ign", "mis", "pit", "in50", "in90"}
    assert all(v.shape == (4, 6) for v in out.values())
