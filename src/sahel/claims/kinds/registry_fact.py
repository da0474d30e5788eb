"""Registry facts: claims about ties and dated system events, checked against the curated
registry and the dataset imports ("the US kept a drone base in Niger into 2024"; "Niger received
a EUR 40 million European Peace Facility measure"; "Turkey sold armed drones to Mali").

A tie fact is checked per recipient (each a part of the claim) in every source asked:

* **registry** — the curated ties (with their dated sources). A tie of the right type between
  the right parties is looked for; it must be active on ``active_on`` and/or start between
  ``start_from`` and ``start_to``, name the ``systems`` and carry the ``amount``. Found:
  supported; the parties and type found but the dates wrong: contradicted; dates right but
  systems or amount not: partly; nothing: not testable (a curated registry is not complete).
* **sipri** / **atop** — the ties generated from the SIPRI trade register / ATOP alliances
  (``sahel registry import-sipri``/``import-atop``), judged the same way, except that absence
  inside the dataset's years contradicts (they are systematic).
* ``only: true`` — no other recipient got such a tie from the provider then.

An event fact (a coup, a treaty…) is looked for in the registry's events and, for coups, in
Powell & Thyne (absence before the P&T version date contradicts).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sahel.claims.evidence import Store
from sahel.claims.result import (
    CONTRADICTED,
    PARTLY,
    SUPPORTED,
    UNTESTABLE,
    ClaimResult,
    Evidence,
    parts_result,
    result,
)
from sahel.claims.shapes import EventFact, TieFact
from sahel.claims.spec import Claim
from sahel.errors import RegistryError, SahelError
from sahel.registry.load import Registry
from sahel.registry.models import Tie, TieType

PT_CITATION = ("Powell, Jonathan M. & Clayton L. Thyne, Global instances of coups (JPR 48(2)), "
               "coup list as in the shared data")
PROVIDER_ROLES = ("provider", "funder")
RECIPIENT_ROLES = ("recipient", "target")


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _resolve(registry: Registry, name: str, claim: Claim, field: str) -> tuple[str, set[str]]:
    """The actor's id and the ids of it and its children (Russia → Wagner, EU → EPF)."""
    from sahel.registry.api import resolve_actor
    from sahel.registry.network import descendants

    try:
        actor = resolve_actor(registry, name)
    except SahelError as exc:
        raise RegistryError(exc.message, file=claim.file, field=f"fact.tie.{field}",
                            hint=exc.hint) from None
    return actor.id, descendants(registry, actor.id)


def _on_side(tie: Tie, ids: set[str], roles: tuple[str, ...]) -> bool:
    """An actor of ``ids`` takes part in the tie in one of ``roles`` (any role when the tie
    has no such roles, e.g. an alliance of members)."""
    has_roles = any(p.role in roles for p in tie.parties)
    return any(p.actor in ids and (p.role in roles or not has_roles) for p in tie.parties)


def _dated(tie: Tie, fact: TieFact) -> bool:
    if fact.active_on is not None:
        if tie.status != "actual" or fact.active_on < tie.start.first:
            return False
        if tie.end is not None and fact.active_on > tie.end.last:
            return False
    if fact.start_from is not None and tie.start.last < fact.start_from:
        return False
    return not (fact.start_to is not None and tie.start.first > fact.start_to)


def _details(tie: Tie, fact: TieFact, tolerance: float) -> list[str]:
    """What the tie lacks of the fact's details (systems, amount)."""
    lacks = []
    text = _squash(" ".join([tie.label, *tie.attributes.systems]))
    lacks += [f"system {s!r}" for s in fact.systems if _squash(s) not in text]
    if fact.amount is not None:
        budget = tie.attributes.budget
        if budget is None or budget.currency.upper() != (fact.currency or "").upper() or \
                abs(budget.amount - fact.amount) > tolerance * fact.amount:
            got = f"{budget.amount:,.0f} {budget.currency}" if budget else "none"
            lacks.append(f"amount {fact.amount:,.0f} {fact.currency} (registry: {got})")
    return lacks


def _describe(registry: Registry, tie: Tie) -> dict[str, Any]:
    parties = ", ".join(f"{p.actor}:{p.role}" for p in tie.parties)
    budget = tie.attributes.budget
    text = (f"{tie.type.value}; {parties}; {tie.start}–{tie.end or 'ongoing'}"
            + (f"; {budget.amount:,.0f} {budget.currency}" if budget else "")
            + (f"; systems {', '.join(tie.attributes.systems)}" if tie.attributes.systems
               else ""))
    sources = [s.label() for s in tie.sources]
    return {"summary": text, "label": tie.label, "sources": sources}


