"""``sahel claims new``: a spec from flags — validated by the one spec model, written once (never
over a file or an id), and checked against the store for what it can measure now."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sahel.claims.engine import check_claims
from sahel.claims.spec import load_claims
from sahel.cli import app
from sahel.store.ingest import ingest_file
from tests.acled_fixtures import row, write

SHARE_FLAGS = [
    "claims", "new", "mli-jihadist-share", "--kind", "share",
    "--text", "Most violence against civilians in Mali in 2021 was by jihadist groups.",
    "--document", "t", "--needs", "ACLED for 2021", "-c", "MLI", "--period", "2021",
    "--attributed-to", "jihadist", "--expect", "more_than", "--expected", "0.5",
    "--definition", "label=ACLED VAC events; source=acled; categories=violence_against_civilians",
    "--definition", "label=UCDP one-sided deaths; source=ucdp_ged; categories=one_sided; "
                    "measure=fatalities",
]


@pytest.fixture()
def env(tmp_path: Path, sahel_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "s.duckdb"
    rows = [row(f"MLI21{i:03d}", f"2021-{i % 12 + 1:02d}-10", 1,
                event_type="Violence against civilians",
                actor1="JNIM: Group for Support of Islam and Muslims" if i < 8
                else "Military Forces of Mali (2021-)", actor2="Civilians (Mali)")
            for i in range(12)]
    ingest_file(write(tmp_path / "acled.csv", rows), db_path=db)
    monkeypatch.setenv("SAHEL_DB", str(db))
    monkeypatch.setenv("COLUMNS", "200")
    (tmp_path / "claims").mkdir()
    return tmp_path


def test_new_writes_a_valid_spec_and_says_what_is_measurable(env: Path) -> None:
    claims = env / "claims"
    result = CliRunner().invoke(app, [*SHARE_FLAGS, "--claims", str(claims)])
    assert result.exit_code == 0, result.output
    path = claims / "mli-jihadist-share.yaml"
    assert f"wrote {path}" in result.output.replace("\n", "")
    assert "what the store can measure now" in result.output
    assert "ACLED VAC events" in result.output and "True" in result.output
    assert "ucdp_ged" in result.output and "no ucdp_ged data" in result.output
    spec = yaml.safe_load(path.read_text("utf-8"))
    assert spec["kind"] == "share" and spec["attributed_to"] == ["jihadist"]
    assert spec["definitions"][0] == {"label": "ACLED VAC events", "source": "acled",
                                      "categories": ["violence_against_civilians"]}
    assert spec["periods"] == [{"label": "2021", "start": "2021-01-01", "end": "2021-12-31"}]
    claim = load_claims(claims)["mli-jihadist-share"]
    (r,) = check_claims(["mli-jihadist-share"], claims_dir=claims, db_path=env / "s.duckdb")
    assert r.evidence[0].stat["share_best"] == pytest.approx(8 / 12)
    assert r.verdict == "supported" and claim.expected == 0.5


def test_new_refuses_to_overwrite(env: Path) -> None:
    claims = env / "claims"
    first = CliRunner().invoke(app, [*SHARE_FLAGS, "--claims", str(claims)])
    assert first.exit_code == 0
    body = (claims / "mli-jihadist-share.yaml").read_text("utf-8")
    again = CliRunner().invoke(app, [*SHARE_FLAGS, "--claims", str(claims)])
    assert again.exit_code == 2
    assert "already exists" in again.output and "fix:" in again.output
    assert (claims / "mli-jihadist-share.yaml").read_text("utf-8") == body


@pytest.mark.parametrize(("change", "words"), [
    (["--expected", "1.5"], ["expected, a share between 0 and 1", "--expected"]),
    (["--definition", "label=x; source=nowhere"], ["definition 3: source", "--definition"]),
    (["--definition", "label x"], ["is not key=value", "--definition"]),
    (["--period", "2021-13-01"], ["not a year or a YYYY-MM-DD day", "--period"]),
    (["--kind", "shares"], ["unknown kind 'shares'", "--kind"]),
    (["--attributed-to", "pirates"], ["unknown perpetrator group(s) pirates", "--attributed-to"]),
])
def test_new_names_the_flag_and_the_fix(env: Path, change: list[str], words: list[str]) -> None:
    flags = list(SHARE_FLAGS)
    if change[0] in ("--expected", "--kind"):
        i = flags.index(change[0])
        flags[i + 1] = change[1]
    else:
        flags += change
    result = CliRunner().invoke(app, [*flags, "--claims", str(env / "claims")])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    for w in words:
        assert w in text
    assert "Traceback" not in result.output
    assert not list((env / "claims").glob("*.yaml"))  # nothing written


def test_new_incident_and_registry_fact(env: Path) -> None:
    claims = env / "claims"
    incident = CliRunner().invoke(app, [
        "claims", "new", "an-attack", "--kind", "incident", "--text", "An attack killed 40.",
        "--document", "t", "--needs", "n/a", "--incident",
        "day=2021-03-10; place=djibo; toll=40; km=20",
        "--definition", "label=ACLED events; source=acled", "--claims", str(claims)])
    assert incident.exit_code == 0, incident.output
    spec = yaml.safe_load((claims / "an-attack.yaml").read_text("utf-8"))
    assert spec["incident"] == {"day": "2021-03-10", "place": "djibo", "km": 20.0, "toll": 40}
    assert "BFA" in incident.output  # the named place's country, for coverage
    fact = CliRunner().invoke(app, [
        "claims", "new", "a-base", "--kind", "registry_fact", "--text", "A drone base.",
        "--document", "t", "--needs", "n/a", "--tie",
        "types=drones; provider=usa; recipient=ner; active_on=2023-12-01",
        "--claims", str(claims)])
    assert fact.exit_code == 0, fact.output
    assert "checked against the registry" in fact.output
    assert load_claims(claims)["a-base"].fact is not None
    bad_place = CliRunner().invoke(app, [
        "claims", "new", "nowhere", "--kind", "presence", "--text", "t", "--document", "t",
        "--needs", "n/a", "-c", "MLI", "--period", "2021", "--place",
        "X: near_place=atlantis:10", "--definition", "label=a; source=acled",
        "--claims", str(claims)])
    assert bad_place.exit_code == 2 and "no named place 'atlantis'" in bad_place.output
