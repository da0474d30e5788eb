"""Public entry points of the registry: one function per CLI command (and, later, per route).

Why a separate module: the CLI must stay thin (parse, call one function, render), and the same
calls will back the API and the dashboard. Each function loads what it needs — the validated
registry, generated ties when asked — and returns data, never text for a terminal (except the
network serialisations, whose text *is* the product).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from sahel.errors import ConfigError, InputError, NotFoundError, StoreError
from sahel.registry.alignment import AlignmentReport, alignment_report
from sahel.registry.checked import load_registry
from sahel.registry.classify import classify_tie, horizontality, load_capabilities
from sahel.registry.freshness import DEFAULT_THRESHOLD_MONTHS, FreshnessReport, freshness_report
from sahel.registry.freshness import current_to as _current_to
from sahel.registry.importers.atop import import_atop
from sahel.registry.importers.common import ImportResult
from sahel.registry.importers.coups import CoupCheck, check_coups
from sahel.registry.importers.sipri import import_sipri
from sahel.registry.link import SAHEL_ISO3, ActorMatcher, link_report, link_report_from_files
from sahel.registry.load import Registry
from sahel.registry.models import Actor, FuzzyDate, SystemEvent
from sahel.registry.network import (
    Format,
    NetworkDiff,
    TimelineEntry,
    descendants,
    diff,
    network_at,
    render_network,
    source_labels,
    timeline,
)
from sahel.registry.validate import CheckReport, check_registry
from sahel.settings import get_settings
from sahel.store.db import quiet

Include = Literal["sipri", "atop"]

__all__ = [
    "CheckReport",
    "actor_table",
    "actor_timeline",
    "alignment",
    "atop_import",
    "check_registry",
    "coups_check",
    "current_to",
    "freshness",
    "link_coverage",
    "network_changes",
    "network_export",
    "open_registry",
    "parse_day",
    "resolve_actor",
    "sipri_import",
    "system_event_table",
    "tie_table",
]


def parse_day(text: str) -> dt.date:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` → the first day of that period."""
    try:
        return FuzzyDate.model_validate(text).first
    except ValueError as exc:
        raise InputError(f"not a date: {text!r}", field="date",
                         hint="write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2023-07-26)") from exc


def open_registry(root: str | Path | None = None, include: Sequence[Include] = ()) -> Registry:
    """The validated curated registry, plus generated SIPRI/ATOP ties when ``include`` asks."""
    registry = load_registry(root)
    for name in include:
        result = import_sipri(registry) if name == "sipri" else import_atop(registry)
        registry = registry.with_ties(result.ties, result.actors)
    return registry


def resolve_actor(registry: Registry, text: str) -> Actor:
    """An actor by id, or by any of its names and aliases (UCDP/ACLED strings included)."""
    if text in registry.actors:
        return registry.actors[text]
    if text.lower() in registry.actors:
        return registry.actors[text.lower()]
    found = ActorMatcher.from_registry(registry).match(text)
    if found is None:
        raise NotFoundError(f"no registry actor named {text!r}",
                            hint="use an actor id (e.g. mli, wagner) or one of its aliases")
    return registry.actors[found]


def _ego(registry: Registry, actor: str | None) -> Registry:
    if actor is None:
        return registry
    ids = descendants(registry, resolve_actor(registry, actor).id)
    kept = {k: t for k, t in registry.ties.items() if ids & set(t.actors())}
    out = registry.with_ties([])
    out.ties = kept
    return out


def network_export(
    at: str,
    fmt: Format = "json",
    *,
    root: str | Path | None = None,
    include: Sequence[Include] = (),
    actor: str | None = None,
    sources: bool = False,
) -> str:
    """The network on ``at`` as JSON, GraphML or DOT (``sahel registry network``)."""
    registry = _ego(open_registry(root, include), actor)
    caps = load_capabilities(get_settings().shared_data)
    return render_network(registry, network_at(registry, parse_day(at)), fmt,
                          sources=sources, capabilities=caps)


def actor_timeline(
    actor: str, *, root: str | Path | None = None, sources: bool = False, children: bool = True
) -> tuple[Actor, list[TimelineEntry]]:
    """Dated ties and events of an actor (``sahel registry timeline``)."""
    registry = open_registry(root)
    found = resolve_actor(registry, actor)
    return found, timeline(registry, found.id, include_children=children, sources=sources)


@dataclass
class ChangeReport:
    diff: NetworkDiff
    registry: Registry


