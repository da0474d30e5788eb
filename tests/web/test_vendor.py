"""The vendored front-end files match src/sahel/web/static/vendor/MANIFEST.json, offline.

The manifest is written by ``scripts/vendor_web.py`` from the npm tarballs; re-vendor with
``python scripts/vendor_web.py`` and check with ``python scripts/vendor_web.py --check``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "sahel" / "web" / "static" / "vendor"
SCRIPT = ROOT / "scripts" / "vendor_web.py"
SPDX = {"BSD-3-Clause", "ISC", "MIT"}


def vendor_problems(vendor: Path) -> list[str]:
    """Everything wrong with a vendor folder, independently of scripts/vendor_web.py."""
    manifest_path = vendor / "MANIFEST.json"
    if not manifest_path.is_file():
        return ["MANIFEST.json missing"]
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    problems: list[str] = []
    listed = set()
    for entry in manifest["files"]:
        rel = entry["path"]
        listed.add(rel)
        package = manifest["packages"].get(entry["package"])
        if package is None or package["version"] != entry["version"]:
            problems.append(f"{rel}: package/version not in the manifest's packages")
        if not re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", entry["integrity"]):
            problems.append(f"{rel}: integrity {entry['integrity']!r} is not an npm sha512")
        if entry["license"] not in SPDX:
            problems.append(f"{rel}: licence {entry['license']!r} not in {sorted(SPDX)}")
        path = vendor / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"{rel}: sha256 differs from the manifest")
        if len(data) != entry["bytes"]:
            problems.append(f"{rel}: {len(data)} bytes, manifest says {entry['bytes']}")
    for name in manifest["packages"]:
        licence = vendor / name / "LICENSE"
        if f"{name}/LICENSE" not in listed or not licence.is_file() or licence.stat().st_size < 100:
            problems.append(f"{name}: no LICENSE")
    for path in vendor.rglob("*"):
        rel = path.relative_to(vendor).as_posix()
        if path.is_file() and rel != "MANIFEST.json" and rel not in listed:
            problems.append(f"{rel}: not in the manifest")
    return problems


def test_vendored_files_match_the_manifest() -> None:
    assert vendor_problems(VENDOR) == []


def test_every_pinned_package_is_vendored_with_its_licence() -> None:
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))
    assert {name: p["version"] for name, p in manifest["packages"].items()} == {
        "maplibre-gl": "6.17.0",
        "topojson-client": "3.1.0",
        "world-atlas": "2.0.2",
        "uplot": "1.6.32",
        "cytoscape": "3.34.4",
    }
    for name in manifest["packages"]:
        assert (VENDOR / name / "LICENSE").is_file(), name


@pytest.fixture()
def vendor_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "vendor"
    shutil.copytree(VENDOR, copy)
    assert vendor_problems(copy) == []
    return copy


def test_a_missing_file_is_caught(vendor_copy: Path) -> None:
    (vendor_copy / "topojson-client" / "topojson-client.min.js").unlink()
    assert vendor_problems(vendor_copy) == ["topojson-client/topojson-client.min.js: missing"]


def test_a_changed_byte_is_caught(vendor_copy: Path) -> None:
    path = vendor_copy / "uplot" / "uPlot.min.css"
    data = bytearray(path.read_bytes())
    data[10] ^= 1
    path.write_bytes(bytes(data))
    assert vendor_problems(vendor_copy) == ["uplot/uPlot.min.css: sha256 differs from the manifest"]


def test_a_missing_licence_or_unlisted_file_is_caught(vendor_copy: Path) -> None:
    (vendor_copy / "cytoscape" / "LICENSE").unlink()
    (vendor_copy / "cytoscape" / "extra.js").write_text("// not from npm\n")
    assert sorted(vendor_problems(vendor_copy)) == [
        "cytoscape/LICENSE: missing",
        "cytoscape/extra.js: not in the manifest",
        "cytoscape: no LICENSE",
    ]


def _run_check(vendor: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--dir", str(vendor)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_vendor_script_check_passes_and_fails(vendor_copy: Path) -> None:
    ok = _run_check(VENDOR)
    assert ok.returncode == 0, ok.stderr
    (vendor_copy / "maplibre-gl" / "maplibre-gl-worker.mjs").write_text("tampered")
    bad = _run_check(vendor_copy)
    assert bad.returncode == 1
    assert "maplibre-gl/maplibre-gl-worker.mjs: sha256" in bad.stderr
