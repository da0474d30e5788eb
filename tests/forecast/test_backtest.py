"""Backtest windows and the score table on the challenge actuals."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sahel.forecast import backtest as bt
from sahel.forecast.data import Inputs, label, period
from tests.forecast.conftest import SMALL


def test_challenge_windows() -> None:
    windows = bt.challenge_windows()
    assert [w.name for w in windows] == ["2020", "2021", "2022", "2023", "2024-01..04"]
    assert [label(w.cutoff) for w in windows] == ["2019-10", "2020-10", "2021-10", "2022-10",
                                                  "2023-10"]
    assert windows[0].steps == list(range(3, 15))
    assert windows[-1].steps == [3, 4, 5, 6]
    assert label(windows[-1].last) == "2024-04"


def test_one_window_scored_beside_the_benchmarks(inputs: Inputs) -> None:
    window = bt.Window("2022 Q1", period(2021, 10), period(2022, 1), period(2022, 3))
    models = bt.forecasters(base=replace(SMALL, n_samples=100))
    scores = bt.backtest(inputs, [window], models)
    assert set(scores["model"]) == {"model", "model_no_registry", "conflictology", "boot",
                                    "last", "zero"}
    # 191 countries x 3 months, each model
    assert (scores.groupby("model").size() == 191 * 3).all()
    # the zero benchmark's CRPS is the actual itself
    zero = scores[scores["model"] == "zero"]
    assert zero["crps"].to_numpy() == pytest.approx(zero["actual"].to_numpy())
    summary = bt.summarise(scores)
    ref = summary[summary["model"] == "conflictology"]
    assert ref["crps_ratio"].to_numpy() == pytest.approx(1.0)
    assert set(summary["countries"]) == {"all countries", "Sahel"}
    sahel = scores[scores["country_iso3"].isin(bt.SAHEL)]
    got = summary[(summary["countries"] == "Sahel") & (summary["window"] == "all")
                  & (summary["model"] == "model")]["crps"].iloc[0]
    assert got == pytest.approx(sahel[sahel["model"] == "model"]["crps"].mean())
    cal = bt.calibration(scores)
    assert np.allclose(cal.filter(like="pit_").sum(axis=1), 1.0)
    assert cal["in90"].between(0, 1).all()


def test_actuals_are_the_challenges(inputs: Inputs, shared_data: object) -> None:
    """Burkina Faso 2018-01..2024-04 in the panel = the README's total (9,070)."""
    col = inputs.units.index("BFA")
    keep = (inputs.y.periods >= period(2018, 1)) & (inputs.y.periods <= period(2024, 4))
    assert np.nansum(inputs.y.values[keep, col]) == pytest.approx(9070)
    assert isinstance(inputs.y.values, np.ndarray)
    assert not pd.isna(inputs.aux.values[inputs.periods == period(2024, 4)]).any()
