"""The registry as every room reads it: parsed, validated, cached.

Why its own module: parsing (``load``) comes before checking (``validate``), and reading a
*checked* registry needs both — so the function that does lives above the two, and neither of
them has to import the other back.
"""

from __future__ import annotations

from pathlib import Path

from sahel.registry.load import Registry, registry_path
from sahel.registry.validate import check

_CACHE: dict[tuple[str, float, int, int], Registry] = {}


def load_registry(root: str | Path | None = None) -> Registry:
    """Read and validate the registry; raise :class:`RegistryError` on the first problem.

    The error message says how many problems there are; ``sahel registry check`` lists them all.
    Parsed once per content state (parsing takes about a second and analyses ask again and
    again); editing, adding or removing any YAML file invalidates the cache. Treat the result as
    read-only (``with_ties`` returns a copy).
    """
    base = registry_path(root)
    files = [p.stat() for p in base.rglob("*.y*ml")] if base.is_dir() else []
    key = (str(base.resolve()), max((f.st_mtime for f in files), default=0.0),
           sum(f.st_size for f in files), len(files))
    if key in _CACHE:
        return _CACHE[key]
    report = check(root)
    report.raise_if_failed()
    assert report.registry is not None
    _CACHE.clear()
    _CACHE[key] = report.registry
    return report.registry
