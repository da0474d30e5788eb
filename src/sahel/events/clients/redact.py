"""Take credentials out of anything a server sent back, in every encoding it might use.

Why: servers echo the request in their error bodies, headers, reason phrases and redirect
addresses (DESIGN, Pitfalls). A plain ``text.replace(password, "***")`` misses the same password
once it has been URL-encoded (``p%40ss``, ``p%40ss+w%2Frd``), JSON-escaped (``p\\u0040ss``),
HTML-escaped (``p&#64;ss``), shown as a bytes repr (``p@ss\\xc3\\xa9``) or base64-encoded inside
an echoed ``Authorization: Basic`` header. So one :class:`Redactor` holds the secrets of a client
(ACLED e-mail and password, OAuth access and refresh tokens, the UCDP token, user info in a
configured URL) and every server text passes through it before it reaches a message, a log
record or a file:

1. **Every character in any of its encodings.** Each secret becomes a regular expression in which
   each character matches itself or any of its encodings: percent-encoding of its UTF-8 bytes
   (or its Latin-1 byte), upper- or lower-case hex, encoded once or twice (``%2540``); ``+`` for a
   space (form encoding); JSON ``\\uXXXX`` (surrogate pairs too) and ``\\"``, ``\\\\``, ``\\/``,
   with any number of backslashes (JSON inside JSON) or a percent-encoded backslash; ``\\xNN``
   (a bytes repr); HTML/XML entities (``&#64;``, ``&#x40;``, ``&amp;``, ``&quot;`` …); and the
   UTF-8 bytes misread as Latin-1/cp1252 (``Ã©``). Because the choice is per character, a
   server that encodes only some characters (``quote`` keeps ``/``, ``quote_plus`` does not; some
   JSON encoders escape ``@``, most do not) is covered without listing every combination.
   Matching ignores case, so a server that lower-cases the e-mail is covered as well.
2. **Whole-secret encodings.** Base64 and URL-safe base64 of the secret at each of the three
   byte alignments (so it is found inside the base64 of ``user:password``), and its hex.
3. **A backstop that fails closed.** After redaction the text is decoded again (URL, form,
   JSON, HTML and ``\\x`` escapes, up to three layers deep); if a secret can still be read in any
   decoding, the whole text is withheld rather than shown.

Logs: :meth:`Redactor.watch_logs` adds the redactor to a filter on the loggers that print
server text (``httpx`` logs the reason phrase, ``httpcore`` at DEBUG the response headers; our
own client modules), so a record is scrubbed before any handler sees it. Exceptions:
:meth:`Redactor.guard` scrubs every exception leaving a client, including the chained causes a
traceback would print.
"""

from __future__ import annotations

import base64
import html
import logging
import re
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from urllib.parse import unquote, unquote_plus, urlsplit

from pydantic import SecretStr

from sahel.errors import SahelError
from sahel.settings import Settings

#: What a secret becomes.
MASK = "***"
#: What a whole text becomes when a secret survives redaction in some decoding.
WITHHELD = "[server text withheld: it contained a credential]"

#: Loggers that may print server text: httpx (URL, reason phrase), httpcore at DEBUG (response
#: headers), and our own client modules. A logger's filter only sees records logged to that very
#: logger (not its children), so each one is named.
WATCHED_LOGGERS: tuple[str, ...] = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "sahel.events.clients.http",
    "sahel.events.clients.files",
    "sahel.events.clients.acled_api",
    "sahel.events.clients.ucdp_api",
    "sahel.events.clients.ucdp_download",
)

#: One or more backslashes, or a percent-encoded one: the escape prefix of JSON / bytes reprs,
#: possibly escaped again (JSON inside JSON) or URL-encoded.
_BACKSLASH = r"(?:\\|%(?:25)*5c)+"


def _plain(char: str) -> str:
    """An ASCII character raw, as a JSON ``\\uXXXX`` escape or as an HTML entity."""
    code = ord(char)
    return f"(?:{re.escape(char)}|{_BACKSLASH}u{code:04x}|&#0*{code};?|&#x0*{code:x};?)"


