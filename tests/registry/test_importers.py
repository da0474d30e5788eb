"""Importers on the real files in ../shared/data: SIPRI aggregation against an independent
pandas computation, ATOP spells against the dyad-years, and the Powell & Thyne check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sahel.errors import InputError
from sahel.registry.importers.atop import import_atop, read_atop
from sahel.registry.importers.coups import check_coups, read_powell_thyne
from sahel.registry.importers.sipri import SIPRI_FILE, import_sipri
from sahel.registry.load import Registry
from tests.registry.conftest import REPO_REGISTRY

SAHEL_SIPRI = ["Mali", "Burkina Faso", "Niger", "Chad", "Mauritania"]
pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def sipri(registry: Registry, shared_data: Path) -> object:
    return import_sipri(registry, shared_data / SIPRI_FILE, SAHEL_SIPRI)


def test_sipri_aggregation_matches_independent_pandas(sipri: object, shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / SIPRI_FILE, encoding="ISO-8859-1", skiprows=11)
    raw = raw[raw["Recipient"].isin(SAHEL_SIPRI)]
    expected = raw.groupby(["Supplier", "Recipient", "Year of order"]).agg(
        deals=("Weapon designation", "count"),
        tiv=("SIPRI TIV of delivered weapons", "sum"),
    ).rename_axis(["supplier", "recipient", "order_year"])
    got = sipri.frame.set_index(["supplier", "recipient", "order_year"])  # type: ignore[attr-defined]
    assert len(got) == len(expected)
    assert got["n_deals"].sum() == len(raw) == 108 + 79 + 58 + 92 + 65
    joined = expected.join(got, how="outer")
    assert (joined["deals"] == joined["n_deals"]).all()
    assert (joined["tiv"] - joined["tiv_delivered"]).abs().max() < 1e-9


def test_sipri_ties_are_generated_and_sourced(sipri: object, registry: Registry) -> None:
    ties = {t.id: t for t in sipri.ties}  # type: ignore[attr-defined]
    assert len(ties) == len(sipri.frame)  # type: ignore[attr-defined]
    drones = ties["sipri-tur-mli-2022"]
    assert drones.origin == "sipri" and drones.actors() == ["tur", "mli"]
    assert "Bayraktar TB-2" in drones.attributes.systems
    assert drones.start.precision == "year" and drones.end is not None
    assert drones.end.value == "2025"
    assert "SIPRI Arms Transfers Database" in (drones.sources[0].citation or "")
    assert all(t.actors("recipient")[0] in {"mli", "bfa", "ner", "tcd", "mrt"}
               for t in ties.values())
    stubs = {a.id for a in sipri.actors}  # type: ignore[attr-defined]
    assert "ukr" in stubs and not stubs & set(registry.actors)
    combined = registry.with_ties(sipri.ties, sipri.actors)  # type: ignore[attr-defined]
    assert all(a in combined.actors for t in combined.ties.values() for a in t.actors())


def test_sipri_write_goes_to_user_folder(sipri: object, tmp_path: Path) -> None:
    path = sipri.write(tmp_path / "imports")  # type: ignore[attr-defined]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(data["ties"]) == len(sipri.ties)  # type: ignore[attr-defined]
    assert (tmp_path / "imports" / "sipri.csv").is_file()
    with pytest.raises(InputError, match="curated registry"):
        sipri.write(REPO_REGISTRY)  # type: ignore[attr-defined]


def test_atop_spells_match_dyad_years(registry: Registry, shared_data: Path) -> None:
    path = shared_data / "peacesciencer" / "peacesciencer_atop_alliance.csv.gz"
    result = import_atop(registry, path, ["MLI"])
    spells = result.frame
    raw = read_atop(path)
    mali = raw[(raw["ccode1"] == 432) | (raw["ccode2"] == 432)]
    for column in ("atop_defense", "atop_nonagg", "atop_consul"):
        part = spells[spells["obligation"] == column]
        years = (part["end_year"] - part["start_year"] + 1).sum()
        assert years == int(mali[column].sum()), column
    assert len(result.ties) == len(spells)
    france = [t for t in result.ties if t.id == "atop-fra-mli-defense-1960"]
    assert france and france[0].type.value == "defence_pact"
    censored = [t for t in result.ties if t.attributes.other.get("censored") == "yes"]
    assert censored and all(t.end is not None and t.end.value == "2018-12-31" for t in censored)
    assert all(t.origin == "atop" and t.sources for t in result.ties)


def test_powell_thyne_reports_the_niger_date(registry: Registry, shared_data: Path) -> None:
    result = check_coups(registry, shared_data / "coups" / "powell_thyne_coups_final_V2023.09.08.tsv")
    niger = result.table[result.table["registry_id"] == "coup-ner-2023"].iloc[0]
    assert niger["status"] == "date_differs"
    assert (niger["registry_date"], niger["pt_date"], niger["days"]) == (
        "2023-07-26", "2023-06-26", -30)
    agree = set(result.table.loc[result.table["status"] == "agree", "registry_id"])
    assert {"coup-mli-2020", "coup-bfa-2022-09", "coup-tcd-2021"} <= agree
    mali_2021 = result.table[result.table["registry_id"] == "coup-mli-2021"].iloc[0]
    assert (mali_2021["status"], mali_2021["days"]) == ("date_differs", -3)
    foiled = result.table[result.table["registry_id"] == "coup-attempt-bfa-2023"].iloc[0]
    assert foiled["status"] == "missing_in_powell_thyne" and "may postdate P&T version" in \
        foiled["note"]


def test_powell_thyne_country_year_file(registry: Registry, shared_data: Path) -> None:
    path = shared_data / "coups" / "powell_thyne_ccode_year_V2024.01.29.tsv"
    events = read_powell_thyne(path)
    niger = events[(events["iso3"] == "NER") & (events["date"] >= dt.date(2023, 1, 1))]
    assert niger["date"].tolist() == [dt.date(2023, 6, 26)]
    result = check_coups(registry, path)
    row = result.table[result.table["registry_id"] == "coup-ner-2023"].iloc[0]
    assert row["status"] == "date_differs" and row["days"] == -30
