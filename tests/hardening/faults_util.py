"""Helpers of the fault-injection suite (``test_faults.py``): store fingerprints, the archive's
files, a killable ingest in a child process that marks its phases, a small device (tmpfs, or a
file-size limit where mounting is not allowed), and running the installed CLI in a subprocess."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from sahel.store.archive import archive_dir

# --------------------------------------------------------------------------- store state


def fingerprint(db: Path) -> dict[str, Any]:
    """Everything an ingest writes, compared exactly: every event version (all columns), every
    snapshot record (less the time it was made and the folder the archive sits in), every
    change and every warning."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        def rows(sql: str) -> list[tuple[Any, ...]]:
            return con.execute(sql).fetchall()

        return {
            "events": rows("SELECT count(*), count(*) FILTER (WHERE retired_by IS NULL), "
                           "sum(hash(e)) FROM events e"),
            "snapshots": rows("SELECT * EXCLUDE (ingested_at, archive_path), "
                              "regexp_extract(archive_path, '[^/]*$') FROM snapshots "
                              "ORDER BY snapshot_id"),
            "event_changes": rows("SELECT change, count(*), sum(hash(c)) FROM event_changes c "
                                  "GROUP BY ALL ORDER BY ALL"),
            "snapshot_warnings": rows("SELECT * FROM snapshot_warnings ORDER BY ALL"),
        }
    finally:
        con.close()


def archive_files(db: Path) -> list[tuple[str, int]]:
    """(path under the store's folder, size) of every file in the archive and in DuckDB's
    spill folder beside the store: what an ingest may leave there."""
    out: list[tuple[str, int]] = []
    for root in (archive_dir(db), db.parent / ".duckdb-tmp"):
        if root.exists():
            out += [(str(p.relative_to(db.parent)), p.stat().st_size)
                    for p in root.rglob("*") if p.is_file()]
    return sorted(out)


def part_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.name.endswith(".part") or ".part" in p.suffixes)


# --------------------------------------------------------------------------- killable ingest

#: An ingest in a child process. It imports everything, says "ready", waits for "go" on its
#: standard input (so that times are measured from the start of the ingest, not of Python),
#: then ingests, appending ``[phase, seconds]`` to a marks file at each phase; it SIGKILLs itself
#: when it reaches the phase named ``kill_at`` (``-``: never).
KILLABLE = r"""
import json, os, signal, sys, time, contextlib
from datetime import date
from pathlib import Path
import sahel.store.archive
import sahel.store.db
import sahel.store.ingest as ing
import sahel.events.harmonise
import sahel.events.reader
import sahel.store.write

path, db, marks, kill_at, today = sys.argv[1:6]
t0 = 0.0

def mark(name):
    fd = os.open(marks, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, (json.dumps([name, time.monotonic() - t0]) + "\n").encode())
    os.close(fd)
    if name == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

def everywhere(original, replacement):
    # wherever the library imported it by name (robust to code moving between modules)
    for name, module in list(sys.modules.items()):
        if name.startswith("sahel") and module is not None:
            for attr, value in list(vars(module).items()):
                if value is original:
                    setattr(module, attr, replacement)

def after(name, fn):
    def wrapped(*a, **k):
        out = fn(*a, **k)
        mark(name)
        return out
    everywhere(fn, wrapped)

def before(name, fn):
    def wrapped(*a, **k):
        mark(name)
        return fn(*a, **k)
    everywhere(fn, wrapped)

_incoming, _transaction = sahel.store.archive.incoming, sahel.store.db.transaction

@contextlib.contextmanager
def incoming(*a, **k):
    mark("copy")
    with _incoming(*a, **k) as inc:
        mark("copied")
        yield inc

@contextlib.contextmanager
def transaction(*a, **k):
    mark("transaction")
    with _transaction(*a, **k):
        yield
    mark("committed")

everywhere(_incoming, incoming)
everywhere(_transaction, transaction)
before("parse", sahel.events.reader.open_source)
after("staged", sahel.events.harmonise.stage_file)
after("inserted", sahel.store.write.insert_single_pass)
if hasattr(ing, "_apply"):
    after("applied", ing._apply)
_adopt = sahel.store.archive.Incoming.adopt
def adopt(self, *a, **k):
    out = _adopt(self, *a, **k)
    mark("adopted")
    return out
sahel.store.archive.Incoming.adopt = adopt
print("ready", flush=True)
sys.stdin.readline()
t0 = time.monotonic()
mark("start")
res = ing.ingest_file(Path(path), db_path=Path(db), today=date.fromisoformat(today),
                      before_commit=lambda: mark("commit"))
mark("done")
print(json.dumps({"method": res.method, "snapshot_id": res.snapshot_id, "noop": res.noop}),
      flush=True)
"""