def network_changes(
    before: str,
    after: str,
    *,
    root: str | Path | None = None,
    include: Sequence[Include] = (),
    actor: str | None = None,
) -> ChangeReport:
    """Ties gained and lost between two dates (``sahel registry diff``)."""
    registry = open_registry(root, include)
    ids = descendants(registry, resolve_actor(registry, actor).id) if actor else None
    return ChangeReport(diff(registry, parse_day(before), parse_day(after), ids), registry)


def tie_table(
    *,
    root: str | Path | None = None,
    actor: str | None = None,
    at: str | None = None,
    sources: bool = False,
) -> pd.DataFrame:
    """Every curated tie with its South–South/North–South/triangular class and horizontality."""
    registry = _ego(open_registry(root), actor)
    caps = load_capabilities(get_settings().shared_data)
    day = parse_day(at) if at else None
    rows = []
    for tie in sorted(registry.ties.values(), key=lambda t: (t.start.first, t.id)):
        if day is not None and not tie.active_on(day):
            continue
        kind = classify_tie(registry, tie)
        horiz = horizontality(registry, tie, caps)
        row: dict[str, object] = {
            "id": tie.id,
            "type": tie.type.value,
            "parties": ", ".join(f"{p.actor}:{p.role}" for p in tie.parties),
            "start": str(tie.start),
            "end": str(tie.end) if tie.end else "",
            "status": tie.status,
            "class": kind.kind,
            "horizontality": horiz.score,
            **{f"h_{k}": round(horiz.components[k], 3) if k in horiz.components else None
               for k in ("reciprocity", "autonomy", "parity")},
        }
        if sources:
            row["sources"] = " | ".join(source_labels(registry, tie))
        rows.append(row)
    return pd.DataFrame(rows)


def alignment(
    states: Sequence[str] = ("MLI", "BFA", "NER"),
    *,
    root: str | Path | None = None,
    start: str = "2010-01",
    end: str | None = None,
    include: Sequence[Include] = (),
) -> AlignmentReport:
    """Monthly partner portfolios, shifts and realignment months (``sahel registry alignment``).

    ``end`` defaults to the month the registry is current to (:func:`current_to`), so the
    portfolios run to the latest month the curated sources cover and no further.
    """
    registry = open_registry(root, include)
    if end is None:
        latest = _current_to(registry)
        end = latest.first.strftime("%Y-%m") if latest else dt.date.today().strftime("%Y-%m")
    first, last = _month(start, "start"), _month(end, "end")
    if last < first:
        raise ConfigError(f"the months run backwards ({start} after {end})", field="end",
                          hint="give an end month after the start month (YYYY-MM)")
    return alignment_report(registry, states, start, end)


def _month(text: str, name: str) -> dt.date:
    """A ``YYYY-MM`` month between 1945 and 2100 (portfolios are computed month by month)."""
    try:
        day = dt.date(int(text[:4]), int(text[5:7]), 1)
        if len(text) != 7 or text[4] != "-" or not 1945 <= day.year <= 2100:
            raise ValueError
    except ValueError:
        raise ConfigError(f"{text!r} is not a month between 1945-01 and 2100-12", field=name,
                          hint="use YYYY-MM, e.g. 2012-01") from None
    return day


def freshness(
    *,
    root: str | Path | None = None,
    at: str | None = None,
    threshold_months: int = DEFAULT_THRESHOLD_MONTHS,
) -> FreshnessReport:
    """Newest source per ongoing tie and actor, stale ties flagged (``sahel registry freshness``).

    ``at`` (YYYY[-MM[-DD]], default today) is the reference day: ties ongoing then, sources
    dated up to then, and a tie is stale with no source in the ``threshold_months`` before it.
    """
    day = parse_day(at) if at else None
    return freshness_report(load_registry(root), day, threshold_months)


def current_to(*, root: str | Path | None = None, at: str | None = None) -> FuzzyDate | None:
    """The date the registry is current to: its newest dated tie, event or source (for the
    dashboard's and the briefs' "registry current to" line)."""
    return _current_to(load_registry(root), parse_day(at) if at else None)


def sipri_import(
    *,
    root: str | Path | None = None,
    file: str | Path | None = None,
    recipients: Sequence[str] | None = None,
    out: str | Path | None = None,
    write: bool = True,
) -> tuple[ImportResult, Path | None]:
    """SIPRI deals → generated arms-transfer ties, written to a user folder (not the repo)."""
    result = import_sipri(load_registry(root), file, recipients or None)
    return result, (result.write(out) if write else None)


