"""The source archive beside the store: the exact bytes behind every snapshot.

Why a private copy first (ADR 003): the archive is what makes every stored figure reproducible
(``sahel events --raw``, ``sahel store rebuild``), so it must hold *exactly* the bytes that
were loaded. A hard link to the user's file changes when they edit it; a file read by DuckDB
while it is being rewritten or replaced differs from the one hashed a moment later. So an
ingest first copies the input into ``<archive>/.incoming/`` (a folder no one else writes),
checks that the input did not change while it was copied, then parses, hashes and archives
*that copy*: the recorded sha256 is computed over the bytes loaded, by construction.

Everything here runs while the caller holds the store's write lock (an open read-write DuckDB
connection), so cleaning up leftovers of a killed or failed ingest cannot race another writer.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from sahel.errors import InputError, SahelError, StoreError
from sahel.outputs import output_error

INCOMING = ".incoming"
#: how a companion file (a ViEWS country list) is archived beside its file
COMPANION = ".with-"
#: what a sidecar describing one snapshot's ingest is named after (see :func:`write_manifest`)
MANIFEST = ".snapshot-{sid}.json"


def archive_dir(db_path: Path) -> Path:
    """Where source files are archived (content-addressed), beside the store."""
    return db_path.parent / f"{db_path.stem}.sources"


def archive_name(original: Path, sha256: str) -> str:
    """``<first 20 hex of sha256><suffix>``: the content address of an archived file."""
    suffix = ("".join(original.suffixes[-2:]) if original.suffix in (".gz", ".zip")
              else original.suffix)
    return f"{sha256[:20]}{suffix}"


def _signature(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns


@dataclass
class Incoming:
    """A private copy of one input file, taken before it is read."""

    original: Path
    copy: Path
    signature: tuple[int, int, int, int]

    def check_unchanged(self) -> None:
        """Refuse the ingest if the input was edited, replaced or removed since it was copied:
        the copy is consistent, but the user would be told a different file was stored."""
        try:
            now = _signature(self.original)
        except OSError:
            raise InputError("the file disappeared while it was being ingested",
                             file=self.original,
                             hint="put it back (or wait for whatever moves it) and ingest "
                             "it again; nothing was stored") from None
        if now != self.signature:
            raise InputError("the file changed while it was being ingested", file=self.original,
                             hint="wait until it is completely written (a download or copy "
                             "in progress?) and ingest it again; nothing was stored")

    def commit_checks(self, before_commit: Callable[[], None] | None = None,
                      ) -> Callable[[], None]:
        """What runs inside the transaction just before COMMIT: the tests' fault hook, then
        the last check that the input is still the file that was copied (else: refused,
        nothing stored)."""
        def run() -> None:
            if before_commit is not None:  # a test's fault lands before the last check
                before_commit()
            self.check_unchanged()
        return run

    @contextlib.contextmanager
    def as_original(self) -> Iterator[None]:
        """Errors raised while reading the copy name the user's file, not our copy."""
        try:
            yield
        except SahelError as exc:
            copy, original = str(self.copy), str(self.original)
            if exc.file == copy or copy in exc.message:
                exc.file = original if exc.file == copy else exc.file
                exc.message = exc.message.replace(copy, original)
                exc.args = (exc.render(),)
            raise

    def adopt(self, sha256: str, dest_dir: Path) -> tuple[Path, bool]:
        """Move the copy to its content address; (path, whether it is new)."""
        dest = dest_dir / archive_name(self.original, sha256)
        if dest.exists():
            return dest, False
        os.replace(self.copy, dest)
        return dest, True

    def adopt_companions(self, dest: Path) -> list[Path]:
        """Archive the companions copied with the file beside it (``<name>.with-<companion>``),
        so a rebuild from the archive finds them again; the new files."""
        made = []
        for item in sorted(self.copy.parent.iterdir()):
            if item.name == self.copy.name or not item.is_file():
                continue
            target = dest.with_name(f"{dest.name}{COMPANION}{item.name}")
            if not target.exists():
                os.replace(item, target)
                made.append(target)
        return made


