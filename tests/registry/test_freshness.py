"""Freshness: the newest source of each ongoing tie and actor, the stale flag, the "current to"
date, and the warning `registry check` gives — on a small hand-written registry."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sahel.errors import InputError
from sahel.registry.cli import app
from sahel.registry.freshness import (
    current_to,
    freshness_report,
    months_before,
    source_date,
    stale_ties,
)
from sahel.registry.load import read_registry
from sahel.registry.models import Document, FuzzyDate, Source
from sahel.registry.validate import check

DOCS = """\
documents:
  - id: "000"
    citation: Dated seed
    published: 2023-12-23
  - id: "001"
    citation: Undated seed
"""

# t-fresh: newest source published 2026-10 -> fresh on 2026-11-30 (cutoff 2025-11-30)
# t-stale: only a 2023 seed -> stale
# t-event: own source undated, but an event naming it has a 2026-02-10 source -> fresh
# t-undated: no dated source at all -> stale
# t-ended: ended 2024 -> not ongoing, not listed
# t-planned: planned -> not ongoing
# t-accessed: only an `accessed` date (2025-12-15) -> fresh
# t-future-source: only a source published after --at -> ignored, hence stale
TIES = """\
ties:
  - id: t-fresh
    type: training
    label: Beta trains Alpha
    parties: [{actor: bbb, role: provider}, {actor: aaa, role: recipient}]
    start: 2020-01
    sources:
      - {doc: "000", quote: "old quote"}
      - {citation: "News", url: "https://example.org/a", published: 2026-10, quote: "q"}
  - id: t-stale
    type: funding
    label: Beta funds Alpha
    parties: [{actor: bbb, role: provider}, {actor: aaa, role: recipient}]
    start: 2021
    sources:
      - {doc: "000", quote: "old quote"}
  - id: t-event
    type: basing
    label: Beta base in Alpha
    parties: [{actor: bbb, role: provider}, {actor: aaa, role: recipient}]
    start: 2022-03-01
    sources:
      - {doc: "001", quote: "undated"}
  - id: t-undated
    type: coordination
    label: Alpha and Gamma coordinate
    parties: [{actor: aaa, role: member}, {actor: ccc, role: member}]
    start: 2019
    sources:
      - {citation: "Some reference (secondary reference)", url: "https://example.org/b"}
  - id: t-ended
    type: training
    label: Gamma trained Alpha
    parties: [{actor: ccc, role: provider}, {actor: aaa, role: recipient}]
    start: 2018
    end: 2024-05-01
    sources:
      - {doc: "000", quote: "old quote"}
  - id: t-planned
    type: training
    status: planned
    label: Planned Gamma mission
    parties: [{actor: ccc, role: provider}, {actor: aaa, role: recipient}]
    start: 2023-12
    sources:
      - {doc: "000", quote: "old quote"}
  - id: t-accessed
    type: drones
    label: Gamma drones for Alpha
    parties: [{actor: ccc, role: provider}, {actor: aaa, role: recipient}]
    start: 2022
    sources:
      - {citation: "Register", url: "https://example.org/c", accessed: 2025-12-15}
  - id: t-future-source
    type: arms_transfer
    label: Beta arms for Gamma
    parties: [{actor: bbb, role: provider}, {actor: ccc, role: recipient}]
    start: 2022
    sources:
      - {citation: "Later news", url: "https://example.org/d", published: 2027-01-05,
         quote: "q"}
"""

EVENTS = """\
events:
  - id: e1
    type: deployment
    title: Beta reinforces its base in Alpha
    date: 2026-02-09
    actors: [{actor: bbb, role: provider}]
    ties: [t-event]
    sources:
      - {citation: "Wire", url: "https://example.org/e", published: 2026-02-10, quote: "q"}
"""

GAMMA = """\
actors:
  - id: ccc
    name: Gamma State
    kind: state
    country: NER
    position: {value: south, basis: test}
