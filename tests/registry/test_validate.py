"""`sahel registry check`: each listed fault is caught on small hand-written YAML, and the real
registry passes (so CI fails on any bad YAML)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sahel.errors import RegistryError
from sahel.registry.checked import load_registry
from sahel.registry.validate import check, check_registry
from tests.registry.conftest import MINIMAL_ACTORS, MINIMAL_TIES, REPO_REGISTRY


def _codes(root: Path) -> list[str]:
    return [p.code for p in check(root).problems]


def test_minimal_registry_is_valid(make_registry: Callable[..., Path]) -> None:
    report = check(make_registry())
    assert report.ok, report.problems
    assert report.counts["actors"] == 2 and report.counts["ties"] == 1


def test_schema_error_points_at_yaml_line_and_field(make_registry: Callable[..., Path]) -> None:
    bad = MINIMAL_TIES.replace("role: recipient", "role: receiver")
    root = make_registry(ties__t_yaml=bad)
    problems = check(root).problems
    assert [p.code for p in problems] == ["schema"]
    problem = problems[0]
    assert problem.file == root / "ties" / "t.yaml"
    assert problem.line == 7  # the line of `- {actor: aaa, role: receiver}`
    assert problem.field == "parties.1.role"


def test_unknown_field_is_an_error(make_registry: Callable[..., Path]) -> None:
    root = make_registry(ties__t_yaml=MINIMAL_TIES.replace("    sources:", "    sorces:"))
    problems = check(root).problems
    assert {p.code for p in problems} == {"schema"}
    assert any(p.field == "sorces" and "spelling" in (p.hint or "") for p in problems)


def test_yaml_syntax_error(make_registry: Callable[..., Path]) -> None:
    root = make_registry(ties__t_yaml="ties:\n  - id: [unclosed\n")
    problems = check(root).problems
    assert problems[0].code == "yaml" and problems[0].line == 3


def test_dangling_reference(make_registry: Callable[..., Path]) -> None:
    root = make_registry(ties__t_yaml=MINIMAL_TIES.replace("actor: aaa", "actor: zzz"))
    problems = check(root).problems
    assert [p.code for p in problems] == ["dangling_ref"]
    assert problems[0].line == 7 and "zzz" in problems[0].message


def test_dangling_document(make_registry: Callable[..., Path]) -> None:
    root = make_registry(ties__t_yaml=MINIMAL_TIES.replace('doc: "000"', 'doc: "009"'))
    assert _codes(root) == ["dangling_doc"]


def test_end_before_start(make_registry: Callable[..., Path]) -> None:
    root = make_registry(ties__t_yaml=MINIMAL_TIES.replace("end: 2021", "end: 2019-06"))
    problems = check(root).problems
    assert [p.code for p in problems] == ["end_before_start"]
    assert problems[0].field == "end" and problems[0].line == 9


def test_overlapping_fuzzy_dates_are_not_end_before_start(
    make_registry: Callable[..., Path],
) -> None:
    # start 2020-01, end "2020" (the whole year): possible, so no error
    root = make_registry(ties__t_yaml=MINIMAL_TIES.replace("end: 2021", "end: 2020"))
    assert _codes(root) == []


def test_tie_without_sources(make_registry: Callable[..., Path]) -> None:
    text = MINIMAL_TIES.split("    sources:")[0]
    assert _codes(make_registry(ties__t_yaml=text)) == ["no_source"]


def test_duplicate_ids_across_files(make_registry: Callable[..., Path]) -> None:
    root = make_registry(ties__u_yaml=MINIMAL_TIES)
    problems = check(root).problems
    assert [p.code for p in problems] == ["duplicate_id"]
    assert problems[0].file == root / "ties" / "u.yaml"


def test_alias_mapping_one_name_to_two_actors(make_registry: Callable[..., Path]) -> None:
    actors = MINIMAL_ACTORS + (
        "    aliases: [{name: 'government of  ALPHA', source: acled}]\n"
    )
    problems = check(make_registry(actors__a_yaml=actors)).problems
    assert [p.code for p in problems] == ["alias_conflict"]
    assert "aaa" in problems[0].message and problems[0].field == "aliases.0"


def test_duplicate_yaml_key(make_registry: Callable[..., Path]) -> None:
    actors = MINIMAL_ACTORS.replace("    kind: state\n    country: FRA",
                                    "    kind: state\n    kind: io\n    country: FRA")
    assert "duplicate_key" in _codes(make_registry(actors__a_yaml=actors))


def test_armed_group_needs_perpetrator_group(make_registry: Callable[..., Path]) -> None:
    actors = MINIMAL_ACTORS + (
        "  - id: ccc\n    name: Gamma\n    kind: armed_group\n"
        "    position: {value: south, basis: test}\n"
    )
    assert _codes(make_registry(actors__a_yaml=actors)) == ["no_group"]


def test_load_registry_raises_registry_error_with_location(
    make_registry: Callable[..., Path],
) -> None:
    root = make_registry(ties__t_yaml=MINIMAL_TIES.replace("actor: aaa", "actor: zzz"))
    with pytest.raises(RegistryError) as info:
        load_registry(root)
    assert info.value.exit_code == 6
    assert info.value.line == 7 and info.value.field == "parties.1.actor"
    assert "fix:" in info.value.render()


def test_quotes_are_checked_against_documents(
    make_registry: Callable[..., Path], tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "doc.txt").write_text("It says: a\nquote here.", encoding="utf-8")
    docs = 'documents:\n  - id: "000"\n    citation: Test\n    file: doc.txt\n'
    root = make_registry(documents_yaml=docs)
    assert check(root, seeds).ok  # "a quote" spans a line break: still verbatim
    root = make_registry(documents_yaml=docs,
                         ties__t_yaml=MINIMAL_TIES.replace("a quote", "an invented quote"))
    assert [p.code for p in check(root, seeds).problems] == ["quote_not_found"]


def test_real_registry_passes_check() -> None:
    report = check_registry(REPO_REGISTRY)
    assert report.ok, "\n".join(p.to_error().render() for p in report.problems)
    assert report.counts["actors"] >= 200
    assert report.counts["ties"] >= 85
    assert report.counts["events"] >= 70


@pytest.mark.shared_data
def test_real_registry_quotes_are_verbatim(shared_data: Path) -> None:
    seeds = shared_data.parent / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"seed texts not found at {seeds}")
    report = check_registry(REPO_REGISTRY, seeds)
    assert report.ok, "\n".join(p.to_error().render() for p in report.problems)
