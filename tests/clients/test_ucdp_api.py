"""UCDP API client: paging, the token header, the persistent daily quota, errors, CSV output."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sahel.errors import AuthError, ConfigError, InputError, NetworkError, QuotaError
from sahel.events.clients.http import RetryPolicy
from sahel.events.clients.ucdp_api import GED_COLUMNS, QUOTA_FILE, UcdpApiClient
from sahel.settings import get_settings

from .fakes import FakeServer, Recorded, Reply

TOKEN = "ucdp-token-1234567890"
PATH = "/api/gedevents/25.1"
NOON = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _event(i: int) -> dict[str, Any]:
    row: dict[str, Any] = {name: f"{name}-{i}" for name in GED_COLUMNS}
    row.update(id=i, year=2024, active_year=i % 2 == 0, latitude=14.5 + i / 1e4, gwnob=None)
    return row


class FakeUcdp:
    """UCDP's paging protocol over a fixed list of events; answers 401 to a wrong token."""

    def __init__(self, server: FakeServer, total: int) -> None:
        self.events = [_event(i) for i in range(total)]
        self.server = server
        server.route("GET", PATH, self)

    def __call__(self, request: Recorded) -> Reply:
        if request.headers.get("x-ucdp-access-token") != TOKEN:
            return Reply.json({"message": "Unauthorized"}, status=401)
        size, page = int(request.query["pagesize"]), int(request.query["page"])
        pages = -(-len(self.events) // size)
        base = f"{self.server.url}{PATH}?pagesize={size}&page="
        return Reply.json(
            {
                "TotalCount": len(self.events),
                "TotalPages": pages,
                "PreviousPageUrl": base + str(page - 1) if page > 0 else "",
                "NextPageUrl": base + str(page + 1) if page + 1 < pages else "",
                "Result": self.events[page * size : (page + 1) * size],
            }
        )


@pytest.fixture()
def ucdp(fake_env: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeUcdp:
    monkeypatch.setenv("SAHEL_UCDP_TOKEN", TOKEN)
    return FakeUcdp(fake_env, 2350)


def _client(retry: RetryPolicy | None = None, now: datetime = NOON) -> UcdpApiClient:
    return UcdpApiClient(
        get_settings(), retry=retry or RetryPolicy(sleep=lambda _s: None), clock=lambda: now
    )


def test_pages_through_2350_rows_with_the_token_header(ucdp: FakeUcdp) -> None:
    with _client() as client:
        pages = list(client.iter_pages("gedevents", "25.1", {"Country": "432"}))
    assert [len(page) for page in pages] == [1000, 1000, 350]
    assert [row["id"] for page in pages for row in page] == list(range(2350))
    calls = ucdp.server.calls("GET", PATH)
    assert [c.query for c in calls] == [
        {"pagesize": "1000", "page": str(n), "Country": "432"} for n in range(3)
    ]
    assert all(c.headers["x-ucdp-access-token"] == TOKEN for c in calls)
    assert all(TOKEN not in c.raw_target for c in calls)


def test_fetch_to_csv_writes_the_49_column_ged_layout(ucdp: FakeUcdp, tmp_path: Path) -> None:
    target = tmp_path / "out" / "ged_api_25.1.csv"
    with _client() as client:
        result = client.fetch_to_csv(target, "gedevents", "25.1")
    assert (result.path, result.rows, result.pages) == (target, 2350, 3)
    assert result.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == GED_COLUMNS and len(GED_COLUMNS) == 49
    assert len(rows) == 2351
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["id"], first["active_year"], first["gwnob"]) == ("0", "true", "")
    assert first["latitude"] == "14.5"
    assert list(target.parent.iterdir()) == [target]  # no temp file left behind


def test_quota_is_counted_and_persisted_across_clients(
    ucdp: FakeUcdp, monkeypatch: pytest.MonkeyPatch, sahel_home: Path
) -> None:
    monkeypatch.setenv("SAHEL_UCDP_DAILY_QUOTA", "4")
    with _client() as first:
        assert len(list(first.iter_pages())) == 3
    counter = sahel_home / QUOTA_FILE
    assert json.loads(counter.read_text()) == {"2025-06-01": 3}

    with _client() as second:
        assert second.quota.remaining() == 1
        pages = second.iter_pages()
        assert len(next(pages)) == 1000
        with pytest.raises(QuotaError) as info:
            next(pages)
    assert "4 of 4 requests used today" in str(info.value)
    assert "resets at 00:00 UTC, 12 h 00 min from now" in (info.value.hint or "")
    assert len(ucdp.server.calls()) == 4  # the refused request was never sent
    assert json.loads(counter.read_text()) == {"2025-06-01": 4}

    tomorrow = datetime(2025, 6, 2, 0, 5, tzinfo=UTC)
    with _client(now=tomorrow) as third:
        assert len(next(third.iter_pages())) == 1000
    assert json.loads(counter.read_text()) == {"2025-06-01": 4, "2025-06-02": 1}


def test_fetch_stops_early_when_the_pull_cannot_fit(
    ucdp: FakeUcdp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SAHEL_UCDP_DAILY_QUOTA", "2")
    target = tmp_path / "out" / "ged.csv"
    with _client() as client, pytest.raises(QuotaError, match="needs 2 more UCDP requests"):
        client.fetch_to_csv(target)
    assert len(ucdp.server.calls()) == 1
    assert list(target.parent.iterdir()) == []  # neither the file nor a temp file


def test_retries_count_against_the_quota(ucdp: FakeUcdp, sahel_home: Path) -> None:
    answers = [Reply(503)]
    ucdp.server.route("GET", PATH, lambda r: answers.pop() if answers else ucdp(r))
    ucdp.events = ucdp.events[:10]
    with _client() as client:
        assert [len(p) for p in client.iter_pages()] == [10]
        assert client.quota.used() == 2


def test_wrong_token_is_an_auth_error(ucdp: FakeUcdp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAHEL_UCDP_TOKEN", "expired-token-0000")
    with _client() as client, pytest.raises(AuthError) as info:
        list(client.iter_pages())
    assert "HTTP 401" in str(info.value)
    assert "SAHEL_UCDP_TOKEN" in (info.value.hint or "")
    assert "expired-token-0000" not in str(info.value)
    assert "expired-token-0000" not in repr(client)


def test_missing_token_is_a_config_error(fake_env: FakeServer) -> None:
    with pytest.raises(ConfigError, match="access token"):
        UcdpApiClient(get_settings())
    assert fake_env.calls() == []


@pytest.mark.parametrize(
    ("resource", "version", "params", "match"),
    [
        ("gedevents", "v25", None, "version"),
        ("../admin", "25.1", None, "resource"),
        ("gedevents", "25.1", {"page": "3"}, "set by the client"),
        ("gedevents", "25.1", {"PageSize": "10"}, "set by the client"),
    ],
)
def test_bad_requests_are_refused_before_sending(
    ucdp: FakeUcdp, resource: str, version: str, params: dict[str, str] | None, match: str
) -> None:
    with _client() as client, pytest.raises(ConfigError, match=match):
        next(client.iter_pages(resource, version, params))
    assert ucdp.server.calls() == []


def test_unreadable_counter_is_reported_not_reset(ucdp: FakeUcdp, sahel_home: Path) -> None:
    sahel_home.mkdir(parents=True, exist_ok=True)
    (sahel_home / QUOTA_FILE).write_text("{not json")
    with _client() as client, pytest.raises(InputError, match="counter is unreadable"):
        next(client.iter_pages())
    assert ucdp.server.calls() == []


def test_redirects_are_not_followed_with_the_token(ucdp: FakeUcdp) -> None:
    ucdp.server.route(
        "GET", PATH, Reply(301, headers={"Location": "https://elsewhere.example/x?t=1"})
    )
    with (
        _client() as client,
        pytest.raises(NetworkError, match=r"moved to https://elsewhere\.example/x") as info,
    ):
        next(client.iter_pages())
    assert "*_URL" in (info.value.hint or "")
    assert len(ucdp.server.calls()) == 1


RESERVE_LOOP = """
import sys
from pathlib import Path
from sahel.events.clients.ucdp_api import QuotaCounter

counter = QuotaCounter(Path(sys.argv[1]), limit=100_000)
for _ in range(int(sys.argv[2])):
    counter.reserve()
"""


def test_concurrent_processes_lose_no_request_from_the_count(tmp_path: Path) -> None:
    """Two runs sharing a token count every request: the read-count-write is locked."""
    import subprocess
    import sys

    from sahel.events.clients.ucdp_api import QuotaCounter

    path = tmp_path / QUOTA_FILE
    procs = [subprocess.Popen([sys.executable, "-c", RESERVE_LOOP, str(path), "300"])
             for _ in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    assert QuotaCounter(path, limit=100_000).used() == 900
