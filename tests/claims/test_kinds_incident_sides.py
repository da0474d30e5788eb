"""incident and side_losses claims (and the side-deaths measure of the measurement layer) on
the real shared files, against pandas."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sahel.claims.engine import check_claims
from sahel.claims.kinds.incident import km_between
from sahel.claims.result import ClaimResult
from sahel.panels.session import Measurer
from sahel.store.filters import Filters
from tests.claims.conftest import JIHADIST, STATE

pytestmark = [pytest.mark.shared_data]
GED = Callable[[str], pd.DataFrame]
DJIBO = (14.099, -1.627)


def _around(df: pd.DataFrame, lat: float, lon: float, km: float, day: date,
            days: int) -> pd.DataFrame:
    far = np.array([km_between(lat, lon, a, b) for a, b in zip(df["latitude"], df["longitude"],
                                                              strict=True)])
    keep = (far <= km) & df["where_prec"].isin((1, 2, 3, 4)) & (
        df["day"] >= day - timedelta(days=days)) & (df["day"] <= day + timedelta(days=days))
    return df[keep].assign(km=far[keep])


def test_real_incident_spec_finds_the_misdated_djibo_attack(real_store: Path, ged: GED) -> None:
    bfa = ged("Burkina")
    around = _around(bfa, *DJIBO, 15, date(2023, 12, 17), 60)
    assert _around(bfa, *DJIBO, 15, date(2023, 12, 17), 3).empty  # nothing on the day said
    # pandas: the nearest day whose events (summed, or one of them) carry a toll of 40 ± 10%
    def agrees(lo: float, hi: float) -> bool:
        return lo * 0.9 <= 40 <= hi * 1.1

    agree = []
    for day, grp in sorted(around.groupby("day"),
                           key=lambda g: abs((g[0] - date(2023, 12, 17)).days)):
        if agrees(grp["low_est"].sum(), grp["high_est"].sum()) or any(
                agrees(lo, hi) for lo, hi in zip(grp["low_est"], grp["high_est"], strict=True)):
            agree.append((day, sorted(f"ucdp_ged:{i}" for i in grp["id"])))
    (r,) = check_claims(["djibo-attack-2023"], db_path=real_store)
    gedrow, candidate, acled = r.evidence
    assert gedrow.verdict == "partly supported"
    assert gedrow.stat["matched"] == []
    assert sorted(gedrow.stat["nearest"]) == agree[0][1]
    assert gedrow.stat["days_off"] == (agree[0][0] - date(2023, 12, 17)).days
    assert "may be misdated" in gedrow.note
    assert candidate.verdict == "not testable"  # candidate 23.0.10 covers October 2023 only
    assert acled.verdict == "not testable"
    assert r.verdict == "partly supported"


INCIDENT = """id: i
document: "t"
text: an attack
kind: incident
countries: [BFA]
incident: {{day: {day}, {where}, km: {km}, window_days: {window}, search_days: {search}{toll}}}
expect: match
definitions:
  - {{label: UCDP GED, source: ucdp_ged}}
needs: n/a
"""


def _incident(spec_dir: Callable[..., Path], store: Path, **kw: object) -> ClaimResult:
    kw.setdefault("where", "place: djibo")
    kw.setdefault("km", 15)
    kw.setdefault("window", 1)
    kw.setdefault("search", 30)
    kw.setdefault("toll", "")
    (r,) = check_claims(["i"], claims_dir=spec_dir(i=INCIDENT.format(**kw)), db_path=store)
    return r


def test_incident_on_the_right_day_matches_events_and_toll(
        real_store: Path, ged: GED, spec_dir: Callable[..., Path]) -> None:
    day = date(2023, 11, 26)
    hits = _around(ged("Burkina"), *DJIBO, 15, day, 1)
    r = _incident(spec_dir, real_store, day=day, toll=", toll: 40")
    ev = r.evidence[0]
    assert sorted(ev.stat["matched"]) == sorted(f"ucdp_ged:{i}" for i in hits["id"])
    assert ev.verdict == "supported"
    wrong = _incident(spec_dir, real_store, day=day, toll=", toll: 1000")
    assert wrong.evidence[0].verdict == "partly supported"
    assert "outside" in wrong.evidence[0].note


def test_incident_where_nothing_happened_is_contradicted(
        real_store: Path, ged: GED, spec_dir: Callable[..., Path]) -> None:
    day = date(2018, 3, 1)
    assert _around(ged("Burkina"), 12.0, 0.5, 5, day, 10).empty
    r = _incident(spec_dir, real_store, day=day, where="lat: 12.0, lon: 0.5", km=5, search=10,
                  toll=", toll: 20")
    assert r.verdict == "contradicted"
    assert "records no event" in r.evidence[0].note


# -- side losses --------------------------------------------------------------------------------

def _half_up(x: float) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _side_a_losses(df: pd.DataFrame) -> dict[str, float]:
    """deaths_a of the events, low/high scaled by the event's low/best and high/best (best 0:
    no scaling), rounded per event as the store does (half away from zero)."""
    out = {"best": float(df["deaths_a"].sum())}
    for b in ("low", "high"):
        ratio = (df[f"{b}_est"] / df["best_est"].replace(0, np.nan)).fillna(1.0)
        out[b] = sum(_half_up(a * q) for a, q in zip(df["deaths_a"], ratio, strict=True))
    return out


SIDES = """id: l
document: "t"
text: State forces lost more soldiers in 2022 than in 2021.
kind: side_losses
countries: [MLI]
side: [state_forces]
against: [jihadist]
periods:
  - {label: "2021", start: 2021-01-01, end: 2021-12-31}
  - {label: "2022", start: 2022-01-01, end: 2022-12-31}
