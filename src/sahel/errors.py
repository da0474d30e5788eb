"""One error tree for the whole observatory.

Every error a user can cause is a :class:`SahelError`. Each carries *where* the problem is
(file, line, field) and *how to fix it* (``hint``), so the CLI and the API can translate it at the
edge into one readable message without a traceback. Subclasses also inherit from the matching
builtin (``ValueError``, ``OSError``, ``LookupError``) so library users can catch them the usual way.
"""

from __future__ import annotations

from pathlib import Path


class SahelError(Exception):
    """Base of every error the observatory raises on purpose."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.hint = hint
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        super().__init__(self.render())

    @property
    def where(self) -> str:
        """``file:line: field 'x'`` — the parts that are known."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line is not None else ""))
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ": ".join(parts)

    def render(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  fix: {self.hint}"
        return text


class ConfigError(SahelError, ValueError):
    """A setting is missing or invalid (environment variable, option)."""

    exit_code = 2


class InputError(SahelError, ValueError):
    """A file the user gave cannot be read as what it claims to be."""

    exit_code = 3


class LayoutError(InputError):
    """The header does not match any known layout, or required columns are missing."""


class RowError(InputError):
    """One or more rows are malformed (bad date, number, coordinate, unknown country...)."""

    def __init__(self, message: str, *, count: int = 1, **kwargs: object) -> None:
        self.count = count
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class EncodingError(InputError):
    """The file is not in the expected text encoding."""


class ArchiveError(InputError):
    """A zip or gzip file is truncated or damaged."""


class OutputError(SahelError, OSError):
    """An output file (export, chart, report, rejects file) cannot be written where asked."""

    exit_code = 9


class AccessError(SahelError, PermissionError):
    """What was asked may not be shown to this audience (ACLED rows on a public surface)."""

    exit_code = 10


class StoreError(SahelError, OSError):
    """The event store is missing, locked, or was written by an incompatible version."""

    exit_code = 4


class NotFoundError(SahelError, LookupError):
    """Something the user named (snapshot, actor, claim) does not exist."""

    exit_code = 5


class RegistryError(SahelError, ValueError):
    """The curated registry (YAML) is invalid: schema, references, dates or sources."""

    exit_code = 6


class PanelError(SahelError, ValueError):
    """A panel operation that would mix units of analysis or ask for what the panel lacks."""

    exit_code = 8


class NetworkError(SahelError, OSError):
    """A remote source could not be reached or answered with an error."""

    exit_code = 7


class AuthError(NetworkError):
    """Credentials were refused or are missing."""


class QuotaError(NetworkError):
    """A remote source's request quota is exhausted."""
