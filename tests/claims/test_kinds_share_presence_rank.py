"""share, presence and rank claims on the real shared files, against figures recomputed with
pandas from the UCDP explorer exports (actor groups written by hand in conftest)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sahel.claims.engine import check_claims
from sahel.claims.kinds.incident import km_between
from sahel.claims.report import to_json, to_markdown
from sahel.claims.result import ClaimResult
from tests.claims.conftest import JIHADIST, STATE

pytestmark = [pytest.mark.shared_data]
GED = Callable[[str], pd.DataFrame]
POINT = (1, 2, 3, 4)  # UCDP where_prec placed at a point (exact .. admin1)
ADMIN1 = (1, 2, 3, 4, 5)  # where_prec whose adm_1 is trusted


def _bounds(df: pd.DataFrame) -> dict[str, float]:
    return {"low": float(df["low_est"].sum()), "best": float(df["best_est"].sum()),
            "high": float(df["high_est"].sum())}


SHARE = """id: s
document: "t"
text: Most civilian deaths in Burkina Faso in 2023 were caused by jihadist groups.
kind: share
countries: [BFA]
periods: [{label: "2023", start: 2023-01-01, end: 2023-12-31}]
attributed_to: [jihadist]
expect: more_than
expected: 0.5
tolerance: 0.05
definitions:
  - {label: one-sided deaths, source: ucdp_ged, categories: [one_sided], measure: fatalities}
  - {label: one-sided events, source: ucdp_ged, categories: [one_sided], measure: events}
  - {label: ACLED VAC events, source: acled, categories: [violence_against_civilians]}
needs: ACLED 2023
"""


def test_share_of_civilian_deaths_by_jihadists_in_burkina_2023(
        real_store: Path, ged: GED, spec_dir: Callable[..., Path]) -> None:
    df = ged("Burkina")
    df = df[(df["year"] == 2023) & (df["type_of_violence"] == 3)]
    jihadist = df[df["side_a"].isin(JIHADIST)]
    want = {b: _bounds(jihadist)[b] / _bounds(df)[b] for b in ("low", "best", "high")}
    (r,) = check_claims(["s"], claims_dir=spec_dir(s=SHARE), db_path=real_store)
    deaths, events, acled = r.evidence
    for b in ("low", "best", "high"):
        assert deaths.stat[f"share_{b}"] == pytest.approx(want[b])
    assert events.stat["share_best"] == pytest.approx(len(jihadist) / len(df))
    assert deaths.values["jihadist"]["best"] == jihadist["best_est"].sum()
    assert deaths.values["all"]["best"] == df["best_est"].sum()
    expected = "supported" if min(want.values()) > 0.5 else "partly supported"
    assert deaths.verdict == expected
    assert acled.verdict == "not testable" and "acled covers" in acled.note
    assert r.verdict == expected and r.needs == "ACLED 2023"
    md = to_markdown([r])
    assert f"share_best {want['best']:.0%}" in md


def test_share_about_and_less_than(real_store: Path, ged: GED,
                                   spec_dir: Callable[..., Path]) -> None:
    df = ged("Burkina")
    df = df[(df["year"] == 2023) & (df["type_of_violence"] == 3)]
    best = df[df["side_a"].isin(STATE)]["best_est"].sum() / df["best_est"].sum()
    about = SHARE.replace("id: s", "id: a") \
        .replace("attributed_to: [jihadist]", "attributed_to: [state_forces]") \
        .replace("expect: more_than", "expect: about") \
        .replace("expected: 0.5", f"expected: {round(best, 2)}")
    less = SHARE.replace("id: s", "id: l").replace("expect: more_than", "expect: less_than") \
        .replace("expected: 0.5", "expected: 0.2")
    results = check_claims(["a", "l"], claims_dir=spec_dir(a=about, l=less),
                           db_path=real_store)
    assert results[0].evidence[0].verdict == "supported"  # within 5 points of the share
    assert results[1].evidence[0].verdict == "contradicted"  # jihadists: far above 20%


def test_real_share_spec_matches_pandas(real_store: Path, ged: GED) -> None:
    df = ged("Mali")
    df = df[(df["year"] == 2023) & (df["type_of_violence"] == 3)]
    state = df[df["side_a"].isin(STATE)]
    (r,) = check_claims(["mali-vac-perpetrators-2023"], db_path=real_store)
    events, deaths, _ = r.evidence
    assert events.stat["share_best"] == pytest.approx(len(state) / len(df))
    assert deaths.stat["share_best"] == pytest.approx(state["best_est"].sum()
                                                      / df["best_est"].sum())
    assert r.verdict == "supported"


# -- presence --------------------------------------------------------------------------------

def _near(df: pd.DataFrame, lat: float, lon: float, km: float) -> pd.DataFrame:
    far = np.array([km_between(lat, lon, a, b) for a, b in zip(df["latitude"], df["longitude"],
                                                              strict=True)])
    return df[(far <= km) & df["where_prec"].isin(POINT)]


def test_real_presence_spec_near_kidal_matches_pandas(real_store: Path, ged: GED) -> None:
    df = ged("Mali")
    df = df[(df["day"] >= date(2023, 10, 1)) & (df["day"] <= date(2023, 11, 30))
            & df["side_a"].isin(STATE)]
    near = _near(df, 18.441, 1.408, 50)
    region = df[(df["adm_1"] == "Kidal region") & df["where_prec"].isin(ADMIN1)]
    (r,) = check_claims(["kidal-advance-2023"], db_path=real_store)
    by_radius, by_region, acled = r.evidence
    assert by_radius.values["Oct–Nov 2023"]["best"] == len(near) > 0
    assert by_region.values["Oct–Nov 2023"]["best"] == len(region) > 0
    months = sorted({d.strftime("%Y-%m") for d in near["day"]})
    assert (by_radius.stat["first_month"], by_radius.stat["last_month"]) == (months[0],
                                                                               months[-1])
    assert acled.verdict == "not testable"
    assert r.verdict == "supported"
    assert "within 50 km of kidal" in by_radius.filters


PRESENCE = """id: p
document: "t"
text: Violence reached the Alibori and Atacora departments of Benin in 2022.
kind: presence
countries: [BEN]
periods: [{label: "2022", start: 2022-01-01, end: 2022-12-31}]
places:
  Alibori: {admin1: [Alibori]}
  Atacora: {admin1: [Atakora]}
{extra}
expect: present
definitions:
  - {label: UCDP events, source: ucdp_ged}
