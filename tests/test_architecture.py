"""Architecture rules as tests (DESIGN convention 10): imports flow one way, settings are lazy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "sahel"

#: a module in the key's package may not import from these packages
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "events": ("sahel.store", "sahel.registry", "sahel.cli", "sahel.render", "sahel.build",
               "sahel.analysis", "sahel.claims", "sahel.panels"),
    "store": ("sahel.registry", "sahel.cli", "sahel.render", "sahel.build", "sahel.analysis",
              "sahel.claims", "sahel.panels"),
    "series": ("sahel.cli", "sahel.render", "sahel.registry", "sahel.analysis", "sahel.claims",
               "sahel.panels", "sahel.build"),
    "registry": ("sahel.cli", "sahel.render", "sahel.build", "sahel.analysis", "sahel.claims",
                 "sahel.panels"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_imports_flow_one_way() -> None:
    bad = []
    for pkg, forbidden in FORBIDDEN.items():
        for path in (SRC / pkg).rglob("*.py"):
            if path.name == "cli.py":  # a package's own CLI adapter is an edge
                continue
            for mod in _imports(path):
                if mod.startswith(forbidden):
                    bad.append(f"{path.relative_to(SRC)} imports {mod}")
    assert not bad, bad


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
