"""Alignment over time dates the Mali, Burkina Faso and Niger realignments in the right months,
and classification/horizontality follow the basis documented in docs/registry.md."""

from __future__ import annotations

import pandas as pd
import pytest

from sahel.registry.alignment import (
    alignment_report,
    contributions,
    find_shifts,
    partner_portfolio,
    realignment_month,
)
from sahel.registry.classify import classify_tie, horizontality
from sahel.registry.load import Registry
from sahel.registry.models import Bloc


@pytest.fixture(scope="module")
def report(registry: Registry) -> object:
    return alignment_report(registry, ["MLI", "BFA", "NER"], "2012-01", "2025-12")


def _shift(report: object, state: str, month: str) -> dict[str, object]:
    shifts: pd.DataFrame = report.shifts[state]  # type: ignore[attr-defined]
    rows = shifts[shifts["month"] == month]
    assert len(rows) == 1, f"no shift of {state} in {month}: {shifts['month'].tolist()}"
    return dict(rows.iloc[0])


def test_mali_realigns_between_wagner_and_the_french_exit(report: object) -> None:
    month = report.realignment["mli"]  # type: ignore[attr-defined]
    assert month is not None and "2021-12" <= month <= "2022-08"
    assert month == "2022-07"
    wagner = _shift(report, "mli", "2021-12")
    assert "wagner-mli" in str(wagner["gained"])
    barkhane = _shift(report, "mli", "2022-08")
    assert "barkhane-mli" in str(barkhane["lost"])


def test_burkina_realigns_in_2022_23(report: object) -> None:
    month = report.realignment["bfa"]  # type: ignore[attr-defined]
    assert month is not None and "2022-01" <= month <= "2023-12"
    sabre = _shift(report, "bfa", "2023-01")
    assert "fra-bfa-sabre" in str(sabre["lost"])


def test_niger_realigns_after_the_july_2023_coup(report: object) -> None:
    month = report.realignment["ner"]  # type: ignore[attr-defined]
    assert month is not None and "2023-07" <= month <= "2024-04"
    aes = _shift(report, "ner", "2023-09")
    assert "aes-liptako-gourma-charter" in str(aes["gained"])
    frame = report.portfolios["ner"]  # type: ignore[attr-defined]
    before = frame.loc[frame["month"] == "2023-06", "western"].item()
    after = frame.loc[frame["month"] == "2023-08", "western"].item()
    assert after < before  # the coup month and the next cut Western ties


def test_leader_before_and_after(report: object) -> None:
    for state in ("mli", "bfa", "ner"):
        frame = report.portfolios[state]  # type: ignore[attr-defined]
        assert frame.loc[frame["month"] == "2019-01", "leader"].item() == "western"
        assert frame.loc[frame["month"] == "2025-06", "leader"].item() == "russia_turkey_gulf"


def test_contributions_by_role(registry: Registry) -> None:
    sanctions = contributions(registry, registry.ties["ecowas-sanctions-mli-2022"], "mli")
    assert sanctions == [(Bloc.REGIONAL, -2.0, "ecowas")]
    pact = contributions(registry, registry.ties["aes-liptako-gourma-charter"], "ner")
    assert pact == [(Bloc.AES, 3.0, "aes")]
    assert contributions(registry, registry.ties["wagner-mli"], "mli") == [
        (Bloc.RUSSIA_TURKEY_GULF, 3.0, "wagner")]
    assert contributions(registry, registry.ties["wagner-mli"], "bfa") == []


def test_shift_detection_on_a_hand_made_portfolio() -> None:
    frame = pd.DataFrame({
        "month": ["2020-01", "2020-02", "2020-03", "2020-04"],
        **{b.value: [0.0] * 4 for b in Bloc},
        "alignment_index": [1.0, 1.0, 0.5, -0.5],
        "leader": ["western", "western", "western", "russia_turkey_gulf"],
        "ties": ["a", "a", "a;b", "b;c"],
    })
    frame.loc[3, "russia_turkey_gulf"] = 3.0
    shifts = find_shifts(frame)
    assert shifts["month"].tolist() == ["2020-03", "2020-04"]
    assert shifts.iloc[1]["kind"] == "leader_change" and shifts.iloc[1]["lost"] == "a"
    assert realignment_month(frame, min_months=3) == "2020-04"
    assert realignment_month(frame, min_months=4) is None


def test_portfolio_columns(registry: Registry) -> None:
    frame = partner_portfolio(registry, "MLI", "2022-01", "2022-03")
    assert frame["month"].tolist() == ["2022-01", "2022-02", "2022-03"]
    assert {b.value for b in Bloc} <= set(frame.columns)


@pytest.mark.parametrize(
    ("tie_id", "kind"),
    [
        ("mss-haiti-kenya", "triangular"),
        ("op-brotherhood-vietnam", "triangular"),
        ("cri-triangulated-training", "triangular"),
        ("cub-ago", "south_south"),
        ("aes-liptako-gourma-charter", "south_south"),
        ("wagner-mli", "north_south"),
        ("barkhane-mli", "north_south"),
        ("tur-mli-drones", "ambiguous"),
    ],
)
def test_classification(registry: Registry, tie_id: str, kind: str) -> None:
    assert classify_tie(registry, registry.ties[tie_id]).kind == kind


def test_horizontality_ranks_mutual_southern_pacts_above_northern_deployments(
    registry: Registry,
) -> None:
    caps = {432: {2020: 0.0009}, 439: {2020: 0.0008}, 436: {2020: 0.0007}, 365: {2020: 0.037},
            40: {1975: 0.004}, 540: {1975: 0.002}}
    aes = horizontality(registry, registry.ties["aes-liptako-gourma-charter"], caps)
    cuba = horizontality(registry, registry.ties["cub-ago"], caps)
    wagner = horizontality(registry, registry.ties["wagner-mli"], caps)
    mss = horizontality(registry, registry.ties["mss-haiti-kenya"], caps)
    assert aes.score is not None and cuba.score is not None and wagner.score is not None
    assert aes.score > cuba.score > wagner.score
    assert aes.components["parity"] > 0.9 and wagner.components["parity"] < 0.25
    assert mss.components["autonomy"] == 0.0
