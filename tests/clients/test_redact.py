"""The redactor on its own: every encoding of awkward secrets, nothing else touched, the
fail-closed backstop, exception chains and log records."""

from __future__ import annotations

import html
import json
import logging
import random
import traceback
from urllib.parse import quote

import httpx
import pytest
from pydantic import SecretStr

from sahel.errors import NetworkError
from sahel.events.clients.redact import MASK, WITHHELD, Redactor, for_settings
from sahel.settings import get_settings

from .leaks import ENCODERS, assert_clean, variants

#: The brief's credentials, a token with astral and Nordic characters, one with every JSON
#: escape, and an ordinary OAuth token.
AWKWARD = [
    "user+tag@example.org",
    'p@ss w/rd&=%"\\é',
    "tok-ÆØÅ-😀-Ab12/+=",
    "a\tb\nc'd<e>f&g;h",
    "acc-4f9c2e71b0d84a6e",
]


@pytest.mark.parametrize("secret", AWKWARD)
@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_every_encoding_is_redacted_and_the_rest_kept(secret: str, encoding: str) -> None:
    redact = Redactor([secret])
    encoded = variants(secret)[encoding]
    text = f"Bad credentials for {encoded} (request 42)"
    clean = redact(text)
    assert clean != WITHHELD, "the patterns should catch it, not only the backstop"
    assert clean.startswith("Bad credentials for ") and clean.endswith(" (request 42)")
    assert MASK in clean
    assert_clean({encoding: clean}, [secret])


def test_random_secrets_in_every_encoding() -> None:
    """60 random secrets over an alphabet of troublemakers; base64 fragments under 6 characters
    (secrets under ~6 bytes at an odd offset) are the documented exception."""
    rng = random.Random(20250601)
    alphabet = "abcXYZ019 @/+%&=\"'\\<>:;?#é€😀\t\n"
    for _ in range(60):
        secret = "".join(rng.choice(alphabet) for _ in range(rng.randint(8, 24)))
        redact = Redactor([secret])
        for name, encoded in variants(secret).items():
            if name.startswith("base64") and len(encoded) < 6:
                continue
            clean = redact(f"<{encoded}>")
            assert encoded not in clean, (secret, name)
            assert not redact.leaks(clean), (secret, name)


def test_text_without_secrets_is_untouched() -> None:
    redact = Redactor(AWKWARD)
    text = (
        "HTTP 401 at https://acleddata.com/oauth/token: invalid_grant for user; password "
        'grant refused. {"error": "p%40ss"} &amp; \\u0040 dXNlcg== 0123abcd'
    )
    assert redact(text) == text
    assert Redactor()(text) == text


def test_an_unforeseen_layering_is_withheld_not_shown() -> None:
    secret = 'p@ss w/rd&=%"\\é'
    sneaky = quote(html.escape(secret), safe="")  # HTML entities, then URL-encoded
    redact = Redactor([secret])
    assert redact(f"echo: {sneaky}") == WITHHELD


def test_secretstr_none_and_url_userinfo() -> None:
    redact = Redactor([SecretStr("s3cret-value"), None, ""])
    redact.add_url_userinfo("https://mirror-user:pa%24%24word@mirror.example/ucdp")
    clean = redact("s3cret-value mirror-user pa$$word pa%24%24word")
    assert clean == " ".join([MASK] * 4)
    assert repr(redact) == "Redactor(4 secret(s))"  # never the values


def test_for_settings_takes_every_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACLED_USERNAME", "user+tag@example.org")
    monkeypatch.setenv("ACLED_PASSWORD", "pw-1234567")
    monkeypatch.setenv("SAHEL_UCDP_TOKEN", "tok-abcdefg")
    monkeypatch.setenv("SAHEL_UCDP_DOWNLOAD_URL", "https://u1:p1-secret@mirror.example/dl")
    redact = for_settings(get_settings())
    text = "user%2Btag%40example.org pw-1234567 tok-abcdefg p1-secret"
    assert redact(text) == " ".join([MASK] * 4)


def test_exception_chains_are_scrubbed_or_cut() -> None:
    secret = 'p@ss w/rd&=%"\\é'
    redact = Redactor([secret])
    status_line = f"HTTP/1.0 4x0 {secret}".encode()
    with pytest.raises(NetworkError) as info, redact.guard():
        try:
            raise httpx.RemoteProtocolError(f"illegal status line: {bytearray(status_line)!r}")
        except httpx.RemoteProtocolError as exc:
            error = NetworkError(f"broke: {quote(secret)}", hint=f"not {json.dumps(secret)}")
            error.add_note(f"note {secret}")
            raise error from exc
    texts = {
        "str": str(info.value),
        "repr": repr(info.value),
        "traceback": "".join(traceback.format_exception(info.value)),
        "cause": repr(info.value.__cause__),
    }
    assert_clean(texts, [secret])
    assert "illegal status line" in texts["traceback"]  # scrubbed, not dropped
    assert "broke: ***" in texts["str"]


def test_an_opaque_exception_in_the_chain_is_cut() -> None:
    """An exception whose text comes from attributes, not args, cannot be scrubbed: cut it."""
    secret = "tok-0123456789"

    class Opaque(Exception):
        def __str__(self) -> str:
            return f"server said {secret}"

    redact = Redactor([secret])
    with pytest.raises(NetworkError) as info, redact.guard():
        raise NetworkError("request failed") from Opaque()
    assert info.value.__cause__ is None
    assert_clean({"tb": "".join(traceback.format_exception(info.value))}, [secret])


def test_log_records_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    secret = 'p@ss w/rd&=%"\\é'
    redact = Redactor([secret]).watch_logs()
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").info("HTTP Request: %s %r", "POST", f"Bad password {secret}")
    logging.getLogger("httpcore.http11").debug(
        "receive_response_headers.complete return_value=%r", [(b"X-Echo", secret.encode())]
    )
    try:
        raise ValueError(quote(secret))
    except ValueError:
        logging.getLogger("sahel.events.clients.http").exception("failed")
    assert caplog.text.count(MASK) >= 3
    assert_clean({"caplog": caplog.text}, [secret])
    del redact