#: the phases a killable ingest marks, in the order they happen (single pass: no "staged" or
#: "applied"; staged: no "inserted"; the archived file is adopted early or late in the
#: transaction, as the code has it: the order of the others does not depend on it)
PHASES = ("start", "copy", "copied", "parse", "staged", "transaction", "inserted", "adopted",
          "applied", "commit", "committed", "done")


@dataclass
class ChildRun:
    returncode: int
    marks: list[tuple[str, float]]
    stdout: str
    stderr: str
    #: seconds from "go" to the kill (None: not killed from outside)
    killed_after: float | None = None

    @property
    def last(self) -> str:
        return self.marks[-1][0] if self.marks else "(none)"

    @property
    def result(self) -> dict[str, Any]:
        return dict(json.loads(self.stdout.strip().splitlines()[-1]))


def child_env(home: Path, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SAHEL_DB", "COLUMNS") and not k.startswith("PYTEST_")}
    tmp.mkdir(parents=True, exist_ok=True)
    env.update(SAHEL_HOME=str(home), TMPDIR=str(tmp))
    return env


def run_killable(path: Path, db: Path, marks: Path, *, today: str, env: dict[str, str],
                 kill_after: float | None = None, kill_at: str = "-",
                 timeout: float = 300) -> ChildRun:
    """Run the killable ingest; SIGKILL it ``kill_after`` seconds after "go" (if given)."""
    marks.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, str(path), str(db), str(marks),
                             kill_at, today], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    killed_after = None
    try:
        if proc.stdout.readline().strip() != b"ready":
            proc.wait(timeout=timeout)
            raise AssertionError(f"the ingest child did not start: {proc.stderr.read()!r}"
                                 if proc.stderr else "the ingest child did not start")
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
        go = time.monotonic()
        if kill_after is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.0, go + kill_after - time.monotonic()))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed_after = time.monotonic() - go
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=60)
    got = [tuple(json.loads(line)) for line in marks.read_text().splitlines()
           if line.strip()] if marks.exists() else []
    return ChildRun(proc.returncode, [(str(n), float(t)) for n, t in got], out.decode(),
                    err.decode(), killed_after)


#: the installed ``sahel`` command, run by the interpreter of the tests
CLI = [sys.executable, "-c", "import sys; from sahel.cli import main; sys.argv[0] = 'sahel'; "
       "main()"]

# --------------------------------------------------------------------------- small devices

