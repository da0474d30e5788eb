#!/usr/bin/env python3
"""Vendor the web front end's JavaScript/CSS/data files from npm, or check them offline.

    python scripts/vendor_web.py            # re-create src/sahel/web/static/vendor/ from npm
    python scripts/vendor_web.py --check    # verify every vendored file against MANIFEST.json

Re-creating needs ``npm`` and the npm registry: each pinned package is fetched with ``npm pack``
into a temporary folder, the tarball's sha512 is compared with the registry's ``dist.integrity``,
and only the files the browser needs (plus the package's licence, as ``LICENSE``) are copied.
``MANIFEST.json`` records, for every file: package, version, tarball integrity, the file's own
sha256 and size, and the licence's SPDX id. The check needs neither npm nor the network.

Stdlib only: it runs before the project is installed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "src" / "sahel" / "web" / "static" / "vendor"
MANIFEST_NAME = "MANIFEST.json"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    license: str  # SPDX id
    license_file: str  # path inside the tarball's package/ folder
    files: tuple[str, ...]  # paths inside package/; copied flat into vendor/<name>/


# MapLibre GL 6 ships ES modules only (no UMD maplibre-gl.js, no separate "CSP build"): the
# main module loads maplibre-gl-worker.mjs from its own folder as a module worker, with neither
# eval nor blob: for a same-origin worker. Both files therefore sit side by side.
PACKAGES: tuple[Package, ...] = (
    Package(
        "maplibre-gl",
        "6.17.0",
        "BSD-3-Clause",
        "LICENSE.txt",
        ("dist/maplibre-gl.mjs", "dist/maplibre-gl-worker.mjs", "dist/maplibre-gl.css"),
    ),
    Package("topojson-client", "3.1.0", "ISC", "LICENSE", ("dist/topojson-client.min.js",)),
    # Natural Earth geometry (public domain) as TopoJSON; the package itself is ISC.
    Package("world-atlas", "2.0.2", "ISC", "LICENSE", ("countries-50m.json", "countries-110m.json")),
    Package("uplot", "1.6.32", "MIT", "LICENSE", ("dist/uPlot.iife.min.js", "dist/uPlot.min.css")),
    Package("cytoscape", "3.34.4", "MIT", "LICENSE", ("dist/cytoscape.min.js",)),
)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def _npm(*args: str, cwd: Path | None = None) -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("vendor_web: npm not found; install Node.js/npm (Debian: apt-get install npm)")
    result = subprocess.run([npm, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"vendor_web: `npm {' '.join(args)}` failed:\n{result.stderr.strip()}")
    return result.stdout.strip()


def fetch_package(pkg: Package, workdir: Path) -> tuple[Path, str]:
    """``npm pack`` one pinned package into ``workdir``; return the tarball and its integrity,
    checked against the registry's ``dist.integrity``."""
    spec = f"{pkg.name}@{pkg.version}"
    expected = _npm("view", spec, "dist.integrity")
    out = _npm("pack", spec, "--json", "--pack-destination", str(workdir), cwd=workdir)
    filename = json.loads(out)[0]["filename"]
    tarball = workdir / filename
    actual = sri_sha512(tarball.read_bytes())
    if actual != expected:
        raise SystemExit(f"vendor_web: {spec}: tarball integrity {actual} != registry {expected}")
    return tarball, actual


def _member_bytes(tar: tarfile.TarFile, inner: str, spec: str) -> bytes:
    try:
        member = tar.getmember(f"package/{inner}")
    except KeyError:
        raise SystemExit(f"vendor_web: {spec}: no package/{inner} in the tarball") from None
    handle = tar.extractfile(member)
    if handle is None:
        raise SystemExit(f"vendor_web: {spec}: package/{inner} is not a regular file")
    return handle.read()


def build(dest: Path) -> dict[str, object]:
    """Re-create ``dest`` from npm; return the manifest written into it."""
    files: list[dict[str, object]] = []
    packages: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="sahel-vendor-") as tmp:
        work = Path(tmp)
        staging = work / "vendor"
        for pkg in PACKAGES:
            spec = f"{pkg.name}@{pkg.version}"
            tarball, integrity = fetch_package(pkg, work)
            packages[pkg.name] = {"version": pkg.version, "integrity": integrity, "license": pkg.license}
            pkg_dir = staging / pkg.name
            pkg_dir.mkdir(parents=True)
            with tarfile.open(tarball, "r:gz") as tar:
                wanted = [(inner, Path(inner).name) for inner in pkg.files]
                wanted.append((pkg.license_file, "LICENSE"))
                for inner, name in wanted:
                    data = _member_bytes(tar, inner, spec)
                    (pkg_dir / name).write_bytes(data)
                    files.append(
                        {
                            "path": f"{pkg.name}/{name}",
                            "package": pkg.name,
                            "version": pkg.version,
                            "source": f"package/{inner}",
                            "integrity": integrity,
                            "sha256": hashlib.sha256(data).hexdigest(),
                            "bytes": len(data),
                            "license": pkg.license,
                        }
                    )
        manifest: dict[str, object] = {
            "generated_by": "scripts/vendor_web.py",
            "note": "integrity = the npm tarball's sha512 (npm view <pkg>@<version> dist.integrity)",
            "packages": packages,
            "files": files,
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, dest)
    return manifest


def check(dest: Path) -> list[str]:
    """Every problem with the vendored folder, offline; an empty list means all is well."""
    manifest_path = dest / MANIFEST_NAME
    if not manifest_path.is_file():
        return [f"{manifest_path}: missing (run scripts/vendor_web.py)"]
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entries = manifest["files"]
        packages = manifest["packages"]
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{manifest_path}: unreadable ({exc})"]
    problems: list[str] = []
    listed: set[str] = set()
    for entry in entries:
        rel = entry["path"]
        listed.add(rel)
        path = dest / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
            continue
        digest = sha256_file(path)
        if digest != entry["sha256"]:
            problems.append(f"{rel}: sha256 {digest} != manifest {entry['sha256']}")
    for pkg in PACKAGES:
        recorded = packages.get(pkg.name)
        if recorded is None or recorded.get("version") != pkg.version:
            got = None if recorded is None else recorded.get("version")
            problems.append(f"{pkg.name}: manifest has {got}, scripts/vendor_web.py pins {pkg.version}")
        if f"{pkg.name}/LICENSE" not in listed:
            problems.append(f"{pkg.name}/LICENSE: not in the manifest")
        for inner in pkg.files:
            if f"{pkg.name}/{Path(inner).name}" not in listed:
                problems.append(f"{pkg.name}/{Path(inner).name}: not in the manifest")
    for path in sorted(dest.rglob("*")):
        rel = path.relative_to(dest).as_posix()
        if path.is_file() and rel != MANIFEST_NAME and rel not in listed:
            problems.append(f"{rel}: not in the manifest")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="verify the vendored files offline")
    parser.add_argument("--dir", type=Path, default=VENDOR_DIR, help=f"vendor folder (default {VENDOR_DIR})")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.dir)
        for problem in problems:
            print(f"vendor_web: {problem}", file=sys.stderr)
        if problems:
            return 1
        count = len(json.loads((args.dir / MANIFEST_NAME).read_text(encoding="utf-8"))["files"])
        print(f"vendor_web: {count} files match {args.dir / MANIFEST_NAME}")
        return 0
    manifest = build(args.dir)
    entries = manifest["files"]
    assert isinstance(entries, list)
    total = sum(int(entry["bytes"]) for entry in entries)
    for entry in entries:
        print(f"{entry['bytes']:>10,}  {entry['path']}")
    print(f"{total:>10,}  total, {len(entries)} files in {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
