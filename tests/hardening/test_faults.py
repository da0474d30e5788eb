"""Fault injection (issue 8, point 9): kill -9, a full disk, an input changed mid-read, two
writers at once. After each fault the store and its source archive are exactly as before the
ingest or exactly as after it, and the next ingest succeeds.

1. **kill -9** at 12 points of an ingest of a generated 400,000-row GED file
   (``benchmarks/gen_ged.py`` resamples the real UCDP rows), on each ingest path: the single
   pass (the first file of a source, into an empty store) and the staged path (the store holds
   an older release of 101,000 events: the new one revises, adds and deletes). Eight points
   are seeded times into the ingest, measured on a reference run: one in each sixth of it up
   to COMMIT, one in its copy, one in its COMMIT (a run faster than the reference that ends
   before its kill is run again with an earlier time, so that eight kills land); four are
   exact phases at which the child kills itself: the copy done, the archived file adopted
   inside the open transaction, just before COMMIT, just after it.
   After each kill the store's fingerprint (events, snapshots, event_changes,
   snapshot_warnings) is the before or the after one (from the reference run) — and the one
   the phase reached implies; the leftovers are then removed by ``sahel store check --repair``
   or by the next ingest, after which the archive holds exactly the before or the after files.
2. **disk full**: a small tmpfs holds the store (without the right to mount: a file-size limit,
   ``RLIMIT_FSIZE``, in the ingest's process): an input too big to copy, and one that fills
   the device at COMMIT, end in a SahelError (the CLI: an error and exit code, no traceback),
   the store unchanged; the room a failed ingest used is given back (a small file then fits);
   once the device is bigger the ingest succeeds and ``sahel store check`` finds no
   ``.part`` or orphan file. Output to a full device: ``sahel events -o /dev/full`` and a full
   tmpfs.
3. **input changed during the ingest**: appended, truncated, replaced by rename, deleted or
   touched just before COMMIT (``before_commit``), changed while it is copied, and changed by
   another thread during a 400,000-row ingest: refused ("changed while it was being ingested"
   / "disappeared"), no snapshot, store and archive unchanged.
4. **two writers**: a second writer while the first sits in its transaction gets a clean
   "in use" StoreError (library and CLI); two CLI ingests racing into one store: each one
   succeeds or is refused "in use", never a corrupted store.

Nothing is timed: times only choose where to kill, and generous timeouts only stop a hang.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from sahel.cli import app
from sahel.errors import InputError, StoreError
from sahel.store import archive as archive_module
from sahel.store.archive import archive_dir
from sahel.store.db import connect
from sahel.store.ingest import ingest_file
from sahel.store.maintenance import check_store
from tests.hardening.faults_util import (
    CLI,
    PHASES,
    ChildRun,
    Device,
    archive_files,
    child_env,
    fingerprint,
    part_files,
    run_killable,
    small_device,
)

pytestmark = pytest.mark.shared_data

TODAY = date(2026, 1, 1)
EXPLORER = ("ucdp_ged", "explorer_export_2025")
BIG_ROWS = 400_000
BASE_ROWS = 100_000
#: events of the older release that the new one no longer holds (its deletions)
BASE_GONE = 1_000
TIMED_KILLS = 6
PHASE_KILLS = ("copied", "adopted", "commit", "committed")
SEED = 20_261_122


def _gen_module() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "gen_ged.py"
    spec = importlib.util.spec_from_file_location("faults_gen_ged", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class BigFiles:
    big: Path  # 400,000 rows, GED 25.1 (named so: the single pass knows its version)
    base: Path  # 101,000 rows, GED 24.1: 100,000 of the same ids, 1,000 the new one drops


@pytest.fixture(scope="session")
def big_files(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> BigFiles:
    """Generated once per session (per xdist worker) from the real rows, read in place."""
    gen = _gen_module()
    folder = tmp_path_factory.mktemp("big-ged")
    big = gen.generate(folder / "ged251.csv", n=BIG_ROWS, seed=1, shared=shared_data)
    raw = gen.generate(folder / "raw.csv", n=BASE_ROWS + BASE_GONE, seed=2, shared=shared_data)
    base = folder / "ged241.csv"
    con = duckdb.connect()
    try:  # the last BASE_GONE ids moved past the new file's ids: deleted by it
        con.execute(f"""
            COPY (SELECT * REPLACE (CASE WHEN CAST(id AS BIGINT) >= {10_000_000 + BASE_ROWS}
                                         THEN CAST(CAST(id AS BIGINT) + {BIG_ROWS} AS VARCHAR)
                                         ELSE id END AS id)
                  FROM read_csv('{raw}', all_varchar = true, header = true,
                                delim = ',', quote = '"', escape = '"'))
            TO '{base}' (FORMAT csv, HEADER)
        """)
    finally:
        con.close()
    raw.unlink()
    os.sync()  # write the new files out now, not during the timed reference runs
    return BigFiles(big=big, base=base)


def cli(args: list[str | Path]) -> Any:
    """``sahel ARGS`` in-process; any exception other than a clean exit fails the test."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"sahel {args} raised {result.exception!r}") from result.exception
    return result


