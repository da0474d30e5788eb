"""A store holding the two series the forecasts read, imported in place from ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from sahel.forecast.data import Inputs, assemble
from sahel.forecast.model import ModelConfig, enrich
from sahel.series.store import import_series

PACE = "ucdp_ged/derived/pace_Hist_country_month_best_1989-01_2026-05.csv"
VIEWS = [f"views/prediction_challenge_actuals/cm_actuals_{y}.parquet" for y in range(2018, 2025)]

#: small enough for tests (a few seconds per window), the same code path as the real model
SMALL = ModelConfig(n_samples=200, n_estimators=30, first_origin=2012 * 12, holdout=12,
                    neighbours=100)


@pytest.fixture(scope="session")
def forecast_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("forecast") / "store.duckdb"
    import_series(shared_data / PACE, db_path=db)
    for rel in VIEWS:
        import_series(shared_data / rel, db_path=db)
    return db


@pytest.fixture(scope="session")
def inputs(forecast_store: Path, shared_data: Path) -> Inputs:
    return enrich(assemble("ged_sb", db_path=forecast_store), shared=shared_data,
                  coupcats=shared_data / "coups" / "coupcats" / "coupcats_2.c.base_data.csv.gz")
