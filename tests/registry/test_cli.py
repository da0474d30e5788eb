"""The `sahel registry` sub-app: thin commands, rich/JSON output, errors as exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sahel.registry.cli import app
from tests.registry.conftest import MINIMAL_TIES, REPO_REGISTRY

runner = CliRunner()
REG = ["--registry", str(REPO_REGISTRY)]


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_check_ok() -> None:
    code, out, _ = _run("check", *REG)
    assert code == 0 and "registry OK" in out


def test_check_fails_with_location_and_exit_code(make_registry: Callable[..., Path]) -> None:
    root = make_registry(ties__t_yaml=MINIMAL_TIES.replace("actor: aaa", "actor: zzz"))
    code, _, err = _run("check", "--registry", str(root))
    assert code == 6 and "zzz" in err and "registry problems" in err
    code, out, _ = _run("check", "--registry", str(root), "-f", "json")
    problems = json.loads(out)["problems"]
    assert problems[0]["code"] == "dangling_ref" and problems[0]["line"] == 7


def test_network_json_and_dot(tmp_path: Path) -> None:
    code, out, _ = _run("network", "--at", "2022-01-15", "--actor", "mli", "--sources", *REG)
    assert code == 0
    data = json.loads(out)
    ids = {t["id"] for t in data["ties"]}
    assert {"wagner-mli", "barkhane-mli", "ecowas-sanctions-mli-2022"} <= ids
    assert all(t["sources"] for t in data["ties"])
    target = tmp_path / "net.dot"
    code, _, _ = _run("network", "--at", "2024-01", "--format", "dot", "-o", str(target), *REG)
    assert code == 0 and '"wagner" -> "mli"' in target.read_text(encoding="utf-8")


@pytest.mark.shared_data
def test_network_with_generated_sipri_ties(shared_data: Path) -> None:
    code, out, _ = _run("network", "--at", "2023-06", "--actor", "mli", "--include", "sipri",
                        *REG)
    assert code == 0
    origins = {t["origin"] for t in json.loads(out)["ties"]}
    assert origins == {"curated", "sipri"}


def test_timeline_and_diff() -> None:
    code, out, _ = _run("timeline", "Wagner Group", "-f", "json", *REG)
    assert code == 0
    rows = json.loads(out)["rows"]
    assert rows[0]["id"] == "wagner-mli" and rows[0]["date"] == "2021-12"
    code, out, _ = _run("diff", "2021-06", "2023-12", "--actor", "mli", "-f", "json", "--sources",
                        *REG)
    rows = json.loads(out)["rows"]
    assert {r["id"] for r in rows if r["change"] == "gained"} == {
        "wagner-mli", "tur-mli-drones", "aes-liptako-gourma-charter"}
    assert all(r["sources"] for r in rows)


def test_alignment_and_ties() -> None:
    code, out, _ = _run("alignment", "MLI", "NER", "-f", "json", *REG)
    assert code == 0
    summary = {r["state"]: r for r in json.loads(out)["summary"]}
    assert summary["MLI"]["realignment_month"] == "2022-07"
    assert summary["NER"]["realignment_month"] == "2024-03"
    code, out, _ = _run("ties", "--actor", "hti", "-f", "json", *REG)
    classes = {r["id"]: r["class"] for r in json.loads(out)["rows"]}
    assert classes["mss-haiti-kenya"] == "triangular"


@pytest.mark.shared_data
def test_importers_and_reports(shared_data: Path, tmp_path: Path) -> None:
    code, out, _ = _run("import-sipri", "--recipient", "Niger", "--out", str(tmp_path), *REG)
    assert code == 0 and "arms-transfer ties" in out
    assert (tmp_path / "sipri_ties.yaml").is_file()
    code, out, _ = _run("import-atop", "--country", "NER", "--out", str(tmp_path), *REG)
    assert code == 0 and (tmp_path / "atop_ties.yaml").is_file()
    code, out, _ = _run("check-coups", "-f", "json", *REG)
    rows = json.loads(out)["rows"]
    niger = next(r for r in rows if r["registry_id"] == "coup-ner-2023")
    assert niger["pt_date"] == "2023-06-26" and niger["days"] == -30
    mali = shared_data / "ucdp_ged" / "explorer_export_2025" / "Mali.csv"
    code, out, _ = _run("link-report", "--file", str(mali), "-f", "json", *REG)
    assert code == 0 and json.loads(out)["rows"][0]["share_fatalities"] == 1.0


def test_errors_become_messages_and_exit_codes(tmp_path: Path) -> None:
    code, _, err = _run("timeline", "nobody-at-all", *REG)
    assert code == 5 and "fix:" in err
    code, _, err = _run("network", "--at", "July 2023", *REG)
    assert code == 3 and "YYYY-MM-DD" in err
    code, _, err = _run("link-report", "--db", str(tmp_path / "none.duckdb"), *REG)
    assert code == 4 and "--file" in err
    code, _, err = _run("check", "--registry", str(tmp_path / "missing"))
    assert code == 2 and "SAHEL_REGISTRY" in err