def _ties(store: Store, source: str, recipients: set[str]) -> tuple[Registry, str, int | None]:
    """The registry to search — curated, or the ties generated from SIPRI/ATOP for
    ``recipients`` — its label, and the last year a dataset covers (None: curated)."""
    from sahel.registry.importers.atop import import_atop
    from sahel.registry.importers.sipri import aggregate, read_sipri, sipri_ties

    registry = store.registry
    if source == "registry":
        return registry, "curated registry", None
    if source == "sipri":
        names = sorted({n for a in recipients if a in registry.actors
                        for n in [registry.actors[a].name,
                                  *(x.name for x in registry.actors[a].aliases)]})
        deals = read_sipri()
        imported = sipri_ties(registry, aggregate(deals, names))
        label, last = "SIPRI trade register", int(deals["order_year"].max())
    else:
        codes = sorted({c for a in recipients if a in registry.actors
                        and (c := registry.actors[a].country)})
        imported = import_atop(registry, None, codes or None)
        label = "ATOP 5.1"
        last = int(imported.frame["end_year"].max()) if len(imported.frame) else 0
    generated = registry.with_ties(imported.ties, imported.actors)
    generated.ties = {t.id: t for t in imported.ties}  # the dataset's ties only
    return generated, label, last


def _tie_row(claim: Claim, fact: TieFact, found: tuple[Registry, str, int | None],
             source: str, providers: set[str], recipient: str, ids: set[str] | None,
             every: set[str]) -> Evidence:
    registry, label, last = found
    types = {TieType(t) for t in fact.types}
    between = [t for t in registry.ties.values() if t.type in types
               and (not providers or _on_side(t, providers, PROVIDER_ROLES))
               and (ids is None or _on_side(t, ids, RECIPIENT_ROLES))]
    dated = [t for t in between if _dated(t, fact)]
    full = [t for t in dated if not _details(t, fact, claim.tolerance)]
    values = {t.id: _describe(registry, t) for t in (full or dated or between)[:6]}
    asked = max((d.year for d in (fact.active_on, fact.start_from) if d), default=0)
    if full:
        verdict, note = SUPPORTED, f"{label}: {', '.join(t.id for t in full)}"
    elif last is not None and asked > last:
        verdict, note = UNTESTABLE, f"{label} ends in {last}, before the dates claimed"
    elif dated:
        lacks = sorted({x for t in dated for x in _details(t, fact, claim.tolerance)})
        verdict, note = PARTLY, f"{label}: the tie holds but lacks {'; '.join(lacks)}"
    elif between:
        verdict = CONTRADICTED
        note = f"{label}: ties between them exist, but none at the dates claimed"
    elif last is not None:
        verdict, note = CONTRADICTED, f"{label} records no such tie"
    else:
        verdict = UNTESTABLE
        note = (f"{label} holds no such tie (a curated registry is not complete: absence is "
                "not evidence)")
    if source != "registry" and not types & {TieType.ARMS_TRANSFER, TieType.ALLIANCE,
                                             TieType.DEFENCE_PACT, TieType.COORDINATION}:
        verdict, note = UNTESTABLE, f"{label} holds arms transfers or alliances only"
    if fact.only and verdict in (SUPPORTED, PARTLY) and every:
        rivals = [t.id for t in registry.ties.values() if t.type in types
                  and _on_side(t, providers, PROVIDER_ROLES) and _dated(t, fact)
                  and not _on_side(t, every, RECIPIENT_ROLES)]
        if rivals:
            verdict = PARTLY
            note += f"; but not the only recipient: {', '.join(rivals[:5])}"
    return Evidence(
        definition=f"{recipient}: {label}", basis=f"registry:{source}", versions=[],
        snapshots=[], filters=_fact_filters(fact, recipient), values=values,
        stat={"matching_ties": [t.id for t in full], "ties_between": len(between)},
        covered=verdict != UNTESTABLE, note=note, verdict=verdict)


def _fact_filters(fact: TieFact, recipient: str) -> str:
    parts = ["type=" + ",".join(t.value for t in fact.types)]
    if fact.provider:
        parts.append("provider=" + ",".join(fact.provider))
    parts.append(f"recipient={recipient}")
    for name in ("active_on", "start_from", "start_to"):
        if (value := getattr(fact, name)) is not None:
            parts.append(f"{name}={value}")
    if fact.systems:
        parts.append("systems=" + ",".join(fact.systems))
    if fact.amount is not None:
        parts.append(f"amount={fact.amount:,.0f} {fact.currency}")
    if fact.only:
        parts.append("only=true")
    return "; ".join(parts)


