"""How current is the registry? The newest source of every ongoing tie and actor, stale flags.

Why: the registry answers "who is allied with whom *today*?", but a tie recorded from a 2023
source and never revisited still looks active years later. Nothing in a tie says "I have not
been checked since 2023" unless its sources carry dates. This module dates every source
(:func:`source_date`), gives each ongoing tie and each actor the date of its newest source, and
flags ongoing ties with no source newer than a threshold (default 12 months) so a stale
registry says so — in ``sahel registry freshness`` and, as warnings, in ``sahel registry check``.

Dating rules:

* a source's date is its ``published`` date, else its ``accessed`` date, else — for ``doc:``
  sources — the document's ``published`` date (``documents.yaml``); otherwise it is undated;
* a tie's evidence is its own sources plus those of the system events that name it (an event
  "Wagner hands over to Africa Corps" is news about both ties);
* an actor's evidence is its own sources plus those of every tie and event it takes part in;
* fuzzy dates compare by their first day, the registry's convention for interval arithmetic
  (docs/registry.md): a source dated "2025" counts as January 2025, the strict reading;
* everything is relative to a reference day ``at`` (default today): ties ongoing on ``at``,
  sources dated after ``at`` ignored, so ``--at 2025-06-30`` shows the registry as a reader
  then would have judged it.

:func:`current_to` gives the registry's "current to" date — its newest dated item or source —
for the dashboard and briefs.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from sahel.errors import InputError
from sahel.registry.load import Registry
from sahel.registry.models import Document, FuzzyDate, Source, SystemEvent, Tie

#: Months without a newer source after which an ongoing tie is flagged as stale.
DEFAULT_THRESHOLD_MONTHS = 12


def source_date(source: Source, documents: Mapping[str, Document]) -> FuzzyDate | None:
    """The date of a source: ``published``, else ``accessed``, else its document's date."""
    if source.published is not None:
        return source.published
    if source.accessed is not None:
        return source.accessed
    if source.doc is not None:
        doc = documents.get(source.doc)
        if doc is not None:
            return doc.published
    return None


def months_before(day: dt.date, months: int) -> dt.date:
    """``day`` minus ``months`` calendar months (the day clamped to the shorter month)."""
    if months < 0:
        raise InputError(f"the threshold must be 0 months or more, got {months}",
                         field="threshold", hint="e.g. --threshold 12")
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _newest(dates: Iterable[FuzzyDate | None], at: dt.date) -> FuzzyDate | None:
    """Newest date not after ``at`` (by first day, then the more precise)."""
    known = [d for d in dates if d is not None and d.first <= at]
    if not known:
        return None
    return max(known, key=lambda d: (d.first, -(d.last - d.first).days))


def _dated(sources: Iterable[Source], documents: Mapping[str, Document]) -> list[FuzzyDate | None]:
    return [source_date(s, documents) for s in sources]


def _is_ongoing(tie: Tie, at: dt.date) -> bool:
    """Actual, started on or before ``at``, and not ended by then (ties ending later count)."""
    if tie.status != "actual" or tie.start.first > at:
        return False
    return tie.end is None or tie.end.first > at


def _events_by_tie(registry: Registry) -> dict[str, list[SystemEvent]]:
    out: dict[str, list[SystemEvent]] = {}
    for event in registry.events.values():
        for tie_id in event.ties:
            out.setdefault(tie_id, []).append(event)
    return out


def tie_sources(registry: Registry, tie: Tie,
                linked: Mapping[str, list[SystemEvent]] | None = None) -> list[Source]:
    """The tie's own sources and those of the system events that name it."""
    events = (linked if linked is not None else _events_by_tie(registry)).get(tie.id, [])
    return [*tie.sources, *(s for e in events for s in e.sources)]


@dataclass(frozen=True)
class TieFreshness:
    """One ongoing tie: its newest source date (None if no source is dated) and the flag."""

    tie_id: str
    label: str
    start: FuzzyDate
    newest: FuzzyDate | None
    sources: int
    dated_sources: int
    stale: bool


@dataclass(frozen=True)
class ActorFreshness:
    """One actor: the newest source about it, its ongoing ties and how many are stale."""

    actor_id: str
    name: str
    kind: str
    newest: FuzzyDate | None
    ongoing_ties: int
    stale_ties: int


