"""``sahel serve`` as a user runs it: one command, a real server on a free port, no secrets in
anything it answers, and clear refusals for what cannot work."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from sahel.cli import app

pytestmark = pytest.mark.shared_data

TOKEN = "ucdp-token-SECRET-5f3a"
PASSWORD = "acled-pw-SECRET-9b1c"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sahel_serve_answers_and_never_shows_a_secret(web_store: Path, shared_data: Path,
                                                      tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "SAHEL_DB": str(web_store), "SAHEL_HOME": str(tmp_path),
           "SAHEL_SHARED_DATA": str(shared_data), "SAHEL_UCDP_TOKEN": TOKEN,
           "ACLED_USERNAME": "me@example.org", "ACLED_PASSWORD": PASSWORD}
    proc = subprocess.Popen([sys.executable, "-m", "sahel.cli", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(base + "/api/v1", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        answers = [httpx.get(base + url, timeout=30) for url in (
            "/api/v1", "/api/v1/citations", "/api/v1/aggregates?country=MLI&f=csv",
            "/api/v1/aggregates?contry=MLI", "/api/v1/snapshots", "/map", "/nothing")]
        assert answers[0].status_code == 200 and answers[0].json()["public"] is False
        assert answers[3].status_code == 400
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    seen = out + err + b"".join(a.content + str(a.headers).encode() for a in answers)
    for secret in (TOKEN, PASSWORD):
        for form in (secret.encode(), base64.b64encode(secret.encode()),
                     secret.encode().hex().encode()):
            assert form not in seen
    assert b"Traceback" not in err, err.decode()[-2000:]
    assert f"http://127.0.0.1:{port}/".encode() in err


@pytest.mark.parametrize(("args", "field"), [
    (["--host", "0.0.0.0"], "--host"),
    (["--port", "70000"], "--port"),
    (["--cors-origin", "evil"], "--cors-origin"),
])
def test_serve_refuses_what_cannot_work(web_store: Path, args: list[str], field: str) -> None:
    result = CliRunner().invoke(app, ["serve", "--db", str(web_store), *args])
    assert result.exit_code == 2, result.output
    assert field in result.output and "fix:" in result.output


def test_serve_without_a_store_says_what_to_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2 and "sahel build" in result.output