def _tie_fact(claim: Claim, store: Store, fact: TieFact) -> ClaimResult:
    assert claim.fact is not None
    base = store.registry
    providers: set[str] = set()
    for name in fact.provider:
        providers |= _resolve(base, name, claim, "provider")[1]
    recipients: list[tuple[str, set[str] | None]] = [
        _resolve(base, name, claim, "recipient") for name in fact.recipient] or [("any", None)]
    every = {a for _, ids in recipients for a in (ids or set())}
    rows: list[Evidence] = []
    parts: dict[str, list[str]] = {}
    for source in claim.fact.sources:
        found = _ties(store, source, every)
        for rid, ids in recipients:
            row = _tie_row(claim, fact, found, source, providers, rid, ids, every)
            rows.append(row)
            parts.setdefault(rid, []).append(row.verdict)
    return parts_result(claim, rows, parts) if len(parts) > 1 else result(claim, rows)


def _overlaps(first: date, last: date, fact: EventFact) -> bool:
    return first <= fact.end and last >= fact.start


def _event_fact(claim: Claim, store: Store, fact: EventFact) -> ClaimResult:
    registry = store.registry
    assert claim.fact is not None
    kinds = {t.value for t in fact.types}
    rows: list[Evidence] = []
    window = f"types={','.join(sorted(kinds))}; country={fact.country or 'any'}; " \
             f"{fact.start}..{fact.end}"
    for source in claim.fact.sources:
        if source == "registry":
            found = [e for e in registry.events.values() if e.type.value in kinds
                     and (fact.country is None or e.country == fact.country)
                     and _overlaps(e.date.first, e.date.last, fact)]
            values = {e.id: {"summary": f"{e.type.value}; {e.country or ''}; {e.date}; "
                                        f"{e.title}",
                             "sources": [s.label() for s in e.sources]}
                      for e in found}
            verdict = SUPPORTED if found else UNTESTABLE
            note = ("registry events: " + ", ".join(e.id for e in found)) if found else \
                "no such registry event (a curated registry is not complete)"
        else:
            verdict, note, values = _powell_thyne(fact, kinds)
        rows.append(Evidence(
            definition=f"{fact.country or 'any country'}: {source}",
            basis=f"registry:{source}", versions=[], snapshots=[], filters=window,
            values=values, stat={}, covered=verdict != UNTESTABLE, note=note,
            verdict=verdict))
    return result(claim, rows)


def _powell_thyne(fact: EventFact, kinds: set[str]) -> tuple[str, str, dict[str, Any]]:
    from sahel.registry.importers.coups import read_powell_thyne

    if not kinds & {"coup", "coup_attempt"}:
        return UNTESTABLE, "Powell & Thyne lists coups and coup attempts only", {}
    try:
        pt = read_powell_thyne()
    except SahelError as exc:
        return UNTESTABLE, f"Powell & Thyne not at hand: {exc.message}", {}
    window = pt[(pt["date"] >= fact.start) & (pt["date"] <= fact.end)]
    if fact.country:
        window = window[window["iso3"] == fact.country]
    values = {f"P&T {r['iso3']} {r['date']}": {"summary": f"{r['outcome']} ({r['country']}, "
                                                          f"{r['version']})"}
              for r in window.to_dict("records")}
    same = window[window["outcome"].isin(kinds)]
    version = str(pt["version"].iloc[0]) if len(pt) else ""
    if not same.empty:
        return SUPPORTED, f"Powell & Thyne {version}: {len(same)} event(s)", values
    if not window.empty:
        return PARTLY, f"Powell & Thyne {version} codes it otherwise", values
    if fact.end <= _version_date(version):
        return CONTRADICTED, f"Powell & Thyne {version} records none", values
    return UNTESTABLE, f"the window ends after Powell & Thyne {version}", values


def _version_date(version: str) -> date:
    """``V2023.09.08`` -> its day (the last day the list can speak for); unknown: no limit."""
    try:
        return date(*(int(x) for x in version.removeprefix("V").split(".")))
    except (TypeError, ValueError):
        return date.max


def registry_fact(claim: Claim, store: Store) -> ClaimResult:
    assert claim.fact is not None
    if claim.fact.tie is not None:
        return _tie_fact(claim, store, claim.fact.tie)
    assert claim.fact.event is not None
    return _event_fact(claim, store, claim.fact.event)
