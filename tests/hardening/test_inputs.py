"""Issue 8, point 1: whatever the input, environment or store state, no traceback reaches a user.

Each test is one class of hostile input, run through the CLI the way a user runs it
(:func:`run_cli` fails on any exception other than a clean exit and on DuckDB/Python
internals in the output), and checked for an error that names the file, line or field and the
fix — or for a clean load when the input is merely unusual (UTF-16, CR line endings, long
fields).
"""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path

import duckdb
import pytest

from sahel.store.ingest import ingest_file
from tests.hardening.conftest import error_text, run_cli
from tests.test_ingest_errors import as_line, ged_row, ged_text, store_state

BIG = 200_000  # over the csv module's 131,072-byte default field limit


def _events(db: Path) -> list[tuple[str, int]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT source_id, fatalities_best FROM events "
                           "WHERE retired_by IS NULL ORDER BY 1").fetchall()
    finally:
        con.close()


def _ingest(*args: object, ok: bool | None = None) -> str:
    return error_text(run_cli(["ingest", "ucdp", *map(str, args), "--source-version", "25.1"],
                              ok=ok))


# ------------------------------------------------------------------------ fields and lines

@pytest.mark.parametrize("skip", [False, True], ids=["strict", "skip-bad-rows"])
@pytest.mark.parametrize("where", ["first_row", "later_row"])
def test_field_over_the_csv_module_limit_loads(tmp_path: Path, sahel_home: Path, where: str,
                                               skip: bool) -> None:
    rows = [ged_row(n) for n in range(5)]
    target = 0 if where == "first_row" else 4
    rows[target]["source_article"] = "A" * BIG
    path = tmp_path / "big.csv"
    path.write_text(ged_text(rows), encoding="utf-8")
    _ingest(path, *(["--skip-bad-rows"] if skip else []), ok=True)
    assert len(_events(sahel_home / "sahel.duckdb")) == 5


def test_field_over_the_limit_in_the_header_is_a_layout_error(tmp_path: Path,
                                                              sahel_home: Path) -> None:
    text = ged_text([ged_row(1)]).replace("side_a,", "side_a" + "x" * BIG + ",", 1)
    path = tmp_path / "bighead.csv"
    path.write_text(text, encoding="utf-8")
    out = _ingest(path, ok=False)
    assert "bighead.csv:1" in out and "side_a" in out and "fix:" in out
    assert len(out) < 2000  # the 200 kB name is not printed


@pytest.mark.parametrize("skip", [False, True], ids=["strict", "skip-bad-rows"])
def test_line_over_10_mb(tmp_path: Path, sahel_home: Path, skip: bool) -> None:
    rows = [ged_row(n) for n in range(4)]
    rows[2]["source_article"] = "B" * 10_500_000
    path = tmp_path / "long.csv"
    path.write_text(ged_text(rows), encoding="utf-8")
    out = _ingest(path, *(["--skip-bad-rows"] if skip else []), ok=skip)
    if skip:
        assert [e[0] for e in _events(sahel_home / "sahel.duckdb")] == ["1000", "1001", "1003"]
        assert "1 bad row(s)" in out
        assert "10.5 MB" not in (tmp_path / "long.csv.rejects.csv").read_text()[:100]
    else:
        assert "long.csv:4" in out and "10.5 MB long" in out and "fix:" in out
        assert not (sahel_home / "sahel.duckdb").exists() or not _events(
            sahel_home / "sahel.duckdb")


@pytest.mark.parametrize("codec,bom", [
    ("utf-16-le", True), ("utf-16-be", True), ("utf-16-le", False), ("utf-16-be", False)],
    ids=["le-bom", "be-bom", "le", "be"])
def test_utf16_is_detected_and_loads(tmp_path: Path, sahel_home: Path, codec: str,
                                     bom: bool) -> None:
    rows = [ged_row(n, where_description="près de Ménaka") for n in range(5)]
    text = ged_text(rows)
    mark = (codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE) if bom else b""
    path = tmp_path / "u16.csv"
    path.write_bytes(mark + text.encode(codec))
    out = _ingest(path, ok=True)
    assert "UTF-16" in out
    assert len(_events(sahel_home / "sahel.duckdb")) == 5


