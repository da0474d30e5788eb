"""No credential leaks, whatever a hostile server echoes back (issue 8, point 3).

A local server answers with the whole request echoed (query, form body, headers — so the e-mail,
password, OAuth tokens and UCDP token) raw and in every encoding careless servers use, in its
JSON error body, an ``X-Echo`` header, the reason phrase, a redirect target or a malformed status
line. For ACLED and UCDP alike, through the CLI and the library, no variant may show in stdout,
stderr, log records (DEBUG, httpx and httpcore included), the error's str/repr/traceback, or any
file under SAHEL_HOME.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from typer.testing import CliRunner

from sahel.cli import app
from sahel.errors import NetworkError, SahelError
from sahel.events.clients.acled_api import AcledClient
from sahel.events.clients.http import RetryPolicy
from sahel.events.clients.ucdp_api import UcdpApiClient
from sahel.settings import get_settings

from .fakes import FakeServer, Recorded, Reply, echo_reply, echo_text, header_safe
from .leaks import assert_clean

USER = "user+tag@example.org"
PASSWORD = 'p@ss w/rd&=%"\\é'
UCDP_TOKEN = 'uc+dp/T0k=en&"q" 9%z'
ACCESS = 'acc+T0k/en=&"x"%41~'
REFRESH = 'ref+T0k/en=&"y"%42~'
SECRETS = [USER, PASSWORD, UCDP_TOKEN, ACCESS, REFRESH]

TOKEN = "/oauth/token"
READ = "/api/acled/read"
UCDP = "/api/gedevents/25.1"
NO_WAIT = RetryPolicy(attempts=2, sleep=lambda _s: None)

runner = CliRunner()


def _issue(_request: Recorded) -> Reply:
    return Reply.json(
        {"access_token": ACCESS, "refresh_token": REFRESH, "expires_in": 3600, "token_type": "x"}
    )


def _redirect(request: Recorded) -> Reply:
    target = f"/denied/{quote(USER)}/{quote(PASSWORD, safe='')}?{urlencode(request.form)}"
    return Reply(302, headers={"Location": target, "X-Echo": header_safe(echo_text(request))})


def _retry_now(request: Recorded) -> Reply:
    reply = echo_reply(request, 503)
    reply.headers["Retry-After"] = "0"
    return reply


def _malformed(request: Recorded) -> Reply:
    line = "HTTP/1.0 4x0 " + header_safe(echo_text(request))
    return Reply(raw_head=(line + "\r\n\r\n").encode("latin-1"))


def _error_in_200(request: Recorded) -> Reply:
    text = echo_text(request)
    return Reply.json({"success": False, "status": text, "error": text})


Routes = dict[tuple[str, str], Callable[[Recorded], Reply]]

ACLED_SCENARIOS: dict[str, Routes] = {
    "login_refused": {("POST", TOKEN): lambda r: echo_reply(r, 400)},
    "login_redirected": {("POST", TOKEN): _redirect},
    "data_refused": {("POST", TOKEN): _issue, ("GET", READ): lambda r: echo_reply(r, 403)},
    "error_in_a_200": {("POST", TOKEN): _issue, ("GET", READ): _error_in_200},
    "refresh_refused": {
        ("POST", TOKEN): lambda r: _issue(r) if r.form["grant_type"] == "password"
        else echo_reply(r, 400),
        ("GET", READ): lambda r: echo_reply(r, 401),
    },
    "server_error": {("POST", TOKEN): _issue, ("GET", READ): _retry_now},
    "malformed_status_line": {("POST", TOKEN): _malformed},
}

UCDP_SCENARIOS: dict[str, Routes] = {
    "token_refused": {("GET", UCDP): lambda r: echo_reply(r, 401)},
    "redirected": {
        ("GET", UCDP): lambda r: Reply(
            301,
            headers={
                "Location": f"/login/{quote(r.headers['x-ucdp-access-token'], safe='')}",
                "X-Echo": header_safe(echo_text(r)),
            },
        )
    },
    "server_error": {("GET", UCDP): _retry_now},
    "malformed_status_line": {("GET", UCDP): _malformed},
}

#: Scenarios whose retries would sleep for real in the CLI (1 + 2 + 4 s): library only.
LIBRARY_ONLY = {"malformed_status_line"}


@pytest.fixture()
def echo_env(
    fake_env: FakeServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> FakeServer:
    monkeypatch.setenv("ACLED_USERNAME", USER)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    monkeypatch.setenv("SAHEL_UCDP_TOKEN", UCDP_TOKEN)
    caplog.set_level(logging.DEBUG)
    return fake_env


def _route(fake: FakeServer, routes: Routes) -> None:
    for (method, path), handler in routes.items():
        fake.route(method, path, handler)


def _everything_shown(
    caplog: pytest.LogCaptureFixture, home: Path, errors: list[BaseException], outputs: list[str]
) -> list[tuple[str, str]]:
    texts = [(f"cli output {i}", text) for i, text in enumerate(outputs)]
    for error in errors:
        texts += [
            ("str(error)", str(error)),
            ("repr(error)", repr(error)),
            ("traceback", "".join(traceback.format_exception(error))),
        ]
    texts.append(("caplog", caplog.text))
    texts += [(f"log record {r.name}", r.getMessage()) for r in caplog.records]
    for path in sorted(home.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            texts += [(str(path), data.decode("utf-8", "replace")), (str(path), data.decode("latin-1"))]
    return texts


def _the_server_saw_the_secrets(fake: FakeServer, expected: list[str]) -> None:
    """Sanity: the secrets really went out, so the echo really carried them."""
    sent = " ".join(
        " ".join([*r.headers.values(), *r.form.values()]) for r in fake.calls() if r.body or r.headers
    )
    for secret in expected:
        assert secret in sent


@pytest.mark.parametrize("scenario", sorted(ACLED_SCENARIOS))
def test_acled_never_shows_a_credential(
    scenario: str, echo_env: FakeServer, caplog: pytest.LogCaptureFixture, sahel_home: Path
) -> None:
    _route(echo_env, ACLED_SCENARIOS[scenario])
    outputs: list[str] = []
    if scenario not in LIBRARY_ONLY:
        result = runner.invoke(app, ["ingest", "acled", "--api-country", "Mali"])
        assert result.exit_code == NetworkError.exit_code, result.output
        assert "error:" in result.stderr and "Traceback" not in result.output
        outputs += [result.stdout, result.stderr]
    with pytest.raises(SahelError) as info, AcledClient(get_settings(), retry=NO_WAIT) as client:
        client.fetch_to_csv(country="Mali")
    texts = _everything_shown(caplog, sahel_home, [info.value], outputs)
    assert_clean(texts, SECRETS)
    shown = " ".join(text for _, text in texts)
    assert "***" in shown  # the echo was scrubbed, not merely absent
    _the_server_saw_the_secrets(echo_env, [USER, PASSWORD])


@pytest.mark.parametrize("scenario", sorted(UCDP_SCENARIOS))
def test_ucdp_never_shows_the_token(
    scenario: str,
    echo_env: FakeServer,
    caplog: pytest.LogCaptureFixture,
    sahel_home: Path,
    tmp_path: Path,
) -> None:
    _route(echo_env, UCDP_SCENARIOS[scenario])
    outputs: list[str] = []
    if scenario not in LIBRARY_ONLY:
        result = runner.invoke(app, ["ingest", "ucdp", "--api", "25.1", "--country", "432"])
        assert result.exit_code == NetworkError.exit_code, result.output
        assert "error:" in result.stderr and "Traceback" not in result.output
        outputs += [result.stdout, result.stderr]
    with pytest.raises(SahelError) as info, UcdpApiClient(get_settings(), retry=NO_WAIT) as client:
        client.fetch_to_csv(sahel_home / "downloads" / "ged.csv")
    texts = _everything_shown(caplog, sahel_home, [info.value], outputs)
    assert_clean(texts, SECRETS)
    assert "***" in " ".join(text for _, text in texts)
    _the_server_saw_the_secrets(echo_env, [UCDP_TOKEN])


def test_the_echo_reaches_the_logs_scrubbed(
    echo_env: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """httpx logs the reason phrase and httpcore (DEBUG) the response headers: both carried the
    echo here, and both were scrubbed."""
    _route(echo_env, ACLED_SCENARIOS["login_refused"])
    with pytest.raises(SahelError), AcledClient(get_settings(), retry=NO_WAIT) as client:
        client.login()
    httpx_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    header_lines = [r.getMessage() for r in caplog.records if "receive_response_headers" in r.msg]
    assert any("Refused" in line and "***" in line for line in httpx_lines)
    assert any("X-Echo" in line and "***" in line for line in header_lines)
    assert_clean({"caplog": caplog.text}, SECRETS)


def test_a_token_a_header_cannot_carry_is_refused_without_showing_it(
    echo_env: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAHEL_UCDP_TOKEN", "tök-0123456789")
    with pytest.raises(SahelError, match="SAHEL_UCDP_TOKEN holds characters") as info:
        UcdpApiClient(get_settings())
    assert_clean({"error": str(info.value)}, ["tök-0123456789"])
    echo_env.route("POST", TOKEN, Reply.json({"access_token": "acc-é-0123456789"}))
    with pytest.raises(NetworkError, match="cannot carry") as acled:
        AcledClient(get_settings()).login()
    assert_clean({"error": str(acled.value)}, ["acc-é-0123456789"])
    assert echo_env.calls("GET") == []
