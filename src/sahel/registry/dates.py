"""Dates in the registry, resolved for analyses: a date, a system event, or a tie's start/end.

Why in the registry: before/after studies and claims both name their event by a registry id
(``aes-charter-signed``, ``wagner-mli:end``); the registry knows what each id is and how
precisely it is dated, so the lookup — with its refusals (a year-only date cannot start a
monthly study) and suggestions — lives beside the data it reads.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from sahel.errors import ConfigError, NotFoundError
from sahel.registry.checked import load_registry
from sahel.registry.load import Registry


@dataclass(frozen=True)
class EventDate:
    day: date
    label: str
    ref: str
    precision: str  # day | month


def resolve_event(event: str | date, registry: Registry | None = None) -> EventDate:
    """A date, a registry system-event id, a tie id (its start) or ``"<tie_id>:end"``."""
    if isinstance(event, date):
        return EventDate(event, event.isoformat(), "date", "day")
    try:
        day = date.fromisoformat(event)
        return EventDate(day, event, "date", "day")
    except ValueError:
        pass
    reg = registry if registry is not None else load_registry(None)
    name, end = event, False
    if name not in reg.events and name not in reg.ties and name.endswith((":end", ":start")):
        name, _, part = name.rpartition(":")
        end = part == "end"
    if name in reg.events:
        if end:
            raise ConfigError(f"{name!r} is a dated event, not a tie: it has no end",
                              hint=f"pass {name!r} alone")
        ev = reg.events[name]
        fuzzy, label = ev.date, ev.title
    elif name in reg.ties:
        tie = reg.ties[name]
        if end and tie.end is None:
            raise ConfigError(f"tie {name!r} has no end date in the registry",
                              hint=f"use {name!r} (its start) or a date")
        fuzzy = tie.end if end and tie.end is not None else tie.start
        label = f"{tie.label} ({'end' if end else 'start'})"
    else:
        close = difflib.get_close_matches(name, [*reg.events, *reg.ties], n=3)
        raise NotFoundError(
            f"{event!r} is neither a date (YYYY-MM-DD) nor a registry event or tie id",
            hint=(f"did you mean {', '.join(close)}? " if close else "")
            + "list ids with `sahel registry timeline --list`; use '<tie_id>:end' for a tie end")
    if fuzzy.precision == "year":
        raise ConfigError(f"{event!r} is dated only to the year ({fuzzy})",
                          hint="a monthly before/after needs the month; pass a date instead")
    return EventDate(fuzzy.first, label, event, fuzzy.precision)
