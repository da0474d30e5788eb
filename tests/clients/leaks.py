"""The encodings a server might echo a secret in, and one assertion that none of them shows.

Kept apart from the redactor on purpose: these are written out one by one with the standard
library's own encoders, so a test fails if the redactor's generated patterns miss one.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import quote, quote_plus, urlencode

from sahel.events.clients.redact import Redactor


def _every_u(text: str, upper: bool = False) -> str:
    """JSON with every non-alphanumeric character as ``\\uXXXX`` (like .NET, PHP JSON_HEX_*)."""
    out = []
    for char in text:
        if char.isascii() and char.isalnum():
            out.append(char)
            continue
        units = char.encode("utf-16-be")
        for i in range(0, len(units), 2):
            code = f"{int.from_bytes(units[i : i + 2], 'big'):04x}"
            out.append("\\u" + (code.upper() if upper else code))
    return "".join(out)


def _latin1_quote(text: str) -> str:
    try:
        return quote(text, safe="", encoding="latin-1")
    except UnicodeEncodeError:
        return quote(text, safe="")


def _b64_at(offset: int, urlsafe: bool = False) -> Callable[[str], str]:
    def encode(text: str) -> str:
        data = b"xyz"[:offset] + text.encode("utf-8") + b":rest"
        encoder = base64.urlsafe_b64encode if urlsafe else base64.b64encode
        return encoder(data).decode("ascii")

    return encode


#: name -> encoder. Each one a server (or a proxy, or a framework's error page) has been seen to use.
ENCODERS: Mapping[str, Callable[[str], str]] = {
    "raw": lambda s: s,
    "upper": str.upper,
    "lower": str.lower,
    "quote": quote,
    "quote_safe_none": lambda s: quote(s, safe=""),
    "quote_lower_hex": lambda s: quote(s, safe="").lower(),
    "quote_keep_at": lambda s: quote(s, safe="@/:"),
    "quote_plus": quote_plus,
    "quote_plus_lower_hex": lambda s: quote_plus(s).lower(),
    "quote_latin1": _latin1_quote,
    "double_quote": lambda s: quote(quote(s, safe=""), safe=""),
    "form": lambda s: urlencode({"password": s}),
    "json": json.dumps,
    "json_unicode": lambda s: json.dumps(s, ensure_ascii=False),
    "json_every_u": _every_u,
    "json_every_u_upper": lambda s: _every_u(s, upper=True),
    "json_in_json": lambda s: json.dumps(json.dumps(s)),
    "json_percent": lambda s: quote(json.dumps(s), safe=""),
    "html": html.escape,
    "html_numeric": lambda s: "".join(f"&#{ord(c)};" for c in s),
    "html_hex": lambda s: "".join(f"&#x{ord(c):X};" for c in s),
    "bytes_repr": lambda s: repr(s.encode("utf-8")),
    "mojibake": lambda s: s.encode("utf-8").decode("latin-1"),
    "hex": lambda s: s.encode("utf-8").hex(),
    "base64": lambda s: base64.b64encode(s.encode("utf-8")).decode("ascii"),
    "base64_offset1": _b64_at(1),
    "base64_offset2": _b64_at(2),
    "base64url_offset1": _b64_at(1, urlsafe=True),
}


#: How many characters of an encoder's output are wrapping, not the secret (quotes, prefixes).
_WRAPPING = {"json": 1, "json_unicode": 1, "json_in_json": 3, "json_percent": 3}
_B64_OFFSET = {"base64": 0, "base64_offset1": 1, "base64_offset2": 2, "base64url_offset1": 1}


def variants(secret: str) -> dict[str, str]:
    """Every encoding of ``secret`` in :data:`ENCODERS`, cut to the part that is the secret's
    alone (without JSON quotes; for base64, the characters that do not depend on neighbours)."""
    found = {}
    for name, encode in ENCODERS.items():
        encoded = encode(secret)
        if name in _WRAPPING:
            cut = _WRAPPING[name]
            encoded = encoded[cut:-cut]
        elif name == "form":
            encoded = encoded.removeprefix("password=")
        elif name in _B64_OFFSET:
            offset = _B64_OFFSET[name]
            stop = 4 * ((offset + len(secret.encode("utf-8"))) // 3)
            encoded = encoded[4 if offset else 0 : stop]
        found[name] = encoded
    return found


def assert_clean(texts: Mapping[str, str] | Iterable[tuple[str, str]], secrets: list[str]) -> None:
    """No text shows any secret in any encoding (nor in a decoding the redactor can undo)."""
    items = texts.items() if isinstance(texts, Mapping) else texts
    detector = Redactor(secrets)
    for where, text in items:
        for secret in secrets:
            for name, encoded in variants(secret).items():
                assert encoded.casefold() not in text.casefold(), (
                    f"{where}: a secret appears ({name} encoding)"
                )
        assert not detector.leaks(text), f"{where}: a secret can be decoded from it"
