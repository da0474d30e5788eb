"""Fixtures for registry tests: the real registry (loaded once) and tiny hand-written ones."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from sahel.registry.checked import load_registry
from sahel.registry.load import Registry

REPO_REGISTRY = Path(__file__).resolve().parents[2] / "registry"

MINIMAL_DOCS = """\
documents:
  - id: "000"
    citation: Test document
"""

MINIMAL_ACTORS = """\
actors:
  - id: aaa
    name: Alpha State
    kind: state
    country: MLI
    position: {value: south, basis: test}
    aliases: [{name: Government of Alpha, source: ucdp}]
  - id: bbb
    name: Beta State
    kind: state
    country: FRA
    position: {value: north, basis: test}
"""

MINIMAL_TIES = """\
ties:
  - id: t1
    type: training
    label: Beta trains Alpha
    parties:
      - {actor: bbb, role: provider}
      - {actor: aaa, role: recipient}
    start: 2020-01
    end: 2021
    sources:
      - {doc: "000", quote: "a quote"}
"""


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The curated registry of the repository, validated."""
    return load_registry(REPO_REGISTRY)


@pytest.fixture()
def make_registry(tmp_path: Path) -> Callable[..., Path]:
    """Write a small registry into tmp_path; keyword args override or add files."""

    def make(**files: str) -> Path:
        root = tmp_path / "registry"
        contents = {
            "documents.yaml": MINIMAL_DOCS,
            "actors/a.yaml": MINIMAL_ACTORS,
            "ties/t.yaml": MINIMAL_TIES,
            "events/e.yaml": "events: []\n",
        }
        for name, text in files.items():
            contents[name.replace("__", "/").replace("_yaml", ".yaml")] = text
        for name, text in contents.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return make
