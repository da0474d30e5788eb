"""The claim specs of registry/claims added with the new kinds, on the real shared files: their
verdicts, and a report that cites every source it used."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sahel.claims.engine import check_claims
from sahel.claims.report import to_json, to_markdown
from sahel.cli import app

pytestmark = [pytest.mark.shared_data]

VERDICTS = {
    "mali-vac-perpetrators-2023": "supported",   # share: UCDP one-sided, Mali's state 41%/37%
    "kidal-advance-2023": "supported",           # presence: state-force events near Kidal
    "djibo-attack-2023": "partly supported",     # incident: the attack was on 26 November
    "mali-army-losses-2023": "supported",        # side losses: 2022 -> 2023 up
    "us-drone-base-niger-2023": "supported",     # registry fact: usa-ner-drone-base
    "epf-niger-2023": "supported",               # registry fact: epf-niger-2023, EUR 40m
    "turkish-drones-2021": "supported",          # registry + SIPRI for all three states
    "bfa-coup-attempt-2023": "supported",        # registry event; P&T ends before
}


def test_the_new_real_claims_verdicts(real_store: Path) -> None:
    results = check_claims(list(VERDICTS), db_path=real_store)
    assert {r.claim.id: r.verdict for r in results} == VERDICTS
    md = to_markdown(results)
    for cite in ("UCDP Georeferenced Event Dataset", "SIPRI Arms Transfers Database",
                 "Powell, Jonathan M. & Clayton L. Thyne", "Sahel Security Observatory registry"):
        assert cite in md
    assert "may be misdated" in md
    assert to_json(results).count('"verdict"') > len(VERDICTS)


def test_check_all_through_the_cli(real_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAHEL_DB", str(real_store))
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["claims", "check", "-f", "table"])
    assert result.exit_code == 0, result.output
    for cid in VERDICTS:
        assert f"## {cid} — **{VERDICTS[cid]}**" in result.output
    listed = CliRunner().invoke(app, ["claims", "list"])
    assert listed.exit_code == 0 and "registry_fact" in listed.output