#: The ``%`` of percent-encoding, itself perhaps escaped (a form body echoed inside JSON/HTML).
_PERCENT = _plain("%")


def _pct(byte: int) -> str:
    """``%40``, ``%2540``, ``\\u002540``, ``&#37;40`` … for one byte (case is ignored)."""
    return f"{_PERCENT}(?:25)*{byte:02x}"


#: Short backslash escapes (JSON, C, bytes reprs): character -> the letter after the backslash.
_ESCAPES = {'"': '"', "'": "'", "/": "/", "\n": "n", "\r": "r", "\t": "t", "\b": "b", "\f": "f"}


def _escaped(letter: str) -> str:
    """``\\<letter>`` with any backslash run, the letter raw or percent-encoded (``%5C%22``)."""
    return f"{_BACKSLASH}(?:{re.escape(letter)}|{_pct(ord(letter))})"


#: Named encodings of single characters, beyond the generic ones built in :func:`_char_pattern`.
_NAMED: dict[str, tuple[str, ...]] = {
    " ": (_plain("+"), _pct(ord("+")), "&nbsp;"),
    '"': ("&quot;",),
    "'": ("&apos;",),
    "\\": (_BACKSLASH,),
    "&": ("&amp;",),
    "<": ("&lt;",),
    ">": ("&gt;",),
}

#: The shortest base64/hex fragment worth matching: shorter ones occur by chance in any text.
_MIN_WHOLE = 6
#: How many layers of encoding the backstop peels off.
_BACKSTOP_DEPTH = 3


def _char_pattern(char: str) -> str:
    """A regex alternation matching ``char`` or any of its encodings."""
    alternatives = {re.escape(char)}
    data = char.encode("utf-8")
    alternatives.add("".join(_pct(byte) for byte in data))
    alternatives.add("".join(f"{_BACKSLASH}x{byte:02x}" for byte in data))
    code = ord(char)
    if code < 256:  # the Latin-1 byte, percent-encoded or in a bytes repr
        alternatives.add(_pct(code))
        alternatives.add(f"{_BACKSLASH}x{code:02x}")
    if len(data) > 1:  # UTF-8 bytes misread as a one-byte code page ("Ã©" for "é")
        for codec in ("latin-1", "cp1252"):
            with suppress(UnicodeDecodeError):
                alternatives.add(re.escape(data.decode(codec)))
    if code > 0xFFFF:  # JSON writes astral characters as a surrogate pair
        high = 0xD800 + ((code - 0x10000) >> 10)
        low = 0xDC00 + ((code - 0x10000) & 0x3FF)
        alternatives.add(f"{_BACKSLASH}u{high:04x}{_BACKSLASH}u{low:04x}")
    else:
        alternatives.add(f"{_BACKSLASH}u{code:04x}")
    alternatives.add(f"&#0*{code};?")
    alternatives.add(f"&#x0*{code:x};?")
    alternatives.update(_NAMED.get(char, ()))
    if char in _ESCAPES:
        alternatives.add(_escaped(_ESCAPES[char]))
    return "(?:" + "|".join(sorted(alternatives, key=lambda a: (-len(a), a))) + ")"