expect: increase
definitions:
  - {label: UCDP GED, source: ucdp_ged}
  - {label: ACLED, source: acled}
needs: n/a
"""


def test_side_losses_over_two_years_match_pandas(real_store: Path, ged: GED,
                                                 spec_dir: Callable[..., Path]) -> None:
    mli = ged("Mali")
    fights = mli[(mli["type_of_violence"] == 1) & mli["side_a"].isin(STATE)
                 & mli["side_b"].isin(JIHADIST)]
    want = {y: _side_a_losses(fights[fights["year"] == y]) for y in (2021, 2022)}
    (r,) = check_claims(["l"], claims_dir=spec_dir(l=SIDES), db_path=real_store)
    ucdp, acled = r.evidence
    for y in (2021, 2022):
        got = ucdp.values[str(y)]
        assert {b: got[b] for b in ("low", "best", "high")} == pytest.approx(want[y])
    assert ucdp.stat["change_best"] == pytest.approx(want[2022]["best"] / want[2021]["best"] - 1)
    assert ucdp.verdict == ("supported" if want[2022]["best"] > want[2021]["best"]
                            else "contradicted")
    assert acled.verdict == "not testable"
    assert "deaths of state_forces against jihadist" in ucdp.filters


def test_side_losses_against_the_other_side_match_pandas(
        real_store: Path, ged: GED, spec_dir: Callable[..., Path]) -> None:
    mli = ged("Mali")
    fights = mli[(mli["type_of_violence"] == 1) & mli["side_a"].isin(STATE)
                 & mli["side_b"].isin(JIHADIST) & (mli["year"] == 2022)]
    body = SIDES.replace("""  - {label: "2021", start: 2021-01-01, end: 2021-12-31}
""", "").replace("expect: increase", "expect: lower")
    (r,) = check_claims(["l"], claims_dir=spec_dir(l=body), db_path=real_store)
    ev = r.evidence[0]
    assert ev.values["state_forces losses"]["best"] == fights["deaths_a"].sum()
    assert ev.values["jihadist losses"]["best"] == fights["deaths_b"].sum()
    lower = fights["deaths_a"].sum() < fights["deaths_b"].sum()
    assert ev.verdict == ("supported" if lower else "contradicted")


def test_measurer_side_deaths_matches_pandas(real_store: Path, ged: GED) -> None:
    bfa = ged("Burkina")
    y23 = bfa[bfa["year"] == 2023]
    state_a = y23[y23["side_a"].isin(STATE)]
    state_b = y23[y23["side_b"].isin(STATE)]
    f = Filters(countries=["BFA"], start=date(2023, 1, 1), end=date(2023, 12, 31),
                sources=["ucdp_ged"])
    with Measurer(real_store) as m:
        got = m.side_deaths(f, ["state_forces"])
        jihadist = m.side_deaths(f, ["jihadist"])
        acled = m.side_deaths(Filters(countries=["BFA"], start=date(2019, 1, 1),
                                      end=date(2019, 12, 31), sources=["acled"]),
                              ["state_forces"])
    assert got.best == state_a["deaths_a"].sum() + state_b["deaths_b"].sum()
    assert got.events == len(state_a) + len(state_b) - len(state_a.index.intersection(
        state_b.index))
    assert got.known == got.events
    jih_a = y23[y23["side_a"].isin(JIHADIST)]
    jih_b = y23[y23["side_b"].isin(JIHADIST)]
    assert jihadist.best == jih_a["deaths_a"].sum() + jih_b["deaths_b"].sum()
    assert acled.events > 0 and acled.known == 0 and acled.best is None  # ACLED: no sides
