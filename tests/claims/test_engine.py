"""The claim engine on a synthetic store with known numbers: every verdict path, coverage,
spec errors, and a golden Markdown report."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from sahel.claims.engine import check_claims
from sahel.claims.report import to_json, to_markdown
from sahel.claims.spec import load_claims
from sahel.errors import NotFoundError, RegistryError
from sahel.store.ingest import ingest_file
from tests.acled_fixtures import row, write

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
JNIM = "JNIM: Group for Support of Islam and Muslims"
ISO = {"Mali": "466", "Niger": "562", "Burkina Faso": "854"}


def _events(country: str, year: int, n: int, *, vac: bool = True,
            actor1: str = JNIM, start: int = 0) -> list[dict[str, str]]:
    prefix = country[:3].upper()
    return [row(f"{prefix}{year}{start + i:03d}", f"{year}-{(i % 12) + 1:02d}-15", 1,
                event_type="Violence against civilians" if vac else "Battles",
                actor1=actor1, actor2="Civilians (X)" if vac else "Military Forces",
                country=country, iso=ISO[country], ts=1700000000)
            for i in range(n)]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("claims")
    rows = (_events("Mali", 2021, 6) + _events("Mali", 2022, 10) + _events("Mali", 2023, 14)
            + _events("Niger", 2023, 3) + _events("Burkina Faso", 2023, 7)
            + _events("Burkina Faso", 2021, 8) + _events("Burkina Faso", 2022, 5)
            + _events("Mali", 2023, 4, vac=False, actor1="Military Forces of Mali (2021-)",
                      start=500))
    db = tmp / "s.duckdb"
    ingest_file(write(tmp / "acled.csv", rows), db_path=db)
    return db


def _claim(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(body, encoding="utf-8")


GROWTH = """id: {id}
document: "003"
text: test claim
kind: growth
countries: [{country}]
periods:
  - {{label: "{y0}", start: {y0}-01-01, end: {y0}-12-31}}
  - {{label: "{y1}", start: {y1}-01-01, end: {y1}-12-31}}
expect: increase
expected: {expected}
tolerance: 0.10
definitions:
  - {{label: "ACLED VAC events", source: acled, categories: [violence_against_civilians]}}
  - {{label: "ACLED jihadist events", source: acled, perpetrator: [jihadist]}}
needs: "ACLED for the years asked"
"""


@pytest.fixture()
def claims_dir(tmp_path: Path) -> Callable[..., Path]:
    def make(**bodies: str) -> Path:
        folder = tmp_path / "claims"
        for name, body in bodies.items():
            _claim(folder, name, body)
        return folder
    return make


@pytest.mark.parametrize(("country", "y0", "y1", "expected", "verdict"), [
    ("MLI", 2022, 2023, 0.38, "supported"),         # 10 -> 14 = +40%, within 10 points
    ("MLI", 2021, 2022, 0.38, "partly supported"),  # 6 -> 10 = +67%: right way, wrong size
    ("BFA", 2021, 2022, 0.38, "contradicted"),      # 8 -> 5 = -38%
    ("MLI", 2019, 2020, 0.38, "not testable"),      # the store's ACLED starts in 2021
])
def test_growth_verdicts(store: Path, claims_dir: Callable[..., Path], country: str, y0: int,
                         y1: int, expected: float, verdict: str) -> None:
    folder = claims_dir(c=GROWTH.format(id="c", country=country, y0=y0, y1=y1,
                                        expected=expected))
    (result,) = check_claims(["c"], claims_dir=folder, db_path=store)
    assert result.verdict == verdict
    if verdict == "not testable":
        assert result.needs == "ACLED for the years asked"
    else:
        ev = result.evidence[0]
        assert ev.values[str(y0)]["best"] == {2021: {"MLI": 6, "BFA": 8}, 2022: {
            "MLI": 10, "BFA": 5}}[y0][country]


def test_perpetrator_definition_uses_the_registry(store: Path,
                                                  claims_dir: Callable[..., Path]) -> None:
    folder = claims_dir(c=GROWTH.format(id="c", country="MLI", y0=2022, y1=2023, expected=0.38))
    (result,) = check_claims(["c"], claims_dir=folder, db_path=store)
    jihadist = result.evidence[1]
    # the 4 battles by Mali's army in 2023 are not jihadist events
    assert jihadist.values["2023"]["best"] == 14
    assert "perpetrator(any)=jihadist" in jihadist.filters


COMPARE = """id: n
document: "003"
text: Niger lower
kind: compare
groups: {{NER: [NER], MLI: [MLI], BFA: [BFA]}}
periods: [{{label: "2023", start: 2023-01-01, end: 2023-12-31}}]
expect: {expect}
definitions:
  - {{label: "ACLED jihadist events", source: acled, perpetrator: [jihadist]}}
