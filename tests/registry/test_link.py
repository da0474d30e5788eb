"""Linking event actors to registry actors: the matcher, the alias table, and coverage on the
real UCDP and ACLED files (read in place) and on a DuckDB `events_current` view."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sahel.registry.link import (
    SAHEL_ISO3,
    ActorMatcher,
    coverage,
    link_report,
    read_event_file,
    unmapped_names,
)
from sahel.registry.load import Registry


@pytest.fixture(scope="module")
def matcher(registry: Registry) -> ActorMatcher:
    return ActorMatcher.from_registry(registry)


@pytest.mark.parametrize(
    ("name", "actor_id", "method"),
    [
        ("Government of Mali", "mli", "exact"),
        ("JNIM", "jnim", "exact"),
        ("IS", "islamic-state", "exact"),
        ("Civilians", "civilians", "exact"),
        ("Military Forces of Mali (2021-)", "mli", "acled_form"),
        ("Police Forces of Burkina Faso (2015-) Gendarmerie", "bfa", "acled_form"),
        ("MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali "
         "(2013-2020)", "minusma", "acled_form"),
        ("JNIM: Group for Support of Islam and Muslims", "jnim", "exact"),
        ("jnim: group for support of islam  and muslims", "jnim", "normalised"),
        ("Dan Na Ambassagou", "dan-na-ambassagou", "exact"),
        ("dan na ambassagou", "dan-na-ambassagou", "normalised"),
        ("Unidentified Armed Group (Mali)", "unidentified-armed-group", "pattern"),
        ("Civilians (Mali)", "civilians", "pattern"),
        ("Fulani Ethnic Militia (Burkina Faso)", "fulani-militias", "pattern"),
        ("Kounta Ethnic Militia (Mali)", "communal-militias", "pattern"),
        ("Islamist Militia (Niger)", "islamist-militias", "pattern"),
        ("Wagner Group", "wagner", "exact"),
        ("Military Forces of Russia (2000-) Wagner Group", "wagner", "acled_form"),
        ("Guéré", "communal-militias", "exact"),
        ("Guere", "communal-militias", "normalised"),
    ],
)
def test_matcher(matcher: ActorMatcher, name: str, actor_id: str, method: str) -> None:
    found = matcher.explain(name)
    assert (found.actor_id, found.method) == (actor_id, method)


def test_composites_and_misses(matcher: ActorMatcher) -> None:
    assert matcher.match_all("GATIA, MSA") == ("gatia", "msa")
    assert matcher.match("GATIA, MSA") == "gatia"
    assert matcher.explain("AQIM, JAS, MUJAO").method == "composite"
    shared = "JNIM: Group for Support of Islam and Muslims and/or Islamic State (Greater Sahara)"
    assert matcher.match(shared) == "jnim-or-is-sahel"
    assert matcher.match("Totally Unknown Movement") is None
    assert matcher.match("GATIA, Totally Unknown") is None
    assert matcher.match("") is None


def test_mapping_frame_for_sql_joins(registry: Registry, matcher: ActorMatcher) -> None:
    frame = matcher.mapping(["Military Forces of Niger (2021-)", "Nobody"], registry)
    assert frame["actor_id"].iloc[0] == "ner" and pd.isna(frame["actor_id"].iloc[1])
    assert frame["perpetrator_group"].tolist()[0] == "state_forces"


def test_link_report_on_duckdb_view(registry: Registry) -> None:
    events = pd.DataFrame({
        "event_uid": ["a:1", "a:2", "a:3", "u:1", "u:2"],
        "source": ["acled", "acled", "acled", "ucdp_ged", "ucdp_ged"],
        "country_iso3": ["MLI", "MLI", "SEN", "BFA", "BFA"],
        "actor1_raw": ["Military Forces of Mali (2021-)", "Nobody Known", "Civilians (Senegal)",
                       "JNIM", "Government of Burkina Faso"],
        "actor2_raw": ["Wagner Group", "Civilians (Mali)", None, "Civilians", "IS"],
        "assoc_actor1_raw": [None, "Women (Mali); Unknown Thing", None, None, None],
        "assoc_actor2_raw": [None, None, None, None, None],
        "fatalities_best": [10, 30, 5, 7, 3],
    })
    con = duckdb.connect()
    con.register("events_frame", events)
    con.execute("CREATE VIEW events_current AS SELECT * FROM events_frame")
    table = link_report(con, registry).set_index("source")
    assert table.loc["acled", "events"] == 2  # Senegal is outside the Sahel scope
    assert table.loc["acled", "share_events"] == 0.5
    assert table.loc["acled", "share_fatalities"] == pytest.approx(10 / 40)
    assert table.loc["ucdp_ged", "share_fatalities"] == 1.0
    everywhere = link_report(con, registry, countries=None).set_index("source")
    assert everywhere.loc["acled", "events"] == 3


def _files(shared: Path) -> dict[str, list[Path]]:
    acled = shared / "acled"
    return {
        "ucdp_mli_bfa": [shared / "ucdp_ged" / "explorer_export_2025" / "Mali.csv",
                         shared / "ucdp_ged" / "explorer_export_2025" / "Burkina.csv"],
        "acledR": [acled / "acledR_acled_old_deletion_dummy.csv"],
        "acled_hdx": sorted(acled.glob("acled_hdx_conflict_data_*_2020-08-26.csv")),
    }


@pytest.mark.shared_data
def test_coverage_on_real_files(shared_data: Path, matcher: ActorMatcher) -> None:
    """≥ 95% of fatalities (best) have all their actors mapped, per source, in the Sahel."""
    shares = {}
    for label, paths in _files(shared_data).items():
        frame = pd.concat([read_event_file(p) for p in paths], ignore_index=True)
        frame = frame[frame["country_iso3"].isin(SAHEL_ISO3)]
        result = coverage(frame.assign(source=label), matcher).iloc[0]
        shares[label] = (result["share_fatalities"], result["share_events"], result["events"])
        assert result["share_fatalities"] >= 0.95, (label, result.to_dict())
        assert result["share_events"] >= 0.95, (label, result.to_dict())
    # the UCDP explorer files: Mali 2,120 and Burkina 1,504 events, every side mapped
    assert shares["ucdp_mli_bfa"] == (1.0, 1.0, 3624)
    assert shares["acled_hdx"][2] == 2730 + 3990 + 1349


@pytest.mark.shared_data
def test_unmapped_names_is_an_aggregate(shared_data: Path, matcher: ActorMatcher) -> None:
    frame = read_event_file(shared_data / "acled" / "acledR_acled_old_deletion_dummy.csv")
    top = unmapped_names(frame, matcher, top=5)
    assert list(top.columns) == ["source", "raw_name", "events", "fatalities"]
    assert len(top) == 5 and top["fatalities"].is_monotonic_decreasing


@pytest.mark.shared_data
def test_every_ucdp_mali_actor_has_a_group(shared_data: Path, tmp_path: Path) -> None:
    """Through the measurement layer (the one perpetrator map): every acting side of the real
    Mali export resolves to a registry group, and the groups add up to every event."""
    from sahel.panels.session import Measurer
    from sahel.store.filters import Filters
    from sahel.store.ingest import ingest_file

    path = shared_data / "ucdp_ged" / "explorer_export_2025" / "Mali.csv"
    db = tmp_path / "s.duckdb"
    res = ingest_file(path, db_path=db, source_version="24.1")
    with Measurer(db) as measurer:
        split = measurer.split(Filters(countries=["MLI"]), "events", "perpetrator")
    assert "unmapped" not in set(split["key"])
    assert int(split["events"].sum()) == res.events_new
    assert {"state_forces", "jihadist"} <= set(split["key"])