needs: n/a
"""


def test_presence_by_admin1_any_spelling_matches_pandas(real_store: Path, ged: GED,
                                                        spec_dir: Callable[..., Path]) -> None:
    df = ged("Benin")
    df = df[(df["year"] == 2022) & df["where_prec"].isin(ADMIN1)]
    counts = df.groupby("adm_1").size().to_dict()
    (r,) = check_claims(["p"], claims_dir=spec_dir(p=PRESENCE.replace("{extra}", "")),
                        db_path=real_store)
    got = {e.definition.split(":")[0]: e.values["2022"]["best"] for e in r.evidence}
    assert got == {"Alibori": counts["Alibori department"],
                   "Atacora": counts["Atacora department"]}  # "Atakora" is the same unit
    assert r.verdict == "supported"
    assert "parts: Alibori supported, Atacora supported" in r.summary


def test_presence_with_an_unknown_unit_is_not_measured_not_absent(
        real_store: Path, spec_dir: Callable[..., Path]) -> None:
    body = PRESENCE.replace("{extra}", "  Borgu: {admin1: [Borgu]}")
    (r,) = check_claims(["p"], claims_dir=spec_dir(p=body), db_path=real_store)
    borgu = r.evidence[-1]
    assert borgu.verdict == "not testable"
    assert "no stored event names the admin1 'Borgu'" in borgu.note
    assert r.verdict == "partly supported"  # an untested part caps the claim


def test_presence_nothing_there_inside_coverage_contradicts(
        real_store: Path, ged: GED, spec_dir: Callable[..., Path]) -> None:
    df = ged("Benin")
    box = df[(df["year"] == 2022) & df["longitude"].between(2.0, 2.8)
             & df["latitude"].between(6.3, 7.0) & df["where_prec"].isin(POINT)]
    assert box.empty  # the coast around Cotonou: no UCDP event in 2022
    body = PRESENCE.replace("""  Alibori: {admin1: [Alibori]}
  Atacora: {admin1: [Atakora]}
{extra}""", "  coast: {bbox: [2.0, 6.3, 2.8, 7.0]}")
    (r,) = check_claims(["p"], claims_dir=spec_dir(p=body), db_path=real_store)
    assert r.verdict == "contradicted"
    assert r.evidence[0].stat == {"events": 0}
    absent = body.replace("expect: present", "expect: absent")
    (r2,) = check_claims(["p"], claims_dir=spec_dir(p=absent), db_path=real_store)
    assert r2.verdict == "supported"


# -- rank -------------------------------------------------------------------------------------

RANK = """id: r
document: "t"
text: ranking
kind: rank
countries: [{countries}]
periods: [{{label: "P", start: {start}, end: {end}}}]
rank: {rank}
expect: {expect}
definitions:
  - {{label: UCDP deaths, source: ucdp_ged, measure: fatalities{extra}}}