needs: "n/a"
"""


@pytest.mark.parametrize(("expect", "verdict"), [("lower", "supported"),
                                                 ("higher", "contradicted")])
def test_compare(store: Path, claims_dir: Callable[..., Path], expect: str,
                 verdict: str) -> None:
    folder = claims_dir(n=COMPARE.format(expect=expect))
    (result,) = check_claims(["n"], claims_dir=folder, db_path=store)
    assert result.verdict == verdict
    assert {g: v["best"] for g, v in result.evidence[0].values.items()} == {
        "NER": 3, "MLI": 14, "BFA": 7}


TREND = """id: t
document: "000"
text: growth
kind: trend
years: [2021, 2022, 2023]
regions: {{r: [{countries}]}}
expect: continuous_increase
tolerance: 0.0
definitions:
  - {{label: "ACLED VAC events", source: acled, categories: [violence_against_civilians]}}
needs: "n/a"
"""


@pytest.mark.parametrize(("countries", "verdict"), [("MLI", "supported"),
                                                    ("BFA", "contradicted")])
def test_trend(store: Path, claims_dir: Callable[..., Path], countries: str,
               verdict: str) -> None:
    (result,) = check_claims(["t"], claims_dir=claims_dir(t=TREND.format(countries=countries)),
                             db_path=store)
    assert result.verdict == verdict  # MLI 6, 10, 14; BFA 8, 5, 7 (7 < 8)


def test_spec_errors_name_file_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    _claim(folder, "x", "id: x\ndocument: '1'\ntext: t\nkind: growth\nexpect: increase\n"
           "definitions: []\nneeds: n\n")
    with pytest.raises(RegistryError) as err:
        load_claims(folder)
    assert err.value.file and err.value.file.endswith("x.yaml")
    assert "two periods" in err.value.message
    _claim(folder, "x", "id: [unclosed\n")
    with pytest.raises(RegistryError) as err2:
        load_claims(folder)
    assert err2.value.line == 1 or err2.value.line == 2


def test_unknown_claim_id(store: Path, claims_dir: Callable[..., Path]) -> None:
    folder = claims_dir(n=COMPARE.format(expect="lower"))
    with pytest.raises(NotFoundError) as err:
        check_claims(["nope"], claims_dir=folder, db_path=store)
    assert "n" in (err.value.hint or "")


def test_report_golden(store: Path, claims_dir: Callable[..., Path]) -> None:
    folder = claims_dir(c=GROWTH.format(id="c", country="MLI", y0=2022, y1=2023, expected=0.38),
                        n=COMPARE.format(expect="lower"))
    results = check_claims(["c", "n"], claims_dir=folder, db_path=store)
    text = to_markdown(results)
    golden = GOLDEN / "claims_report.md"
    if os.environ.get("SAHEL_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    assert '"verdict": "supported"' in to_json(results)


def test_real_claim_specs_are_valid() -> None:
    claims = load_claims()
    assert {"mali-vac-2023", "niger-lower-2023", "jihadist-growth", "aes-ct-outcomes",
            "coastal-spread"} <= set(claims)


def test_trend_with_an_untested_region_is_only_partly_supported(
        store: Path, claims_dir: Callable[..., Path]) -> None:
    body = TREND.format(countries="MLI").replace("regions: {r: [MLI]}",
                                                 "regions: {r: [MLI], coast: [TGO]}")
    (result,) = check_claims(["t"], claims_dir=claims_dir(t=body), db_path=store)
    assert result.verdict == "partly supported"
    assert "no data for coast" in result.summary
    assert result.needs == "n/a"


def test_trend_over_part_of_the_years_is_only_partly_supported(
        store: Path, claims_dir: Callable[..., Path]) -> None:
    body = TREND.format(countries="MLI").replace("years: [2021, 2022, 2023]",
                                                 "years: [2020, 2021, 2022, 2023]")
    (result,) = check_claims(["t"], claims_dir=claims_dir(t=body), db_path=store)
    assert result.verdict == "partly supported"  # ACLED here starts in 2021
