"""Writing what the clients fetch: atomically, with a checksum, as CSV the ingest engine reads.

Why atomic: a download or an API pull can die half-way (network, quota, Ctrl-C). A half-written
CSV under the final name would later be ingested as if it were complete, so every file is
written under a temporary name in the same folder and renamed only when it is whole.
Why a checksum: snapshots record the sha256 of the file they were built from, so a figure can be
traced back to exactly these bytes.
"""

from __future__ import annotations

import csv
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sahel.events.reader import sha256_file

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class FetchResult:
    """A CSV written from an API: where, how many rows and pages, and its sha256."""

    path: Path
    rows: int
    pages: int
    sha256: str


@contextmanager
def atomic_text(path: Path, *, private: bool = False) -> Iterator[IO[str]]:
    """Open a temporary file beside ``path``; rename it onto ``path`` only on success.

    ``private`` files (ACLED raw rows, which the licence reserves to the registered user) are
    readable by their owner only; others get the usual 0644.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if private:
        path.parent.chmod(0o700)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o600 if private else 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_sidecar(path: Path, sha256: str) -> Path:
    """Write ``<name>.sha256`` in ``sha256sum`` format, so ``sha256sum -c`` can check it."""
    sidecar = path.with_name(path.name + ".sha256")
    with atomic_text(sidecar) as handle:
        handle.write(f"{sha256}  {path.name}\n")
    return sidecar


def cell(value: Any) -> str:
    """One CSV cell: ``None`` is empty, booleans are ``true``/``false`` as in UCDP's own CSVs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_pages_csv(
    path: Path,
    pages: Iterable[Sequence[Mapping[str, Any]]],
    *,
    columns: Sequence[str] | None = None,
    fallback_columns: Sequence[str] = (),
    private: bool = False,
) -> FetchResult:
    """Write API pages as one CSV, atomically, and return its row count and sha256.

    With ``columns`` the layout is fixed (UCDP's 49 GED columns); without, it is the key order
    of the first row the API returned (ACLED), or ``fallback_columns`` when there are no rows.
    Keys outside the layout are dropped with a warning rather than silently.
    """
    rows = 0
    page_count = 0
    unknown: set[str] = set()
    with atomic_text(path, private=private) as handle:
        writer: Any = None
        layout: list[str] = list(columns) if columns is not None else []
        for page in pages:
            page_count += 1
            for row in page:
                if writer is None:
                    layout = layout or list(row.keys())
                    writer = csv.writer(handle, lineterminator="\n")
                    writer.writerow(layout)
                unknown.update(key for key in row if key not in layout)
                writer.writerow([cell(row.get(name)) for name in layout])
                rows += 1
        if writer is None:
            csv.writer(handle, lineterminator="\n").writerow(layout or list(fallback_columns))
    if unknown:
        log.warning(
            "%s: dropped %d field(s) not in the layout: %s",
            path.name,
            len(unknown),
            ", ".join(sorted(unknown)),
        )
    return FetchResult(path=path, rows=rows, pages=page_count, sha256=sha256_file(path))