@contextlib.contextmanager
def incoming(original: Path, db_file: Path,
             companions: Sequence[str] = ()) -> Iterator[Incoming]:
    """Copy ``original`` into ``<archive>/.incoming/<random>/<its name>``; remove it on exit
    unless it was adopted. The name is kept so that readers inferring a version or layout from
    the file name see the user's name; errors raised inside name ``original``. ``companions``:
    names of files read beside it (a ViEWS country list), copied too when they exist."""
    original = Path(original)
    if not original.is_file():
        raise InputError("no such file", file=original, hint="check the path")
    folder = archive_dir(db_file) / INCOMING / uuid.uuid4().hex
    try:
        folder.mkdir(parents=True)
        before = _signature(original)
        copy = folder / original.name
        shutil.copyfile(original, copy)
        os.chmod(copy, 0o444)
        for name in companions:
            if (original.parent / name).is_file():
                shutil.copyfile(original.parent / name, folder / name)
    except FileNotFoundError:
        shutil.rmtree(folder, ignore_errors=True)
        raise InputError("the file disappeared while it was being copied", file=original,
                         hint="put it back and ingest it again") from None
    except PermissionError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise InputError("cannot read the file: permission denied", file=original,
                         hint="check its permissions") from exc
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise output_error(folder, exc, "archive") from exc
    got = Incoming(original=original, copy=copy, signature=before)
    try:
        got.check_unchanged()
        if copy.stat().st_size != before[2]:
            raise InputError("the file changed while it was being copied", file=original,
                             hint="wait until it is completely written and ingest it again")
        with got.as_original():
            yield got
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            folder.parent.rmdir()  # only when no other copy is in it


def referenced(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Archive file name -> snapshot id, for every snapshot that points into the archive."""
    rows = con.execute("SELECT archive_path, snapshot_id FROM snapshots "
                       "WHERE archive_path IS NOT NULL ORDER BY snapshot_id").fetchall()
    return {Path(str(p)).name: int(s) for p, s in rows}


def leftovers(con: duckdb.DuckDBPyConnection, db_file: Path) -> list[Path]:
    """Files in the archive no snapshot points to: copies of a killed or failed ingest,
    archived files whose transaction never committed, their sidecars, DuckDB spill files."""
    folder = archive_dir(db_file)
    out: list[Path] = []
    spill = db_file.parent / ".duckdb-tmp"
    if spill.is_dir():
        out.extend(sorted(spill.iterdir()))
    if not folder.is_dir():
        return out
    refs = referenced(con)
    sids = set(refs.values())
    for item in sorted(folder.iterdir()):
        if item.name == INCOMING:
            out.extend(sorted(item.iterdir()))
        elif item.name.endswith(".part"):
            out.append(item)
        elif COMPANION in item.name:
            if item.name.split(COMPANION, 1)[0] not in refs:
                out.append(item)
        elif ".snapshot-" in item.name and item.name.endswith(".json"):
            sid_text = item.name.rsplit(".snapshot-", 1)[1].removesuffix(".json")
            if not sid_text.isdigit() or int(sid_text) not in sids:
                out.append(item)
        elif item.name not in refs:
            out.append(item)
    return out


def remove(paths: list[Path]) -> int:
    """Delete ``paths`` (files or folders); the bytes freed."""
    freed = 0
    for p in paths:
        with contextlib.suppress(OSError):
            if p.is_dir():
                freed += sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
                shutil.rmtree(p, ignore_errors=True)
            else:
                freed += p.stat().st_size
                p.unlink()
        if p.parent.name == INCOMING:
            with contextlib.suppress(OSError):
                p.parent.rmdir()  # once empty
    return freed


def write_manifest(dest: Path, sid: int, entry: dict[str, Any]) -> Path:
    """A sidecar that says how snapshot ``sid`` was made from the archived file ``dest``, so
    the store can be rebuilt from the archive alone if the database file is lost or damaged."""
    side = dest.with_name(dest.name + MANIFEST.format(sid=sid))
    tmp = side.with_name(side.name + ".part")
    try:
        tmp.write_text(json.dumps({"snapshot_id": sid, "archive": dest.name, **entry},
                                  indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, side)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise output_error(side, exc, "archive") from exc
    return side


def manifests(folder: Path) -> list[dict[str, Any]]:
    """Every readable sidecar in the archive, in snapshot order."""
    out = []
    for side in sorted(folder.glob("*.snapshot-*.json")):
        try:
            entry = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(entry, dict) and isinstance(entry.get("snapshot_id"), int):
            out.append(entry)
    return sorted(out, key=lambda e: int(e["snapshot_id"]))


def discard(path: Path | None) -> None:
    """Remove an archived file that its (failed) transaction never came to reference."""
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def require_archive(path: Path) -> Path:
    """``path`` must exist (a snapshot's archived file); else say how to get back."""
    if not path.is_file():
        raise StoreError("the archived source file of this snapshot is missing", file=path,
                         hint="run `sahel store check` to list what is missing; re-ingest the "
                         "original file, or restore the archive folder from a backup")
    return path
