"""Total deadlines (issue 8, point 4): a server that trickles bytes — in the body or in the status
line and headers — or stalls cannot hold a download, a UCDP API pull or an ACLED request past
its deadline; the error is one line naming the host and the setting; a download's ``.part``
stays resumable. Deadlines here are 1 s so each test is quick; no test asserts a duration."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from sahel.cli import app
from sahel.errors import ConfigError, NetworkError
from sahel.events.clients.acled_api import AcledClient
from sahel.events.clients.http import (
    API_DEADLINE_SETTING,
    DOWNLOAD_DEADLINE_SETTING,
    Deadline,
    DeadlineExceeded,
    RetryPolicy,
    arm,
    new_client,
    send,
)
from sahel.events.clients.ucdp_api import UcdpApiClient
from sahel.events.clients.ucdp_download import download_ucdp, latest_versions
from sahel.settings import ENV_HELP, get_settings

from .fakes import FakeServer, Handler, Recorded, Reply, StaticFile

CANDIDATE_PATH = "/downloads/candidateged/GEDEvent_v25_0_3.csv"
CANDIDATE_CSV = b"id,relid,year\n" + b"".join(b"%d,X-%d,2025\n" % (i, i) for i in range(5000))
UCDP_PATH = "/api/gedevents/25.1"
NO_WAIT = RetryPolicy(attempts=3, sleep=lambda _s: None)


def trickled(handler: Handler | Reply, pause: float = 0.05, head: bool = False) -> Handler:
    """``handler``'s answer, sent one byte every ``pause`` seconds (the head too if ``head``)."""

    def answer(request: Recorded) -> Reply:
        reply = handler if isinstance(handler, Reply) else handler(request)
        return dataclasses.replace(reply, trickle=pause, trickle_head=head)

    return answer