def _whole_encodings(secret: str) -> set[str]:
    """Base64 (standard and URL-safe) at each byte alignment, and hex, of ``secret``.

    Inside a longer base64 text (``user:password``) the secret starts at byte offset 0, 1 or 2 of
    a 3-byte group; for each offset we keep only the characters that depend on the secret alone.
    """
    found: set[str] = set()
    encodings = {secret.encode("utf-8")}
    with suppress(UnicodeEncodeError):
        encodings.add(secret.encode("latin-1"))
    for data in encodings:
        found.add(data.hex())
        for offset in range(3):
            encoded = base64.b64encode(b"\0" * offset + data).decode("ascii")
            start = 4 if offset else 0
            stop = 4 * ((offset + len(data)) // 3)
            core = encoded[start:stop]
            found.add(core)
            found.add(core.replace("+", "-").replace("/", "_"))
    return {text for text in found if len(text) >= _MIN_WHOLE}


def _json_unescape(text: str) -> str:
    r"""Undo JSON string escapes (``\uXXXX`` incl. surrogate pairs, ``\"``, ``\\``, ``\/``)."""
    simple = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}

    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        if body[0] in "uU":
            return chr(int(body[1:], 16))
        return simple.get(body, body)

    unescaped = re.sub(r"\\([uU][0-9a-fA-F]{4}|[\"\\/'nrtbf])", one, text)
    return unescaped.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _bytes_unescape(text: str) -> str:
    r"""Undo ``\xNN`` runs (a bytes repr), read as UTF-8 (or Latin-1 if that fails)."""

    def run(match: re.Match[str]) -> str:
        data = bytes(int(h, 16) for h in re.findall(r"[0-9a-fA-F]{2}", match.group(0)))
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("latin-1")

    return re.sub(r"(?:\\+x[0-9a-fA-F]{2})+", run, text)


_DECODERS = (unquote, unquote_plus, html.unescape, _json_unescape, _bytes_unescape)


def _decodings(text: str) -> set[str]:
    """``text`` and what it becomes under up to three layers of the usual decodings."""
    seen = {text}
    frontier = [text]
    for _ in range(_BACKSTOP_DEPTH):
        found = []
        for current in frontier:
            for decode in _DECODERS:
                decoded = decode(current)
                if decoded not in seen:
                    seen.add(decoded)
                    found.append(decoded)
        frontier = found
    return seen


