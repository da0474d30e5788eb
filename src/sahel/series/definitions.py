"""What each aggregate series means: definition, unit, caveats, citation, licence.

Why in code and not in the migration: a definition is reviewed like code and may be sharpened;
it is written to ``series_definitions`` on every import (inside the import's transaction), so
the store always says what its numbers mean, and ``get_series`` puts it into the provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sahel.errors import NotFoundError
from sahel.provenance import FAMILIES

_PACE, _UCDP_LICENCE = FAMILIES["ucdp_pace"]
_VIEWS, _VIEWS_LICENCE = FAMILIES["views"]
_ACLED, _ACLED_LICENCE = FAMILIES["acled_aggregate"]

_PV = ("ACLED 'political violence': Battles, Explosions/Remote violence, Violence against "
       "civilians, and the Mob violence sub-event type of Riots")
_CIV = ("ACLED 'civilian targeting': political violence events in which civilians were the "
        "main or only target (ACLED's civilian_targeting field)")
_ABSENT_ZERO = (
    "Absent rows mean zero per ACLED's convention (recent vintages omit zero months/years); "
    "get_series fills them inside the covered period with filled_zero=true, never before a "
    "country's first row (before it, ACLED did not cover the country). "
)
_PARTIAL = ("The latest period of each ACLED vintage is flagged partial=true: the file was cut "
            "during or just after it and ACLED back-fills recent weeks. ")
_REVISED = "ACLED revises past counts between vintages (kept as snapshots; use as_of). "


@dataclass(frozen=True)
class SeriesDefinition:
    """One series as stored in ``series_definitions``."""

    name: str
    family: str  # snapshots.source
    unit: str
    period: Literal["month", "year"]
    spatial_unit: Literal["country", "admin2"]
    definition: str
    caveats: str
    citation: str
    licence: str
    public: bool
    absent_means_zero: bool

    def row(self) -> list[object]:
        return [self.name, self.family, self.unit, self.period, self.spatial_unit,
                self.definition, self.caveats, self.citation, self.licence, self.public,
                self.absent_means_zero]


def _acled(name: str, unit: str, period: Literal["month", "year"],
           spatial: Literal["country", "admin2"], definition: str, extra: str = "") -> (
        SeriesDefinition):
    return SeriesDefinition(name, "acled_aggregate", unit, period, spatial, definition,
                            _ABSENT_ZERO + _PARTIAL + _REVISED + extra, _ACLED, _ACLED_LICENCE,
                            True, True)


_BFA = ("per Burkina Faso province (admin-2, OCHA/HDX P-codes) and month, from ACLED's HDX "
        "'Burkina Faso - Conflict Data' table ({what} by month-year, as of 3 Apr 2025)")
_BFA_EXTRA = ("Burkina Faso only; the 45 provinces of the OCHA/HDX P-codes in the file. Summed "
              "over provinces it gives the country total. ")
_FAT = ("ACLED 'reported fatalities' are conservative estimates from source reports, not "
        "verified counts; not comparable to UCDP best deaths (different inclusion rules). ")

DEFINITIONS: dict[str, SeriesDefinition] = {d.name: d for d in [
    SeriesDefinition(
        "ucdp_pace_deaths_best", "ucdp_pace", "deaths (UCDP best estimate)", "month",
        "country",
        "UCDP best deaths summed over all three violence types (state-based, non-state, "
        "one-sided) per country and month; derived by PaCE from GED 25.1 (1989-2024) + "
        "candidate 25.0.1-25.0.12 and 26.0.1-26.0.5; drops events whose date_start and date_end "
        "fall in different months; 2025-26 from candidate data.",
        "Derived by a third party (PaCE), not a UCDP product. 2025-2026 values are preliminary "
        "candidate data (incl. events coded 'Check') and will change with GED 26.1. Dropping "
        "multi-month events makes it slightly lower than GED sums. No split by violence type. "
        "Full grid of 133 countries: a zero is a recorded zero.",
        _PACE, _UCDP_LICENCE, True, False),
    SeriesDefinition(
        "views_ged_sb", "views", "deaths (UCDP best estimate, state-based)", "month", "country",
        "UCDP state-based (type 1) best deaths per country and month as scored by the ViEWS "
        "Prediction Challenge 2023/24 (cm_actuals, outcome ged_sb); month_id 457 = 2018-01; "
        "ViEWS country ids mapped to ISO3 through views_country_list.csv.",
        "State-based violence only: not comparable to the all-types PaCE series or to ACLED. "
        "2018-01..2024-04 only; 191 ViEWS countries; recent months were candidate data when "
        "the challenge was scored. Full grid: a zero is a recorded zero.",
        _VIEWS, _VIEWS_LICENCE, True, False),
    _acled("acled_pv_events", "events", "month", "country",
           f"Number of political violence events per country and month ({_PV}); ACLED curated "
           "aggregate 'Number of political violence events by country-month-year'.",
           "Events only, no fatalities. "),
    _acled("acled_pv_events_country_year", "events", "year", "country",
           f"Number of political violence events per country and year ({_PV}); ACLED curated "
           "aggregate 'Number of political violence events by country-year'."),
    _acled("acled_fatalities_country_year", "reported fatalities", "year", "country",
           "Reported fatalities per country and year; ACLED curated aggregate 'Number of "
           "reported fatalities by country-year'.",
           _FAT + "The table does not restate which event types it includes (political "
           "violence events carry nearly all ACLED fatalities). "),
    _acled("acled_bfa_pv_events_admin2", "events", "month", "admin2",
           f"Political violence events ({_PV}) "
           + _BFA.format(what="political violence events and fatalities") + ".", _BFA_EXTRA),
    _acled("acled_bfa_pv_fatalities_admin2", "reported fatalities", "month", "admin2",
           "Reported fatalities of political violence events "
           + _BFA.format(what="political violence events and fatalities") + ".",
           _BFA_EXTRA + _FAT),
    _acled("acled_bfa_civ_events_admin2", "events", "month", "admin2",
           f"Civilian-targeting events ({_CIV}) "
           + _BFA.format(what="civilian targeting events and fatalities") + ".", _BFA_EXTRA),
    _acled("acled_bfa_civ_fatalities_admin2", "reported fatalities", "month", "admin2",
           "Reported fatalities of civilian-targeting events "
           + _BFA.format(what="civilian targeting events and fatalities") + ".",
           _BFA_EXTRA + _FAT),
]}


def definition(name: str) -> SeriesDefinition:
    """The definition of ``name``, or a NotFoundError listing the known series."""
    try:
        return DEFINITIONS[name]
    except KeyError:
        raise NotFoundError(f"unknown series {name!r}",
                            hint=f"use one of {', '.join(DEFINITIONS)}") from None
