"""Faults no user caused: a damaged store read mid-query, and bugs.

Why its own module: every edge (the CLI, the web server) must turn them into one readable line —
a store error with a way back, or "this is a bug, details in FILE" — and never print a
traceback; the traceback goes to a crash file with credentials taken out.
"""

from __future__ import annotations

from pathlib import Path

from sahel.errors import SahelError


def store_failure(exc: Exception) -> SahelError | None:
    """DuckDB failing to *read the store* mid-query (a damaged block, a truncated file, a
    vanished disk) is a store error with a way back, not a bug; any other DuckDB error is."""
    import duckdb

    if isinstance(exc, duckdb.IOException | duckdb.SerializationException):
        from sahel.store.db import io_error

        return io_error(exc)
    if isinstance(exc, duckdb.InternalException | duckdb.FatalException) and any(
            w in str(exc).lower() for w in ("corrupt", "checksum", "read enough", "serializ")):
        from sahel.store.db import io_error

        return io_error(exc)
    return None


def crash_report(exc: BaseException) -> str:
    """Write the traceback of a bug to a file (never to the terminal) and say where it is.

    Credentials held in the settings are taken out of the text first, in every encoding."""
    import traceback
    from datetime import UTC, datetime

    text = "".join(traceback.format_exception(exc))
    first = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    try:
        from sahel.events.clients.redact import for_settings
        from sahel.settings import get_settings

        redactor = for_settings(get_settings())
        text, first = redactor(text), redactor(first)
    except Exception:  # no settings or no redactor: keep the type name only
        first = type(exc).__name__
        text = first + "\n"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    where = "(could not be written)"
    for folder in _crash_folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"crash-{stamp}.txt"
            path.write_text(text, encoding="utf-8")
            where = str(path)
            break
        except OSError:
            continue
    return (f"internal error ({first[:300]}). This is a bug in sahel, not in what you typed: "
            f"please report it with the details in {where}")


def _crash_folders() -> list[Path]:
    import tempfile

    folders = []
    try:
        from sahel.settings import get_settings

        folders.append(get_settings().home / "logs")
    except Exception:  # a broken setting must not hide the crash itself
        pass
    folders.append(Path(tempfile.gettempdir()) / "sahel-logs")
    return folders