@pytest.fixture()
def one_second(fake_env: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    monkeypatch.setenv(DOWNLOAD_DEADLINE_SETTING, "1")
    monkeypatch.setenv(API_DEADLINE_SETTING, "1")
    return fake_env


def _assert_one_line(error: BaseException, host: str, setting: str, seconds: int = 1) -> None:
    text = str(error)
    assert isinstance(error, DeadlineExceeded) and isinstance(error, NetworkError)
    assert "\n" not in text
    assert text.startswith(host) and setting in text and f"within {seconds} s" in text


def test_a_trickled_download_stops_and_its_part_file_resumes(
    one_second: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DOWNLOAD_DEADLINE_SETTING, "2")  # time for some bytes even on a busy box
    one_second.route("GET", CANDIDATE_PATH, trickled(StaticFile(CANDIDATE_CSV, "text/csv")))
    settings = get_settings()
    with pytest.raises(DeadlineExceeded) as info:
        download_ucdp("candidate", "25.0.3", tmp_path, settings=settings, progress=False, retry=NO_WAIT)
    host = one_second.url.removeprefix("http://")
    _assert_one_line(info.value, host, "SAHEL_HTTP_DEADLINE", seconds=2)
    assert "the next run resumes the .part file" in str(info.value)
    assert len(one_second.calls("GET")) == 1  # a deadline is not retried
    part = tmp_path / "GEDEvent_v25_0_3.csv.part"
    kept = part.read_bytes()
    assert 0 < len(kept) < len(CANDIDATE_CSV) and CANDIDATE_CSV.startswith(kept)
    assert not (tmp_path / "GEDEvent_v25_0_3.csv").exists()

    one_second.route("GET", CANDIDATE_PATH, StaticFile(CANDIDATE_CSV, "text/csv"))
    result = download_ucdp("candidate", "25.0.3", tmp_path, settings=settings, progress=False)
    assert one_second.calls("GET")[-1].headers["range"] == f"bytes={len(kept)}-"
    assert result.resumed is True
    assert result.sha256 == hashlib.sha256(CANDIDATE_CSV).hexdigest()
    assert not part.exists()


def test_a_trickled_status_line_leaves_no_part_file(one_second: FakeServer, tmp_path: Path) -> None:
    """Before the headers are complete nothing is written: no empty .part is left behind."""
    slow = trickled(StaticFile(CANDIDATE_CSV, "text/csv"), head=True)
    one_second.route("GET", CANDIDATE_PATH, slow)
    with pytest.raises(DeadlineExceeded) as info:
        download_ucdp("candidate", "25.0.3", tmp_path, settings=get_settings(), progress=False)
    _assert_one_line(info.value, "127.0.0.1", "SAHEL_HTTP_DEADLINE")
    assert list(tmp_path.iterdir()) == []


def test_release_probes_share_one_deadline(one_second: FakeServer) -> None:
    padded = Reply(200, headers={"X-Padding": "." * 100})
    one_second.route("GET", "/downloads/ged/ged251-csv.zip", trickled(padded, head=True))
    with pytest.raises(DeadlineExceeded) as info:
        latest_versions(get_settings(), retry=NO_WAIT)
    _assert_one_line(info.value, "127.0.0.1", "SAHEL_HTTP_API_DEADLINE")


def test_a_trickled_ucdp_api_page_stops_and_leaves_no_file(
    one_second: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SAHEL_UCDP_TOKEN", "ucdp-token-123456")
    page = Reply.json({"TotalPages": 1, "Result": [{"id": i} for i in range(500)]})
    one_second.route("GET", UCDP_PATH, trickled(page))
    target = tmp_path / "out" / "ged.csv"
    with (
        UcdpApiClient(get_settings(), retry=NO_WAIT) as client,
        pytest.raises(DeadlineExceeded) as info,
    ):
        client.fetch_to_csv(target)
    _assert_one_line(info.value, "127.0.0.1", "SAHEL_HTTP_API_DEADLINE")
    assert len(one_second.calls()) == 1
    assert list(target.parent.iterdir()) == []  # neither the CSV nor a temp file


@pytest.mark.parametrize("where", ["login", "page"])
def test_a_trickled_acled_answer_stops(
    one_second: FakeServer, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setenv("ACLED_USERNAME", "analyst@example.org")
    monkeypatch.setenv("ACLED_PASSWORD", "pw-Sahel-s3cret!")
    tokens = Reply.json({"access_token": "acc-0123456789" * 5, "expires_in": 3600})
    page = Reply.json({"success": True, "data": [{"event_id_cnty": f"MLI{i}"} for i in range(20)]})
    one_second.route("POST", "/oauth/token", trickled(tokens) if where == "login" else tokens)
    one_second.route("GET", "/api/acled/read", trickled(page) if where == "page" else page)
    with AcledClient(get_settings(), retry=NO_WAIT) as client, pytest.raises(DeadlineExceeded) as info:
        list(client.iter_pages(country="Mali"))
    _assert_one_line(info.value, "127.0.0.1", "SAHEL_HTTP_API_DEADLINE")
    assert len(one_second.calls()) == (1 if where == "login" else 2)


def test_a_silent_server_is_cut_at_the_deadline_not_the_read_timeout(
    one_second: FakeServer,
) -> None:
    """One byte, then silence for longer than any test: the 60 s read timeout would not help,
    the 1 s deadline does (the socket read is capped by what the deadline has left)."""
    one_second.route("GET", "/x", trickled(Reply(200, b"never"), pause=120, head=True))
    deadline = Deadline(1, url=one_second.url, setting="SAHEL_TEST_DEADLINE")
    with new_client() as client, pytest.raises(DeadlineExceeded) as info:
        send(client, "GET", one_second.url + "/x", retry=NO_WAIT, deadline=deadline)
    _assert_one_line(info.value, "127.0.0.1", "SAHEL_TEST_DEADLINE")


def test_a_retry_that_would_outlast_the_deadline_is_not_made(one_second: FakeServer) -> None:
    one_second.route("GET", "/x", Reply(503, headers={"Retry-After": "30"}))
    waits: list[float] = []
    with new_client() as client:
        response = send(client, "GET", one_second.url + "/x", retry=RetryPolicy(sleep=waits.append))
    assert response.status_code == 503
    assert waits == [] and len(one_second.calls()) == 1


def test_every_pool_is_armed_including_proxies_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    with new_client() as client:
        pools = [client._transport, *client._mounts.values()]
        assert len(pools) >= 2
        assert arm(client) is True
        backends = {type(t._pool._network_backend).__name__ for t in pools}  # type: ignore[union-attr]
    assert backends == {"_DeadlineBackend"}
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as mocked:
        assert arm(mocked) is False  # no sockets to cap: checked between chunks instead


def test_the_cli_reports_a_deadline_in_one_line(
    one_second: FakeServer, sahel_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DOWNLOAD_DEADLINE_SETTING, "2")
    one_second.route("GET", CANDIDATE_PATH, trickled(StaticFile(CANDIDATE_CSV, "text/csv")))
    result = CliRunner().invoke(app, ["ingest", "ucdp", "--download", "25.0.3"])
    assert result.exit_code == NetworkError.exit_code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: 127.0.0.1:")
    assert "SAHEL_HTTP_DEADLINE" in lines[0] and "Traceback" not in result.output
    assert (sahel_home / "downloads" / "GEDEvent_v25_0_3.csv.part").stat().st_size > 0


@pytest.mark.parametrize("value", ["0", "-5", "soon", "nan", "inf"])
def test_deadline_settings_must_be_positive_seconds(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAHEL_HTTP_API_DEADLINE", value)
    with pytest.raises(ConfigError, match="SAHEL_HTTP_API_DEADLINE must be a positive number"):
        get_settings()


def test_deadline_settings_defaults_and_help(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SAHEL_HTTP_DEADLINE", "SAHEL_HTTP_API_DEADLINE"):
        monkeypatch.delenv(name, raising=False)
    settings = get_settings()
    assert (settings.http_deadline, settings.http_api_deadline) == (600.0, 300.0)
    monkeypatch.setenv("SAHEL_HTTP_DEADLINE", "1800.5")
    assert get_settings().http_deadline == 1800.5
    assert "default: 600" in ENV_HELP["SAHEL_HTTP_DEADLINE"]
    assert "default: 300" in ENV_HELP["SAHEL_HTTP_API_DEADLINE"]
    shown = CliRunner().invoke(app, ["settings"], env={"COLUMNS": "250"}).stdout
    assert "SAHEL_HTTP_DEADLINE" in shown and "SAHEL_HTTP_API_DEADLINE" in shown
