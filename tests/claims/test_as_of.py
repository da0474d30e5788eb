"""``sahel claims check --as-of N`` gives the verdict the store gave at snapshot N: a newer UCDP
release that revises a figure changes the evidence and the verdict, and ``--as-of`` the first
snapshot reproduces the old report byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sahel.claims.engine import check_claims
from sahel.cli import app
from sahel.store.ingest import ingest_file
from tests.test_ingest_errors import ged_row, ged_text

GROWTH = """id: g
document: "t"
text: Deaths in Mali rose by half from 2020 to 2021.
kind: growth
countries: [MLI]
periods:
  - {label: "2020", start: 2020-01-01, end: 2020-12-31}
  - {label: "2021", start: 2021-01-01, end: 2021-12-31}
expect: increase
expected: 0.5
tolerance: 0.10
definitions:
  - {label: "UCDP deaths", source: ucdp_ged, measure: fatalities}
needs: n/a
"""


def _rows(revised: bool) -> list[dict[str, str]]:
    """Three events of 2 deaths in 2020, three of 3 in 2021 (+50%); the revision raises one
    2021 event to 9 deaths (2021: 15, +150%)."""
    rows = []
    for n, (year, month, best) in enumerate(
            [(2020, 1, 2), (2020, 6, 2), (2020, 12, 2), (2021, 1, 3), (2021, 6, 3),
             (2021, 12, 3)]):
        if revised and n == 4:
            best = 9
        day = f"{year}-{month:02d}-15 00:00:00.000"
        rows.append(ged_row(n, year=str(year), date_start=day, date_end=day, best=str(best),
                            low=str(best), high=str(best), deaths_b=str(best)))
    return rows


@pytest.fixture()
def home(tmp_path: Path, sahel_home: Path) -> Path:
    claims = tmp_path / "claims"
    claims.mkdir()
    (claims / "g.yaml").write_text(GROWTH, encoding="utf-8")
    return tmp_path


def test_as_of_reproduces_the_old_verdict(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = home / "s.duckdb"
    monkeypatch.setenv("SAHEL_DB", str(db))
    monkeypatch.setenv("COLUMNS", "200")
    claims = str(home / "claims")
    (home / "v1.csv").write_text(ged_text(_rows(False)), encoding="utf-8")
    (home / "v2.csv").write_text(ged_text(_rows(True)), encoding="utf-8")
    ingest_file(home / "v1.csv", db_path=db, source_version="23.1")
    runner = CliRunner()
    before = runner.invoke(app, ["claims", "check", "--claims", claims])
    assert before.exit_code == 0, before.output
    (old,) = check_claims(claims_dir=home / "claims", db_path=db)
    assert old.verdict == "supported"
    assert old.evidence[0].values["2021"]["best"] == 9

    second = ingest_file(home / "v2.csv", db_path=db, source_version="24.1")
    assert second.snapshot_id == 2
    (new,) = check_claims(claims_dir=home / "claims", db_path=db)
    assert new.evidence[0].values["2021"]["best"] == 15
    assert new.verdict == "partly supported"  # +150%: the right way, not the size claimed
    now = runner.invoke(app, ["claims", "check", "--claims", claims])
    assert now.output != before.output

    (then,) = check_claims(claims_dir=home / "claims", db_path=db, as_of=1)
    assert then.verdict == old.verdict and then.evidence == old.evidence
    again = runner.invoke(app, ["claims", "check", "--claims", claims, "--as-of", "1"])
    assert again.exit_code == 0, again.output
    note = ("The event store and series as they were at snapshot 1 (`--as-of`); the registry "
            "as it is now.\n\n")
    assert again.output == before.output.replace("# Claim check\n\n", "# Claim check\n\n"
                                                 + note)
    as_json = runner.invoke(app, ["claims", "check", "--claims", claims, "--as-of", "1",
                                  "-f", "json"])
    assert '"as_of_snapshot": 1' in as_json.output and '"best": 9.0' in as_json.output


def test_as_of_a_snapshot_that_does_not_exist_is_refused(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = home / "s.duckdb"
    monkeypatch.setenv("SAHEL_DB", str(db))
    (home / "v1.csv").write_text(ged_text(_rows(False)), encoding="utf-8")
    ingest_file(home / "v1.csv", db_path=db, source_version="23.1")
    result = CliRunner().invoke(app, ["claims", "check", "--claims", str(home / "claims"),
                                      "--as-of", "7"])
    assert result.exit_code != 0
    assert "7" in result.output and "Traceback" not in result.output
    zero = CliRunner().invoke(app, ["claims", "check", "--as-of", "0"])
    assert zero.exit_code == 2  # typer: --as-of is at least 1


def test_check_refuses_a_format_it_cannot_print(home: Path) -> None:
    result = CliRunner().invoke(app, ["claims", "check", "--claims", str(home / "claims"),
                                      "-f", "csv"])
    assert result.exit_code == 2
    assert "claims check cannot print csv" in result.output
    assert "md, json, table" in result.output
