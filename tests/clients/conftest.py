"""Fixtures for the network-client tests: a fake server, its URLs in the environment, no waits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sahel.events.clients.http import RetryPolicy

from .fakes import FakeServer


@pytest.fixture()
def fake() -> Iterator[FakeServer]:
    """A fresh fake server; fails the test if one of its handlers raised."""
    with FakeServer() as server:
        yield server
    assert not server.errors, f"fake handler errors: {server.errors!r}"


@pytest.fixture()
def fake_env(sahel_home: Path, fake: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    """Point every SAHEL_*_URL at the fake server (SAHEL_HOME is a tmp folder, no credentials)."""
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SAHEL_UCDP_DOWNLOAD_URL", fake.url + "/downloads")
    monkeypatch.setenv("SAHEL_UCDP_API_URL", fake.url + "/api")
    monkeypatch.setenv("SAHEL_ACLED_API_URL", fake.url)
    monkeypatch.delenv("SAHEL_UCDP_DAILY_QUOTA", raising=False)
    return fake


@pytest.fixture()
def sleeps() -> list[float]:
    """The waits a RetryPolicy asked for (recorded instead of slept)."""
    return []


@pytest.fixture()
def retry(sleeps: list[float]) -> RetryPolicy:
    """Three tries, no real waiting."""
    return RetryPolicy(attempts=3, backoff=0.5, sleep=sleeps.append)
