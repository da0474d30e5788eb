"""ACLED client: OAuth password grant, refresh on expiry and on 401, paging, private CSV, and
the guarantee that the password and tokens never leak into logs, URLs, files or errors."""

from __future__ import annotations

import csv
import hashlib
import logging
import stat
import traceback
import uuid
from pathlib import Path
from typing import Any

import pytest

from sahel.errors import AuthError, ConfigError, NetworkError, SahelError
from sahel.events.clients.acled_api import ACLED_COLUMNS, AcledClient
from sahel.events.clients.http import RetryPolicy
from sahel.settings import get_settings

from .fakes import FakeServer, Recorded, Reply

USER = "analyst@example.org"
PASSWORD = "pw-Sahel-s3cret!"
READ = "/api/acled/read"
TOKEN = "/oauth/token"
MALI = {
    "country": "Mali",
    "event_date": "2023-01-01|2023-12-31",
    "event_date_where": "BETWEEN",
}


def _row(i: int) -> dict[str, str]:
    row = {name: f"{name}-{i}" for name in ACLED_COLUMNS}
    row.update(event_id_cnty=f"MLI{i}", country="Mali", fatalities=str(i % 7))
    return row


class FakeAcled:
    """ACLED's token endpoint and read endpoint, with switches to provoke each auth path.

    Like a careless server, it echoes the submitted secret in its error texts, so the tests
    prove that our client scrubs them.
    """

    def __init__(self, server: FakeServer, total: int, expires_in: int = 86400) -> None:
        self.server = server
        self.rows: list[dict[str, Any]] = [_row(i) for i in range(total)]
        self.expires_in = expires_in
        self.valid_access: set[str] = set()
        self.valid_refresh: set[str] = set()
        self.issued: list[str] = []
        self.accept_refresh = True
        self.deny_data = False
        server.route("POST", TOKEN, self.token)
        server.route("GET", READ, self.read)

    def _issue(self) -> Reply:
        access, refresh = f"acc-{uuid.uuid4().hex}", f"ref-{uuid.uuid4().hex}"
        self.valid_access.add(access)
        self.valid_refresh.add(refresh)
        self.issued += [access, refresh]
        return Reply.json(
            {
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "access_token": access,
                "refresh_token": refresh,
            }
        )

    def token(self, request: Recorded) -> Reply:
        form = request.form
        if form.get("client_id") != "acled":
            return Reply.json({"error": "invalid_client"}, status=400)
        if form.get("grant_type") == "password":
            if form.get("username") == USER and form.get("password") == PASSWORD:
                return self._issue()
            return Reply.json(
                {
                    "error": "invalid_grant",
                    "error_description": f"Bad password {form.get('password')} for user",
                },
                status=400,
            )
        if form.get("grant_type") == "refresh_token":
            given = form.get("refresh_token", "")
            if self.accept_refresh and given in self.valid_refresh:
                self.valid_refresh.discard(given)
                return self._issue()
            return Reply.json(
                {"error": "invalid_grant", "error_description": f"Unknown token {given}"},
                status=400,
            )
        return Reply.json({"error": "unsupported_grant_type"}, status=400)

    def read(self, request: Recorded) -> Reply:
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ")
        if self.deny_data or token not in self.valid_access:
            return Reply.json({"message": f"Invalid token {token}"}, status=401)
        rows = [r for r in self.rows if r["country"] == request.query.get("country", r["country"])]
        limit, page = int(request.query["limit"]), int(request.query["page"])
        data = rows[(page - 1) * limit : page * limit]
        return Reply.json({"status": 200, "success": True, "count": len(data), "data": data})

    def revoke_access(self) -> None:
        self.valid_access.clear()

    def token_grants(self) -> list[str]:
        return [r.form["grant_type"] for r in self.server.calls("POST", TOKEN)]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def acled_env(fake_env: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    monkeypatch.setenv("ACLED_USERNAME", USER)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    return fake_env


def _client(clock: Clock | None = None, page_size: int = 100) -> AcledClient:
    return AcledClient(
        get_settings(),
        retry=RetryPolicy(sleep=lambda _s: None),
        clock=clock or Clock(),
        page_size=page_size,
    )


def test_login_then_pages_of_5000_until_a_short_page(acled_env: FakeServer) -> None:
    acled = FakeAcled(acled_env, 10_500)
    with AcledClient(get_settings()) as client:
        pages = list(client.iter_pages(**MALI))
    assert [len(p) for p in pages] == [5000, 5000, 500]
    (login,) = acled_env.calls("POST", TOKEN)
    assert login.form == {
        "username": USER,
        "password": PASSWORD,
        "grant_type": "password",
        "client_id": "acled",
        "scope": "authenticated",
    }
    assert login.headers["content-type"] == "application/x-www-form-urlencoded"
    reads = acled_env.calls("GET", READ)
    assert [r.query for r in reads] == [
        {"_format": "json", "limit": "5000", "page": str(n), **MALI} for n in (1, 2, 3)
    ]
    assert {r.headers["authorization"] for r in reads} == {f"Bearer {acled.issued[0]}"}


def test_a_full_last_page_costs_one_empty_page(acled_env: FakeServer) -> None:
    FakeAcled(acled_env, 200)
    with _client() as client:
        assert [len(p) for p in client.iter_pages()] == [100, 100, 0]


def test_expired_token_is_refreshed_before_the_request(acled_env: FakeServer) -> None:
    acled = FakeAcled(acled_env, 250, expires_in=3600)
    clock = Clock()
    with _client(clock) as client:
        pages = client.iter_pages()
        next(pages)
        clock.now += 3600
        assert [len(p) for p in pages] == [100, 50]
    assert acled.token_grants() == ["password", "refresh_token"]
    refresh = acled_env.calls("POST", TOKEN)[1].form
    assert refresh == {
        "grant_type": "refresh_token",
        "refresh_token": acled.issued[1],
        "client_id": "acled",
    }
    reads = acled_env.calls("GET", READ)
    assert reads[0].headers["authorization"] == f"Bearer {acled.issued[0]}"
    assert reads[1].headers["authorization"] == f"Bearer {acled.issued[2]}"
    assert len(reads) == 3  # no request was wasted on the expired token


def test_a_401_refreshes_the_token_and_retries_the_page(acled_env: FakeServer) -> None:
    acled = FakeAcled(acled_env, 150)
    with _client() as client:
        pages = client.iter_pages()
        next(pages)
        acled.revoke_access()
        assert [len(p) for p in pages] == [50]
    assert acled.token_grants() == ["password", "refresh_token"]
    assert [r.query["page"] for r in acled_env.calls("GET", READ)] == ["1", "2", "2"]


def test_a_refused_refresh_falls_back_to_logging_in(acled_env: FakeServer) -> None:
    acled = FakeAcled(acled_env, 150)
    with _client() as client:
        pages = client.iter_pages()
        next(pages)
        acled.revoke_access()
        acled.accept_refresh = False
        assert [len(p) for p in pages] == [50]
    assert acled.token_grants() == ["password", "refresh_token", "password"]


def test_bad_credentials_are_an_auth_error(
    acled_env: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeAcled(acled_env, 10)
    monkeypatch.setenv("ACLED_PASSWORD", "wrong-password-42")
    with _client() as client, pytest.raises(AuthError) as info:
        list(client.iter_pages())
    message = str(info.value)
    assert "ACLED refused the login (HTTP 400: Bad password *** for user)" in message
    assert "wrong-password-42" not in message
    assert "ACLED_USERNAME" in (info.value.hint or "")
    assert acled_env.calls("GET", READ) == []


def test_data_refused_even_with_a_fresh_token(acled_env: FakeServer) -> None:
    acled = FakeAcled(acled_env, 10)
    acled.deny_data = True
    with _client() as client, pytest.raises(AuthError, match="refused the data request"):
        list(client.iter_pages())
    assert acled.token_grants() == ["password", "refresh_token"]
    assert len(acled_env.calls("GET", READ)) == 2


def test_error_in_a_200_body_is_raised(acled_env: FakeServer) -> None:
    FakeAcled(acled_env, 10)
    acled_env.route(
        "GET",
        READ,
        Reply.json({"status": 400, "success": False, "error": [{"message": "Bad filter"}]}),
    )
    with _client() as client, pytest.raises(NetworkError, match="status 400: Bad filter"):
        list(client.iter_pages(year="twenty"))


def test_missing_credentials_are_a_config_error(fake_env: FakeServer) -> None:
    with pytest.raises(ConfigError, match="ACLED account"):
        AcledClient(get_settings())
    assert fake_env.calls() == []


def test_reserved_parameters_are_refused(acled_env: FakeServer) -> None:
    with _client() as client, pytest.raises(ConfigError, match="limit"):
        next(client.iter_pages(limit="10"))
    assert acled_env.calls() == []


def test_fetch_to_csv_writes_private_rows_in_api_column_order(
    acled_env: FakeServer, sahel_home: Path
) -> None:
    acled = FakeAcled(acled_env, 230)
    for row in acled.rows:
        row["population_best"] = "1200"  # a column newer than our layout is kept, in place
    with _client() as client:
        result = client.fetch_to_csv(**MALI)
    expected = sahel_home / "acled" / "acled_country-Mali_event_date-2023-01-01_2023-12-31.csv"
    assert result.path == expected
    assert (result.rows, result.pages) == (230, 3)
    assert result.sha256 == hashlib.sha256(expected.read_bytes()).hexdigest()
    with expected.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
        handle.seek(0)
        header = next(csv.reader(handle))
    assert header == [*ACLED_COLUMNS, "population_best"]
    assert rows[0]["event_id_cnty"] == "MLI0" and len(rows) == 230
    assert stat.S_IMODE(expected.stat().st_mode) == 0o600
    assert stat.S_IMODE(expected.parent.stat().st_mode) == 0o700
    assert [p.name for p in expected.parent.iterdir()] == [expected.name]


def test_fetch_to_csv_paths_stay_under_sahel_home(
    acled_env: FakeServer, sahel_home: Path, tmp_path: Path
) -> None:
    FakeAcled(acled_env, 0)
    with _client() as client:
        empty = client.fetch_to_csv("mine.csv", country="Niger")
        assert empty.path == sahel_home / "acled" / "mine.csv"
        assert (empty.rows, empty.pages) == (0, 1)
        assert empty.path.read_text().splitlines() == [",".join(ACLED_COLUMNS)]
        with pytest.raises(ConfigError, match="refusing to write ACLED rows"):
            client.fetch_to_csv(tmp_path / "public" / "acled.csv")
        with pytest.raises(ConfigError):
            client.fetch_to_csv("../../elsewhere.csv")
        with pytest.raises(ConfigError):
            client.fetch_to_csv(sahel_home / "sahel.duckdb")  # inside home, outside acled/
    assert not (tmp_path / "public").exists()


def test_secrets_never_leak(
    acled_env: FakeServer,
    sahel_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """E-mail, password and every issued token: absent from logs (DEBUG, incl. httpx/httpcore), URLs,
    reprs, error messages and tracebacks, and every file written under SAHEL_HOME."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "sahel"):
        caplog.set_level(logging.DEBUG, logger=name)
    acled = FakeAcled(acled_env, 250, expires_in=3600)
    clock = Clock()
    settings = get_settings()
    texts: list[str] = [repr(settings), str(settings)]
    with AcledClient(settings, clock=clock, page_size=100) as client:
        pages = client.iter_pages(country="Mali")
        next(pages)
        clock.now += 7200  # refresh on expiry
        next(pages)
        acled.revoke_access()  # refresh on 401
        next(pages)
        client.fetch_to_csv("mali.csv", country="Mali")
        texts.append(repr(client))
        texts.append(repr(vars(client)))
        acled.accept_refresh = False
        acled.deny_data = True
        errors: list[SahelError] = []
        with pytest.raises(AuthError) as denied:
            list(client.iter_pages())
        errors.append(denied.value)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD + "-typo")
    with AcledClient(get_settings()) as wrong, pytest.raises(AuthError) as refused:
        wrong.login()
    errors.append(refused.value)

    for error in errors:
        texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
    texts.append(caplog.text)
    texts += [r.raw_target for r in acled_env.calls()]
    texts += [p.read_text(errors="replace") for p in sahel_home.rglob("*") if p.is_file()]
    assert "HTTP Request: POST" in caplog.text  # httpx's own log was captured
    assert "send_request_headers" in caplog.text  # and httpcore's DEBUG trace
    assert len(acled.issued) >= 8
    secrets = [USER, PASSWORD, *acled.issued]
    for text in texts:
        for secret in secrets:
            assert secret not in text
    assert "***" in str(refused.value)  # the server's echo was scrubbed, not dropped


def test_a_server_ignoring_the_page_parameter_cannot_loop_forever(acled_env: FakeServer) -> None:
    FakeAcled(acled_env, 0)
    rows = [_row(i) for i in range(100)]
    page = {"status": 200, "success": True, "count": 100, "data": rows}
    acled_env.route("GET", READ, Reply.json(page))
    with _client() as client, pytest.raises(NetworkError, match="page 1 again as page 2"):
        list(client.iter_pages())
    assert len(acled_env.calls("GET", READ)) == 2