def atop_import(
    *,
    root: str | Path | None = None,
    file: str | Path | None = None,
    countries: Sequence[str] | None = SAHEL_ISO3,
    out: str | Path | None = None,
    write: bool = True,
) -> tuple[ImportResult, Path | None]:
    """ATOP dyad-years → generated alliance ties for ``countries``, written to a user folder."""
    result = import_atop(load_registry(root), file, countries or None)
    return result, (result.write(out) if write else None)


def coups_check(
    *, root: str | Path | None = None, file: str | Path | None = None, since: int | None = None
) -> CoupCheck:
    """Registry coup events vs Powell & Thyne (``sahel registry check-coups``)."""
    return check_coups(load_registry(root), file, since)


def link_coverage(
    *,
    root: str | Path | None = None,
    db: str | Path | None = None,
    files: Sequence[str | Path] = (),
    countries: Sequence[str] | None = SAHEL_ISO3,
) -> pd.DataFrame:
    """Share of events and fatalities whose actors map to the registry, per source.

    From event files when ``files`` are given, else from the event store's ``events_current``.
    """
    registry = load_registry(root)
    if files:
        return link_report_from_files(files, registry, countries)
    path = Path(db) if db else get_settings().db_path
    if not path.is_file():
        raise StoreError(f"event store not found: {path}",
                         hint="ingest events first, or pass event files with --file")
    import duckdb

    con = quiet(duckdb.connect(str(path), read_only=True))
    try:
        return link_report(con, registry, countries)
    except duckdb.Error as exc:
        raise StoreError(f"cannot read events_current from {path}: {exc}",
                         hint="ingest events first, or pass event files with --file") from exc
    finally:
        con.close()


def actor_table(*, root: str | Path | None = None) -> pd.DataFrame:
    """Every curated actor: id, name, kind, country, North/South position, bloc, parent,
    perpetrator group and how many sources back it (the API's and dashboard's actor list)."""
    registry = open_registry(root)
    rows = [{"id": a.id, "name": a.name, "kind": a.kind.value, "country": a.country or "",
             "position": a.position.value, "bloc": a.bloc.value if a.bloc else "",
             "parent": a.parent.actor if a.parent else "",
             "perpetrator_group": a.perpetrator_group.value if a.perpetrator_group else "",
             "founded": str(a.founded) if a.founded else "",
             "dissolved": str(a.dissolved) if a.dissolved else "", "sources": len(a.sources)}
            for a in sorted(registry.actors.values(), key=lambda a: a.id)]
    return pd.DataFrame(rows, columns=["id", "name", "kind", "country", "position", "bloc",
                                       "parent", "perpetrator_group", "founded", "dissolved",
                                       "sources"])


def _involves(registry: Registry, event: SystemEvent, iso3: str) -> bool:
    """Whether a system event is placed in ``iso3`` or names one of its actors (or units)."""
    if (event.country or "").upper() == iso3:
        return True
    for part in event.actors:
        actor, seen = registry.actors.get(part.actor), set()
        while actor is not None and actor.id not in seen:
            if (actor.country or "").upper() == iso3:
                return True
            seen.add(actor.id)
            parent = actor.parent.actor if actor.parent else None
            actor = registry.actors.get(parent) if parent else None
    return False


def system_event_table(*, root: str | Path | None = None, country: str | None = None,
                       state: str | None = None, start: dt.date | None = None,
                       end: dt.date | None = None) -> pd.DataFrame:
    """The dated system events (coups, treaties, withdrawals, sanctions…) with their sources —
    the marks on the alignment timelines. ``country`` keeps the events placed in that country
    (ISO3); ``state`` also keeps those any of whose actors belongs to it (the AES charter, an
    ECOWAS sanction, a partner's withdrawal), which is what a state's timeline needs;
    ``start``/``end`` bound the event's first day."""
    registry = open_registry(root)
    rows: list[dict[str, str]] = []
    for e in sorted(registry.events.values(), key=lambda e: (e.date.first, e.id)):
        if country and (e.country or "").upper() != country.upper():
            continue
        if state and not _involves(registry, e, state.upper()):
            continue
        if (start and e.date.first < start) or (end and e.date.first > end):
            continue
        rows.append({"id": e.id, "date": str(e.date), "day": e.date.first.isoformat(),
                     "type": e.type.value, "country": e.country or "", "title": e.title,
                     "actors": ", ".join(f"{a.actor}:{a.role}" for a in e.actors),
                     "ties": ", ".join(e.ties),
                     "sources": " | ".join(source_labels(registry, e))})
    return pd.DataFrame(rows, columns=["id", "date", "day", "type", "country", "title", "actors",
                                       "ties", "sources"])
