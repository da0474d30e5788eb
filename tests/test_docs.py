"""Docs are tested (DESIGN convention 8): every command has help and is in docs/cli.md; every
event column and category is in docs/events-schema.md; the README keeps its two commands."""

from __future__ import annotations

from pathlib import Path

import typer.main
from typer import _click as click  # typer >= 0.25 vendors click
from typer.core import TyperGroup

from sahel.cli import app
from sahel.events.schema import CATEGORIES, EVENT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]


def _commands(cmd: click.Command, prefix: str) -> list[tuple[str, click.Command]]:
    out = [(prefix, cmd)]
    if isinstance(cmd, TyperGroup):
        for name, sub in cmd.commands.items():
            out += _commands(sub, f"{prefix} {name}")
    return out


def test_every_command_has_help_and_docs() -> None:
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing_help, missing_doc = [], []
    for path, cmd in _commands(typer.main.get_command(app), "sahel"):
        if not (cmd.help or "").strip():
            missing_help.append(path)
        if f"`{path}`" not in doc:
            missing_doc.append(path)
    assert not missing_help, f"commands without help: {missing_help}"
    assert not missing_doc, f"commands missing from docs/cli.md (run scripts/gen_cli_docs.py): " \
        f"{missing_doc}"


def test_schema_doc_in_step() -> None:
    doc = (ROOT / "docs" / "events-schema.md").read_text(encoding="utf-8")
    for col in EVENT_COLUMNS:
        assert f"| `{col.name}` | {col.display_type} |" in doc, col.name
    for cat in CATEGORIES:
        assert f"| `{cat}` |" in doc, cat


def test_readme_two_commands_and_ci() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = ci.strip().splitlines()[-1]
    assert test_cmd in readme, "the README test command must be the one .ci/run calls"
    assert "sahel build --from" in readme


def test_every_series_has_a_citation_family() -> None:
    """``sahel.provenance`` cites the series by family: its list must name every series."""
    from sahel.provenance import FAMILIES, SERIES_FAMILIES, cite
    from sahel.series.definitions import DEFINITIONS

    assert set(SERIES_FAMILIES) == set(DEFINITIONS)
    for name, d in DEFINITIONS.items():
        assert d.family == SERIES_FAMILIES[name]
        assert (d.citation, d.licence) == FAMILIES[d.family]
        assert cite(name) == [(name, f"{d.citation} Licence: {d.licence}")]
