"""The shared HTTP helpers: retries with backoff, Retry-After, and a clear no-network error."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from sahel.errors import AuthError, NetworkError, QuotaError
from sahel.events.clients.http import (
    NO_NETWORK_HINT,
    RetryPolicy,
    new_client,
    raise_for_status,
    read_json,
    retry_after_seconds,
    safe_url,
    send,
)

from .fakes import FakeServer, Handler, Reply, closed_port_url


def _sequence(*replies: Reply) -> Handler:
    """Answer with each reply in turn, then keep repeating the last."""
    queue = list(replies)
    return lambda _request: queue.pop(0) if len(queue) > 1 else queue[0]


def test_retries_429_then_succeeds_honouring_retry_after(
    fake: FakeServer, retry: RetryPolicy, sleeps: list[float]
) -> None:
    fake.route(
        "GET",
        "/x",
        _sequence(Reply(429, headers={"Retry-After": "0"}), Reply.json({"ok": True})),
    )
    with new_client() as client:
        response = send(client, "GET", fake.url + "/x", retry=retry)
    assert response.status_code == 200
    assert read_json(response, what="test") == {"ok": True}
    assert len(fake.calls()) == 2
    assert sleeps == [0.0]


def test_gives_up_after_attempts_with_doubling_backoff(
    fake: FakeServer, retry: RetryPolicy, sleeps: list[float]
) -> None:
    fake.route("GET", "/x", Reply(503))
    with new_client() as client:
        response = send(client, "GET", fake.url + "/x?secret=no", retry=retry)
    assert response.status_code == 503
    assert len(fake.calls()) == 3
    assert sleeps == [0.5, 1.0]
    with pytest.raises(NetworkError, match="HTTP 503") as info:
        raise_for_status(response, what="test")
    assert "secret" not in str(info.value)  # the query string never reaches a message


def test_broken_connection_is_retried(fake: FakeServer, retry: RetryPolicy) -> None:
    body = b"x" * 10_000
    fake.route("GET", "/x", _sequence(Reply(200, body, cut_after=100), Reply(200, body)))
    with new_client() as client:
        response = send(client, "GET", fake.url + "/x", retry=retry)
    assert response.content == body
    assert len(fake.calls()) == 2


def test_before_attempt_runs_for_every_try(fake: FakeServer, retry: RetryPolicy) -> None:
    fake.route("GET", "/x", _sequence(Reply(500), Reply(200)))
    counted: list[int] = []
    with new_client() as client:
        send(client, "GET", fake.url + "/x", retry=retry, before_attempt=lambda: counted.append(1))
    assert counted == [1, 1]


def test_missing_network_fails_fast_with_the_from_hint(retry: RetryPolicy) -> None:
    started = time.monotonic()
    with new_client() as client, pytest.raises(NetworkError) as info:
        send(client, "GET", closed_port_url() + "/file.csv", retry=retry)
    assert time.monotonic() - started < 5
    assert info.value.hint == NO_NETWORK_HINT
    assert "--from DIR" in str(info.value)
    assert "cannot reach http://127.0.0.1:" in str(info.value)


def test_dns_failure_is_a_network_error() -> None:
    from sahel.events.clients.http import network_error

    error = network_error("https://ucdp.example/x", httpx.ConnectError("Name or service not known"))
    assert isinstance(error, NetworkError)
    assert error.hint == NO_NETWORK_HINT


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, AuthError), (403, AuthError), (429, QuotaError), (500, NetworkError)],
)
def test_status_errors_map_to_the_error_tree(
    fake: FakeServer, status: int, error: type[NetworkError]
) -> None:
    fake.route("GET", "/x", Reply(status))
    with new_client() as client:
        response = client.get(fake.url + "/x")
    with pytest.raises(error):
        raise_for_status(response, what="test", auth_hint="fix the token")


def test_retry_after_accepts_http_dates() -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    response = httpx.Response(429, headers={"Retry-After": format_datetime(when, usegmt=True)})
    seconds = retry_after_seconds(response)
    assert seconds is not None and 25 <= seconds <= 31
    assert RetryPolicy(max_wait=10).wait(1, response) == 10
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "soon"})) is None


def test_safe_url_drops_user_info_and_query() -> None:
    assert (
        safe_url("https://user:pw@host.example:8443/a/b?key=1") == "https://host.example:8443/a/b"
    )


def test_read_json_rejects_non_json(fake: FakeServer) -> None:
    fake.route("GET", "/x", Reply(200, b"<html>maintenance</html>", {"Content-Type": "text/html"}))
    with new_client() as client:
        response = client.get(fake.url + "/x")
    with pytest.raises(NetworkError, match="did not answer JSON"):
        read_json(response, what="test")
