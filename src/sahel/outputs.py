"""Every file the observatory writes for a user goes through :func:`write_file`.

Why one place: an output path can be a directory, sit in a missing folder, on a read-only or
full device, or be one of the user's inputs. Each of these must end in one readable error that
names the path and the fix — never a traceback, never a half-written file that looks complete,
and never an input overwritten. The file is written beside its target and renamed into place
only once complete (a failure leaves the previous file, if any, untouched); special files
(``/dev/null``, a FIFO, a terminal) are written directly, since they cannot be renamed over.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from sahel.errors import OutputError

_WHY = {
    errno.ENOSPC: ("the device is full", "free some space, or write somewhere else"),
    errno.EDQUOT: ("the disk quota is exhausted", "free some space, or write somewhere else"),
    errno.EFBIG: ("the file would exceed the size this system allows",
                  "write somewhere else"),
    errno.EACCES: ("permission denied", "choose a folder you may write to"),
    errno.EPERM: ("permission denied", "choose a folder you may write to"),
    errno.EROFS: ("the file system is read-only", "choose a writable folder"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "check the path"),
    errno.EISDIR: ("it is a folder", "give a file name inside it, e.g. DIR/out.csv"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path"),
    errno.ENOENT: ("no file can be created there", "check the path"),
}


def output_error(path: Path, exc: OSError, what: str = "output") -> OutputError:
    """The one message for an OSError met while writing ``path``."""
    why, fix = _WHY.get(exc.errno or 0, (exc.strerror or type(exc).__name__,
                                          "choose another output path"))
    return OutputError(f"cannot write the {what} file: {why}", file=path, hint=fix)


def check_output_path(path: Path, *, what: str = "output",
                      not_inputs: Iterable[Path] = ()) -> None:
    """Refuse, before any work, an output path that cannot be right.

    A directory, a path through a file, an input of the same command (``--rejects`` pointed at
    the file being ingested would overwrite it), or a folder that cannot be created/written.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"the {what} path is a folder", file=path,
                          hint="give a file name inside it, e.g. DIR/out.csv")
    for other in not_inputs:
        with contextlib.suppress(OSError):
            if path.exists() and Path(other).exists() and path.samefile(other):
                raise OutputError(f"the {what} file would overwrite an input of this command",
                                  file=path, hint="choose another path for it")
        if path.resolve() == Path(other).resolve():
            raise OutputError(f"the {what} file would overwrite an input of this command",
                              file=path, hint="choose another path for it")
    if path.exists() and not path.is_file():
        return  # a device or FIFO: written directly
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(path, exc, what) from exc
    try:  # the only sure test of "can a file be made here" (root passes os.access anywhere)
        fd, probe = tempfile.mkstemp(prefix=".sahel-probe-", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise output_error(path, exc, what) from exc


def write_file(path: Path, writer: Callable[[Path], object], *, what: str = "output") -> Path:
    """Write ``path`` through ``writer(tmp_path)``, atomically; OSError becomes OutputError.

    ``writer`` receives the path to write (a temporary name beside ``path``, or ``path`` itself
    for a special file such as ``/dev/null``).
    """
    path = Path(path)
    check_output_path(path, what=what)
    try:
        mode = path.stat().st_mode if path.exists() else None
    except OSError as exc:
        raise output_error(path, exc, what) from exc
    if mode is not None and not stat.S_ISREG(mode):
        try:
            writer(path)
        except OSError as exc:
            raise output_error(path, exc, what) from exc
        return path
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name[:80]}.", suffix=".part",
                                    dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        writer(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise output_error(path, exc, what) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
    return path


def write_text(path: Path, text: str, *, what: str = "output") -> Path:
    """:func:`write_file` for text (UTF-8)."""
    return write_file(path, lambda p: p.write_text(text, encoding="utf-8"), what=what)