needs: n/a
"""


def _rank(spec_dir: Callable[..., Path], store: Path, **kw: str) -> ClaimResult:
    kw.setdefault("start", "2023-01-01")
    kw.setdefault("end", "2023-12-31")
    kw.setdefault("expect", "highest")
    kw.setdefault("extra", "")
    (r,) = check_claims(["r"], claims_dir=spec_dir(r=RANK.format(**kw)), db_path=store)
    return r


def test_rank_countries_matches_pandas(real_store: Path, ged: GED,
                                       spec_dir: Callable[..., Path]) -> None:
    files = {"MLI": "Mali", "BFA": "Burkina", "BEN": "Benin", "TGO": "Togo"}
    totals = {c: ged(f)[ged(f)["year"] == 2023]["best_est"].sum() for c, f in files.items()}
    top = max(totals, key=lambda c: totals[c])
    r = _rank(spec_dir, real_store, countries="MLI, BFA, BEN, TGO",
              rank=f"{{by: country_iso3, subject: {top}}}")
    ev = r.evidence[0]
    assert {k: v["best"] for k, v in ev.values.items()} == pytest.approx(totals)
    assert ev.stat["position_best"] == 1 and r.verdict == "supported"
    low = min(totals, key=lambda c: totals[c])
    r2 = _rank(spec_dir, real_store, countries="MLI, BFA, BEN, TGO", expect="lowest",
               rank=f"{{by: country_iso3, subject: {low}}}")
    assert r2.verdict == "supported"
    second = sorted(totals, key=lambda c: -totals[c])[1]
    r3 = _rank(spec_dir, real_store, countries="MLI, BFA, BEN, TGO",
               rank=f"{{by: country_iso3, subject: {second}}}")
    assert r3.verdict == "contradicted"


def test_rank_with_an_uncovered_country_is_only_partly_supported(
        real_store: Path, spec_dir: Callable[..., Path]) -> None:
    r = _rank(spec_dir, real_store, countries="MLI, BFA, CIV",
              rank="{by: country_iso3, subject: BFA}")  # UCDP CIV file ends in 2020
    assert r.verdict == "partly supported"
    assert "ranked among covered units only" in r.evidence[0].note


def test_rank_admin1_year_and_perpetrator_match_pandas(real_store: Path, ged: GED,
                                                       spec_dir: Callable[..., Path]) -> None:
    bfa = ged("Burkina")
    y23 = bfa[(bfa["year"] == 2023) & bfa["where_prec"].isin(ADMIN1)]
    regions = y23.groupby("adm_1")["best_est"].sum().sort_values(ascending=False)
    r = _rank(spec_dir, real_store, countries="BFA",
              rank=f"{{by: admin1, subject: '{regions.index[1]}', position: 2}}")
    ev = r.evidence[0]
    assert ev.stat["position_best"] == 2 and r.verdict == "supported"
    assert {k: v["best"] for k, v in ev.values.items()} == pytest.approx(regions.to_dict())

    mli = ged("Mali")
    years = mli[mli["year"].between(2019, 2023)].groupby("year")["best_est"].sum()
    r = _rank(spec_dir, real_store, countries="MLI", start="2019-01-01",
              rank=f"{{by: year, subject: '{years.idxmax()}'}}")
    assert r.verdict == "supported"
    got = {k: v["best"] for k, v in r.evidence[0].values.items()}
    assert got == pytest.approx({str(k): v for k, v in years.items()})

    one_sided = bfa[(bfa["year"] == 2023) & (bfa["type_of_violence"] == 3)]
    by_group = {"jihadist": one_sided[one_sided["side_a"].isin(JIHADIST)]["best_est"].sum(),
                "state_forces": one_sided[one_sided["side_a"].isin(STATE)]["best_est"].sum()}
    r = _rank(spec_dir, real_store, countries="BFA", extra=", categories: [one_sided]",
              rank="{by: perpetrator, subject: jihadist}")
    ev = r.evidence[0]
    assert {k: v["best"] for k, v in ev.values.items()} == pytest.approx(by_group)
    top = max(by_group, key=lambda g: by_group[g])
    assert r.verdict == ("supported" if top == "jihadist" else "contradicted")
    assert '"position_best": 1' in to_json([r]) or top != "jihadist"