#: A command run where writes run out of room. ``limit`` > 0: a file-size limit (RLIMIT_FSIZE,
#: SIGXFSZ ignored so that a write fails with EFBIG instead of killing the process), set from
#: the start or only once the ingest has copied its input (``limit_at`` "start" | "copied"):
#: the limit then hits the store's own writes. Then either the CLI (``cli ARGS``) or the
#: library's ingest (``ingest PATH DB VERSION SINGLE_PASS TODAY``, outcome printed as JSON).
LIMITED = r"""
import contextlib, json, resource, signal, sys
limit, limit_at, mode, args = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]

def limit_now():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

if limit and limit_at == "start":
    limit_now()
elif limit:
    import sahel.store.ingest as ing
    _incoming = ing.incoming

    @contextlib.contextmanager
    def incoming(*a, **k):
        with _incoming(*a, **k) as inc:
            limit_now()
            yield inc

    ing.incoming = incoming

if mode == "cli":
    from sahel.cli import main
    sys.argv = ["sahel", *args]
    main()
else:
    from datetime import date
    from pathlib import Path
    from sahel.errors import SahelError
    from sahel.store.ingest import ingest_file

    path, db, version, single_pass, today = args
    try:
        res = ingest_file(Path(path), db_path=Path(db), source_version=version or None,
                          single_pass=single_pass == "1", today=date.fromisoformat(today))
        out = {"ok": True, "method": res.method, "snapshot_id": res.snapshot_id}
    except BaseException as exc:
        out = {"ok": False, "type": type(exc).__name__, "sahel": isinstance(exc, SahelError),
               "file": getattr(exc, "file", None), "message": str(exc)}
    print(json.dumps(out), flush=True)
"""


@dataclass
class Device:
    """A folder whose writes run out of room: a tmpfs of ``kib`` KiB (``mounted``), or a
    file-size limit of ``limit`` bytes on the commands run by :meth:`cli` and :meth:`ingest`."""

    folder: Path
    mounted: bool
    kib: int = 0
    limit: int = 0
    limit_at: str = "start"
    why_not_mounted: str = ""

    def says_why(self, text: str) -> bool:
        """Whether an error names the fault: a full device; under a file-size limit, the
        limit — or a full device, which DuckDB reports when a write stops short at the limit."""
        return "full" in text or (not self.mounted and "size this system allows" in text)

    def grow(self, kib: int) -> None:
        """Give the room back: a bigger tmpfs (contents kept), or no limit."""
        if self.mounted:
            subprocess.run(["mount", "-o", f"remount,size={kib}k", str(self.folder)],
                           check=True, capture_output=True)
            self.kib = kib
        self.limit = 0

    def _run(self, mode: str, args: list[str], env: dict[str, str],
             timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", LIMITED, str(self.limit), self.limit_at,
                               mode, *args], env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)

    def cli(self, args: list[str], env: dict[str, str],
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return self._run("cli", args, env, timeout)

    def ingest(self, path: Path, db: Path, *, single_pass: bool, today: str,
               env: dict[str, str], timeout: float = 300) -> dict[str, Any]:
        proc = self._run("ingest", [str(path), str(db), "", "1" if single_pass else "0",
                                    today], env, timeout)
        lines = proc.stdout.strip().splitlines()
        assert lines, f"no outcome (rc {proc.returncode}): {proc.stderr[-2000:]}"
        return dict(json.loads(lines[-1]))


def mount_tmpfs(folder: Path, kib: int) -> str:
    """Mount a tmpfs of ``kib`` KiB at ``folder``; "" or why it could not."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        got = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs",
                              str(folder)], capture_output=True, text=True, check=False)
    except OSError as exc:  # no mount command at all
        return str(exc)
    return got.stderr.strip() or f"mount exited {got.returncode}" if got.returncode else ""


@contextlib.contextmanager
def small_device(folder: Path, kib: int, *, fallback_limit: int, fallback_at: str = "start",
                 tmpfs: bool = True) -> Iterator[Device]:
    """A tmpfs of ``kib`` KiB at ``folder`` (unmounted on exit). Without the right to mount (or
    with ``tmpfs=False``): a file-size limit of ``fallback_limit`` bytes from ``fallback_at``
    instead — the same fault, a write the system refuses; never a skip."""
    why = mount_tmpfs(folder, kib) if tmpfs else "a file-size limit was asked for"
    if why:
        folder.mkdir(parents=True, exist_ok=True)
        yield Device(folder, mounted=False, limit=fallback_limit, limit_at=fallback_at,
                     why_not_mounted=why)
        return
    try:
        yield Device(folder, mounted=True, kib=kib)
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True, check=False)
