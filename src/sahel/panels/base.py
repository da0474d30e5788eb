"""The Panel object: a unit of analysis, its rows, its provenance, and what was left out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa

from sahel.errors import PanelError
from sahel.provenance import Provenance
from sahel.store.filters import Filters

Unit = Literal["country_month", "admin1_month"]
KEYS: dict[str, list[str]] = {
    "country_month": ["source", "country_iso3", "month"],
    "admin1_month": ["source", "country_iso3", "admin1", "month"],
}
#: registry perpetrator groups (sahel.registry.models.PerpetratorGroup) + "unmapped"
GROUPS: tuple[str, ...] = ("state_forces", "foreign_partner", "jihadist", "militia",
                           "separatist", "unidentified", "civilians", "other", "unmapped")


@dataclass
class Panel:
    """Rows keyed by ``KEYS[unit]``; ``month`` is the first day of the month (a Timestamp).

    ``coverage`` says, per source and country, which months the stored snapshots cover (zeros
    inside it are real zeros; outside it there is no row). ``excluded`` counts events kept out
    of the panel's figures and why (e.g. country-level precision in an admin1 panel).
    ``definitions`` explains each added column, per source where definitions differ.
    """

    unit: Unit
    data: pd.DataFrame
    filters: Filters
    provenance: Provenance
    coverage: pd.DataFrame
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)
    definitions: dict[str, str] = field(default_factory=dict)
    registry_note: str | None = None
    #: where the events live, and the registry's raw-name -> perpetrator map (None: no registry)
    db_path: Path | None = None
    actor_map: pd.DataFrame | None = field(default=None, repr=False)
    #: the filtered events behind the panel (fetched once; the add_… verbs count them)
    events: pa.Table | None = field(default=None, repr=False)

    @property
    def keys(self) -> list[str]:
        return KEYS[self.unit]

    def with_data(self, data: pd.DataFrame, definitions: dict[str, str]) -> Panel:
        return replace(self, data=data, definitions={**self.definitions, **definitions})



def merge(left: Panel, right: Panel) -> Panel:
    """Join two panels of the SAME unit on their keys; refuse a mismatched unit."""
    if left.unit != right.unit:
        raise PanelError(
            f"cannot merge a {left.unit} panel with a {right.unit} panel",
            hint="aggregate the finer panel first (e.g. sum admin1 months to country months)",
        )
    clash = (set(left.data.columns) & set(right.data.columns)) - set(left.keys)
    if clash:
        raise PanelError(f"both panels have column(s) {', '.join(sorted(clash))}",
                         hint="rename one side before merging")
    data = left.data.merge(right.data, on=left.keys, how="outer")
    prov = Provenance(
        f"{left.provenance.filters} | {right.provenance.filters}",
        left.provenance.snapshots + [s for s in right.provenance.snapshots
                                     if s not in left.provenance.snapshots],
        sorted(set(left.provenance.citations) | set(right.provenance.citations)),
    )
    return replace(left, data=data, provenance=prov,
                   coverage=pd.concat([left.coverage, right.coverage]).drop_duplicates(
                       subset=["source", "country_iso3"]),
                   excluded=pd.concat([left.excluded, right.excluded]),
                   definitions={**left.definitions, **right.definitions})
