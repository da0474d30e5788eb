"""A page of event rows for a given audience: the API's ``/events`` and the map's points.

Why beside the measurements: a page of rows is selected by the same filter and carries the same
perpetrator groups and provenance as every figure; and the audience rule (ACLED rows stay with
the local user) is applied here, once, before any row is read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from sahel.panels.session import Measurer
from sahel.provenance import Provenance
from sahel.store.filters import Filters
from sahel.store.query import PUBLIC_COLUMNS, Audience, for_audience


@dataclass
class EventPage:
    """Rows ``offset .. offset + len(table)`` of ``total`` events, and their provenance."""

    table: pd.DataFrame
    total: int
    offset: int
    provenance: Provenance
    audience: Audience


def event_page(m: Measurer, f: Filters, *, audience: Audience, limit: int, offset: int = 0,
               perpetrator: list[str] | None = None, side: str = "any") -> EventPage:
    """Events ``f`` selects that ``audience`` may see, one page in day order, with the total.

    For the public, ACLED rows are never read (``for_audience``); asking for them alone is
    refused with the reason."""
    f = for_audience(replace(f, as_of=m.as_of).normalised(), audience)
    table = m.rows(f, PUBLIC_COLUMNS, limit=limit, offset=offset, perpetrator=perpetrator,
                   side=side)
    total = m.count(f, perpetrator=perpetrator, side=side)
    return EventPage(table, total, offset, m.provenance(f), audience)