@dataclass
class FreshnessReport:
    """The freshness of the registry on ``at`` with a ``threshold_months`` window."""

    at: dt.date
    threshold_months: int
    cutoff: dt.date
    current_to: FuzzyDate | None
    ties: list[TieFreshness] = field(default_factory=list)
    actors: list[ActorFreshness] = field(default_factory=list)

    @property
    def stale(self) -> list[TieFreshness]:
        """Ongoing ties whose newest source is older than the cutoff (or undated)."""
        return [t for t in self.ties if t.stale]

    def ties_frame(self, stale_only: bool = False) -> pd.DataFrame:
        rows = [{"tie": t.tie_id, "label": t.label, "start": str(t.start),
                 "newest_source": str(t.newest) if t.newest else "",
                 "sources": t.sources, "dated": t.dated_sources, "stale": t.stale}
                for t in self.ties if t.stale or not stale_only]
        return pd.DataFrame(rows, columns=["tie", "label", "start", "newest_source", "sources",
                                           "dated", "stale"])

    def actors_frame(self, stale_only: bool = False) -> pd.DataFrame:
        rows = [{"actor": a.actor_id, "name": a.name, "kind": a.kind,
                 "newest_source": str(a.newest) if a.newest else "",
                 "ongoing_ties": a.ongoing_ties, "stale_ties": a.stale_ties}
                for a in self.actors if a.stale_ties or not stale_only]
        return pd.DataFrame(rows, columns=["actor", "name", "kind", "newest_source",
                                           "ongoing_ties", "stale_ties"])


def current_to(registry: Registry, at: dt.date | None = None) -> FuzzyDate | None:
    """The registry's "current to" date: its newest dated item or source not after ``at``.

    Items are tie starts and ends and system-event dates; sources are dated by
    :func:`source_date`. Dates after ``at`` (default today) are ignored, so a mandate that is
    scheduled to end next year does not make the registry look current to next year.
    """
    day = at or dt.date.today()
    dates: list[FuzzyDate | None] = []
    for tie in registry.ties.values():
        if tie.status == "actual":
            dates += [tie.start, tie.end]
        dates += _dated(tie.sources, registry.documents)
    for event in registry.events.values():
        dates.append(event.date)
        dates += _dated(event.sources, registry.documents)
    for actor in registry.actors.values():
        dates += _dated(actor.sources, registry.documents)
    return _newest(dates, day)


def freshness_report(
    registry: Registry,
    at: dt.date | None = None,
    threshold_months: int = DEFAULT_THRESHOLD_MONTHS,
) -> FreshnessReport:
    """Newest source per ongoing tie and per actor on ``at``; ties older than the window flagged.

    A tie is stale when none of its sources (nor of the events naming it) is dated on or after
    ``at`` minus ``threshold_months`` — including when none of them is dated at all.
    """
    day = at or dt.date.today()
    cutoff = months_before(day, threshold_months)
    docs = registry.documents
    linked = _events_by_tie(registry)
    ties: list[TieFreshness] = []
    for tie in sorted(registry.ties.values(), key=lambda t: t.id):
        if not _is_ongoing(tie, day):
            continue
        sources = tie_sources(registry, tie, linked)
        dates = _dated(sources, docs)
        newest = _newest(dates, day)
        ties.append(TieFreshness(
            tie_id=tie.id, label=tie.label, start=tie.start, newest=newest,
            sources=len(sources), dated_sources=sum(d is not None for d in dates),
            stale=newest is None or newest.first < cutoff,
        ))
    by_tie = {t.tie_id: t for t in ties}
    evidence: dict[str, list[FuzzyDate | None]] = {
        a.id: _dated(a.sources, docs) for a in registry.actors.values()
    }
    ongoing: dict[str, list[TieFreshness]] = {a: [] for a in registry.actors}
    for tie in registry.ties.values():
        dates = _dated(tie.sources, docs)
        for actor_id in set(tie.actors()):
            evidence.setdefault(actor_id, []).extend(dates)
            if tie.id in by_tie:
                ongoing.setdefault(actor_id, []).append(by_tie[tie.id])
    for event in registry.events.values():
        dates = _dated(event.sources, docs)
        for actor_id in {a.actor for a in event.actors}:
            evidence.setdefault(actor_id, []).extend(dates)
    actors = [
        ActorFreshness(
            actor_id=actor.id, name=actor.name, kind=actor.kind.value,
            newest=_newest(evidence.get(actor.id, []), day),
            ongoing_ties=len(ongoing.get(actor.id, [])),
            stale_ties=sum(t.stale for t in ongoing.get(actor.id, [])),
        )
        for actor in sorted(registry.actors.values(), key=lambda a: a.id)
    ]
    return FreshnessReport(at=day, threshold_months=threshold_months, cutoff=cutoff,
                           current_to=current_to(registry, day), ties=ties, actors=actors)


def stale_ties(
    registry: Registry,
    at: dt.date | None = None,
    threshold_months: int = DEFAULT_THRESHOLD_MONTHS,
) -> list[TieFreshness]:
    """Ongoing ties with no source newer than the threshold (what ``registry check`` warns on)."""
    return freshness_report(registry, at, threshold_months).stale