def assert_clean_cli_failure(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    """A failed command as a user sees it: an error and its fix, not a traceback or a bug."""
    text = proc.stdout + proc.stderr
    assert proc.returncode not in (0, 70), text[-3000:]  # 70: main() caught a bug
    assert "Traceback" not in text and "internal error" not in text, text[-3000:]
    assert "error:" in proc.stderr, text[-3000:]
    for word in words:
        assert word in text, (word, text[-3000:])


# =========================================================================== 1. kill -9


@dataclass
class Template:
    """A store folder to start each kill from, and what the ingest makes of it."""

    folder: Path
    before: dict[str, Any]
    before_files: list[tuple[str, int]]
    after: dict[str, Any]
    after_files: list[tuple[str, int]]
    reference: ChildRun

    def reset(self, work: Path) -> Path:
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(self.folder, work)
        return work / "sahel.duckdb"


def _template(path_kind: str, files: BigFiles, root: Path, env: dict[str, str]) -> Template:
    folder = root / f"template-{path_kind}"
    folder.mkdir(parents=True)
    db = folder / "sahel.duckdb"
    if path_kind == "staged":  # an older release is stored: the new file takes the staged path
        res = ingest_file(files.base, db_path=db, today=TODAY)
        assert (res.snapshot_id, res.events_new) == (1, BASE_ROWS + BASE_GONE)
    else:
        connect(db).close()
    ref = root / f"reference-{path_kind}"
    runs, afters = [], []
    for _ in range(2):  # twice: the faster run times the plan (the first warms the caches),
        shutil.rmtree(ref, ignore_errors=True)  # and both must store the same
        shutil.copytree(folder, ref)
        os.sync()
        run = run_killable(files.big, ref / "sahel.duckdb", root / "ref-marks.jsonl",
                           today=TODAY.isoformat(), env=env)
        assert run.returncode == 0, run.stderr[-3000:]
        assert run.result["method"] == ("single pass" if path_kind == "single" else "staged")
        runs.append(run)
        afters.append((fingerprint(ref / "sahel.duckdb"), archive_files(ref / "sahel.duckdb")))
    assert afters[0] == afters[1]
    run = min(runs, key=lambda r: dict(r.marks)["done"])
    after = afters[0][0]
    if path_kind == "staged":  # the older release is revised, extended and partly deleted
        changes = {c: n for c, n, _ in after["event_changes"]}
        assert changes["deleted"] == BASE_GONE and changes["revised"] > 0
    tpl = Template(folder, fingerprint(db), archive_files(db), after, afters[0][1], run)
    shutil.rmtree(ref)
    return tpl


def kill_plan(reference: ChildRun, rng: random.Random) -> list[tuple[str, float | None]]:
    """(phase to die at, or "-"; seconds after go, or None): TIMED_KILLS seeded times, one in
    each TIMED_KILLS-th of the reference run up to its COMMIT, one in its copy and one in its COMMIT,
    and the PHASE_KILLS, interleaved."""
    marks = dict(reference.marks)
    end = marks["committed"]
    timed: list[tuple[str, float | None]] = [
        ("-", rng.uniform(end * i / TIMED_KILLS, end * (i + 1) / TIMED_KILLS))
        for i in range(TIMED_KILLS)]
    # the two short phases a slice may miss: copying the input, and COMMIT itself
    timed += [("-", rng.uniform(marks["copy"], marks["copied"])),
              ("-", rng.uniform(marks["commit"], marks["committed"]))]
    rng.shuffle(timed)
    plan = list(timed)
    for k, phase in enumerate(PHASE_KILLS):
        plan.insert(3 * k + 1, (phase, None))
    return plan


def _implied(last: str) -> str | None:
    """The state a kill after phase ``last`` must leave: before COMMIT ran, "before"; once it
    returned, "after"; inside it, either."""
    order = PHASES.index(last) if last in PHASES else 0
    if order < PHASES.index("commit"):
        return "before"
    if order >= PHASES.index("committed"):
        return "after"
    return None


@pytest.mark.slow
@pytest.mark.parametrize("path_kind", ["single", "staged"])
def test_kill_9_at_any_point_leaves_before_or_after(big_files: BigFiles, tmp_path: Path,
                                                    sahel_home: Path, path_kind: str) -> None:
    env = child_env(tmp_path / "home", tmp_path / "tmp")
    tpl = _template(path_kind, big_files, tmp_path, env)
    work = tmp_path / "work"
    db = tpl.reset(work)
    rng = random.Random(SEED + (path_kind == "staged"))
    plan = kill_plan(tpl.reference, rng)
    report: list[str] = []
    kills = cleanups = retries = 0
    while plan:
        phase, after = plan.pop(0)
        run = run_killable(big_files.big, db, tmp_path / "marks.jsonl", today=TODAY.isoformat(),
                           env=env, kill_after=after, kill_at=phase)
        where = (f"kill {kills} ({'at ' + phase if after is None else f'{after:.2f} s'}, "
                 f"last phase {run.last})")
        if phase != "-":  # the child killed itself exactly there
            assert (run.returncode, run.last) == (-9, phase), (where, run.stderr[-2000:])
        elif run.returncode == 0:  # this run was faster than the reference: the ingest ended
            done = dict(run.marks)["done"]  # before its kill; kill again, earlier
            retries += 1
            assert retries <= 10, "more than ten runs ended before their kill"
            plan.insert(0, ("-", rng.uniform(0.3, 0.95) * done))
            assert fingerprint(db) == tpl.after
            report.append(f"(ended at {done:.2f} s, before the kill at {after:.2f} s: "
                          "another point, earlier)")
            db = tpl.reset(work)
            continue
        else:
            assert run.returncode == -9, (where, run.stderr[-2000:])
        kills += 1
        state = fingerprint(db)
        assert state in (tpl.before, tpl.after), f"{where}: the store is neither before nor after"
        is_after = state == tpl.after
        implied = _implied(run.last)
        if implied is not None:
            assert is_after == (implied == "after"), f"{where}: store {'after' if is_after else 'before'}"
        found = "after" if is_after else "before"
        cleanups += 1
        if cleanups % 3 == 0 or not plan:  # the next ingest cleans up and completes
            res = ingest_file(big_files.big, db_path=db, today=TODAY)
            assert res.noop == is_after, where
            assert fingerprint(db) == tpl.after, where
            assert archive_files(db) == tpl.after_files, where
            assert check_store(db).ok, where
            is_after, how = True, "the next ingest (after)"
        else:  # sahel store check --repair cleans up
            repaired = cli(["store", "check", "--repair", "--db", db])
            assert repaired.exit_code == 0, (where, repaired.output[-3000:])
            expected = tpl.after_files if is_after else tpl.before_files
            assert archive_files(db) == expected, where
            checked = cli(["store", "check", "--fast", "--db", db])
            assert checked.exit_code == 0 and "consistent" in checked.output, (where, checked.output)
            how = "store check --repair"
        report.append(f"{where}: store {found}; cleaned by {how}")
        if is_after:
            db = tpl.reset(work)
    assert kills >= TIMED_KILLS + 2 + len(PHASE_KILLS)
    print(f"\n{path_kind}: reference marks {tpl.reference.marks}\n  " + "\n  ".join(report))
    shutil.rmtree(work)  # a 400,000-event store and its archive: not kept for the next runs
    shutil.rmtree(tpl.folder)


# =========================================================================== 2. disk full


def _input_for_disk(shared_data: Path, folder: Path) -> Path:
    """A 20,000-row GED file (13 MiB), generated from the real rows."""
    return Path(_gen_module().generate(folder / "ged251.csv", n=20_000, seed=3,
                                       shared=shared_data))


@pytest.fixture(scope="module")
def disk_input(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _input_for_disk(shared_data, tmp_path_factory.mktemp("disk-input"))


#: where the device runs out — copying the input into the archive, or writing the store — as
#: (KiB of tmpfs beside the input's size; file-size limit in bytes, and from when)
ROOM: dict[str, tuple[int, Callable[[int], int], str]] = {
    "copy": (-4096, lambda size: size // 2, "start"),
    "commit": (2560, lambda size: 512 * 1024, "copied"),
}
#: (where, path, device): both paths on a tmpfs; the file-size limit (the fallback where
#: mounting is not allowed) run here too, so that it is known to work
DISK_CASES = [(w, p, "tmpfs") for w in ROOM for p in ("single-pass", "staged")] + [
    ("copy", "staged", "size-limit"), ("commit", "single-pass", "size-limit")]


@contextlib.contextmanager
def device_with_store(folder: Path, where: str, size: int, kind: str) -> Iterator[Device]:
    kib, limit, at = ROOM[where]
    with small_device(folder, size // 1024 + kib, fallback_limit=limit(size), fallback_at=at,
                      tmpfs=kind == "tmpfs") as dev:
        connect(folder / "sahel.duckdb").close()  # an empty store (0.8 MiB) to fill up
        yield dev


@pytest.mark.slow
@pytest.mark.parametrize(("where", "path_kind", "kind"), DISK_CASES,
                         ids=["-".join(c) for c in DISK_CASES])
def test_disk_full_is_a_clean_error_and_leaves_room(disk_input: Path, shared_data: Path,
                                                    tmp_path: Path, sahel_home: Path, where: str,
                                                    path_kind: str, kind: str) -> None:
    env = child_env(tmp_path / "home", tmp_path / "tmp")
    single_pass = path_kind == "single-pass"
    with device_with_store(tmp_path / "dev", where, disk_input.stat().st_size, kind) as dev:
        db = dev.folder / "sahel.duckdb"
        before, files = fingerprint(db), archive_files(db)
        # the library: a SahelError naming a file and the fault, the store unchanged
        got = dev.ingest(disk_input, db, single_pass=single_pass, today=TODAY.isoformat(),
                         env=env)
        assert not got["ok"] and got["sahel"], got
        assert got["type"] == ("OutputError" if where == "copy" else "StoreError"), got
        assert got["file"] and dev.says_why(got["message"]), got
        assert (fingerprint(db), archive_files(db)) == (before, files)
        # the CLI: an error with its fix and an exit code, no traceback
        proc = dev.cli(["ingest", "ucdp", str(disk_input), "--db", str(db)], env)
        assert_clean_cli_failure(proc, "fix:")
        assert dev.says_why(proc.stderr), proc.stderr
        assert (fingerprint(db), archive_files(db)) == (before, files)
        assert not part_files(dev.folder)
        if dev.mounted:  # what the failed ingests used is given back: a small file fits
            small = shared_data / "acled" / "acled_hdx_conflict_data_ner_2020-08-26.csv"
            proc = dev.cli(["ingest", "acled", str(small), "--db", str(db)], env)
            assert proc.returncode == 0, proc.stderr[-3000:]
            assert [row[5] for row in fingerprint(db)["snapshots"]] == [small.name]
        # room again: the same ingest succeeds and leaves nothing behind
        dev.grow(dev.kib + 32 * 1024)
        res = ingest_file(disk_input, db_path=db, today=TODAY, single_pass=single_pass)
        assert res.events_new == 20_000 and res.method == path_kind.replace("-", " ")
        assert not part_files(dev.folder)
        checked = cli(["store", "check", "--db", db])
        assert checked.exit_code == 0 and "consistent" in checked.output, checked.output
        if not dev.mounted and kind == "tmpfs":
            print(f"no tmpfs ({dev.why_not_mounted}): a file-size limit stood in")


def test_events_to_a_full_device_is_a_clean_error(shared_data: Path, tmp_path: Path,
                                                  sahel_home: Path) -> None:
    db = tmp_path / "sahel.duckdb"
    ingest_file(shared_data.joinpath(*EXPLORER, "Burkina.csv"), db_path=db,
                source_version=">=24.1", today=TODAY)
    env = child_env(tmp_path / "home", tmp_path / "tmp")
    if Path("/dev/full").exists():
        proc = subprocess.run([*CLI, "events", "-f", "csv", "-o", "/dev/full", "--db", str(db)],
                              env=env, capture_output=True, text=True, timeout=300, check=False)
        assert_clean_cli_failure(proc, "full")
    # a file on a full device: the error, and no half-written file or .part left behind
    with small_device(tmp_path / "dev", 64, fallback_limit=64 * 1024) as dev:
        out = dev.folder / "events.csv"
        proc = dev.cli(["events", "-f", "csv", "-o", str(out), "--db", str(db)], env)
        assert_clean_cli_failure(proc, "fix:")
        assert not out.exists() and not part_files(dev.folder)
        assert not [p for p in dev.folder.iterdir() if p.name.startswith(".events.csv")]


# =========================================================================== 3. input changed


def _append(path: Path) -> None:
    with path.open("ab") as fh:
        fh.write(b"\n")


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _replace(path: Path) -> None:
    other = path.with_name(path.name + ".new")
    other.write_bytes(path.read_bytes())
    os.replace(other, path)


def _touch(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


CHANGES: dict[str, Callable[[Path], None]] = {
    "appended": _append, "truncated": _truncate, "replaced": _replace,
    "deleted": lambda p: p.unlink(), "touched": _touch,
}


@pytest.fixture()
def togo(shared_data: Path, tmp_path: Path) -> Path:
    """A private copy of a real explorer export (to be changed by the test)."""
    path = tmp_path / "input" / "Togo.csv"
    path.parent.mkdir()
    shutil.copyfile(shared_data.joinpath(*EXPLORER, "Togo.csv"), path)
    return path


def _seeded_store(shared_data: Path, db: Path, staged: bool) -> None:
    """Staged: the store holds another export of the source, so the file takes the staged path.
    Single pass: an empty store."""
    if staged:
        ingest_file(shared_data.joinpath(*EXPLORER, "Benin.csv"), db_path=db,
                    source_version=">=24.1", today=TODAY)
    else:
        connect(db).close()


@pytest.mark.parametrize("staged", [False, True], ids=["single-pass", "staged"])
@pytest.mark.parametrize("how", list(CHANGES))
def test_input_changed_before_commit_is_refused(togo: Path, shared_data: Path, tmp_path: Path,
                                                sahel_home: Path, how: str,
                                                staged: bool) -> None:
    db = tmp_path / "sahel.duckdb"
    _seeded_store(shared_data, db, staged)
    before, files = fingerprint(db), archive_files(db)
    original = togo.read_bytes()
    with pytest.raises(InputError) as info:
        ingest_file(togo, db_path=db, source_version=">=24.1", today=TODAY,
                    before_commit=lambda: CHANGES[how](togo))
    assert info.value.file == str(togo)
    expected = "disappeared" if how == "deleted" else "changed while it was being ingested"
    assert expected in info.value.message
    assert (fingerprint(db), archive_files(db)) == (before, files)
    assert check_store(db).ok
    togo.write_bytes(original)  # the user puts it back: the next ingest goes through
    res = ingest_file(togo, db_path=db, source_version=">=24.1", today=TODAY)
    assert res.method == ("staged" if staged else "single pass") and res.events_new > 0
    assert check_store(db).ok


def test_input_changed_while_it_is_copied_is_refused(togo: Path, tmp_path: Path,
                                                     sahel_home: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "sahel.duckdb"
    copy = shutil.copyfile

    def copy_then_append(src: Any, dst: Any, **kw: Any) -> Any:
        got = copy(src, dst, **kw)
        if Path(src) == togo:
            _append(togo)  # a download still writing the file
        return got

    monkeypatch.setattr(archive_module.shutil, "copyfile", copy_then_append)
    with pytest.raises(InputError, match="changed while it was being"):
        ingest_file(togo, db_path=db, source_version=">=24.1", today=TODAY)
    monkeypatch.undo()
    assert fingerprint(db)["snapshots"] == []
    assert archive_files(db) == []


@pytest.mark.slow
@pytest.mark.parametrize("how", ["appended", "moved away"])
def test_input_changed_by_another_process_during_a_large_ingest(big_files: BigFiles,
                                                               tmp_path: Path, sahel_home: Path,
                                                               how: str) -> None:
    """A real concurrent change, from a thread, while the 400,000-row file is being ingested:
    appended once its private copy is complete (the ingest then parses it for seconds, and the
    last check before COMMIT refuses it), or moved away while it is being copied."""
    path = tmp_path / "input" / big_files.big.name
    path.parent.mkdir()
    shutil.copyfile(big_files.big, path)
    db = tmp_path / "sahel.duckdb"
    connect(db).close()
    before = fingerprint(db)
    incoming = archive_dir(db) / ".incoming"
    done = threading.Event()
    changed: list[str] = []

    def ready() -> bool:
        """Moved away: once the private copy has begun; appended: once it is complete (it is
        made read-only then)."""
        try:
            copies = list(incoming.rglob(path.name)) if incoming.is_dir() else []
            return bool(copies) and (how != "appended"
                                     or copies[0].stat().st_mode & 0o222 == 0)
        except OSError:  # the folder changes under our feet
            return False

    def meddle() -> None:
        deadline = time.monotonic() + 300
        while not done.is_set() and time.monotonic() < deadline:
            if ready():
                if how == "appended":
                    with path.open("ab") as fh:
                        fh.write(b"10999999,late row\n")
                else:
                    path.rename(path.with_name("moved.csv"))
                changed.append(how)
                return
            time.sleep(0.001)

    thread = threading.Thread(target=meddle, daemon=True)
    thread.start()
    try:
        with pytest.raises(InputError) as info:
            ingest_file(path, db_path=db, today=TODAY, single_pass=how == "appended")
    finally:
        done.set()
        thread.join(timeout=60)
    assert changed == [how]
    words = "changed while it was being" if how == "appended" else "disappeared"
    assert words in info.value.message and info.value.file == str(path)
    assert fingerprint(db) == before
    assert archive_files(db) == []
    assert check_store(db).ok
    shutil.rmtree(path.parent)  # 267 MiB


# =========================================================================== 4. two writers

HOLDING = r"""
import sys, time
from datetime import date
from pathlib import Path
from sahel.store.ingest import ingest_file

path, db, inside, release = map(Path, sys.argv[1:5])

def wait() -> None:
    inside.write_text("inside the transaction")
    deadline = time.monotonic() + 300
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.01)

res = ingest_file(path, db_path=db, source_version=">=24.1", before_commit=wait,
                  today=date(2026, 1, 1))
print("committed", res.snapshot_id, flush=True)
"""


def _wait_for(path: Path, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 300
    while not path.exists():
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise AssertionError(f"{what} ended early (rc {proc.returncode}): {err.decode()}")
        assert time.monotonic() < deadline, f"{what} never got there"
        time.sleep(0.01)


def test_a_second_writer_gets_a_clean_in_use_error(shared_data: Path, tmp_path: Path,
                                                   sahel_home: Path) -> None:
    db = tmp_path / "sahel.duckdb"
    connect(db).close()
    mali = shared_data.joinpath(*EXPLORER, "Mali.csv")
    burkina = shared_data.joinpath(*EXPLORER, "Burkina.csv")
    env = child_env(tmp_path / "home", tmp_path / "tmp")
    inside, release = tmp_path / "inside", tmp_path / "release"
    first = subprocess.Popen([sys.executable, "-c", HOLDING, str(mali), str(db), str(inside),
                              str(release)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        _wait_for(inside, first, "the first writer")
        with pytest.raises(StoreError) as info:  # the library
            ingest_file(burkina, db_path=db, source_version=">=24.1", today=TODAY)
        assert "in use" in info.value.message and info.value.file == str(db)
        proc = subprocess.run([*CLI, "ingest", "ucdp", str(burkina), "--db", str(db),
                               "--source-version", ">=24.1"], env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        assert_clean_cli_failure(proc, "in use")
        assert proc.returncode == StoreError.exit_code
        release.write_text("go on")
        out, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate(timeout=60)
    assert first.returncode == 0 and b"committed 1" in out, err.decode()[-2000:]
    res = ingest_file(burkina, db_path=db, source_version=">=24.1", today=TODAY)
    assert res.snapshot_id == 2
    assert check_store(db).ok
    assert fingerprint(db)["events"][0][:2] == (2120 + 1504, 2120 + 1504)


RACER = r"""
import os, sys, time
from pathlib import Path
go, delay = Path(sys.argv[1]), float(sys.argv[2])
from sahel.cli import main
deadline = time.monotonic() + 300
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.002)
time.sleep(delay)
sys.argv = ["sahel", *sys.argv[3:]]
main()
"""

#: (first file, second file, the second one's head start in seconds) per round
ROUNDS = [("Mali", "Burkina", 0.0), ("Senegal", "Cote_ivoire", 0.05),
          ("Togo", "Guinne_Bissau", 0.3)]


@pytest.mark.slow
def test_two_writers_racing_never_corrupt_the_store(shared_data: Path, tmp_path: Path,
                                                    sahel_home: Path) -> None:
    db = tmp_path / "sahel.duckdb"
    connect(db).close()
    env = child_env(tmp_path / "home", tmp_path / "tmp")
    committed: list[str] = []
    for r, (a, b, delay) in enumerate(ROUNDS):
        go = tmp_path / f"go-{r}"
        procs = {
            name: subprocess.Popen(
                [sys.executable, "-c", RACER, str(go), str(d), "ingest", "ucdp",
                 str(shared_data.joinpath(*EXPLORER, f"{name}.csv")), "--db", str(db),
                 "--source-version", ">=24.1"], env=env, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True)
            for name, d in ((a, 0.0), (b, delay))}
        time.sleep(1.5)  # both have imported sahel and are polling for the go
        go.write_text("go")
        refused = []
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=300)
            assert "Traceback" not in out + err and "internal error" not in err, err[-3000:]
            if proc.returncode == 0:
                committed.append(name)
            else:
                assert proc.returncode == StoreError.exit_code and "in use" in err, err[-3000:]
                refused.append(name)
        assert len(refused) < 2, "two writers: neither got the store"
        rep = check_store(db)
        assert rep.ok, rep.problems
        names = [row[5] for row in fingerprint(db)["snapshots"]]
        assert sorted(names) == sorted(f"{n}.csv" for n in committed)
        for name in refused:  # the one refused goes in afterwards
            res = ingest_file(shared_data.joinpath(*EXPLORER, f"{name}.csv"), db_path=db,
                              source_version=">=24.1", today=TODAY)
            assert not res.noop
            committed.append(name)
    assert check_store(db).ok
    assert len(fingerprint(db)["snapshots"]) == 2 * len(ROUNDS)