class Redactor:
    """The secrets of one client, and every encoding of them, taken out of server text.

    ``add`` accepts plain strings, :class:`~pydantic.SecretStr` and ``None`` (ignored), so a
    client can hand over whatever its settings hold. Tokens issued later (OAuth) are added as
    they arrive and never removed: an expired token is still a credential.
    """

    def __init__(self, secrets: Iterable[str | SecretStr | None] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()
        self.add(*secrets)

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secret(s))"

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def add(self, *secrets: str | SecretStr | None) -> None:
        """Redact these too (empty values and ``None`` are ignored)."""
        with self._lock:
            for secret in secrets:
                value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
                if value:
                    self._secrets.add(value)
            self._pattern = None

    def add_url_userinfo(self, *urls: str) -> None:
        """Redact the user name and password of ``https://user:pass@host/`` URLs."""
        for url in urls:
            try:
                parts = urlsplit(url)
            except ValueError:
                continue
            self.add(parts.password, parts.username)
            if parts.password:
                self.add(unquote(parts.password))
            if parts.username:
                self.add(unquote(parts.username))

    def _compiled(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._secrets:
                alternatives = [
                    "".join(_char_pattern(char) for char in secret) for secret in self._secrets
                ]
                for secret in self._secrets:
                    alternatives += [re.escape(text) for text in _whole_encodings(secret)]
                alternatives.sort(key=lambda a: (-len(a), a))
                self._pattern = re.compile("|".join(alternatives), re.IGNORECASE)
            return self._pattern

    def __call__(self, text: str) -> str:
        """``text`` with every encoding of every secret replaced by ``***``.

        If a secret can still be read after decoding the result (an encoding not foreseen
        above), the whole text is replaced by a notice: withholding beats leaking.
        """
        pattern = self._compiled()
        if pattern is None or not text:
            return text
        clean = pattern.sub(MASK, text)
        if self.leaks(clean):
            return WITHHELD
        return clean

    def leaks(self, text: str) -> bool:
        """Whether a secret can be read in ``text`` or in a decoding of it."""
        secrets = [secret.casefold() for secret in self._secrets]
        if not secrets:
            return False
        return any(
            secret in decoded.casefold() for decoded in _decodings(text) for secret in secrets
        )

    # --- exceptions ---------------------------------------------------------------------------

    def scrub_exception(self, exc: BaseException) -> None:
        """Redact ``exc`` and every exception chained to it, in place.

        A :class:`SahelError` gets its message, hint, file and field redacted (and its ``str``
        rebuilt). Other exceptions (an ``httpx`` error quoting a malformed status line, say) get
        their arguments redacted; if one still shows a secret afterwards, the chain is cut
        there, so a traceback cannot print it.
        """
        if not self:
            return
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            self._scrub_one(current)
            for link in ("__cause__", "__context__"):
                chained = getattr(current, link)
                if chained is not None and self._shows_secret(chained):
                    self._scrub_one(chained)
                    if self._shows_secret(chained):
                        setattr(current, link, None)
                        current.__suppress_context__ = True
            current = current.__cause__ or (
                None if current.__suppress_context__ else current.__context__
            )

    def _shows_secret(self, exc: BaseException) -> bool:
        texts = [str(exc), repr(exc), *getattr(exc, "__notes__", [])]
        return any(self(text) != text for text in texts)

    def _scrub_one(self, exc: BaseException) -> None:
        if isinstance(exc, SahelError):
            exc.message = self(exc.message)
            exc.hint = self(exc.hint) if exc.hint is not None else None
            exc.file = self(exc.file) if exc.file is not None else None
            exc.field = self(exc.field) if exc.field is not None else None
            exc.args = (exc.render(),)
        else:
            args: list[object] = []
            for arg in exc.args:
                if isinstance(arg, str):
                    args.append(self(arg))
                elif isinstance(arg, bytes | bytearray):
                    shown = repr(arg)
                    args.append(self(shown) if self(shown) != shown else arg)
                else:
                    args.append(arg)
            exc.args = tuple(args)
        notes = getattr(exc, "__notes__", None)
        if isinstance(notes, list):
            notes[:] = [self(note) if isinstance(note, str) else note for note in notes]

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Scrub any exception that leaves the block (then let it go on)."""
        try:
            yield
        except BaseException as exc:
            self.scrub_exception(exc)
            raise

    # --- logs ---------------------------------------------------------------------------------

    def watch_logs(self) -> Redactor:
        """Scrub records of :data:`WATCHED_LOGGERS` with this redactor while it is alive."""
        _LOG_FILTER.install()
        _LOG_FILTER.watch(self)
        return self


class _LogFilter(logging.Filter):
    """Rewrites a record's message (and formatted traceback) through every live redactor.

    Redactors are held weakly: a client that is gone takes its secrets with it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()
        self._installed = False
        self._lock = threading.Lock()

    def watch(self, redactor: Redactor) -> None:
        with self._lock:
            self.redactors.add(redactor)

    def install(self) -> None:
        with self._lock:
            if self._installed:
                return
            for name in WATCHED_LOGGERS:
                logging.getLogger(name).addFilter(self)
            self._installed = True

    def _redact(self, text: str) -> str:
        with self._lock:  # another thread may add a redactor meanwhile
            redactors = list(self.redactors)
        for redactor in redactors:
            text = redactor(text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.redactors:
            return True
        try:
            message = record.getMessage()
        except Exception:  # logging would print msg and args raw in its "Logging error" report
            record.msg, record.args = "[unformattable log record withheld]", None
            return True
        clean = self._redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True


_LOG_FILTER = _LogFilter()


def for_settings(settings: Settings) -> Redactor:
    """A redactor for every credential ``settings`` hold, already watching the logs.

    Each client takes all of them, not only its own: a UCDP error must not show the ACLED
    password either. User info in a configured URL (``https://user:pass@mirror/``) counts too.
    """
    redactor = Redactor([settings.ucdp_token, settings.acled_username, settings.acled_password])
    redactor.add_url_userinfo(
        settings.ucdp_api_url, settings.ucdp_download_url, settings.acled_api_url
    )
    return redactor.watch_logs()
