"""Architecture rules as tests (DESIGN convention 10): the import contracts of pyproject.toml
(import-linter: layers, no cycles), lazy settings, small modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "sahel"

def test_import_contracts_hold() -> None:
    """The rooms' order and the absence of cycles, as declared in pyproject.toml
    ([tool.importlinter]), checked by import-linter itself."""
    import os

    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True,
                          cwd=SRC.parents[1], timeout=300,
                          env={**os.environ, "PYTHONPATH": str(SRC.parent)})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "BROKEN" not in proc.stdout


def test_import_reads_no_settings_and_no_store(tmp_path: Path) -> None:
    """Importing the CLI must not read the environment or touch the disk (lazy settings)."""
    home = tmp_path / "home"
    code = "import sahel.cli, sahel.store.ingest, sahel.store.query"
    env = {"SAHEL_HOME": str(home), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    assert not home.exists()


def test_modules_stay_small() -> None:
    big = [f"{p.relative_to(SRC)}: {n}" for p in SRC.rglob("*.py")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600]
    assert not big, big
