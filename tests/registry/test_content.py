"""Content: every actor, mission, organisation, agreement and event the issue names is in the
registry, with sources, and the dates we know well are right."""

from __future__ import annotations

import datetime as dt

import pytest

from sahel.registry.load import Registry
from sahel.registry.models import ActorKind

REQUIRED_ACTORS = [
    # states
    "mli", "bfa", "ner", "tcd", "mrt", "ben", "tgo", "gha", "civ", "nga", "fra", "deu", "usa",
    "rus", "tur", "sau", "mar", "chn",
    # organisations, missions, operations, forces
    "eu", "eutm-mali", "eucap-sahel-mali", "eucap-sahel-niger", "eumpm-niger", "epf", "racc",
    "serval", "barkhane", "takuba", "minusma", "g5-sahel", "g5-joint-force", "ecowas", "aes",
    "wagner", "africa-corps", "vdp", "jnim", "is-sahel", "cma", "csp-psd",
    # doc 004
    "mss-haiti", "ken", "hti", "minustah", "bra", "iapf", "oas", "cub", "ago", "accra-initiative",
    "som", "lby", "col", "un",
]

REQUIRED_TIES = [
    "eutm-mali-mli", "eucap-sahel-mali-mli", "eucap-sahel-niger-ner", "eumpm-niger-ner",
    "epf-niger-2023", "racc-bamako", "racc-nouakchott", "serval-mli", "barkhane-mli",
    "takuba-mli", "minusma-mli", "g5-joint-force-troops", "ecowas-sanctions-mli-2022",
    "ecowas-suspends-bfa-2022", "ecowas-sanctions-ner-2023", "ecowas-members-aes",
    "aes-liptako-gourma-charter", "aes-confederation", "wagner-mli", "africa-corps-bfa",
    "tur-mli-drones", "tur-bfa-drones", "tur-ner-drones", "usa-ner-drone-base", "bfa-vdp",
    "mss-haiti-kenya", "bra-minustah", "iapf-dom", "cub-ago", "accra-initiative-members",
    "tur-som-base", "tur-lby-training-bases", "col-security-export",
]

REQUIRED_EVENTS = [
    "coup-mli-2020", "coup-mli-2021", "coup-bfa-2022-01", "coup-bfa-2022-09", "coup-ner-2023",
    "aes-charter-signed", "aes-confederation-treaty", "aes-ecowas-withdrawal-announced",
    "aes-ecowas-withdrawal-effective", "unsc-2699", "minusma-terminated",
    "us-coup-designation-niger", "niger-revokes-us-agreement", "us-leaves-air-base-201",
]


def test_required_records_exist(registry: Registry) -> None:
    assert not [a for a in REQUIRED_ACTORS if a not in registry.actors]
    assert not [t for t in REQUIRED_TIES if t not in registry.ties]
    assert not [e for e in REQUIRED_EVENTS if e not in registry.events]


def test_every_tie_and_event_has_a_source(registry: Registry) -> None:
    assert all(t.sources for t in registry.ties.values())
    assert all(e.sources for e in registry.events.values())


def test_seed_derived_ties_cite_the_seed(registry: Registry) -> None:
    assert any(s.doc == "000" and "€40 million" in (s.quote or "")
               for s in registry.ties["epf-niger-2023"].sources)
    budget = registry.ties["epf-niger-2023"].attributes.budget
    assert budget is not None and (budget.amount, budget.currency) == (40_000_000, "EUR")
    assert registry.ties["mss-haiti-kenya"].actors("funder") == ["usa"]


@pytest.mark.parametrize(
    ("tie_id", "start", "end"),
    [
        ("aes-liptako-gourma-charter", dt.date(2023, 9, 16), None),
        ("racc-bamako", dt.date(2017, 1, 1), dt.date(2019, 1, 1)),
        ("serval-mli", dt.date(2013, 1, 11), dt.date(2014, 7, 31)),
        ("minusma-mli", dt.date(2013, 7, 1), dt.date(2023, 6, 30)),
        ("ecowas-sanctions-ner-2023", dt.date(2023, 7, 30), dt.date(2024, 2, 24)),
        ("cub-ago", dt.date(1975, 1, 1), dt.date(1991, 1, 1)),
    ],
)
def test_known_dates(registry: Registry, tie_id: str, start: dt.date,
                     end: dt.date | None) -> None:
    tie = registry.ties[tie_id]
    assert tie.start.first == start
    assert (tie.end.first if tie.end else None) == end


def test_uncertain_dates_say_so(registry: Registry) -> None:
    """Year- or month-precision dates and approximations carry a basis."""
    for tie in registry.ties.values():
        for value in (tie.start, tie.end):
            if value is not None and (value.approx or value.precision != "day"):
                assert value.basis, f"{tie.id}: {value} has no basis"


def test_niger_coup_is_dated_26_july_2023(registry: Registry) -> None:
    assert registry.events["coup-ner-2023"].date.first == dt.date(2023, 7, 26)


def test_aliases_include_exact_event_names(registry: Registry) -> None:
    names = {a.name for actor in registry.actors.values() for a in actor.aliases}
    for name in ["Government of Mali", "JNIM", "IS", "Civilians", "Dan na Ambassagou",
                 "JNIM: Group for Support of Islam and Muslims", "Wagner Group",
                 "VDP: Volunteer for Defense of Homeland", "Islamic State (Greater Sahara)"]:
        assert name in names, name


def test_generic_actors_exist_for_mapping(registry: Registry) -> None:
    assert registry.actors["civilians"].kind == ActorKind.CIVILIANS
    assert registry.actors["unidentified-armed-group"].kind == ActorKind.UNIDENTIFIED