def test_utf16_by_option(tmp_path: Path, sahel_home: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes(ged_text([ged_row(n) for n in range(3)]).encode("utf-16"))
    _ingest(path, "--encoding", "utf-16", ok=True)
    assert len(_events(sahel_home / "sahel.duckdb")) == 3


def test_utf16_truncated_mid_character(tmp_path: Path, sahel_home: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes(ged_text([ged_row(n) for n in range(3)]).encode("utf-16")[:-1])
    out = _ingest(path, ok=False)
    assert "u16.csv" in out and "UTF-16" in out and "fix:" in out


def test_cr_only_line_endings_load_the_same_rows(tmp_path: Path, sahel_home: Path) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(ged_text([ged_row(n) for n in range(5)]).replace("\n", "\r").encode())
    _ingest(path, ok=True)
    assert len(_events(sahel_home / "sahel.duckdb")) == 5


def test_crlf_line_endings(tmp_path: Path, sahel_home: Path) -> None:
    path = tmp_path / "crlf.csv"
    path.write_bytes(ged_text([ged_row(n) for n in range(5)]).replace("\n", "\r\n").encode())
    _ingest(path, ok=True)
    assert len(_events(sahel_home / "sahel.duckdb")) == 5


def test_nul_byte_in_the_header(tmp_path: Path, sahel_home: Path) -> None:
    path = tmp_path / "nulh.csv"
    path.write_bytes(ged_text([ged_row(1)]).replace("relid", "rel\0id", 1).encode())
    out = _ingest(path, ok=False)
    assert "nulh.csv:1" in out and "NUL byte" in out and "fix:" in out


@pytest.mark.parametrize("skip", [False, True], ids=["strict", "skip-bad-rows"])
def test_nul_byte_in_a_field(tmp_path: Path, sahel_home: Path, skip: bool) -> None:
    rows = [ged_row(n) for n in range(4)]
    rows[1]["side_b"] = "I\0S"
    path = tmp_path / "nulf.csv"
    path.write_text(ged_text(rows), encoding="utf-8")
    out = _ingest(path, *(["--skip-bad-rows"] if skip else []), ok=skip)
    if skip:
        assert [e[0] for e in _events(sahel_home / "sahel.duckdb")] == ["1000", "1002", "1003"]
    else:
        assert "nulf.csv:3" in out and "field 'side_b'" in out and "NUL byte" in out


def test_nul_bytes_in_an_unstored_column_are_a_warning(tmp_path: Path, sahel_home: Path) -> None:
    rows = [ged_row(n) for n in range(3)]
    rows[0]["source_headline"] = "cut\0off"
    path = tmp_path / "nulx.csv"
    path.write_text(ged_text(rows), encoding="utf-8")
    out = _ingest(path, ok=True)
    assert "warning" in out and "nul_bytes" in out


def test_binary_file(tmp_path: Path, sahel_home: Path) -> None:
    path = tmp_path / "blob.csv"
    path.write_bytes(os.urandom(4096))
    out = _ingest(path, ok=False)
    assert "blob.csv" in out and "fix:" in out


def test_duplicate_column_names(tmp_path: Path, sahel_home: Path) -> None:
    text = ged_text([ged_row(1)])
    head, rest = text.split("\n", 1)
    path = tmp_path / "dup.csv"
    path.write_text(head.replace("gwnob", "side_a") + "\n" + rest, encoding="utf-8")
    out = _ingest(path, ok=False)
    assert "dup.csv:1" in out and "names column 'side_a' twice" in out and "fix:" in out


def test_unbalanced_quote_in_the_project_words(tmp_path: Path, sahel_home: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text(ged_text([ged_row(0), as_line(ged_row(1)).replace("Menaka", '"Men', 1),
                              ged_row(2)]), encoding="utf-8")
    out = _ingest(path, ok=False)
    assert "quote.csv" in out and "malformed CSV row" in out and "fix:" in out


# ------------------------------------------------------------------------ output paths

OUTPUT_COMMANDS = {
    "events-csv": ["events", "-f", "csv", "-o"],
    "events-json": ["events", "-f", "json", "-o"],
    "summary-parquet": ["summary", "-f", "parquet", "-o"],
    "snapshots-csv": ["snapshots", "-f", "csv", "-o"],
}


@pytest.mark.parametrize("command", list(OUTPUT_COMMANDS))
@pytest.mark.parametrize("target", ["folder", "through_a_file", "unwritable", "full_device"])
def test_bad_output_path(tmp_path: Path, loaded: Path, command: str, target: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    path = {"folder": tmp_path, "through_a_file": blocker / "out.csv",
            "unwritable": Path("/proc/sahel-out.csv"), "full_device": Path("/dev/full")}[target]
    before = store_state(loaded)
    out = error_text(run_cli([*OUTPUT_COMMANDS[command], path], ok=False))
    assert str(path) in out and "fix:" in out
    assert store_state(loaded) == before
    assert blocker.read_text() == "x"


def test_output_in_a_missing_folder_is_created(tmp_path: Path, loaded: Path) -> None:
    target = tmp_path / "new" / "deeper" / "events.csv"
    run_cli(["events", "-f", "csv", "-o", target], ok=True)
    assert target.read_text().count("\n") == 7
    assert target.with_name("events.csv.provenance.json").is_file()


def test_failed_output_keeps_the_previous_file(tmp_path: Path, loaded: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails half-way (disk full) leaves the previous file, and no temporary."""
    import errno

    import pandas as pd

    target = tmp_path / "events.csv"
    target.write_text("previous")

    def half_then_full(self: pd.DataFrame, path: Path, **_: object) -> None:
        Path(path).write_text("id,da")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_full)
    out = error_text(run_cli(["events", "-f", "csv", "-o", target], ok=False))
    assert "device is full" in out and "fix:" in out
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_table_format_with_output_is_refused(tmp_path: Path, loaded: Path) -> None:
    out = error_text(run_cli(["events", "-o", tmp_path / "x.txt"], ok=False))
    assert "--output" in out and "fix:" in out


@pytest.mark.parametrize("suffix", [".png", ".xyz"])
def test_chart_to_a_bad_path(tmp_path: Path, loaded: Path, suffix: str) -> None:
    path = Path("/proc/chart" + suffix)
    out = error_text(run_cli(["analyse", "civilians", "-c", "MLI", "--chart", path], ok=False))
    assert "fix:" in out


def test_claims_report_to_a_folder(tmp_path: Path, loaded: Path) -> None:
    out = error_text(run_cli(["claims", "check", "-o", tmp_path], ok=False))
    assert "is a folder" in out


# ------------------------------------------------------------------------ --rejects

@pytest.mark.parametrize("where", ["the_input", "a_folder", "unwritable", "through_a_file"])
def test_rejects_path_refused_before_any_work(tmp_path: Path, sahel_home: Path,
                                              where: str) -> None:
    rows = [ged_row(n) for n in range(3)] + [ged_row(9, best="x")]
    path = tmp_path / "bad.csv"
    path.write_text(ged_text(rows), encoding="utf-8")
    original = path.read_bytes()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = {"the_input": path, "a_folder": tmp_path, "unwritable": Path("/proc/rej.csv"),
              "through_a_file": blocker / "rej.csv"}[where]
    out = _ingest(path, "--skip-bad-rows", "--rejects", target, ok=False)
    assert "rejects" in out and "fix:" in out
    assert path.read_bytes() == original
    assert not (sahel_home / "sahel.duckdb").exists()  # refused before the store was opened


def test_rejects_default_beside_the_input(tmp_path: Path, sahel_home: Path) -> None:
    rows = [ged_row(n) for n in range(3)] + [ged_row(9, best="x")]
    path = tmp_path / "bad.csv"
    path.write_text(ged_text(rows), encoding="utf-8")
    _ingest(path, "--skip-bad-rows", ok=True)
    assert "not a whole number" in (tmp_path / "bad.csv.rejects.csv").read_text()


# ------------------------------------------------------------------------ option values

@pytest.mark.parametrize("args", [
    ["events", "--year", "99999"], ["events", "--year", "-5"], ["summary", "--year", "0"],
    ["events", "--limit", "-1"], ["events", "--limit", "0"],
    ["events", "--limit", "99999999999999999999"], ["summary", "--as-of", "-1"],
    ["summary", "--as-of", "0"], ["summary", "--as-of", "99999999999999999999"],
    ["events", "--start", "2023-02-30"], ["events", "--start", "0001-01-01"],
    ["events", "--end", "99999"], ["summary", "--by", "week"],
    ["analyse", "before-after", "aes-charter-signed", "-t", "MLI", "--window", "0"],
    ["analyse", "cross-border", "--reps", "-3"], ["build", "--since", "12"],
    ["series", "show", "views_ged_sb", "--as-of", "0"],
], ids=lambda a: "_".join(a)[:60])
def test_option_out_of_range(loaded: Path, args: list[str]) -> None:
    result = run_cli(args, ok=False)
    assert result.exit_code == 2, error_text(result)


@pytest.mark.parametrize("args", [
    ["summary", "--as-of", "9"], ["events", "--as-of", "2"],
    ["series", "show", "views_ged_sb", "--as-of", "7"],
])
def test_as_of_a_snapshot_that_does_not_exist(loaded: Path, args: list[str]) -> None:
    out = error_text(run_cli(args, ok=False))
    assert ("no snapshot" in out and "sahel snapshots" in out) or "no series" in out


def test_as_of_the_existing_snapshot_works(loaded: Path) -> None:
    run_cli(["summary", "--as-of", "1"], ok=True)


@pytest.mark.parametrize("args", [
    ["events", "-c", "Atlantis"], ["events", "-s", "gdelt"], ["events", "--category", "massacre"],
    ["cite", "nope"], ["events", "--raw", "nonsense"], ["registry", "timeline", "nope"],
    ["series", "show", "nope"], ["analyse", "before-after", "no-such-event", "-t", "MLI"],
])
def test_unknown_names_are_refused(loaded: Path, args: list[str]) -> None:
    out = error_text(run_cli(args, ok=False))
    assert "fix:" in out or "Usage" in out


# ------------------------------------------------------------------------ too little data

ANALYSES = [
    ["analyse", "civilians", "-c", "MLI"],
    ["analyse", "civilians", "-c", "BEN"],
    ["analyse", "trends", "-c", "MLI"],
    ["analyse", "sources", "-c", "MLI"],
    ["analyse", "before-after", "aes-charter-signed", "-t", "MLI", "--control", "BEN"],
    ["analyse", "coastal"],
    ["analyse", "cross-border"],
    ["claims", "check"],
    ["summary", "-c", "BEN"],
    ["events", "-c", "BEN"],
]


@pytest.mark.parametrize("args", ANALYSES, ids=lambda a: "_".join(a)[:50])
def test_analyses_on_a_store_with_too_little_data(loaded: Path, args: list[str]) -> None:
    run_cli(args)  # a result or a clean error, never a traceback


@pytest.mark.parametrize("args", [*ANALYSES, ["snapshots"], ["store", "check"]],
                         ids=lambda a: "_".join(a)[:50])
def test_commands_without_a_store(sahel_home: Path, args: list[str]) -> None:
    out = error_text(run_cli(args))
    assert "Traceback" not in out


# ------------------------------------------------------------------------ damaged stores

def _damage(db: Path, how: str) -> None:
    data = db.read_bytes()
    if how == "truncated":
        db.write_bytes(data[: len(data) // 2])
    elif how == "garbage_blocks":
        noisy = bytearray(data)
        for off in range(12288, len(noisy), 65536):
            noisy[off:off + 4096] = os.urandom(min(4096, len(noisy) - off))
        db.write_bytes(bytes(noisy))
    elif how == "not_a_database":
        db.write_text("hello")
    elif how == "missing_tables":
        db.unlink()
        con = duckdb.connect(str(db))
        con.execute("CREATE TABLE schema_migrations (version INTEGER, name VARCHAR, "
                    "applied_at TIMESTAMP)")
        con.execute("INSERT INTO schema_migrations VALUES (3, 'x', now())")
        con.close()
    elif how == "empty_file":
        db.write_bytes(b"")


@pytest.fixture()
def bigger_store(sahel_home: Path, shared_data: Path) -> Path:
    db = sahel_home / "sahel.duckdb"
    ingest_file(shared_data / "ucdp_ged" / "explorer_export_2025" / "Mali.csv", db_path=db,
                source_version="24.1")
    return db


@pytest.mark.shared_data
@pytest.mark.parametrize("how", ["truncated", "garbage_blocks", "not_a_database",
                                 "missing_tables", "empty_file"])
@pytest.mark.parametrize("args", [["summary"], ["events", "-c", "MLI"], ["snapshots"],
                                  ["analyse", "civilians", "-c", "MLI"], ["store", "check"]],
                         ids=lambda a: "_".join(a))
def test_damaged_store_names_the_file_and_the_way_back(bigger_store: Path, how: str,
                                                       args: list[str]) -> None:
    _damage(bigger_store, how)
    result = run_cli(args)
    out = error_text(result)
    if result.exit_code == 0:  # DuckDB did not need the damaged blocks for this command
        assert how == "garbage_blocks"
        return
    assert str(bigger_store) in out and "fix:" in out
    assert ("rebuild" in out or "backup" in out), out


@pytest.mark.shared_data
def test_damaged_store_can_be_rebuilt_from_the_archive(bigger_store: Path, tmp_path: Path) -> None:
    run_cli(["summary", "-c", "MLI", "-f", "csv", "-o", tmp_path / "before.csv"], ok=True)
    _damage(bigger_store, "truncated")
    run_cli(["summary", "-c", "MLI"], ok=False)
    run_cli(["store", "rebuild"], ok=True)
    run_cli(["summary", "-c", "MLI", "-f", "csv", "-o", tmp_path / "after.csv"], ok=True)
    assert (tmp_path / "after.csv").read_bytes() == (tmp_path / "before.csv").read_bytes()
    assert len(list(bigger_store.parent.glob("sahel.damaged-*.duckdb"))) == 1
    run_cli(["store", "check"], ok=True)


def test_store_path_is_a_folder(tmp_path: Path, sahel_home: Path) -> None:
    out = error_text(run_cli(["summary", "--db", tmp_path], ok=False))
    assert "is a folder" in out and "fix:" in out


def test_sahel_home_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              small_ged: Path) -> None:
    home = tmp_path / "home-file"
    home.write_text("x")
    monkeypatch.setenv("SAHEL_HOME", str(home))
    monkeypatch.delenv("SAHEL_DB", raising=False)
    for args in (["summary"], ["ingest", "ucdp", str(small_ged)], ["snapshots"],
                 ["store", "check"]):
        out = error_text(run_cli(args, ok=False))
        assert "home-file" in out and "fix:" in out


def test_locked_store(loaded: Path) -> None:
    holder = duckdb.connect(str(loaded))
    try:
        import subprocess
        import sys

        proc = subprocess.run([sys.executable, "-c", "from sahel.cli import main; main()",
                               "summary"], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "COLUMNS": "200"})
    finally:
        holder.close()
    assert proc.returncode == 4 and "in use" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------------ the last resort

def test_a_bug_is_reported_in_one_line_with_a_crash_file(sahel_home: Path) -> None:
    """Whatever escapes the library (a bug) reaches the user as one line naming a crash file,
    through the installed entry point — never as a traceback."""
    import subprocess
    import sys

    code = ("import sys\nimport sahel.panels.summary as q\n"
            "def boom(*a, **k):\n    raise RuntimeError('kaboom')\n"
            "q.summary = boom\nsys.argv = ['sahel', 'summary']\n"
            "from sahel.cli import main\nmain()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ))
    assert proc.returncode == 70
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "internal error (RuntimeError: kaboom)" in proc.stderr
    crash = list((sahel_home / "logs").glob("crash-*.txt"))
    assert len(crash) == 1 and "kaboom" in crash[0].read_text()


# ------------------------------------------------------------------------ registry and claim YAML

REPO_REGISTRY = Path(__file__).resolve().parents[2] / "registry"


def _bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(8):
        prev, name = chr(97 + i), chr(98 + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


YAML_CASES: dict[str, tuple[str, bytes]] = {
    "impossible_date": ("ties/zz.yaml", b"ties:\n  - id: x\n    start: {value: 2023-02-30}\n"),
    "deep_flow": ("ties/zz.yaml", b"x: " + b"[" * 5000 + b"]" * 5000),
    "deep_block": ("ties/zz.yaml", "".join("  " * i + f"k{i}:\n" for i in range(300)).encode()
                   + b"  " * 300 + b"v: 1\n"),
    "alias_bomb": ("ties/zz.yaml", _bomb().encode()),
    "latin1": ("ties/zz.yaml", "ties:\n  - id: tést\n".encode("latin-1")),
    "utf16": ("ties/zz.yaml", "ties: []\n".encode("utf-16")),
    "binary": ("ties/zz.yaml", b"\x00\x01\x02binary"),
    "python_tag": ("ties/zz.yaml", b'ties: !!python/object/apply:os.system ["echo PWNED"]\n'),
    "top_level_list": ("ties/zz.yaml", b"- a\n- b\n"),
    "claim_impossible_date": ("claims/zz.yaml", b"id: zz\nwritten: 2023-02-30\n"),
    "claim_deep": ("claims/zz.yaml", b"x: " + b"[" * 5000 + b"]" * 5000),
    "claim_latin1": ("claims/zz.yaml", "id: tést\n".encode("latin-1")),
    "claim_list": ("claims/zz.yaml", b"- a\n"),
}


@pytest.fixture()
def registry_copy(tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "registry"
    shutil.copytree(REPO_REGISTRY, target)
    return target


@pytest.mark.parametrize("case", list(YAML_CASES))
def test_hostile_registry_and_claim_yaml(registry_copy: Path, case: str) -> None:
    rel, data = YAML_CASES[case]
    (registry_copy / rel).write_bytes(data)
    result = run_cli(["registry", "check", "--registry", registry_copy, "-f", "json"], ok=False)
    assert any(str(p["file"]).endswith("zz.yaml") for p in json.loads(result.stdout)["problems"])
    if rel.startswith("claims"):
        out = error_text(run_cli(["claims", "check", "--claims", registry_copy / "claims"],
                                 ok=False))
        assert "zz.yaml" in out and "fix:" in out


@pytest.mark.parametrize("edit", [
    ("start: 2022-01-01, end: 2022-12-31", "start: 2022-12-31, end: 2022-01-01", "ends"),
    ("countries: [MLI]", "countries: [XXX]", "unknown country 'XXX'"),
    ("categories: [one_sided]", "categories: [massacre]", "unknown category massacre"),
    ("source: ucdp_ged, measure: civilian_deaths", "source: ucdp_ged, measure: civilian_deaths,"
     " perpetrator: [aliens]", "unknown perpetrator group"),
], ids=["reversed_period", "unknown_country", "unknown_category", "unknown_group"])
def test_impossible_claim_specs_are_refused_on_load_and_by_registry_check(
        registry_copy: Path, edit: tuple[str, str, str]) -> None:
    spec = registry_copy / "claims" / "mali-vac-2023.yaml"
    old, new, words = edit
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")
    out = error_text(run_cli(["claims", "check", "--claims", registry_copy / "claims"], ok=False))
    assert "mali-vac-2023.yaml:" in out and words in " ".join(out.split())
    result = run_cli(["registry", "check", "--registry", registry_copy, "-f", "json"], ok=False)
    problems = json.loads(result.stdout)["problems"]
    assert [p["file"].endswith("mali-vac-2023.yaml") and words in p["message"]
            for p in problems] == [True]