"""

AT = dt.date(2026, 11, 30)


@pytest.fixture()
def root(make_registry: Callable[..., Path]) -> Path:
    return make_registry(documents_yaml=DOCS, ties__t_yaml=TIES, events__e_yaml=EVENTS,
                         actors__c_yaml=GAMMA)


def test_source_date_falls_back_to_accessed_then_document() -> None:
    docs = {"000": Document(id="000", citation="x", published=FuzzyDate.model_validate("2023-12"))}
    published = Source.model_validate({"citation": "c", "url": "u", "published": "2025-06-08",
                                       "accessed": "2026-01"})
    assert str(source_date(published, docs)) == "2025-06-08"
    accessed = Source.model_validate({"citation": "c", "url": "u", "accessed": "2026-01"})
    assert str(source_date(accessed, docs)) == "2026-01"
    seed = Source.model_validate({"doc": "000", "quote": "q"})
    assert str(source_date(seed, docs)) == "2023-12"
    assert source_date(Source.model_validate({"doc": "009", "quote": "q"}), docs) is None
    assert source_date(Source.model_validate({"citation": "c", "url": "u"}), docs) is None


def test_published_is_part_of_the_label() -> None:
    source = Source.model_validate({"citation": "AFP", "url": "https://x", "published": "2025-06"})
    assert "published 2025-06" in source.label()


def test_months_before_clamps_the_day() -> None:
    assert months_before(dt.date(2026, 11, 30), 12) == dt.date(2025, 11, 30)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)
    with pytest.raises(InputError):
        months_before(AT, -1)


def test_ongoing_ties_and_stale_flags(root: Path) -> None:
    reg, problems = read_registry(root)
    assert not problems
    report = freshness_report(reg, AT)
    assert report.cutoff == dt.date(2025, 11, 30)
    rows = {t.tie_id: t for t in report.ties}
    assert set(rows) == {"t-fresh", "t-stale", "t-event", "t-undated", "t-accessed",
                         "t-future-source"}  # t-ended and t-planned are not ongoing
    assert str(rows["t-fresh"].newest) == "2026-10" and not rows["t-fresh"].stale
    assert str(rows["t-stale"].newest) == "2023-12-23" and rows["t-stale"].stale
    assert str(rows["t-event"].newest) == "2026-02-10" and not rows["t-event"].stale
    assert rows["t-event"].sources == 2 and rows["t-event"].dated_sources == 1
    assert rows["t-undated"].newest is None and rows["t-undated"].stale
    assert str(rows["t-accessed"].newest) == "2025-12-15" and not rows["t-accessed"].stale
    assert rows["t-future-source"].newest is None and rows["t-future-source"].stale
    assert {t.tie_id for t in report.stale} == {"t-stale", "t-undated", "t-future-source"}
    assert [t.tie_id for t in stale_ties(reg, AT)] == [t.tie_id for t in report.stale]


def test_threshold_changes_the_flags(root: Path) -> None:
    reg, _ = read_registry(root)
    # 6 months before 2026-11-30 is 2026-05-30: the February event and the December access
    # are now too old; 48 months reach back past the 2023 seed.
    assert {t.tie_id for t in stale_ties(reg, AT, 6)} == {
        "t-stale", "t-undated", "t-future-source", "t-event", "t-accessed"}
    assert {t.tie_id for t in stale_ties(reg, AT, 48)} == {"t-undated", "t-future-source"}


def test_reference_date_moves_the_window(root: Path) -> None:
    reg, _ = read_registry(root)
    early = freshness_report(reg, dt.date(2024, 1, 31))
    rows = {t.tie_id: t for t in early.ties}
    assert "t-ended" in rows  # still ongoing in January 2024
    assert not rows["t-stale"].stale  # the December 2023 seed was recent then
    assert rows["t-fresh"].newest is not None and str(rows["t-fresh"].newest) == "2023-12-23"


def test_actor_rows(root: Path) -> None:
    reg, _ = read_registry(root)
    actors = {a.actor_id: a for a in freshness_report(reg, AT).actors}
    assert str(actors["bbb"].newest) == "2026-10"  # 2027 source ignored; event source older
    assert actors["bbb"].ongoing_ties == 4 and actors["bbb"].stale_ties == 2
    assert str(actors["ccc"].newest) == "2025-12-15"
    assert actors["ccc"].ongoing_ties == 3 and actors["ccc"].stale_ties == 2


def test_current_to(root: Path) -> None:
    reg, _ = read_registry(root)
    assert str(current_to(reg, AT)) == "2026-10"
    assert str(current_to(reg, dt.date(2027, 2, 1))) == "2027-01-05"
    assert str(current_to(reg, dt.date(2026, 3, 1))) == "2026-02-10"


def test_check_warns_but_does_not_fail(root: Path) -> None:
    report = check(root, at=AT)
    assert report.ok
    warned = {w.field for w in report.warnings}
    assert {w.code for w in report.warnings} == {"stale_tie"}
    assert len(report.warnings) == 3 and warned == {None}
    stale = next(w for w in report.warnings if "'t-stale'" in w.message)
    assert stale.file == root / "ties" / "t.yaml" and stale.line == 10  # `- id: t-stale`
    assert "newest source 2023-12-23" in stale.message and "published" in (stale.hint or "")


def test_cli_freshness_and_check_warning(root: Path) -> None:
    runner = CliRunner()
    env = {"COLUMNS": "200"}
    result = runner.invoke(app, ["freshness", "--registry", str(root), "--at", "2026-11-30",
                                 "-f", "json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["current_to"] == "2026-10" and data["cutoff"] == "2025-11-30"
    assert data["stale"] == 3
    stale = {r["tie"] for r in data["ties"] if r["stale"]}
    assert stale == {"t-stale", "t-undated", "t-future-source"}
    result = runner.invoke(app, ["freshness", "--registry", str(root), "--at", "2026-11-30",
                                 "--threshold", "48", "--stale-only"], env=env)
    assert result.exit_code == 0
    assert "t-undated" in result.stdout and "t-stale " not in result.stdout
    assert "registry current to 2026-10" in result.stdout
    # `check` runs against today: the 2023 seed is stale whatever today is (after 2024-12)
    result = runner.invoke(app, ["check", "--registry", str(root)], env=env)
    assert result.exit_code == 0
    assert "registry OK" in result.stdout and "warnings" in result.stderr
    assert "t-stale" in result.stderr
    result = runner.invoke(app, ["check", "--registry", str(root), "-f", "json"], env=env)
    data = json.loads(result.stdout)
    assert data["ok"] and {w["code"] for w in data["warnings"]} == {"stale_tie"}
