"""Unit-of-analysis tables built with verbs: ``create_…`` then ``add_…`` (peacesciencer style).

A :class:`~sahel.panels.base.Panel` knows its unit (country-month or admin1-month), keeps one
row per source (UCDP and ACLED are never summed together), carries the provenance of every
figure, and refuses a merge with a panel of another unit.
"""

from sahel.panels.base import Panel, merge
from sahel.panels.build import (
    add_civilian_deaths,
    add_events,
    add_fatalities,
    create_admin1_months,
    create_country_months,
)

__all__ = [
    "Panel",
    "add_civilian_deaths",
    "add_events",
    "add_fatalities",
    "create_admin1_months",
    "create_country_months",
    "merge",
]
