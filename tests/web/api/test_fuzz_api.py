"""Property-based fuzzing of every endpoint from the OpenAPI document (schemathesis): whatever
the parameters — valid, edge or invalid — no answer is a 5xx and none carries a traceback.

The application is created at import (its OpenAPI document needs no store); the store state
the routes read is attached by a fixture, over the real analysis store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from sahel.web.app import create_app
from sahel.web.state import Observatory, ServeConfig

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]

APP = create_app(ServeConfig(db_path=Path("unused.duckdb"), warm=False))
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP


@pytest.fixture(scope="module", autouse=True)
def _store(web_store: Path, shared_data: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    obs = Observatory(ServeConfig(db_path=web_store, shared_data=shared_data, warm=False))
    APP.state.observatory = obs
    with pytest.MonkeyPatch.context() as mp:  # a crash file must not land in the user's home
        mp.setenv("SAHEL_HOME", str(tmp_path_factory.mktemp("fuzz-home")))
        yield
    APP.state.observatory = None
    obs.close()


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)
def test_no_endpoint_answers_with_a_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    assert b"Traceback" not in response.content
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["message"] and error["hint"], response.text
