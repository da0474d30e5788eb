"""Content: every actor, mission, organisation, agreement and event the issue names is in the
registry, with sources, and the dates we know well are right."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from sahel.registry.load import Registry
from sahel.registry.models import ActorKind, Source
from sahel.registry.network import network_at

REGISTRY_DIR = Path(__file__).resolve().parents[2] / "registry"

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


# --- issue 14: the registry current to November 2026 -------------------------------------------
# Every item below was added or brought up to date from stored, dated press sources.

REQUIRED_ACTORS_2025_2026 = ["fu-aes", "gsf-haiti", "hun", "icc", "sle"]

REQUIRED_TIES_2025_2026 = [
    "africa-corps-mli", "fu-aes-troops", "rus-aes-consultations", "rus-tgo-military-cooperation",
    "usa-mli-intelligence-sharing", "ita-ner-misin", "hun-tcd-cooperation", "chn-mli-norinco",
    "are-tcd-military-cooperation", "eu-mrt-security-support", "eu-sdi-gog", "fra-civ-forces",
    "fra-sen-forces", "ecowas-standby-force-benin", "ecowas-suspends-gnb-2025",
    "tur-som-deployment", "gsf-haiti-deployment",
]

REQUIRED_EVENTS_2025_2026 = [
    # AES and its unified force
    "fu-aes-announced", "fu-aes-command-post-niamey", "fu-aes-launched", "aes-summit-bamako-2025",
    "aes-joint-air-strikes-2025-03", "mli-ner-joint-operation-indelimane",
    "rus-aes-first-consultations", "aes-ministers-rabat-atlantic-initiative", "aes-icc-withdrawal",
    "aes-ecowas-first-consultations",
    # coups and attempts
    "coup-attempt-bfa-2025", "coup-attempt-mli-2025", "coup-gnb-2025", "coup-attempt-ben-2025",
    "coup-attempt-bfa-2026",
    # withdrawals, handovers, expulsions, ruptures
    "wagner-leaves-mali", "french-forces-leave-chad", "france-hands-over-port-bouet",
    "france-leaves-senegal", "france-mali-ct-cooperation-ended", "niger-leaves-mnjtf",
    "algeria-downs-malian-drone", "aes-recall-ambassadors-algeria", "mali-icj-application-algeria",
    "tiani-accuses-france-benin-civ",
    # attacks and strikes the system reacted to
    "ndjamena-palace-attack", "fambita-mosque-attack", "benin-park-w-attack",
    "boulkessi-attack-2025", "djibo-attack-2025", "jnim-fuel-blockade",
    "niamey-airport-attack-2026", "nigerian-c130-bobo-dioulasso", "us-strikes-sokoto-2025",
    # ECOWAS, partners and doc 004 cases
    "ecowas-standby-force-activation-2025", "ecowas-counter-terrorism-brigade-plan",
    "ghana-envoy-to-aes", "rus-tgo-agreement-signed", "traore-putin-moscow-2025",
    "nigeria-officers-arrested-2025", "unsc-2793", "mss-haiti-mandate-expires",
    "scotus-rejects-mexico-gun-suit",
]


def test_2025_2026_records_exist(registry: Registry) -> None:
    assert not [a for a in REQUIRED_ACTORS_2025_2026 if a not in registry.actors]
    assert not [t for t in REQUIRED_TIES_2025_2026 if t not in registry.ties]
    assert not [e for e in REQUIRED_EVENTS_2025_2026 if e not in registry.events]
    assert registry.actors["fu-aes"].parent is not None
    assert registry.actors["fu-aes"].parent.actor == "aes"


def _press(source: Any) -> bool:
    """A stored web source as issue 14 asks: URL, publication date and a short quote."""
    return bool(source.url and source.published and source.quote
                and len(source.quote.split()) <= 30)


def test_2025_2026_items_cite_dated_press_sources(registry: Registry) -> None:
    """Each new tie and event has at least one source with URL, date and a ≤ 30-word quote."""
    missing = [t for t in REQUIRED_TIES_2025_2026
               if not any(_press(s) for s in registry.ties[t].sources)]
    missing += [e for e in REQUIRED_EVENTS_2025_2026
                if not any(_press(s) for s in registry.events[e].sources)]
    assert not missing


def test_every_quote_with_a_publication_date_is_short(registry: Registry) -> None:
    sourced: list[tuple[str, list[Source]]] = [
        *((t.id, t.sources) for t in registry.ties.values()),
        *((e.id, e.sources) for e in registry.events.values()),
        *((a.id, a.sources) for a in registry.actors.values()),
    ]
    long = [rid for rid, sources in sourced for s in sources
            if s.published and s.quote and len(s.quote.split()) > 30]
    assert not long


@pytest.mark.parametrize(
    ("tie_id", "start", "end"),
    [
        ("wagner-mli", dt.date(2021, 12, 1), dt.date(2025, 6, 6)),
        ("africa-corps-mli", dt.date(2025, 6, 6), None),
        ("fu-aes-troops", dt.date(2025, 12, 20), None),
        ("mss-haiti-kenya", dt.date(2024, 6, 1), dt.date(2025, 10, 2)),
        ("gsf-haiti-deployment", dt.date(2025, 10, 2), None),
        ("mnjtf-ner", dt.date(2015, 1, 1), dt.date(2025, 3, 30)),
        ("fra-civ-forces", dt.date(1978, 1, 1), dt.date(2025, 2, 20)),
        ("fra-sen-forces", dt.date(1960, 1, 1), dt.date(2025, 7, 17)),
        ("ecowas-members-aes", dt.date(1975, 5, 28), dt.date(2025, 1, 29)),
    ],
)
def test_2025_2026_dates(registry: Registry, tie_id: str, start: dt.date,
                         end: dt.date | None) -> None:
    tie = registry.ties[tie_id]
    assert tie.start.first == start
    assert (tie.end.first if tie.end else None) == end


def test_disagreeing_sources_are_both_recorded(registry: Registry) -> None:
    """Where sources disagree the registry keeps both figures with a note, never an average."""
    note = registry.ties["fu-aes-troops"].attributes.troops_note or ""
    assert "5,000" in note and "6,000" in note
    toll = registry.events["ndjamena-palace-attack"].notes or ""
    assert "19 dead" in toll and "two soldiers" in toll
    size = registry.events["ecowas-counter-terrorism-brigade-plan"].notes or ""
    assert "260,000" in size and "5,000" in size


# The network on 1 January 2025 and on 30 November 2026 differ exactly by the ties whose start
# or end falls in between. The expectation is computed from the YAML files directly (PyYAML and
# a small date reader), not through the registry's models.

BEFORE, AFTER = dt.date(2025, 1, 1), dt.date(2026, 11, 30)


def _first_day(value: Any) -> dt.date:
    if isinstance(value, dict):
        value = value["value"]
    if isinstance(value, dt.date):
        return value
    text = str(value)
    year = int(text[:4])
    month = int(text[5:7]) if len(text) >= 7 else 1
    day = int(text[8:10]) if len(text) >= 10 else 1
    return dt.date(year, month, day)


def _yaml_ties() -> list[dict[str, Any]]:
    ties: list[dict[str, Any]] = []
    for path in sorted((REGISTRY_DIR / "ties").glob("*.yaml")):
        ties += yaml.safe_load(path.read_text(encoding="utf-8")).get("ties") or []
    return [t for t in ties if t.get("status", "actual") == "actual"]


def _yaml_active(tie: dict[str, Any], day: dt.date) -> bool:
    if day < _first_day(tie["start"]):
        return False
    return tie.get("end") is None or day <= _first_day(tie["end"])


def test_network_change_2025_2026_is_exactly_the_dated_changes(registry: Registry) -> None:
    ties = _yaml_ties()
    started = {t["id"] for t in ties if BEFORE < _first_day(t["start"]) <= AFTER
               and _yaml_active(t, AFTER)}
    ended = {t["id"] for t in ties if t.get("end") is not None
             and BEFORE <= _first_day(t["end"]) < AFTER and _yaml_active(t, BEFORE)}
    # the changes issue 14 is about are among them
    assert {"africa-corps-mli", "fu-aes-troops", "gsf-haiti-deployment",
            "rus-tgo-military-cooperation", "usa-mli-intelligence-sharing"} <= started
    assert {"wagner-mli", "mss-haiti-kenya", "mnjtf-ner", "fra-civ-forces", "fra-sen-forces",
            "ecowas-members-aes"} <= ended

    before, after = network_at(registry, BEFORE), network_at(registry, AFTER)
    edges_before = set(before.graph.edges(keys=True))
    edges_after = set(after.graph.edges(keys=True))
    added, removed = edges_after - edges_before, edges_before - edges_after
    assert {key for _, _, key in added} == started
    assert {key for _, _, key in removed} == ended
    # ties that did not change keep exactly the same edges
    unchanged = {k for _, _, k in edges_before} - ended
    assert {e for e in edges_before if e[2] in unchanged} == \
        {e for e in edges_after if e[2] in unchanged}
    # and every change is sourced: the changed date has a basis, the tie a dated press source
    for tie_id in started | ended:
        tie = registry.ties[tie_id]
        changed = tie.start if tie_id in started else tie.end
        assert changed is not None and (changed.precision == "day" or changed.basis), tie_id
        assert any(_press(s) for s in tie.sources), tie_id
