"""A claim spec quotes its document: the quote must be found there, word for word.

The same comparison as the registry's own quote check (case, accents, quote styles and line
breaks ignored — the seed texts are PDF extractions — nothing else), so ``sahel registry check``
verifies the claims' quotes alongside the registry's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from sahel.errors import RegistryError
from sahel.registry.load import locate, read_yaml_file, registry_path
from sahel.registry.names import normalise_name

_WS = re.compile(r"\s+")


class Quoted(Protocol):
    """What a quote check needs of a claim (``sahel.claims.spec.Claim`` has it)."""

    @property
    def document(self) -> str: ...
    @property
    def quote(self) -> str | None: ...
    @property
    def file(self) -> Path | None: ...


def flat(text: str) -> str:
    return _WS.sub(" ", normalise_name(text)).strip()


def _documents(folder: Path) -> dict[str, str]:
    """Document id -> file name, from the registry's ``documents.yaml`` beside the claims
    folder (else the default registry's)."""
    for base in (folder.parent, registry_path(None)):
        path = base / "documents.yaml"
        if path.is_file():
            raw = read_yaml_file(path)
            docs = raw.get("documents", []) if isinstance(raw, dict) else []
            return {str(d["id"]): str(d["file"]) for d in docs
                    if isinstance(d, dict) and d.get("file") and d.get("id") is not None}
    return {}


def _seeds(seeds: Path | None) -> Path | None:
    if seeds is not None:
        return seeds
    from sahel.settings import get_settings

    default = get_settings().shared_data.parent / "seeds"
    return default if default.is_dir() else None


def quote_problems(claims: Mapping[str, Quoted], folder: Path,
                   seeds: Path | None = None) -> list[RegistryError]:
    """A problem for every claim quote not found verbatim in its document (skipped when the
    seed texts are not at hand)."""
    where = _seeds(seeds)
    if where is None:
        return []
    files = _documents(folder)
    texts: dict[str, str] = {}
    problems: list[RegistryError] = []
    for claim in claims.values():
        if claim.quote is None or claim.document not in files:
            continue
        if claim.document not in texts:
            path = where / files[claim.document]
            texts[claim.document] = flat(path.read_text(encoding="utf-8")) \
                if path.is_file() else ""
        if texts[claim.document] and flat(claim.quote) not in texts[claim.document]:
            file = claim.file
            line = locate(read_yaml_file(file), ["quote"]) if file else None
            problems.append(RegistryError(
                f"quote not found verbatim in doc {claim.document}: {claim.quote[:60]!r}",
                file=file, line=line, field="quote",
                hint="copy the quote exactly from the document (line breaks may differ)"))
    return problems
